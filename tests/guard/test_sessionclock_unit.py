"""ssoenv.auth.sessionclock without a network: what is known about a session's end, and when not."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ssoenv.auth import sessionclock
from ssoenv.config.profiles import AwsConfig, SsoSession, load_config
from ssoenv.credentials import cache
from ssoenv.credentials.cache import Token
from ssoenv.errors import UsageError
from ssoenv.paths import Paths

NOW = datetime.now(timezone.utc).replace(microsecond=0)
CORP = SsoSession(name="corp", start_url="https://example.awsapps.com/start", region="us-east-1")
LEGACY = SsoSession(name=None, start_url="https://example.awsapps.com/start", region="us-east-1")


def _paths(tmp_path: Path, duration: str | None = "8h") -> tuple[Paths, AwsConfig]:
    paths = Paths(home=tmp_path, config_file=tmp_path / "config", credentials_file=tmp_path / "credentials")
    key = f"ssoenv_session_duration = {duration}\n" if duration is not None else ""
    paths.config_file.write_text(f"[sso-session corp]\nsso_start_url = {CORP.start_url}\nsso_region = us-east-1\n{key}")
    return paths, load_config(paths)


def _token(refresh: str | None = "r1", expires: timedelta = timedelta(hours=1)) -> Token:
    return Token(
        access_token="a",
        expires_at=NOW + expires,
        client_id="c",
        client_secret="s",
        registration_expires_at=NOW + timedelta(days=90),
        refresh_token=refresh,
    )


@pytest.mark.parametrize(
    ("text", "seconds"), [("8h", 28800), ("1h30m", 5400), ("90m", 5400), ("3600", 3600), ("1d", 86400)]
)
def test_durations(text: str, seconds: int) -> None:
    assert sessionclock.parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "h", "8x", "1h30", "-1h", "8 h", "m5"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(UsageError):
        sessionclock.parse_duration(text)


def test_a_token_that_cannot_be_refreshed_ends_the_session(tmp_path: Path) -> None:
    paths, cfg = _paths(tmp_path)
    legacy = _token(refresh=None, expires=timedelta(minutes=20))
    assert sessionclock.session_end(paths, cfg, LEGACY, legacy) == legacy.expires_at
    assert sessionclock.session_end(paths, cfg, CORP, legacy) == legacy.expires_at  # no refresh token
    assert sessionclock.session_end(paths, None, CORP, legacy) == legacy.expires_at


def test_login_time_plus_duration_follows_ssoenv_refreshes_only(tmp_path: Path) -> None:
    paths, cfg = _paths(tmp_path)
    first = _token("r1")
    assert sessionclock.session_end(paths, cfg, CORP, first) is None  # no login noted
    login_at = NOW - timedelta(hours=2)
    sessionclock.note_login(paths, CORP, first, at=login_at)
    assert sessionclock.session_end(paths, cfg, CORP, first) == login_at + timedelta(hours=8)
    assert sessionclock.session_end(paths, None, CORP, first) is None  # the duration is needed
    second = _token("r2")
    sessionclock.note_refresh(paths, CORP, first, second)
    assert sessionclock.session_end(paths, cfg, CORP, second) == login_at + timedelta(hours=8)
    assert sessionclock.session_end(paths, cfg, CORP, first) is None  # the old refresh token's note is gone
    # another program refreshed (or logged in): its token matches no note
    assert sessionclock.session_end(paths, cfg, CORP, _token("theirs")) is None
    # ... and a later refresh by ssoenv of that token does not adopt the old login time
    sessionclock.note_refresh(paths, CORP, _token("theirs"), _token("r3"))
    assert sessionclock.session_end(paths, cfg, CORP, _token("r3")) is None
    # the note never holds the refresh token itself
    assert "r2" not in sessionclock.note_path(paths, CORP).read_text()


def test_without_a_duration_nothing_is_claimed(tmp_path: Path) -> None:
    paths, cfg = _paths(tmp_path, duration=None)
    token = _token("r1")
    sessionclock.note_login(paths, CORP, token)
    assert sessionclock.session_end(paths, cfg, CORP, token) is None


def test_the_token_file_is_read_when_not_given(tmp_path: Path) -> None:
    paths, cfg = _paths(tmp_path)
    assert sessionclock.session_end(paths, cfg, LEGACY) is None  # not logged in
    token = _token(refresh=None)
    cache.save_token(paths, LEGACY, token)
    assert sessionclock.session_end(paths, cfg, LEGACY) == token.expires_at
