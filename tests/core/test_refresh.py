"""Refresh with rotating refresh tokens: one refresh under a lock, even with 10 processes at once."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

from tests.conftest import BROWSER, Sandbox

TOKEN = "ee0bfd2552fbd840c02cc48b6e823320543c450f.json"


def refresh_grants(sandbox: Sandbox) -> list[int]:
    assert sandbox.emulator is not None
    return [
        r.status
        for r in sandbox.emulator.requests
        if r.operation == "CreateToken" and r.detail.get("grantType") == "refresh_token"
    ]


def age_token(sandbox: Sandbox, minutes: float) -> dict[str, str]:
    path = sandbox.sso_cache / TOKEN
    data = json.loads(path.read_text())
    data["expiresAt"] = (datetime.now(timezone.utc) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path.write_text(json.dumps(data))
    return data  # type: ignore[no-any-return]


def test_refresh_near_expiry_rotates_and_keeps_the_session(sandbox: Sandbox) -> None:
    assert sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
    old = age_token(sandbox, 5)
    proc = sandbox.run(["export", "dev", "--format", "env", "--no-login"])
    assert proc.returncode == 0, proc.stderr
    new = json.loads((sandbox.sso_cache / TOKEN).read_text())
    assert new["refreshToken"] != old["refreshToken"] and new["accessToken"] != old["accessToken"]
    assert new["clientId"] == old["clientId"] and new["registrationExpiresAt"] == old["registrationExpiresAt"]
    assert datetime.strptime(new["expiresAt"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc) > (
        datetime.now(timezone.utc) + timedelta(hours=1)
    )
    assert refresh_grants(sandbox) == [200]


def test_expired_token_is_refreshed_without_a_browser(sandbox: Sandbox) -> None:
    assert sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
    age_token(sandbox, -60)
    proc = sandbox.run(["use", "prod", "--shell", "bash", "--no-login"])
    assert proc.returncode == 0, proc.stderr
    assert "AWS_ACCESS_KEY_ID=ASIA" in proc.stdout
    listing = sandbox.run(["list", "--json"])
    states = {row["profile"]: row["state"] for row in json.loads(listing.stdout)}
    assert states["dev"] == "valid"


def test_refused_refresh_of_expired_token_means_login_required(sandbox: Sandbox) -> None:
    assert sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
    age_token(sandbox, -1)
    assert sandbox.emulator is not None
    sandbox.emulator.revoke_all_tokens()
    proc = sandbox.run(["export", "dev", "--format", "env", "--no-login"])
    assert proc.returncode == 4
    assert "ssoenv login dev" in proc.stderr and "Traceback" not in proc.stderr


def test_ten_concurrent_processes_refresh_once(sandbox: Sandbox) -> None:
    assert sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
    age_token(sandbox, 3)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "ssoenv", "export", name, "--format", "json", "--no-login"],
            env=sandbox.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ["dev", "prod"] * 5
    ]
    results = [(p.wait(timeout=60), p.stdout.read(), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
    for code, out, err in results:
        assert code == 0, err
        assert json.loads(out)["AWS_ACCESS_KEY_ID"].startswith("ASIA")
    # exactly one refresh, and the file holds the rotated refresh token, which still works
    assert refresh_grants(sandbox) == [200]
    final = json.loads((sandbox.sso_cache / TOKEN).read_text())
    assert final["refreshToken"]
    age_token(sandbox, 3)
    for cached in sandbox.cli_cache.glob("*.json"):
        cached.unlink()  # make the next export need the token again
    proc = sandbox.run(["export", "dev", "--format", "env", "--no-login"])
    assert proc.returncode == 0, proc.stderr
    assert refresh_grants(sandbox) == [200, 200]
