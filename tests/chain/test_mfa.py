"""mfa_serial: the code typed on a terminal (a real PTY), cached like the AWS CLI, never asked by the hook."""

from __future__ import annotations

import json
import shlex
import sys

import pexpect

from ssoenv.emulator.iam import totp
from tests.chain.conftest import AWS, MFA_ROLE, MFA_SECRET, MFA_SERIAL, aws
from tests.conftest import Sandbox

PROMPT = f"Enter MFA code for {MFA_SERIAL}: "


def _in_pty(sb: Sandbox, command: str) -> pexpect.spawn:
    child = pexpect.spawn("/bin/sh", ["-c", command], env=sb.env, cwd=str(sb.home), encoding="utf-8", timeout=60)
    child.expect_exact(PROMPT)
    child.sendline(totp(MFA_SECRET))
    return child


def _assume_calls(sb: Sandbox) -> list[dict[str, str]]:
    assert sb.emulator is not None
    return [r.detail for r in sb.emulator.requests if r.operation == "AssumeRole"]


def test_code_typed_on_the_terminal_then_cached(chain: Sandbox) -> None:
    out = chain.home / "creds.json"
    child = _in_pty(chain, f"{shlex.quote(sys.executable)} -m ssoenv export break-glass > {shlex.quote(str(out))}")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert totp(MFA_SECRET) not in (child.before or "")  # not echoed
    creds = json.loads(out.read_text())
    assert [d["roleArn"] for d in _assume_calls(chain)] == [MFA_ROLE]
    # no terminal now, and no prompt needed: the MFA-derived credentials come from the cache
    again = chain.run(["export", "break-glass", "--no-login"])
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["AccessKeyId"] == creds["AccessKeyId"]
    # ... and the AWS CLI uses the same file: no prompt (stdin is not even a terminal), no call
    cli = aws(chain, "sts", "get-caller-identity", "--profile", "break-glass", "--region", "us-east-1")
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["Arn"].startswith("arn:aws:sts::222222222222:assumed-role/break-glass/")
    assert len(_assume_calls(chain)) == 1


def test_aws_cli_asks_and_ssoenv_reuses(chain: Sandbox) -> None:
    cmd = f"{shlex.quote(AWS)} sts get-caller-identity --profile break-glass --region us-east-1 --output json"
    child = _in_pty(chain, cmd)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert len(_assume_calls(chain)) == 1
    proc = chain.run(["use", "--shell", "bash", "--no-login", "break-glass"])
    assert proc.returncode == 0, proc.stderr
    assert "export SSOENV_ROLE_NAME=break-glass" in proc.stdout
    assert len(_assume_calls(chain)) == 1


def test_never_asked_without_a_person(chain: Sandbox) -> None:
    """The hook's refresh (`use --no-login --quiet`) and scripts: exit 4, one line, no prompt."""
    proc = chain.run(["use", "--no-login", "--quiet", "--shell", "bash", "break-glass"])
    assert proc.returncode == 4
    assert proc.stdout == ""
    (line,) = proc.stderr.strip().splitlines()
    assert "needs an MFA code" in line and "Enter MFA" not in proc.stderr
    assert _assume_calls(chain) == []


def test_wrong_code_is_access_denied(chain: Sandbox) -> None:
    out = chain.home / "creds.json"
    command = f"{shlex.quote(sys.executable)} -m ssoenv export break-glass > {shlex.quote(str(out))}"
    child = pexpect.spawn("/bin/sh", ["-c", command], env=chain.env, cwd=str(chain.home), encoding="utf-8", timeout=60)
    child.expect_exact(PROMPT)
    child.sendline("000000" if totp(MFA_SECRET) != "000000" else "111111")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 5
    assert "MultiFactorAuthentication failed" in (child.before or "")
