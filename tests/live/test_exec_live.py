"""exec --live / shell --live: real boto3 and AWS CLI v1 children across role-credential lifetimes,
session end and recovery, argv hygiene, signals and exit codes, no endpoint left behind."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import urlsplit

import pexpect

from ssoenv.emulator import Emulator
from tests.conftest import BIN_DIR, Sandbox, new_sandbox
from tests.live.conftest import BROWSER

SSOENV = [sys.executable, "-m", "ssoenv"]

# the child: calls STS every 0.2 s for `seconds` (4 times at least); reports failures, what it got, what argv holds
BOTO_CHILD = textwrap.dedent(
    """
    import glob, json, os, sys, time
    import boto3
    seconds = float(sys.argv[1])
    session = boto3.Session()
    sts = session.client("sts")
    failures, calls = [], 0
    deadline = time.monotonic() + seconds
    secrets = set()
    while time.monotonic() < deadline or calls + len(failures) < 4:  # a loaded machine still makes 4
        try:
            sts.get_caller_identity()
            calls += 1
            frozen = session.get_credentials().get_frozen_credentials()
            secrets.update((frozen.secret_key, frozen.token))
        except Exception as exc:
            failures.append(str(exc))
        time.sleep(0.2)
    secrets.add(os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"])
    leaked = []
    for path in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            argv = open(path, "rb").read().decode("utf-8", "replace")
        except OSError:
            continue
        leaked += [path for s in secrets if s in argv]
    print(json.dumps({
        "calls": calls,
        "failures": failures,
        "env": sorted(k for k in os.environ if k.startswith("AWS_")),
        "uri": os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
        "leaked": leaked,
    }))
    """
)


def refused(uri: str) -> bool:
    parts = urlsplit(uri)
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    except OSError:
        return False  # reset while the listener closes: not gone yet
    return False


def sts_keys(sandbox: Sandbox) -> list[str]:
    assert sandbox.emulator is not None
    return [
        r.detail["accessKeyId"]
        for r in sandbox.emulator.requests
        if r.operation == "GetCallerIdentity" and r.status == 200
    ]


def test_boto3_child_across_three_role_lifetimes(logged_in: Sandbox) -> None:
    emu = logged_in.emulator
    assert emu is not None
    emu.config.role_ttl = 2  # 4.5 s of calls outlive two of them: three lifetimes
    proc = logged_in.run(["exec", "--live", "dev", "--", sys.executable, "-c", BOTO_CHILD, "4.5"], timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["failures"] == [] and report["calls"] >= 4
    # three lifetimes: at least three different credentials were used, every call accepted
    assert len(set(sts_keys(logged_in))) >= 3
    assert not any(r.status != 200 for r in emu.requests if r.operation == "GetCallerIdentity")
    # the two variables instead of static keys
    assert "AWS_CONTAINER_CREDENTIALS_FULL_URI" in report["env"]
    assert "AWS_CONTAINER_AUTHORIZATION_TOKEN" in report["env"]
    for static in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        assert static not in report["env"]
    assert report["leaked"] == []  # no secret on any process's argv
    assert refused(report["uri"])  # the endpoint is gone with the child


def test_aws_cli_v1_child_across_three_lifetimes_then_session_end_and_login(logged_in: Sandbox) -> None:
    emu = logged_in.emulator
    assert emu is not None
    emu.config.role_ttl = 2
    script = textwrap.dedent(
        """
        import subprocess, sys, time
        def aws():
            p = subprocess.run(["aws", "sts", "get-caller-identity", "--output", "json"],
                               capture_output=True, text=True)
            return p.returncode, p.stderr
        start, calls = time.monotonic(), 0
        while time.monotonic() - start < 4.5 or calls < 3:  # three lifetimes, three calls at least
            rc, err = aws()
            calls += 1
            if rc != 0:
                print("FAIL", err, flush=True)
        print("phase1-done", flush=True)
        sys.stdin.readline()          # the test ends the session
        rc, err = aws()
        print(json.dumps({"rc": rc, "err": err}), flush=True)
        sys.stdin.readline()          # the test logs in from another process
        rc, err = aws()
        print(json.dumps({"rc": rc, "err": err}), flush=True)
        """
    ).replace("import subprocess", "import json, subprocess")
    env = {**logged_in.env, "PATH": os.pathsep.join([BIN_DIR, logged_in.env["PATH"]])}
    child = subprocess.Popen(
        [*SSOENV, "exec", "--live", "dev", "--", sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=logged_in.home,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        assert child.stdout.readline().strip() == "phase1-done"
        assert len(set(sts_keys(logged_in))) >= 3
        assert all(r.status == 200 for r in emu.requests if r.operation == "GetCallerIdentity")
        emu.revoke_all_tokens()
        child.stdin.write("\n")
        child.stdin.flush()
        ended = json.loads(child.stdout.readline())
        assert ended["rc"] != 0
        lines = [line for line in ended["err"].splitlines() if line.strip()]
        assert len(lines) == 1, ended["err"]  # one clear line
        assert "run `ssoenv login dev`" in lines[0]
        assert logged_in.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
        child.stdin.write("\n")
        child.stdin.flush()
        healed = json.loads(child.stdout.readline())
        assert healed["rc"] == 0, healed["err"]
        assert child.wait(30) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def test_exit_status_and_missing_command(logged_in: Sandbox) -> None:
    assert logged_in.run(["exec", "--live", "dev", "--", "sh", "-c", "exit 7"]).returncode == 7
    missing = logged_in.run(["exec", "--live", "dev", "--", "no-such-command-here"])
    assert missing.returncode == 127 and missing.stderr.strip() == "ssoenv: command not found: no-such-command-here"


WAIT_CHILD = "import os,sys,time; print(os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI'], flush=True); time.sleep(60)"


def test_sigterm_is_forwarded_and_its_death_passed_through(logged_in: Sandbox) -> None:
    proc = subprocess.Popen(
        [*SSOENV, "exec", "--live", "dev", "--", sys.executable, "-c", WAIT_CHILD],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=logged_in.env,
    )
    assert proc.stdout is not None
    uri = proc.stdout.readline().strip()
    assert not refused(uri)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(20) == -signal.SIGTERM
    assert refused(uri)


def test_a_child_that_handles_sigterm_decides_the_status(logged_in: Sandbox) -> None:
    code = (
        "import signal,sys,time; signal.signal(signal.SIGTERM, lambda *a: sys.exit(3)); "
        "print('ready', flush=True); time.sleep(60)"
    )
    proc = subprocess.Popen(
        [*SSOENV, "exec", "--live", "dev", "--", sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        text=True,
        env=logged_in.env,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(20) == 3


def test_ctrl_c_and_the_terminal_reach_the_child(logged_in: Sandbox) -> None:
    code = (
        "import os,signal,sys\n"
        "signal.signal(signal.SIGINT, lambda *a: os.write(1, b'child got SIGINT\\n'))\n"
        "print('tty' if os.isatty(0) else 'notty', flush=True)\n"
        "line = sys.stdin.readline()\n"
        "print('read:' + line.strip(), flush=True)\n"
        "signal.signal(signal.SIGINT, signal.SIG_DFL)\n"
        "print('waiting', flush=True)\n"
        "signal.pause()\n"
    )
    child = pexpect.spawn(
        sys.executable,
        [*SSOENV[1:], "exec", "--live", "dev", "--", sys.executable, "-c", code],
        env=logged_in.env,
        encoding="utf-8",
        timeout=30,
    )
    try:
        child.expect("tty")
        child.sendintr()  # Ctrl-C: the child handles it, ssoenv carries on
        child.expect("child got SIGINT")
        child.sendline("hello")
        child.expect("read:hello")
        child.expect("waiting")
        child.sendintr()  # now the child dies of it, and so does ssoenv
        child.expect(pexpect.EOF)
        child.wait()
        assert child.signalstatus == signal.SIGINT
    finally:
        child.close(force=True)


def test_shell_live(logged_in: Sandbox) -> None:
    env = {**logged_in.env, "SHELL": "/bin/bash", "PS1": "$ "}
    child = pexpect.spawn(
        sys.executable, [*SSOENV[1:], "shell", "--live", "dev"], env=env, encoding="utf-8", timeout=30
    )
    try:
        child.expect("starting bash with dev")
        call = 'import boto3; print("acct=" + boto3.client("sts").get_caller_identity()["Account"])'
        child.sendline(f"{sys.executable} -c '{call}'")
        child.expect("acct=111111111111")
        child.sendline("echo depth=$SSOENV_SHELL_DEPTH key=${AWS_ACCESS_KEY_ID-none}; exit 5")
        child.expect("depth=1 key=none")
        child.expect(pexpect.EOF)
        child.wait()
        assert child.exitstatus == 5
    finally:
        child.close(force=True)


def test_a_role_chain_through_the_endpoint(tmp_path: Path, emulator: Emulator) -> None:
    """exec --live serves a chained profile (SSO root + two AssumeRole hops) like any other."""
    from tests.chain.conftest import CHAIN_CONFIG, setup_iam

    emulator.directory.add_account("333333333333", "audit", roles=["ReadOnly"])
    setup_iam(emulator)
    sb = new_sandbox(tmp_path, emulator, textwrap.dedent(CHAIN_CONFIG).lstrip("\n"))
    sb.run(["login", "dev-sso"], env={"BROWSER": BROWSER}, check=True)
    code = "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])"
    proc = sb.run(["exec", "--live", "workload-deploy", "--", sys.executable, "-c", code])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("arn:aws:sts::222222222222:assumed-role/deploy/")


def test_a_long_lived_boto3_client_heals_after_a_login_elsewhere(logged_in: Sandbox) -> None:
    """One boto3 session for the whole run (an IDE, an agent): session ends, login, next call works."""
    emu = logged_in.emulator
    assert emu is not None
    emu.config.role_ttl = 60  # botocore refreshes before every call: each one asks the endpoint
    script = textwrap.dedent(
        """
        import json, sys, boto3
        sts = boto3.Session().client("sts")
        def call():
            try:
                return {"ok": sts.get_caller_identity()["Account"]}
            except Exception as exc:
                return {"error": str(exc)}
        for _ in range(3):
            print(json.dumps(call()), flush=True)
            sys.stdin.readline()
        """
    )
    child = subprocess.Popen(
        [*SSOENV, "exec", "--live", "dev", "--", sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=logged_in.env,
        cwd=logged_in.home,
    )
    assert child.stdin is not None and child.stdout is not None

    def step() -> dict[str, str]:
        answer: dict[str, str] = json.loads(child.stdout.readline())  # type: ignore[union-attr]
        return answer

    try:
        assert step() == {"ok": "111111111111"}
        emu.revoke_all_tokens()
        child.stdin.write("\n")
        child.stdin.flush()
        error = step()["error"]
        assert "\n" not in error and "run `ssoenv login dev`" in error
        assert logged_in.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
        child.stdin.write("\n")
        child.stdin.flush()
        assert step() == {"ok": "111111111111"}
        child.stdin.write("\n")
        child.stdin.flush()
        assert child.wait(30) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
