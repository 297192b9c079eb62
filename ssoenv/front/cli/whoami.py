"""``ssoenv whoami [PROFILE] [--json]``: options and output; the STS call is ``ssoenv.remote.identity``."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone

import click

from ssoenv.auth.loginopts import LoginOptions
from ssoenv.front.cli import emit
from ssoenv.front.cli.common import Context, fetch_credentials, login_options, make_access
from ssoenv.remote.identity import Keys, caller_identity
from ssoenv.ui.status import format_duration


@click.command("whoami")
@click.argument("profile", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.option("--no-login", is_flag=True, help="Never start a login; fail with exit code 4 instead.")
@login_options
def whoami_command(profile: str | None, as_json: bool, no_login: bool, login: LoginOptions) -> None:
    """Show who AWS thinks you are: account, role, user, ARN, and both clocks: when the role
    credentials expire and when the SSO session ends (where known; see `ssoenv list`).

    Without PROFILE it reports the credentials in the environment (what `ssoenv use` set).
    """
    session_end: datetime | None = None
    if profile:
        from ssoenv.auth.sessionclock import profile_session_end

        ctx = Context.load()
        resolved = ctx.profile(profile)
        creds = fetch_credentials(ctx, profile, make_access(login, profile=profile, no_login=no_login))
        keys = Keys.from_role_credentials(creds, profile=profile, region=resolved.region or resolved.session.region)
        session_end = profile_session_end(ctx.paths, ctx.config, profile)
    else:
        keys = Keys.from_environment(os.environ)
        epoch = os.environ.get("SSOENV_SESSION_EXPIRES_AT", "")
        if epoch.isdigit():
            session_end = datetime.fromtimestamp(int(epoch), timezone.utc)
    identity = caller_identity(keys)
    if as_json:
        data: dict[str, object] = identity.as_json()
        data["SessionExpiration"] = session_end.isoformat() if session_end else None  # the SSO session's end
        emit(json.dumps(data, indent=2))
        return
    left = identity.seconds_left
    if identity.expiration is None or left is None:
        expires = "unknown"
    else:
        expires = f"{identity.expiration:%Y-%m-%d %H:%M} UTC ({format_duration(left) if left > 0 else 'expired'})"
    rows = [
        ("source", identity.source),
        ("account", identity.account),
        ("role", identity.role or "-"),
        ("user", identity.user or "-"),
        ("arn", identity.arn),
        ("expires", expires),
        ("session", _session_text(session_end)),
    ]
    for key, value in rows:
        emit(f"{key:>8}  {value}")


command = whoami_command


def _session_text(end: datetime | None) -> str:
    """When the SSO session ends: ``2026-11-30 18:40 UTC (7h12m)``, or why it is not known."""
    if end is None:
        return "end unknown"
    left = (end - datetime.now(timezone.utc)).total_seconds()
    return f"ends {end:%Y-%m-%d %H:%M} UTC ({format_duration(left) if left > 0 else 'ended'})"
