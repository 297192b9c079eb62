"""``ssoenv list [--json]``: every profile and its session's state, with no network and no boto3."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click

from ssoenv.cache import Token, now
from ssoenv.chain import is_chained, resolve_chain
from ssoenv.cli import emit
from ssoenv.cli.common import Context, say
from ssoenv.config import SsoProfile, SsoSession, login_session_for_profile, resolve_profile
from ssoenv.credentials import token_state
from ssoenv.errors import ConfigError
from ssoenv.ui.status import format_duration


def _row(ctx: Context, name: str, states: dict[str, tuple[str, Token | None]]) -> dict[str, Any]:
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
    }
    if is_chained(cfg, name):
        try:
            chained = resolve_chain(cfg, name)
        except ConfigError as exc:
            row["state"] = "invalid"
            row["error"] = str(exc)
            return row
        row.update(account_id=chained.account_id, role_name=chained.role_name, chain=list(chained.sources))
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
    return _session_state(ctx, row, session, states)


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
    return row


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
    `ssoenv use`) is marked with *.
    """
    ctx = Context.load()
    states: dict[str, tuple[str, Token | None]] = {}
    rows = [_row(ctx, name, states) for name in ctx.config.profile_names()]
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
    table = [("", "PROFILE", "ACCOUNT", "ROLE", "REGION", "SESSION", "STATE")]
    for row in rows:
        table.append(
            (
                "*" if row["profile"] == active else "",
                row["profile"],
                row["account_id"] or "-",
                row["role_name"] or "-",
                row["region"] or "-",
                " → ".join(row["chain"]) if row["chain"] else row["sso_session"] or row["start_url"] or "-",
                _state_text(row),
            )
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    for r in table:
        emit("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
    for row in rows:
        if row["error"]:
            say(f"{row['profile']}: {row['error']}")


command = list_command
