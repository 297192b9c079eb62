"""``ssoenv list [--json]``: every profile and its session's state, with no network and no boto3."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timedelta
from typing import Any

import click

from ssoenv.auth import sessionclock
from ssoenv.config import guard
from ssoenv.config.chain import AnyProfile, is_chained, resolve_chain
from ssoenv.config.ini import GcPaused
from ssoenv.config.profiles import SsoProfile, SsoSession, login_session_for_profile, resolve_profile
from ssoenv.credentials.cache import now
from ssoenv.credentials.sso import token_state
from ssoenv.errors import ConfigError
from ssoenv.front.cli import emit
from ssoenv.front.cli.common import Context, say
from ssoenv.ui.status import colours_welcome, format_duration
from ssoenv.ui.table import Column, render, terminal_width


class _Memo:
    """What many rows share, looked up once per command: each session's token state and end,
    the names of the cached role-credential files."""

    def __init__(self, ctx: Context) -> None:
        self.sessions: dict[str, tuple[str, str | None, str | None, str | None]] = {}
        try:
            self.cached = set(os.listdir(ctx.paths.cli_cache_dir))
        except OSError:
            self.cached = set()


_KEYS = ("sso_account_id", "sso_role_name", "region", "sso_session", "sso_start_url")


def _row(ctx: Context, name: str, memo: _Memo) -> dict[str, Any]:
    """One profile, resolved once (its merged keys read once)."""
    cfg = ctx.config
    values = cfg.merged(name)
    account, role, region, session_name, start_url = cfg.strings(name, _KEYS)
    row: dict[str, Any] = {
        "profile": name,
        "account_id": account,
        "role_name": role,
        "region": region,
        "sso_session": session_name,
        "start_url": start_url,
        "state": None,
        "expires_at": None,
        "error": None,
        "chain": None,  # for role profiles: the source profiles, nearest first, down to the SSO root
        "guarded": False,  # ssoenv_guard = confirm (ssoenv.config.guard)
        "credentials_expire_at": None,  # cached role credentials (the first clock)
        "session_expires_at": None,  # the SSO session's end, when known (the second clock)
    }
    try:
        row["guarded"] = guard.is_guarded(cfg, name)
    except ConfigError as exc:
        row["state"] = "invalid"
        row["error"] = str(exc)
        return row
    if values.get("role_arn") and is_chained(cfg, name):
        try:
            chained = resolve_chain(cfg, name)
        except ConfigError as exc:
            row["state"] = "invalid"
            row["error"] = str(exc)
            return row
        row.update(account_id=chained.account_id, role_name=chained.role_name, chain=list(chained.sources))
        _role_clock(ctx, row, chained, memo)
        return _session_state(ctx, row, chained.session, memo)
    is_sso = bool(row["account_id"] or row["role_name"] or row["sso_session"] or row["start_url"])
    if not is_sso:
        row["state"] = "not-sso"
        return row
    try:
        resolved: SsoProfile | None = resolve_profile(cfg, name) if (row["account_id"] or row["role_name"]) else None
        session = resolved.session if resolved else login_session_for_profile(cfg, name)
    except ConfigError as exc:
        row["state"] = "invalid"
        row["error"] = str(exc)
        return row
    if resolved is not None:
        _role_clock(ctx, row, resolved, memo)
    return _session_state(ctx, row, session, memo)


def _role_clock(ctx: Context, row: dict[str, Any], profile: AnyProfile, memo: _Memo) -> None:
    """The cached role credentials' expiry (no network), if any are cached and not expired."""
    if not memo.cached:
        return  # nothing cached at all: no key to compute for each of many profiles
    from ssoenv.config.chain import ChainedProfile
    from ssoenv.credentials.anyprofile import cached_credentials
    from ssoenv.credentials.cache import role_cache_key

    key = profile.hops[-1].cache_key if isinstance(profile, ChainedProfile) else role_cache_key(profile)
    if f"{key}.json" not in memo.cached:
        return  # no file to open
    creds = cached_credentials(ctx.paths, profile, freshness=timedelta(0))
    if creds is not None:
        row["credentials_expire_at"] = creds.expiration.isoformat()


def _session_state(ctx: Context, row: dict[str, Any], session: SsoSession, memo: _Memo) -> dict[str, Any]:
    row["start_url"] = session.start_url
    key = session.cache_key_source
    known = memo.sessions.get(key)
    if known is None:  # profiles of one session share one token file: read it once
        state, token = token_state(ctx.paths, session)
        expires = end = error = None
        if token is not None:
            expires = token.expires_at.isoformat()
            if state in ("valid", "refreshable"):
                try:
                    at = sessionclock.session_end(ctx.paths, ctx.config, session, token)
                    end = at.isoformat() if at is not None else None
                except ConfigError as exc:  # a bad ssoenv_session_duration: said below the table
                    error = str(exc)
        known = memo.sessions[key] = ({"none": "not-logged-in"}.get(state, state), expires, end, error)
    row["state"], row["expires_at"], row["session_expires_at"], error = known
    if error is not None:
        row["error"] = error
    return row


