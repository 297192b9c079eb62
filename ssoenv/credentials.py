"""The decision: give me role credentials for this profile.

cache hit (> 15 min left) → done, no boto3; else a token: cached and valid → use it; near expiry
and refreshable → refresh under a lock (re-reading the file once the lock is held, so concurrent
processes never spend the same rotating refresh token twice); missing or expired → log in when
a person is there, else LoginRequired. Then GetRoleCredentials, cached for everyone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import NamedTuple

from ssoenv import cache
from ssoenv.cache import FRESHNESS, RoleCredentials, Token
from ssoenv.config import SsoProfile, SsoSession
from ssoenv.errors import LoginRequired
from ssoenv.log import debug
from ssoenv.loginopts import LoginOptions
from ssoenv.paths import Paths


class Access(NamedTuple):
    """How a command may obtain a token when it needs one."""

    interactive: bool  # a person is there: a login may start
    login_options: LoginOptions | None = None
    profile: str | None = None  # whose endpoint settings to use
    login_command: str = "ssoenv login"


def token_state(paths: Paths, session: SsoSession) -> tuple[str, Token | None]:
    """``valid`` / ``refreshable`` / ``expired`` / ``none``, for listings (no network)."""
    token = cache.load_token(paths, session)
    if token is None:
        return "none", None
    if token.is_valid():
        return "valid", token
    if session.refreshable and token.can_refresh:
        return "refreshable", token
    return "expired", token


def _login_hint(session: SsoSession, access: Access) -> str:
    if access.profile:
        return f"run `{access.login_command} {access.profile}`"
    if session.name:
        return f"run `{access.login_command} --sso-session {session.name}`"
    return f"run `{access.login_command}`"


def get_token(
    paths: Paths,
    session: SsoSession,
    access: Access,
    *,
    force_login: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Token:
    """A valid access token for ``session``: cached, refreshed, or from a new login."""
    token = None if force_login else cache.load_token(paths, session)
    if token is not None and token.remaining() > FRESHNESS:
        return token
    if token is not None and session.refreshable and token.can_refresh:
        token = _refresh_locked(paths, session, access)
        if token is not None and token.is_valid():
            return token
    elif token is not None and token.is_valid():
        return token  # legacy tokens cannot refresh; use what is left
    if not access.interactive:
        what = "has expired" if token is not None else "is not logged in"
        raise LoginRequired(f"the SSO session ({session.label}) {what}", hint=_login_hint(session, access))
    return login_now(paths, session, access, environ=environ)


def _refresh_locked(paths: Paths, session: SsoSession, access: Access) -> Token | None:
    from ssoenv import oidc

    with cache.token_lock(paths, session):
        current = cache.load_token(paths, session)  # another process may have refreshed already
        if current is None:
            return None
        if current.remaining() > FRESHNESS:
            debug("token refreshed by another process meanwhile")
            return current
        if not current.can_refresh:
            return current
        new = oidc.refresh(paths, session, current, profile=access.profile)
        if new is None:
            debug("refresh failed; token has %s left", current.remaining())
            return current
        cache.save_token(paths, session, new)
        debug("token refreshed, valid until %s", new.expires_at)
        return new


def login_now(paths: Paths, session: SsoSession, access: Access, *, environ: Mapping[str, str] | None = None) -> Token:
    from ssoenv import oidc
    from ssoenv.browser import browser_usable
    from ssoenv.ui.status import LoginUI

    options = access.login_options or LoginOptions(profile=access.profile)
    ui = LoginUI()
    ui.message(f"logging in to {session.start_url}")
    token = oidc.login(paths, session, options, ui, browser_usable=browser_usable(environ))
    ui.message(f"logged in; the session is valid until {token.expires_at:%Y-%m-%d %H:%M} UTC")
    return token


def cached_role_credentials(
    paths: Paths, profile: SsoProfile, *, freshness: timedelta = FRESHNESS
) -> RoleCredentials | None:
    creds = cache.load_role_credentials(paths, profile)
    if creds is not None and creds.remaining() > freshness:
        return creds
    return None


def get_role_credentials(
    paths: Paths,
    profile: SsoProfile,
    access: Access,
    *,
    force_refresh: bool = False,
    environ: Mapping[str, str] | None = None,
) -> RoleCredentials:
    if not force_refresh:
        cached = cached_role_credentials(paths, profile)
        if cached is not None:
            return cached
    from ssoenv.portal import Portal

    token = get_token(paths, profile.session, access, environ=environ)
    portal = Portal(profile.session.region, profile=access.profile or profile.name)
    try:
        creds = portal.get_role_credentials(token.access_token, profile.account_id, profile.role_name)
    except LoginRequired as exc:
        # the portal no longer accepts the token (revoked, or expired early)
        if not access.interactive:
            raise LoginRequired(exc.message, hint=_login_hint(profile.session, access)) from exc
        token = login_now(paths, profile.session, access, environ=environ)
        creds = portal.get_role_credentials(token.access_token, profile.account_id, profile.role_name)
    cache.save_role_credentials(paths, profile, creds)
    return creds
