"""`ssoenv serve` as a user runs it: eval in a shell (background, ends with the shell), --foreground."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlsplit

import pytest

from tests.conftest import Sandbox, require_program

SSOENV = [sys.executable, "-m", "ssoenv"]


def refused(uri: str) -> bool:
    parts = urlsplit(uri)
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    except OSError:
        return False  # reset while the listener closes: not gone yet
    return False


def test_eval_in_bash_serves_until_the_shell_exits(logged_in: Sandbox) -> None:
    script = (
        f'eval "$({" ".join(SSOENV)} serve dev --shell bash)" || exit 9\n'
        'echo "uri=$AWS_CONTAINER_CREDENTIALS_FULL_URI"\n'
        'echo "static=${AWS_ACCESS_KEY_ID-none}"\n'
        f'{sys.executable} -c \'import boto3; print("acct=" + boto3.client("sts").get_caller_identity()["Account"])\'\n'
        f'eval "$({" ".join(SSOENV)} off --shell bash -q)"\n'
        'echo "after_off=${AWS_CONTAINER_CREDENTIALS_FULL_URI-none}${AWS_CONTAINER_AUTHORIZATION_TOKEN-none}"\n'
    )
    proc = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, env=logged_in.env, timeout=60, cwd=logged_in.home
    )
    assert proc.returncode == 0, proc.stderr
    values = dict(line.split("=", 1) for line in proc.stdout.splitlines())
    assert values["acct"] == "111111111111" and values["static"] == "none"
    assert values["after_off"] == "nonenone"  # `off` takes the endpoint's variables away
    assert "in the background (pid" in proc.stderr and "until this shell exits" in proc.stderr
    deadline = time.monotonic() + 10
    while not refused(values["uri"]):  # the shell is gone: the endpoint follows within a second
        assert time.monotonic() < deadline, "the endpoint outlived its shell"
        time.sleep(0.1)


def test_foreground_until_sigterm(logged_in: Sandbox) -> None:
    proc = subprocess.Popen(
        [*SSOENV, "serve", "dev", "--shell", "json", "--foreground", "--verbose"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=logged_in.env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    text = ""
    while not text.rstrip().endswith("}"):
        text += proc.stdout.readline()
    env = json.loads(text)
    uri, token = env["AWS_CONTAINER_CREDENTIALS_FULL_URI"], env["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
    assert env["AWS_REGION"] == "eu-west-1"
    request = urllib.request.Request(uri, headers={"Authorization": token})
    with urllib.request.urlopen(request, timeout=30) as resp:
        assert json.loads(resp.read())["AccountId"] == "111111111111"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(20) == 0
    err = proc.stderr.read()
    assert "issued credentials valid until" in err
    assert token not in err and token not in text.replace(token, "", 1)
    assert refused(uri)


def test_refuses_to_print_the_token_to_a_terminal(logged_in: Sandbox) -> None:
    import pexpect

    child = pexpect.spawn(sys.executable, [*SSOENV[1:], "serve", "dev"], env=logged_in.env, encoding="utf-8")
    child.expect(pexpect.EOF, timeout=30)
    child.wait()
    assert child.exitstatus == 2
    assert "will not write it to a terminal" in child.before
    assert "AWS_CONTAINER_AUTHORIZATION_TOKEN" not in child.before


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_eval_through_the_hooks_wrapper_serves_until_the_shell_exits(logged_in: Sandbox, shell: str) -> None:
    """With the hook loaded, `ssoenv` is a shell function: `eval "$(ssoenv serve P)"` runs it in a
    subshell that ends at once; the endpoint must live as long as the shell itself."""
    program = require_program(shell)
    hook = subprocess.run([*SSOENV, "hook", shell], capture_output=True, text=True, env=logged_in.env, check=True)
    script = (
        f"{hook.stdout}\n"
        'eval "$(ssoenv serve dev)" || exit 9\n'
        "sleep 1\n"  # the subshell of the command substitution is long gone
        f'{sys.executable} -c \'import boto3; print("acct=" + boto3.client("sts").get_caller_identity()["Account"])\'\n'
        'echo "uri=$AWS_CONTAINER_CREDENTIALS_FULL_URI"\n'
    )
    env = {**logged_in.env, "SHELL": program}
    proc = subprocess.run(
        [program, "-f", "-c", script] if shell == "zsh" else [program, "--norc", "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=logged_in.home,
    )
    assert proc.returncode == 0, proc.stderr
    values = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
    assert values.get("acct") == "111111111111", proc.stderr
    deadline = time.monotonic() + 10
    while not refused(values["uri"]):  # and it still ends with the shell
        assert time.monotonic() < deadline, "the endpoint outlived its shell"
        time.sleep(0.1)