def _left(value: str | None) -> str:
    """``42m`` / ``3h05m`` left until an ISO time, ``-`` when unknown or over."""
    if not value:
        return "-"
    seconds = (datetime.fromisoformat(value) - now()).total_seconds()
    return format_duration(seconds) if seconds > 0 else "-"


def _ends(value: str | None) -> str:
    """The session's end as local ``HH:MM`` (with the date when not today), ``-`` when unknown."""
    if not value:
        return "-"
    end = datetime.fromisoformat(value).astimezone()
    if end <= now():
        return "ended"
    return f"{end:%H:%M}" if end.date() == datetime.now().astimezone().date() else f"{end:%m-%d %H:%M}"


# The table's columns: the least important are elided first (shrink) and dropped first (drop);
# the marks (* in use, ! guarded), the name, the state and both clocks always stay.
COLUMNS = (
    Column("", 2),
    Column("PROFILE", 16, shrink=4),
    Column("ACCOUNT", 12, drop=4),
    Column("ROLE", 12, shrink=3, drop=3),
    Column("REGION", 9, shrink=2, drop=2),
    Column("SESSION", 10, shrink=1, drop=1),
    Column("STATE", 22, shrink=5),  # "rejected: log in again" whole, unless the terminal is very narrow
    Column("CREDS", 5),
    Column("ENDS", 11),
)
_RED, _YELLOW, _GREEN, _GUARD, _RESET = "\x1b[31m", "\x1b[33m", "\x1b[32m", "\x1b[1;35m", "\x1b[0m"


def _colour() -> bool:
    """Colours when stdout is a terminal that welcomes them (no NO_COLOR, TERM not dumb)."""
    if not colours_welcome():
        return False
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _table(rows: list[dict[str, Any]], active: str | None, width: int, *, colour: bool) -> list[str]:
    """The table for people, fitted to ``width`` cells (values elided with …, never wrapped)."""
    left: dict[str | None, str] = {}
    ends: dict[str | None, str] = {}
    states: dict[tuple[str, str | None], str] = {}
    cells = []
    for row in rows:
        state_key = (str(row["state"]), row["expires_at"])
        state = states.get(state_key)
        if state is None:
            state = states[state_key] = _state_text(row)
        creds, end = row["credentials_expire_at"], row["session_expires_at"]
        if creds not in left:
            left[creds] = _left(creds)
        if end not in ends:
            ends[end] = _ends(end)
        cells.append(
            (
                ("*" if row["profile"] == active else "") + ("!" if row["guarded"] else ""),
                row["profile"],
                row["account_id"] or "-",
                row["role_name"] or "-",
                row["region"] or "-",
                " → ".join(row["chain"]) if row["chain"] else row["sso_session"] or row["start_url"] or "-",
                state,
                left[creds],
                ends[end],
            )
        )
    paint = None
    if colour:
        tones = {"expired": _RED, "rejected": _RED, "invalid": _RED, "refreshable": _YELLOW, "valid": _GREEN}

        def paint(number: int, column: int, text: str) -> str:
            if number < 0 or not text:
                return text
            row = rows[number]
            if column in (0, 1) and row["guarded"]:
                return f"{_GUARD}{text}{_RESET}"  # the prompt's colour for a guarded profile
            tone = tones.get(row["state"]) if column == 6 else None
            return f"{tone}{text}{_RESET}" if tone else text

    return render(COLUMNS, cells, width, paint)


def _state_text(row: dict[str, Any]) -> str:
    state = row["state"]
    if state == "valid":
        expires = datetime.fromisoformat(row["expires_at"])
        return f"valid {format_duration((expires - now()).total_seconds())}"
    return {
        "refreshable": "refreshable",
        "expired": "expired",
        "rejected": "rejected: log in again",
        "not-logged-in": "not logged in",
        "not-sso": "not SSO",
        "invalid": "invalid config",
    }.get(state, str(state))


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def list_command(as_json: bool) -> None:
    """List profiles: account, role, region, SSO session and the session's state.

    States: valid (time left), refreshable (expired but renewable without a browser), expired,
    rejected (the service refused the token: revoked), not logged in. The active profile (from
    `ssoenv use`) is marked with *, a guarded one (ssoenv_guard = confirm) with !. Two clocks:
    CREDS is the time left on the cached role credentials, ENDS the local time the SSO session
    ends, where known (a token that cannot be refreshed, or ssoenv_session_duration). The table
    fits the terminal's width (COLUMNS, else 80 off a terminal): long values are cut with …;
    --json has every value in full.
    """
    ctx = Context.load()
    memo = _Memo(ctx)
    with GcPaused():  # a row per profile: many objects, no cycles
        rows = [_row(ctx, name, memo) for name in ctx.config.profile_names()]
    active = os.environ.get("SSOENV_PROFILE")
    if as_json:
        for row in rows:
            row["active"] = row["profile"] == active
        # indented for people; compact (and several times faster) for pipes
        emit(json.dumps(rows, indent=2 if sys.stdout.isatty() else None))
        return
    if not rows:
        say(f"no profiles in {ctx.paths.config_file}; run `ssoenv configure`")
        return
    with GcPaused():
        lines = _table(rows, active, terminal_width(), colour=_colour())
    emit("\n".join(lines))
    for row in rows:
        if row["error"]:
            say(f"{row['profile']}: {row['error']}")


command = list_command
