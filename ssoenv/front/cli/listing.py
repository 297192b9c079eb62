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
from ssoenv.config.profiles import SsoProfile, SsoSession, login_session_for_profile, resolve_profile
from ssoenv.credentials.cache import Token, now
from ssoenv.credentials.sso import token_state
from ssoenv.errors import ConfigError
from ssoenv.front.cli import emit
from ssoenv.front.cli.common import Context, say
from ssoenv.ui.status import format_duration


def _row(
    ctx: Context, name: str, states: dict[str, tuple[str, Token | None]], *, any_cached: bool = True
) -> dict[str, Any]:
    cfg = ctx.config
    row: dict[str, Any] = {
        "profile": name,
        "account_id": cfg.value(name, "sso_account_id"),
        "role_name": cfg.value(name, "sso_role_name"),
        "region": cfg.value(name, "region"),
        "sso_session": cfg.value(name, "sso_session"),
        "start_url": cfg.value(name, "sso_start_url"),
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
    if is_chained(cfg, name):
        try:
            chained = resolve_chain(cfg, name)
        except ConfigError as exc:
            row["state"] = "invalid"
            row["error"] = str(exc)
            return row
        row.update(account_id=chained.account_id, role_name=chained.role_name, chain=list(chained.sources))
        _role_clock(ctx, row, chained, any_cached)
        return _session_state(ctx, row, chained.session, states)
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
        _role_clock(ctx, row, resolved, any_cached)
    return _session_state(ctx, row, session, states)


def _role_clock(ctx: Context, row: dict[str, Any], profile: AnyProfile, any_cached: bool) -> None:
    """The cached role credentials' expiry (no network), if any are cached and not expired."""
    from ssoenv.credentials.anyprofile import cached_credentials

    if not any_cached:
        return  # nothing cached at all: no key to compute for each of many profiles

    creds = cached_credentials(ctx.paths, profile, freshness=timedelta(0))
    if creds is not None:
        row["credentials_expire_at"] = creds.expiration.isoformat()


def _any_cached(ctx: Context) -> bool:
    """Whether the role-credential cache folder holds any file (looked at once per command)."""
    try:
        with os.scandir(ctx.paths.cli_cache_dir) as entries:
            return any(True for _ in entries)
    except OSError:
        return False


def _session_state(
    ctx: Context, row: dict[str, Any], session: SsoSession, states: dict[str, tuple[str, Token | None]]
) -> dict[str, Any]:
    row["start_url"] = session.start_url
    key = session.cache_key_source
    if key not in states:  # profiles of one session share one token file: read it once
        states[key] = token_state(ctx.paths, session)
    state, token = states[key]
    row["state"] = {"none": "not-logged-in"}.get(state, state)
    if token is not None:
        row["expires_at"] = token.expires_at.isoformat()
        if state in ("valid", "refreshable"):
            try:
                end = sessionclock.session_end(ctx.paths, ctx.config, session, token)
            except ConfigError as exc:  # a bad ssoenv_session_duration: said below the table
                end, row["error"] = None, str(exc)
            row["session_expires_at"] = end.isoformat() if end is not None else None
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


def _state_text(row: dict[str, Any]) -> str:
    state = row["state"]
    if state == "valid":
        from datetime import datetime

        expires = datetime.fromisoformat(row["expires_at"])
        return f"valid {format_duration((expires - now()).total_seconds())}"
    return {
        "refreshable": "refreshable",
        "expired": "expired",
        "rejected": "rejected by the service: log in again",
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
    ends, where known (a token that cannot be refreshed, or ssoenv_session_duration).
    """
    ctx = Context.load()
    states: dict[str, tuple[str, Token | None]] = {}
    any_cached = _any_cached(ctx)
    rows = [_row(ctx, name, states, any_cached=any_cached) for name in ctx.config.profile_names()]
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
    table = [("", "PROFILE", "ACCOUNT", "ROLE", "REGION", "SESSION", "STATE", "CREDS", "ENDS")]
    for row in rows:
        table.append(
            (
                ("*" if row["profile"] == active else "") + ("!" if row["guarded"] else ""),
                row["profile"],
                row["account_id"] or "-",
                row["role_name"] or "-",
                row["region"] or "-",
                " → ".join(row["chain"]) if row["chain"] else row["sso_session"] or row["start_url"] or "-",
                _state_text(row),
                _left(row["credentials_expire_at"]),
                _ends(row["session_expires_at"]),
            )
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for r in table:
        emit("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
    for row in rows:
        if row["error"]:
            say(f"{row['profile']}: {row['error']}")


command = list_command
