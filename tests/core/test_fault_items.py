"""Items of "when the network and the files misbehave" beyond the fault matrix (test_fault_matrix.py)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.conftest import BROWSER, Sandbox, require_program
from tests.core.forked import Command, ForkServer

DEVICE = ["--use-device-code", "--no-browser"]
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


@pytest.mark.serial  # a wall-clock bound: run alone (make test)
def test_prompt_budget_bounds_a_hang(logged_in: Sandbox) -> None:
    """``SSOENV_TIMEOUT`` (what the prompt hook passes) is a total budget for the command's calls,
    counted from the command's start: a real process, forked from a warm interpreter so that the
    interpreter's own start-up (which the machine's load stretches) is not in the measure."""
    emu = logged_in.emulator
    assert emu is not None
    set_expiry(logged_in, -5)
    emu.inject("CreateToken", kind="hang", count=10, delay=30)
    calls = emu.calls("CreateToken")
    command = Command(
        ["use", "dev", "--shell", "bash", "--no-login", "--quiet"],
        {**logged_in.env, "SSOENV_TIMEOUT": "1.5"},
        logged_in.home,
    )
    with ForkServer() as server:
        (result,) = server.results(server.start([command]), timeout=30)
    assert result.returncode == 6 and result.stdout == "", result.stderr
    assert len(error_lines(result.stderr)) == 1
    assert result.elapsed <= 1.5 + 1.0  # the budget, then one line and the exit
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


def test_a_failing_portal_is_not_asked_once_per_account(logged_in: Sandbox) -> None:
    """The time populate takes to fail does not grow with the number of accounts: once the portal
    has failed (after the one retry policy), the accounts not yet asked are not asked."""
    from ssoenv.features.populate import DEFAULT_WORKERS
    from ssoenv.remote.retry import MAX_ATTEMPTS

    emu = logged_in.emulator
    assert emu is not None
    for n in range(37):
        emu.directory.add_account(f"4000000000{n:02d}", roles=["ReadOnly"])
    accounts = len(emu.directory.accounts())
    assert accounts == 40
    before = logged_in.config_file.read_bytes()
    emu.inject("ListAccountRoles", status=500, count=1000)
    proc = logged_in.run(["populate", "--sso-session", "corp", "--yes"])
    assert proc.returncode == 6, proc.stderr
    assert f"could not list the roles of {accounts} account(s)" in error_lines(proc.stderr)[-1]
    assert emu.calls("ListAccountRoles") <= DEFAULT_WORKERS * MAX_ATTEMPTS < accounts * MAX_ATTEMPTS
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


def test_cached_credentials_with_a_nul_byte_are_fetched_again(logged_in: Sandbox) -> None:
    logged_in.run(["export", "dev", "--format", "env", "--no-login"], check=True)
    (path,) = logged_in.cli_cache.glob("*.json")
    data = json.loads(path.read_text())
    data["Credentials"]["AccessKeyId"] = "ASIA\u0000BAD"
    path.write_text(json.dumps(data))
    proc = logged_in.run(["use", "dev", "--shell", "bash", "--no-login"])
    assert proc.returncode == 0, proc.stderr
    assert "\x00" not in proc.stdout and "AWS_ACCESS_KEY_ID" in proc.stdout
    assert "\\u0000" not in path.read_text()  # replaced by the fresh answer


def test_a_directory_in_place_of_the_role_cache_file_is_named(logged_in: Sandbox) -> None:
    logged_in.run(["export", "dev", "--format", "env", "--no-login"], check=True)
    (path,) = logged_in.cli_cache.glob("*.json")
    path.unlink()
    path.mkdir()
    proc = logged_in.run(["use", "dev", "--shell", "bash", "--no-login"])
    assert proc.returncode == 0, proc.stderr  # the credentials are good; only the cache cannot keep them
    assert "AWS_ACCESS_KEY_ID" in proc.stdout
    (warning,) = [ln for ln in error_lines(proc.stderr) if "warning" in ln]
    assert str(path) in warning and "remove" in warning and "Errno" not in warning


def test_a_directory_in_place_of_the_token_file_is_named(sandbox: Sandbox) -> None:
    (sandbox.sso_cache / TOKEN).mkdir(parents=True)
    proc = sandbox.run(["login", "dev"], env={"BROWSER": BROWSER})
    assert proc.returncode == 1
    last = error_lines(proc.stderr)[-1]
    assert str(sandbox.sso_cache / TOKEN) in last and "remove" in last and "Errno" not in last


def test_every_directory_created_is_private_under_umask_000(sandbox: Sandbox, tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text(sandbox.config_file.read_text())
    shutil.rmtree(sandbox.home / ".aws")
    env = {"AWS_CONFIG_FILE": str(config), "BROWSER": BROWSER}
    old = os.umask(0)
    try:
        sandbox.run(["login", "dev"], env=env, check=True, process=True)
        sandbox.run(["export", "dev", "--format", "env", "--no-login"], env=env, check=True, process=True)
    finally:
        os.umask(old)
    found = [sandbox.home / ".aws", *(sandbox.home / ".aws").rglob("*")]
    assert {p.name for p in found} >= {".aws", "sso", "cache", "cli"}
    for path in found:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


def test_big_displaced_values_never_break_the_shell(logged_in: Sandbox) -> None:
    """Over 128 KiB displaced in total: every later command still runs, and `off` restores them."""
    bash = require_program("bash")
    script = """
    export AWS_SESSION_TOKEN=$(head -c 100000 /dev/zero | tr '\\0' t)
    export AWS_SECRET_ACCESS_KEY=$(head -c 60000 /dev/zero | tr '\\0' s)
    before=$(printf %s "$AWS_SESSION_TOKEN$AWS_SECRET_ACCESS_KEY" | cksum)
    eval "$(ssoenv use dev --shell bash --no-login)" || exit 11
    /bin/true || exit 12
    eval "$(ssoenv off --shell bash)" || exit 13
    /bin/true || exit 14
    [ "$(printf %s "$AWS_SESSION_TOKEN$AWS_SECRET_ACCESS_KEY" | cksum)" = "$before" ] || exit 15
    [ -z "${SSOENV_SAVED+x}${SSOENV_SAVED_AWS_SESSION_TOKEN+x}" ] || exit 16
    """
    env = {**logged_in.env, "PATH": f"{Path(sys.executable).parent}:{logged_in.env['PATH']}"}
    proc = subprocess.run([bash, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
