"""``ssoenv login`` and ``ssoenv logout``."""

from __future__ import annotations

import os

import click

from ssoenv import cache
from ssoenv.cli.common import Context, login_options, say
from ssoenv.config import environ_profile, login_session_for_profile, session_by_name
from ssoenv.errors import UsageError
from ssoenv.ui.status import format_duration


@click.command("login")
@click.argument("profile", required=False)
@click.option(
    "--sso-session", "sso_session", metavar="NAME", help="Log in to this [sso-session] instead of a profile's."
)
@click.option("--force", is_flag=True, help="Log in again even if the cached session is still valid.")
@login_options
def login_command(
    profile: str | None,
    sso_session: str | None,
    force: bool,
    use_device_code: bool,
    no_browser: bool,
    callback_port: int | None,
) -> None:
    """Log in to IAM Identity Center and cache the session (shared with the AWS CLI).

    PROFILE defaults to AWS_PROFILE. sso-session profiles use the browser (authorization code +
    PKCE); legacy profiles, --use-device-code, --no-browser and machines without a browser use the
    device code flow. Profiles on the same portal share one login.
    """
    from ssoenv.browser import browser_usable
    from ssoenv.loginopts import LoginOptions
    from ssoenv.oidc import login
    from ssoenv.ui.status import LoginUI

    ctx = Context.load()
    if sso_session:
        session = session_by_name(ctx.config, sso_session)
    else:
        name = profile or environ_profile(os.environ)
        if not name:
            if "default" in ctx.config.profiles:
                name = "default"
            else:
                raise UsageError(
                    "which profile? give a PROFILE or --sso-session NAME", hint="run `ssoenv list` to see them"
                )
        session = login_session_for_profile(ctx.config, name)
        profile = name
    existing = cache.load_token(ctx.paths, session)
    if existing is not None and existing.is_valid(cache.FRESHNESS) and not force:
        say(
            f"already logged in to {session.start_url}; valid until "
            f"{existing.expires_at:%Y-%m-%d %H:%M} UTC ({format_duration(existing.remaining().total_seconds())} left). "
            "Use --force to log in again."
        )
        return
    options = LoginOptions(
        use_device_code=use_device_code, no_browser=no_browser, callback_port=callback_port, profile=profile
    )
    ui = LoginUI()
    ui.message(f"logging in to {session.start_url} ({session.label})")
    token = login(ctx.paths, session, options, ui, browser_usable=browser_usable())
    say(
        f"logged in to {session.start_url}; valid until {token.expires_at:%Y-%m-%d %H:%M} UTC"
        + (" (refreshable)" if token.refresh_token and session.refreshable else "")
    )


@click.command("logout")
def logout_command() -> None:
    """Revoke and delete every cached SSO token and SSO role credential (like `aws sso logout`).

    Client registrations are kept. Affects the AWS CLI and every SDK that shares these caches.
    """
    from ssoenv.portal import logout_quietly

    ctx = Context.load()
    tokens = cache.cached_tokens(ctx.paths)
    for path, data in tokens:
        region, access = data.get("region"), data.get("accessToken")
        if isinstance(region, str) and isinstance(access, str) and region:
            logout_quietly(region, access)
        path.unlink(missing_ok=True)
        say(f"logged out of {data.get('startUrl') or path.name} (removed {path})")
    role_files = cache.sso_role_credential_files(ctx.paths)
    for path in role_files:
        path.unlink(missing_ok=True)
    if role_files:
        say(f"removed {len(role_files)} cached SSO role credential file(s) from {ctx.paths.cli_cache_dir}")
    if not tokens and not role_files:
        say("no SSO session was cached; nothing to do")


command = login_command
