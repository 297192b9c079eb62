"""The second clock (ssoenv.auth.sessionclock): the SSO session's end, exported, listed, used by --min-ttl."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime
from pathlib import Path

from ssoenv.shells.envvars import apply
from tests.conftest import Sandbox

from .conftest import BROWSER, guarded_config


def with_duration(sb: Sandbox, value: str = "8h") -> None:
    key = f"ssoenv_session_duration = {value}\n"
    sb.write_config(guarded_config().replace("sso_registration_scopes", key + "sso_registration_scopes"))


def login(sb: Sandbox, profile: str = "dev") -> None:
    proc = sb.run(["login", profile], env={"BROWSER": BROWSER})
    assert proc.returncode == 0, proc.stderr


def use(sb: Sandbox, profile: str = "dev", *args: str) -> dict[str, str | None]:
    proc = sb.run(["use", profile, "--shell", "json", "--no-login", *args])
    assert proc.returncode == 0, proc.stderr
    return dict(json.loads(proc.stdout))


def token_file(sb: Sandbox) -> Path:
    import hashlib

    return sb.sso_cache / (hashlib.sha1(b"corp").hexdigest() + ".json")


def notes(sb: Sandbox) -> list[Path]:
    folder = sb.home / ".aws" / "sso" / "ssoenv-logins"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_legacy_session_ends_exactly_when_its_token_does(sandbox: Sandbox) -> None:
    login(sandbox, "legacy")
    (token,) = [json.loads(p.read_text()) for p in sandbox.sso_cache.iterdir() if "accessToken" in p.read_text()]
    expires = datetime.fromisoformat(token["expiresAt"].replace("Z", "+00:00"))
    changes = use(sandbox, "legacy")
    assert changes["SSOENV_SESSION_EXPIRES_AT"] == str(int(expires.timestamp()))
    rows = {r["profile"]: r for r in json.loads(sandbox.run(["list", "--json"], check=True).stdout)}
    assert datetime.fromisoformat(rows["legacy"]["session_expires_at"]) == expires
    # the first clock: the role credentials `use` cached (none for a profile never used)
    assert datetime.fromisoformat(rows["legacy"]["credentials_expire_at"]) > datetime.now(expires.tzinfo)
    assert rows["prod"]["credentials_expire_at"] is None
    table = sandbox.run(["list"], check=True).stdout.splitlines()
    assert table[0].split()[-2:] == ["CREDS", "ENDS"]
    (legacy_line,) = [line for line in table if " legacy " in line]
    assert re.search(r" (?:\d+m|\dh\d\dm)\s+(?:\d\d-\d\d )?\d\d:\d\d$", legacy_line), legacy_line


def test_a_refreshable_session_without_a_duration_says_nothing(sandbox: Sandbox) -> None:
    login(sandbox)
    changes = use(sandbox)
    assert "SSOENV_SESSION_EXPIRES_AT" not in changes
    rows = json.loads(sandbox.run(["list", "--json"], check=True).stdout)
    assert all(r["session_expires_at"] is None for r in rows if r["sso_session"] == "corp")
    who = sandbox.run(["whoami", "dev", "--no-login"], check=True).stdout
    assert "session  end unknown" in who


def test_login_time_plus_the_duration(sandbox: Sandbox) -> None:
    with_duration(sandbox)
    started = time.time()
    login(sandbox)
    token_keys = set(json.loads(token_file(sandbox).read_text()))
    # the AWS CLI's token file holds only its own keys; the login time is noted beside our locks
    assert token_keys <= {
        "startUrl",
        "region",
        "accessToken",
        "expiresAt",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
        "refreshToken",
    }
    (note,) = notes(sandbox)
    assert note.stat().st_mode & 0o777 == 0o600 and note.parent.stat().st_mode & 0o777 == 0o700
    assert (
        "refreshToken" not in note.read_text()
        and json.loads(token_file(sandbox).read_text())["refreshToken"] not in note.read_text()
    )
    end = int(use(sandbox)["SSOENV_SESSION_EXPIRES_AT"] or 0)
    assert started + 8 * 3600 - 2 <= end <= time.time() + 8 * 3600 + 2
    who = sandbox.run(["whoami", "dev", "--no-login"], check=True).stdout
    assert "session  ends " in who and ("(7h59m)" in who or "(8h00m)" in who), who
    who_json = json.loads(sandbox.run(["whoami", "dev", "--no-login", "--json"], check=True).stdout)
    assert int(datetime.fromisoformat(who_json["SessionExpiration"]).timestamp()) == end
    # from the environment `use` made
    env_changes = use(sandbox)
    who_env = sandbox.run(["whoami", "--json"], env=apply(sandbox.env, env_changes), check=True).stdout
    assert int(datetime.fromisoformat(json.loads(who_env)["SessionExpiration"]).timestamp()) == end

    # a refresh by ssoenv (the access token ran out) keeps the login's time
    data = json.loads(token_file(sandbox).read_text())
    data["expiresAt"] = "2000-01-01T00:00:00Z"
    token_file(sandbox).write_text(json.dumps(data))
    after = use(sandbox, "dev", "--refresh")
    assert json.loads(token_file(sandbox).read_text())["refreshToken"] != data["refreshToken"]  # rotated
    assert after.get("SSOENV_SESSION_EXPIRES_AT", str(end)) == str(end)
    assert int(use(sandbox)["SSOENV_SESSION_EXPIRES_AT"] or 0) == end

    # a login by another program (the AWS CLI writes its own file): the end is unknown again
    data = json.loads(token_file(sandbox).read_text())
    data["refreshToken"] = "another-login"
    token_file(sandbox).write_text(json.dumps(data))
    assert "SSOENV_SESSION_EXPIRES_AT" not in use(sandbox)


def test_min_ttl_knows_the_refreshable_session_end(sandbox: Sandbox) -> None:
    with_duration(sandbox, "1h")
    login(sandbox)
    proc = sandbox.run(["use", "dev", "--shell", "bash", "--no-login", "--min-ttl", "2h"])
    assert proc.returncode == 4, proc.stderr
    assert "the SSO session (sso-session corp) ends in" in proc.stderr and "sooner than --min-ttl 2h00m" in proc.stderr
    assert sandbox.run(["use", "dev", "--shell", "bash", "--no-login", "--min-ttl", "30m"]).returncode == 0


def test_a_bad_duration_is_a_config_error_with_its_line(sandbox: Sandbox) -> None:
    with_duration(sandbox, "forever")
    login(sandbox)
    proc = sandbox.run(["use", "dev", "--shell", "bash", "--no-login"])
    assert proc.returncode == 3
    assert f"{sandbox.config_file}:" in proc.stderr and "ssoenv_session_duration" in proc.stderr
    listed = sandbox.run(["list"])
    assert listed.returncode == 0 and "ssoenv_session_duration" in listed.stderr  # listed; said once per profile
