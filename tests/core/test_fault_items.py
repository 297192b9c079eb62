"""Items of "when the network and the files misbehave" beyond the fault matrix (test_fault_matrix.py)."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import Sandbox

DEVICE = ["--use-device-code", "--no-browser"]
BROWSER = f"{sys.executable} -m ssoenv.emulator.browser %s"
TOKEN = "ee0bfd2552fbd840c02cc48b6e823320543c450f.json"


@pytest.fixture
def logged_in(sandbox: Sandbox) -> Sandbox:
    sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}, check=True)
    return sandbox


def set_expiry(sandbox: Sandbox, minutes: float) -> None:
    path = sandbox.sso_cache / TOKEN
    data = json.loads(path.read_text())
    data["expiresAt"] = (datetime.now(timezone.utc) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path.write_text(json.dumps(data))


def error_lines(stderr: str) -> list[str]:
    assert "Traceback" not in stderr
    return [line for line in stderr.splitlines() if line.startswith("ssoenv:")]


@pytest.mark.parametrize("kind", ["not-json", "html", "hang-body", "empty"])
def test_garbled_refresh_falls_back_to_the_token_with_minutes_left(logged_in: Sandbox, kind: str) -> None:
    emu = logged_in.emulator
    assert emu is not None
    set_expiry(logged_in, 5)  # inside the refresh window, still valid
    before = (logged_in.sso_cache / TOKEN).read_bytes()
    emu.inject("CreateToken", kind=kind, count=10, delay=30)
    proc = logged_in.run(["export", "dev", "--format", "env", "--no-login"])
    assert proc.returncode == 0, proc.stderr
    assert "AWS_ACCESS_KEY_ID=" in proc.stdout
    assert (logged_in.sso_cache / TOKEN).read_bytes() == before  # the good token was not replaced


def test_refresh_failing_because_the_service_is_down_is_a_service_error(logged_in: Sandbox) -> None:
    emu = logged_in.emulator
    assert emu is not None
    set_expiry(logged_in, -5)
    emu.inject("CreateToken", status=503, count=10)
    proc = logged_in.run(["export", "dev", "--format", "env", "--no-login"])
    assert proc.returncode == 6, proc.stderr
    (line,) = error_lines(proc.stderr)
    assert "CreateToken" in line and "log in" not in line


def test_prompt_budget_bounds_a_hang(logged_in: Sandbox) -> None:
    """``SSOENV_TIMEOUT`` (what the prompt hook passes) is a total budget for the command's calls."""
    emu = logged_in.emulator
    assert emu is not None
    set_expiry(logged_in, -5)
    emu.inject("CreateToken", kind="hang", count=10, delay=30)
    calls = emu.calls("CreateToken")
    started = time.monotonic()
    proc = logged_in.run(
        ["use", "dev", "--shell", "bash", "--no-login", "--quiet"], env={"SSOENV_TIMEOUT": "2.5"}, process=True
    )
    elapsed = time.monotonic() - started
    assert proc.returncode == 6 and proc.stdout == ""
    assert len(error_lines(proc.stderr)) == 1
    assert elapsed <= 3.0  # the budget counts from the start of the command
    assert emu.calls("CreateToken") == calls + 1


def test_bad_budget_value_is_a_usage_error(logged_in: Sandbox) -> None:
    set_expiry(logged_in, -5)
    proc = logged_in.run(["use", "dev", "--shell", "bash", "--no-login"], env={"SSOENV_TIMEOUT": "soon"})
    assert proc.returncode == 2 and len(error_lines(proc.stderr)) == 1


def test_malformed_account_listing_prunes_nothing(logged_in: Sandbox) -> None:
    """A 200 without accountList is not "no accounts": populate --prune --yes writes nothing."""
    emu = logged_in.emulator
    assert emu is not None
    logged_in.run(["populate", "--sso-session", "corp"], check=True)
    before = logged_in.config_file.read_bytes()
    assert b"ssoenv_generated" in before
    emu.inject("ListAccounts", kind="empty", count=10)
    proc = logged_in.run(["populate", "--sso-session", "corp", "--prune", "--yes"])
    assert proc.returncode == 6, proc.stderr
    assert "ListAccounts" in error_lines(proc.stderr)[-1] and "accountList" in proc.stderr
    assert logged_in.config_file.read_bytes() == before


