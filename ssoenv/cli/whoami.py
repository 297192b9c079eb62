"""``ssoenv whoami [PROFILE] [--json]``: options and output; the STS call is ``ssoenv.identity``."""

from __future__ import annotations

import json
import os

import click

from ssoenv.cli import emit
from ssoenv.cli.common import Context, fetch_credentials, login_options, make_access
from ssoenv.identity import Keys, caller_identity
from ssoenv.loginopts import LoginOptions
from ssoenv.ui.status import format_duration


@click.command("whoami")
@click.argument("profile", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.option("--no-login", is_flag=True, help="Never start a login; fail with exit code 4 instead.")
@login_options
def whoami_command(profile: str | None, as_json: bool, no_login: bool, login: LoginOptions) -> None:
    """Show who AWS thinks you are: account, role, user, ARN and time left.

    Without PROFILE it reports the credentials in the environment (what `ssoenv use` set).
    """
    if profile:
        ctx = Context.load()
        resolved = ctx.profile(profile)
        creds = fetch_credentials(ctx, profile, make_access(login, profile=profile, no_login=no_login))
        keys = Keys.from_role_credentials(creds, profile=profile, region=resolved.region or resolved.session.region)
    else:
        keys = Keys.from_environment(os.environ)
    identity = caller_identity(keys)
    if as_json:
        emit(json.dumps(identity.as_json(), indent=2))
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
    ]
    for key, value in rows:
        emit(f"{key:>8}  {value}")


command = whoami_command
