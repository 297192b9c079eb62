"""AWS CLI v2 parity: a refresh race lost to another program (D1), and where the profile comes
from when none is given (D4: AWS_PROFILE before AWS_DEFAULT_PROFILE; else the sso-sessions)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pexpect

from tests.conftest import BROWSER, Sandbox

TOKEN = "ee0bfd2552fbd840c02cc48b6e823320543c450f.json"  # sha1("corp")

# what the AWS CLI v2 does when its token is near expiry: botocore's SSOTokenProvider refreshes it
# (rotating the refresh token) and writes the file, without ssoenv's lock. It is started early and
# refreshes when told to (a line on stdin), so its start-up time never decides the race.
BOTOCORE_REFRESH = (
    "import sys, botocore.session\n"
    "from botocore.tokens import SSOTokenProvider\n"
    "s = botocore.session.Session(profile='dev')\n"
    "provider = SSOTokenProvider(s)\n"
    "print('ready', flush=True)\n"
    "sys.stdin.readline()\n"
    "print(provider.load_token().get_frozen_token().token[:8])\n"
)


def _refresh_statuses(sb: Sandbox) -> list[int]:
    assert sb.emulator is not None
    return [
        r.status
        for r in sb.emulator.requests
        if r.operation == "CreateToken" and r.detail.get("grantType") == "refresh_token"
    ]


def test_refresh_lost_to_another_program_uses_its_token(sandbox: Sandbox) -> None:
    emu = sandbox.emulator
    assert emu is not None
    assert sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
    path = sandbox.sso_cache / TOKEN
    data = json.loads(path.read_text())
    data["expiresAt"] = (datetime.now(timezone.utc) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path.write_text(json.dumps(data))
    theirs = subprocess.Popen(
        [sys.executable, "-c", BOTOCORE_REFRESH],
        env=sandbox.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert theirs.stdout is not None and theirs.stdin is not None
    assert theirs.stdout.readline().strip() == "ready"
    # ssoenv's refresh reaches the service first but is answered late (within its read timeout);
    # meanwhile the other program refreshes with the same refresh token and writes its new token,
    # so the service turns ours down (the refresh token was rotated)
    emu.inject("CreateToken", status=200, delay=3.0)
    ours = subprocess.Popen(
        [sys.executable, "-m", "ssoenv", "export", "dev", "--no-login"],
        env=sandbox.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while emu.faults.pending():
        assert time.monotonic() < deadline, "ssoenv never asked for a refresh"
        time.sleep(0.02)
    _, their_err = theirs.communicate("go\n", timeout=60)
    assert theirs.returncode == 0, their_err
    out, err = ours.communicate(timeout=60)
    assert ours.returncode == 0, err
    assert json.loads(out)["AccessKeyId"].startswith("ASIA")
    assert sorted(_refresh_statuses(sandbox)) == [200, 400]  # theirs won, ours lost
    assert emu.calls("StartDeviceAuthorization") == 0 and emu.calls("Authorize") == 1  # no new login


def test_aws_profile_before_aws_default_profile(sandbox: Sandbox) -> None:
    proc = sandbox.run(["login"], env={"BROWSER": BROWSER, "AWS_PROFILE": "dev", "AWS_DEFAULT_PROFILE": "legacy"})
    assert proc.returncode == 0, proc.stderr
    assert "(sso-session corp)" in proc.stderr  # dev's session, not legacy's start URL
    assert (sandbox.sso_cache / TOKEN).exists()


def test_login_without_any_profile_offers_the_sessions(sandbox: Sandbox) -> None:
    with sandbox.config_file.open("a") as f:
        f.write(
            "\n[sso-session other]\nsso_start_url = https://d-9999999999.awsapps.com/start\nsso_region = us-east-1\n"
        )
    child = pexpect.spawn(
        sys.executable,
        ["-m", "ssoenv", "login"],
        env={**sandbox.env, "BROWSER": BROWSER},
        cwd=str(sandbox.home),
        encoding="utf-8",
        timeout=60,
        dimensions=(24, 120),
    )
    child.expect_exact("Log in to which sso-session?")
    child.expect_exact("corp")
    child.send("\r")
    child.expect_exact("logged in to")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert (sandbox.sso_cache / TOKEN).exists()
    # no terminal: one line naming the sessions
    proc = sandbox.run(["login"])
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert "corp, other" in line