def test_populate_fails_when_no_role_could_be_listed(logged_in: Sandbox) -> None:
    emu = logged_in.emulator
    assert emu is not None
    before = logged_in.config_file.read_bytes()
    emu.inject("ListAccountRoles", status=500, count=100)
    proc = logged_in.run(["populate", "--sso-session", "corp", "--yes"])
    assert proc.returncode == 6
    assert "could not list the roles of 3 account(s)" in error_lines(proc.stderr)[-1]
    assert logged_in.config_file.read_bytes() == before


def test_a_role_name_with_a_control_character_is_skipped(logged_in: Sandbox) -> None:
    emu = logged_in.emulator
    assert emu is not None
    hostile = json.dumps({"roleList": [{"roleName": "Bell\x07Role", "accountId": "111111111111"}]})
    emu.inject("ListAccountRoles", kind="answer", body=hostile)  # one account's roles: only this one
    proc = logged_in.run(["populate", "--sso-session", "corp"])
    assert proc.returncode == 0, proc.stderr
    assert "skipped" in proc.stderr and "Bell" in proc.stderr
    text = logged_in.config_file.read_text()
    assert "\x07" not in text and text.count("ssoenv_generated") == 4  # two accounts × two roles


def test_a_nul_byte_in_served_credentials_is_refused_and_not_cached(logged_in: Sandbox) -> None:
    emu = logged_in.emulator
    assert emu is not None
    creds = {"accessKeyId": "ASIA\u0000X", "secretAccessKey": "s", "sessionToken": "t", "expiration": 4102444800000}
    emu.inject("GetRoleCredentials", kind="answer", body=json.dumps({"roleCredentials": creds}))
    proc = logged_in.run(["use", "dev", "--shell", "bash", "--no-login"])
    assert proc.returncode == 6 and proc.stdout == ""
    (line,) = error_lines(proc.stderr)
    assert "GetRoleCredentials" in line and "accessKeyId" in line
    assert not list(logged_in.cli_cache.glob("*.json"))
    again = logged_in.run(["use", "dev", "--shell", "bash", "--no-login"])  # nothing bad was cached
    assert again.returncode == 0, again.stderr


@pytest.mark.parametrize(
    ("extra", "line"),
    [
        ("[profile other]\nregion = eu-west-1\nregion = eu-west-2\n", 3),
        ("[profile other]\nsso_session = corp\nsso_session = corp\n", 3),
    ],
)
def test_a_config_botocore_refuses_is_one_line_with_file_and_line(logged_in: Sandbox, extra: str, line: int) -> None:
    sandbox = logged_in
    text = sandbox.config_file.read_text()
    sandbox.config_file.write_text(text + "\n" + extra)
    number = len(text.splitlines()) + 1 + line
    proc = sandbox.run(["export", "dev", "--format", "env", "--no-login"])
    assert proc.returncode == 3, proc.stderr
    (msg,) = error_lines(proc.stderr)
    assert f"{sandbox.config_file}:{number}" in msg


def test_an_invalid_sso_region_is_a_config_error(logged_in: Sandbox) -> None:
    sandbox = logged_in
    text = sandbox.config_file.read_text().replace("sso_region = us-east-1", "sso_region = us-east-1;rm")
    sandbox.config_file.write_text(text)
    proc = sandbox.run(["export", "dev", "--format", "env", "--no-login"])
    assert proc.returncode == 3, proc.stderr
    assert len(error_lines(proc.stderr)) == 1


def test_unknown_fault_kind_is_refused_by_the_emulator(sandbox: Sandbox) -> None:
    assert sandbox.emulator is not None
    with pytest.raises(ValueError, match="unknown fault kind"):
        sandbox.emulator.inject("ListAccounts", kind="gremlins")
