"""Fault injection: 500/429 retried then a clear error; 401 → login required; 403 → access denied."""

from __future__ import annotations

import pytest

from tests.conftest import BROWSER, Sandbox


@pytest.fixture
def logged_in(sandbox: Sandbox) -> Sandbox:
    assert sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
    return sandbox


def one_clean_line(stderr: str) -> None:
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr


@pytest.mark.parametrize("status", [500, 429])
def test_transient_errors_are_retried(logged_in: Sandbox, status: int) -> None:
    emu = logged_in.emulator
    assert emu is not None
    emu.inject("GetRoleCredentials", status=status, count=2)
    proc = logged_in.run(["export", "dev", "--format", "env", "--no-login"])
    assert proc.returncode == 0, proc.stderr
    assert [r.status for r in emu.requests if r.operation == "GetRoleCredentials"] == [status, status, 200]


@pytest.mark.parametrize(("status", "text"), [(500, "GetRoleCredentials failed"), (429, "throttling")])
def test_persistent_errors_give_one_clear_line(logged_in: Sandbox, status: int, text: str) -> None:
    emu = logged_in.emulator
    assert emu is not None
    emu.inject("GetRoleCredentials", status=status, count=10)
    proc = logged_in.run(["export", "dev", "--format", "env", "--no-login"])
    assert proc.returncode == 6
    assert proc.stdout == ""
    assert text in proc.stderr
    one_clean_line(proc.stderr)
    # one retry policy (ssoenv.remote.retry): 3 attempts for server errors; when throttled, more
    # (up to 8) as long as the call's time budget lasts
    calls = emu.calls("GetRoleCredentials")
    assert calls == 3 if status == 500 else 3 <= calls <= 8


def test_revoked_session_is_login_required(logged_in: Sandbox) -> None:
    assert logged_in.emulator is not None
    logged_in.emulator.revoke_all_tokens()
    proc = logged_in.run(["use", "dev", "--shell", "bash", "--no-login"])
    assert proc.returncode == 4 and proc.stdout == ""
    assert "ssoenv login" in proc.stderr and "dev" in proc.stderr
    one_clean_line(proc.stderr)


def test_unassigned_role_is_access_denied(logged_in: Sandbox) -> None:
    with logged_in.config_file.open("a") as f:
        f.write("\n[profile ghost]\nsso_session = corp\nsso_account_id = 999999999999\nsso_role_name = Admin\n")
    proc = logged_in.run(["export", "ghost", "--format", "env", "--no-login"])
    assert proc.returncode == 5
    assert "role Admin in account 999999999999" in proc.stderr
    one_clean_line(proc.stderr)


def test_unreachable_portal_is_one_line(logged_in: Sandbox) -> None:
    proc = logged_in.run(
        ["export", "dev", "--format", "env", "--no-login"], env={"AWS_ENDPOINT_URL_SSO": "http://127.0.0.1:9"}
    )
    assert proc.returncode == 6
    assert "cannot reach the SSO portal" in proc.stderr
    one_clean_line(proc.stderr)


def test_oidc_outage_during_login(sandbox: Sandbox) -> None:
    assert sandbox.emulator is not None
    sandbox.emulator.inject("RegisterClient", status=500, count=10)
    proc = sandbox.run(["login", "dev"], env={"BROWSER": BROWSER})
    assert proc.returncode == 6
    one_clean_line(proc.stderr.split("\n", 1)[1])  # after the "logging in to" line


def test_endpoint_from_services_block(logged_in: Sandbox) -> None:
    """`[services]` in the profile routes GetRoleCredentials, as in the AWS CLI (no env var)."""
    emu = logged_in.emulator
    assert emu is not None
    text = (
        logged_in.config_file.read_text().replace("[profile prod]\n", "[profile prod]\nservices = local\n")
        + f"\n[services local]\nsso =\n  endpoint_url = {emu.url}\n"
    )
    logged_in.config_file.write_text(text)
    env = {k: "" for k in ("AWS_ENDPOINT_URL_SSO",)}
    proc = logged_in.run(["export", "prod", "--format", "env", "--no-login"], env=env)
    assert proc.returncode == 0, proc.stderr
    ignored = logged_in.run(
        ["export", "prod", "--format", "env", "--no-login"],
        env={**env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true", "AWS_ENDPOINT_URL_SSO": ""},
    )
    assert ignored.returncode != 0 or ignored.stdout == proc.stdout  # cached answer, or no emulator reached
