"""The second clock: when the SSO session itself ends, where that is knowable.

Role credentials say when they expire; the SSO session behind them does not, once it can be
refreshed. What is known:

- a token that cannot be refreshed (a legacy profile, no refresh token, an expired client
  registration): the session ends exactly when the access token expires;
- a refreshable session: the time of the login plus ``ssoenv_session_duration`` in its
  ``[sso-session]`` (the session duration the IAM Identity Center administrator set, e.g. ``8h``).
  Without that key the end is unknown and nothing is said, rather than guessed.

The time of a login is noted by ssoenv beside its lock files, never in the AWS CLI's token file
(``~/.aws/sso/ssoenv-logins/<token cache key>``: the login time and a fingerprint of the refresh
token it belongs to). ssoenv's own refreshes carry the note over to the rotated refresh token; a
login or refresh by another program (the AWS CLI) leaves a note that matches no token, and the end
is unknown again until the next ``ssoenv login``.

Stdlib only: ``use`` served from the cache computes ``SSOENV_SESSION_EXPIRES_AT`` with it.
"""

from __future__ import annotations

import contextlib
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from ssoenv.errors import ConfigError, SsoenvError, UsageError

if TYPE_CHECKING:
    from ssoenv.config.profiles import AwsConfig, SsoSession
    from ssoenv.credentials.cache import Token
    from ssoenv.paths import Paths

DURATION_KEY = "ssoenv_session_duration"

_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> timedelta:
    """``90m``, ``2h``, ``1h30m``, ``45s``, ``1d`` or plain seconds (``3600``); UsageError otherwise."""
    value = text.strip().lower()
    if value.isdigit():
        return timedelta(seconds=int(value))
    total, number = 0, ""
    ok = bool(value)
    for char in value:
        if char.isdigit():
            number += char
        elif char in _UNITS and number:
            total += int(number) * _UNITS[char]
            number = ""
        else:
            ok = False
            break
    if not ok or number:
        raise UsageError(f"invalid duration {text!r}", hint="write it like 90m, 2h, 1h30m or 3600 (seconds)")
    return timedelta(seconds=total)


def session_duration(cfg: AwsConfig, session: SsoSession) -> timedelta | None:
    """``ssoenv_session_duration`` of the session's ``[sso-session]``; None when not set (or legacy)."""
    if session.name is None:
        return None
    section = cfg.sso_sessions.get(session.name)
    value = section.get(DURATION_KEY) if section is not None else None
    if value is None or not value.strip():
        return None
    try:
        duration = parse_duration(value)
    except UsageError:
        duration = timedelta(0)
    if duration <= timedelta(0):
        assert section is not None
        raise ConfigError(
            f"{section.where(DURATION_KEY)}: {DURATION_KEY} must be a duration such as 8h or 12h, not {value!r}",
            hint="set it to the session duration of your IAM Identity Center instance, or remove it",
        )
    return duration


# --------------------------------------------------------------------------------------------
# The login note


def note_path(paths: Paths, session: SsoSession) -> Path:
    from ssoenv.credentials.cache import token_cache_key

    return paths.lock_dir.parent / "ssoenv-logins" / token_cache_key(session)


def _fingerprint(secret: str) -> str:
    try:  # CPython's built-in SHA-256 (as ssoenv.credentials.cache does for SHA-1): no OpenSSL on the hot path
        from _sha2 import sha256  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        try:
            from _sha256 import sha256  # type: ignore[import-not-found,no-redef,unused-ignore]
        except ImportError:  # pragma: no cover
            from hashlib import sha256
    digest: str = sha256(secret.encode("utf-8")).hexdigest()
    return digest


def _read_note(paths: Paths, session: SsoSession) -> tuple[float, str] | None:
    try:
        data = json.loads(note_path(paths, session).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    at, fingerprint = data.get("loginAt"), data.get("refresh")
    if not isinstance(at, int | float) or isinstance(at, bool) or not isinstance(fingerprint, str):
        return None
    return float(at), fingerprint


def _write_note(paths: Paths, session: SsoSession, at: float, refresh_token: str) -> None:
    from ssoenv.fsutil import atomic_write

    body = json.dumps({"loginAt": int(at), "refresh": _fingerprint(refresh_token)})
    with contextlib.suppress(OSError, SsoenvError):  # a missing note only makes the end unknown
        atomic_write(note_path(paths, session), body.encode("ascii"))


def note_login(paths: Paths, session: SsoSession, token: Token, *, at: datetime | None = None) -> None:
    """Remember when this login happened (only tokens that can be refreshed need it)."""
    if token.refresh_token and session.refreshable:
        when = at or datetime.now(timezone.utc)
        _write_note(paths, session, when.timestamp(), token.refresh_token)


def note_refresh(paths: Paths, session: SsoSession, old: Token, new: Token) -> None:
    """A refresh by ssoenv keeps the login's time for the rotated refresh token."""
    if not (old.refresh_token and new.refresh_token) or old.refresh_token == new.refresh_token:
        return
    note = _read_note(paths, session)
    if note is not None and note[1] == _fingerprint(old.refresh_token):
        _write_note(paths, session, note[0], new.refresh_token)


def login_time(paths: Paths, session: SsoSession, token: Token) -> datetime | None:
    """When the login that gave ``token`` happened, if ssoenv noted it."""
    note = _read_note(paths, session)
    if note is None or not token.refresh_token or note[1] != _fingerprint(token.refresh_token):
        return None
    return datetime.fromtimestamp(note[0], timezone.utc)


# --------------------------------------------------------------------------------------------
# The end


def session_end(
    paths: Paths, cfg: AwsConfig | None, session: SsoSession, token: Token | None = None
) -> datetime | None:
    """When the SSO session ends, or None when that is not known (or nobody is logged in).

    Without ``cfg`` only the exact end (a token that cannot be refreshed) is known."""
    from ssoenv.credentials import cache

    token = token if token is not None else cache.load_token(paths, session)
    if token is None:
        return None
    if not (session.refreshable and token.can_refresh):
        return token.expires_at  # nothing can extend it
    duration = session_duration(cfg, session) if cfg is not None else None
    if duration is None:
        return None
    at = login_time(paths, session, token)
    return at + duration if at is not None else None


def profile_session_end(paths: Paths, cfg: AwsConfig, name: str) -> datetime | None:
    """:func:`session_end` of the session behind profile ``name`` (an SSO profile or a role chain);
    None for other kinds of profiles (static keys, ``credential_process``) and broken ones."""
    from ssoenv.config.chain import resolve_any
    from ssoenv.credentials import keys as keyprofiles

    if (name in cfg.profiles or name in cfg.credentials) and keyprofiles.kind(cfg, name) not in ("sso", "chained"):
        return None
    try:
        profile = resolve_any(cfg, name)
    except ConfigError:
        return None  # the command itself says what is wrong
    return session_end(paths, cfg, profile.session)
