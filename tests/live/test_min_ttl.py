"""--min-ttl on use, exec and shell: fresh credentials now, a session known to end sooner caught now."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone

import pytest

from ssoenv.credentials.minttl import parse_duration
from ssoenv.errors import UsageError
from tests.conftest import Sandbox
from tests.live.conftest import BROWSER


def calls(sb: Sandbox) -> int:
    assert sb.emulator is not None
    return sb.emulator.calls("GetRoleCredentials")


def set_role_expiry(sb: Sandbox, minutes: float) -> None:
    (path,) = [p for p in sb.cli_cache.iterdir() if p.suffix == ".json"]
    data = json.loads(path.read_text())
    when = datetime.now(timezone.utc) + timedelta(minutes=minutes)
    data["Credentials"]["Expiration"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    path.write_text(json.dumps(data))


def use(sb: Sandbox, *args: str) -> tuple[int, str]:
    proc = sb.run(["use", "dev", "--shell", "bash", "--no-login", *args])
    return proc.returncode, proc.stderr


def test_fresh_credentials_only_when_the_cached_ones_end_too_soon(logged_in: Sandbox) -> None:
    assert use(logged_in)[0] == 0 and calls(logged_in) == 1
    assert use(logged_in, "--min-ttl", "30m")[0] == 0 and calls(logged_in) == 1  # ~1h left: enough
    set_role_expiry(logged_in, 20)  # plain use would take these (more than 15 min left)
    assert use(logged_in)[0] == 0 and calls(logged_in) == 1
    rc, err = use(logged_in, "--min-ttl", "30m")
    assert rc == 0 and calls(logged_in) == 2 and "last only" not in err


def test_credentials_that_cannot_last_that_long_say_so_once(logged_in: Sandbox) -> None:
    rc, err = use(logged_in, "--min-ttl", "2h")  # the permission set gives 1h
    assert rc == 0
    lines = [line for line in err.splitlines() if "last only" in line]
    assert len(lines) == 1 and "less than --min-ttl 2h00m" in lines[0] and "--live" in lines[0]
    proc = logged_in.run(["exec", "--min-ttl", "2h", "dev", "--", "true"])
    assert proc.returncode == 0 and "last only" in proc.stderr
    live = logged_in.run(["exec", "--live", "--min-ttl", "2h", "dev", "--", "true"])
    assert live.returncode == 0 and "last only" not in live.stderr  # their lifetime does not matter


def test_a_session_known_to_end_sooner_fails_now(logged_in: Sandbox) -> None:
    """A legacy profile's token cannot be refreshed: its expiry is where the session ends."""
    assert logged_in.run(["login", "legacy"], env={"BROWSER": BROWSER}).returncode == 0
    ok = logged_in.run(["use", "legacy", "--shell", "bash", "--no-login", "--min-ttl", "7h"])
    assert ok.returncode == 0, ok.stderr  # the token lasts 8h
    for argv in (
        ["use", "legacy", "--shell", "bash", "--no-login", "--min-ttl", "9h"],
        ["exec", "--no-login", "--min-ttl", "9h", "legacy", "--", "true"],
        ["exec", "--live", "--no-login", "--min-ttl", "9h", "legacy", "--", "true"],
    ):
        proc = logged_in.run(argv)
        assert proc.returncode == 4, proc.stderr
        assert proc.stderr.count("\n") == 1 and "sooner than --min-ttl 9h00m" in proc.stderr
        assert "run `ssoenv login legacy` first" in proc.stderr
    # a refreshable session's end is not recorded: nothing is claimed about it
    assert use(logged_in, "--min-ttl", "9h")[0] == 0


@pytest.mark.parametrize(
    ("text", "seconds"), [("90m", 5400), ("1h30m", 5400), ("3600", 3600), ("2h", 7200), ("45s", 45), ("1d", 86400)]
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "h", "1x", "30 m", "1h-5m", "m30"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(UsageError):
        parse_duration(text)


def test_bad_duration_is_a_usage_error(logged_in: Sandbox) -> None:
    proc = logged_in.run(["use", "dev", "--shell", "bash", "--min-ttl", "soon"])
    assert proc.returncode == 2 and "invalid duration 'soon'" in proc.stderr and sys.executable not in proc.stderr


def test_a_person_there_is_logged_in_now(logged_in: Sandbox) -> None:
    """On a terminal, a session known to end too soon means a login now, not a failure mid-run."""
    import pexpect

    from ssoenv.config.profiles import load_config, resolve_profile
    from ssoenv.credentials.cache import token_cache_key
    from ssoenv.paths import resolve_paths

    assert logged_in.run(["login", "legacy"], env={"BROWSER": BROWSER}).returncode == 0
    session = resolve_profile(load_config(resolve_paths(logged_in.env)), "legacy").session
    path = logged_in.sso_cache / f"{token_cache_key(session)}.json"
    data = json.loads(path.read_text())
    data["expiresAt"] = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path.write_text(json.dumps(data))
    emu = logged_in.emulator
    assert emu is not None
    before = emu.calls("CreateToken")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "ssoenv", "exec", "--min-ttl", "7h", "legacy", "--", "true"],
        env={**logged_in.env, "BROWSER": BROWSER},
        encoding="utf-8",
        timeout=60,
    )
    child.expect("logging in to")
    child.expect(pexpect.EOF)
    child.wait()
    assert child.exitstatus == 0
    assert emu.calls("CreateToken") > before
    assert datetime.strptime(json.loads(path.read_text())["expiresAt"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=timezone.utc
    ) > datetime.now(timezone.utc) + timedelta(hours=7)


def test_static_keys_have_no_lifetime_to_check_and_no_live_endpoint(logged_in: Sandbox) -> None:
    with logged_in.config_file.open("a") as f:
        f.write("\n[profile keys]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n")
    ok = logged_in.run(["exec", "--min-ttl", "9h", "keys", "--", "true"])
    assert ok.returncode == 0, ok.stderr
    assert logged_in.run(["use", "keys", "--shell", "bash", "--min-ttl", "9h"]).returncode == 0
    live = logged_in.run(["exec", "--live", "keys", "--", "true"])
    assert live.returncode == 2 and "--live serves SSO profiles and role chains" in live.stderr
