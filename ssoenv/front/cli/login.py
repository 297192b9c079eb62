"""``ssoenv login`` and ``ssoenv logout``: options and messages; the flows are ``ssoenv.credentials.sso``
(``login_now``) and ``ssoenv.auth.logout``."""

from __future__ import annotations

import os
from collections.abc import Mapping

import click

from ssoenv.auth.loginopts import LoginOptions
from ssoenv.config.chain import login_session
from ssoenv.config.profiles import SsoSession, environ_profile, session_by_name
from ssoenv.credentials import cache
from ssoenv.errors import UsageError
from ssoenv.front.cli.common import Context, login_options, make_access, say
from ssoenv.ui.status import format_duration


@click.command("login")
@click.argument("profile", required=False)
@click.option(
    "--sso-session", "sso_session", metavar="NAME", help="Log in to this [sso-session] instead of a profile's."
)
@click.option("--force", is_flag=True, help="Log in again even if the cached session is still valid.")
@login_options
def login_command(profile: str | None, sso_session: str | None, force: bool, login: LoginOptions) -> None:
    """Log in to IAM Identity Center and cache the session (shared with the AWS CLI).

    PROFILE defaults to AWS_PROFILE. sso-session profiles use the browser (authorization code +
    PKCE); legacy profiles, --use-device-code, --no-browser and machines without a browser use the
    device code flow. Profiles on the same portal share one login.
    """
    from ssoenv.credentials.sso import login_now

    ctx = Context.load()
    if sso_session:
        session = session_by_name(ctx.config, sso_session)
    else:
        name = profile or environ_profile(os.environ)
        if not name and _sso_default(ctx):
            name = "default"
        if name:
            session = login_session(ctx.config, name)
            profile = name
        else:
            session = _pick_session(ctx)
    existing = cache.load_token(ctx.paths, session)
    if existing is not None and cache.is_rejected(ctx.paths, session, existing):
        say(f"the service rejected the cached session of {session.start_url} (revoked?); logging in again")
        existing = None
    if existing is not None and existing.is_valid(cache.FRESHNESS) and not force:
        say(
            f"already logged in to {session.start_url}; valid until "
            f"{existing.expires_at:%Y-%m-%d %H:%M} UTC ({format_duration(existing.remaining().total_seconds())} left). "
            "Use --force to log in again."
        )
        return
    login_now(ctx.paths, session, make_access(login, profile=profile, explicit=True), environ=os.environ)


def _sso_default(ctx: Context) -> bool:
    cfg = ctx.config
    return "default" in cfg.profiles and any(
        cfg.value("default", key) for key in ("sso_session", "sso_start_url", "role_arn")
    )


def _pick_session(ctx: Context) -> SsoSession:
    """No profile anywhere: choose one of the [sso-session] sections (on a terminal)."""
    import sys

    names = sorted(ctx.config.sso_sessions)
    if not names:
        raise UsageError(
            f"which profile? {ctx.paths.config_file} has no [sso-session] and no default profile",
            hint="give a PROFILE, or run `ssoenv configure`",
        )
    if len(names) == 1:
        return session_by_name(ctx.config, names[0])
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise UsageError("which profile? give a PROFILE or --sso-session NAME", hint=f"sessions: {', '.join(names)}")
    from ssoenv.ui.picker import pick

    labels = [f"{n}  {ctx.config.sso_sessions[n].get('sso_start_url') or ''}" for n in names]
    return session_by_name(ctx.config, names[pick(labels, title="Log in to which sso-session?")])


@click.command("logout")
def logout_command() -> None:
    """Revoke and delete every cached SSO token and SSO role credential (like `aws sso logout`).

    Client registrations are kept. Affects the AWS CLI and every SDK that shares these caches.
    """
    from ssoenv.auth.logout import logout_everything

    ctx = Context.load()
    result = logout_everything(ctx.paths)
    for start_url, path in result.sessions:
        say(f"logged out of {start_url} (removed {path})")
    if result.role_files:
        say(f"removed {len(result.role_files)} cached SSO role credential file(s) from {ctx.paths.cli_cache_dir}")
    if not result.sessions and not result.role_files:
        say("no SSO session was cached; nothing to do")
    _still_held(os.environ)


def _still_held(environ: Mapping[str, str]) -> None:
    """Role credentials outlive a logout: say so when this shell holds some, and until when."""
    from ssoenv.credentials.cache import parse_timestamp
    from ssoenv.shells import apply_hint

    profile = environ.get("SSOENV_PROFILE")
    expires = parse_timestamp(environ.get("AWS_CREDENTIAL_EXPIRATION"))
    if not profile or not environ.get("AWS_ACCESS_KEY_ID"):
        return
    until = f" until {expires:%Y-%m-%d %H:%M} UTC" if expires else ""
    say(
        f"this shell still holds the role credentials of {profile}{until} (a logout does not revoke them); "
        f"run `{apply_hint('off', environ)}` to drop them"
    )


command = login_command
