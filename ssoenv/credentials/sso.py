"""The decision: give me role credentials for this profile.

cache hit (> 15 min left) → done, no botocore; else a token: cached and valid → use it; near expiry
and refreshable → refresh under a lock (re-reading the file once the lock is held, so concurrent
processes never spend the same rotating refresh token twice); missing or expired → log in when
a person is there, else LoginRequired. Then GetRoleCredentials, cached for everyone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple, TypeVar

from ssoenv.auth.loginopts import LoginDisplay, LoginOptions
from ssoenv.clock import SYSTEM_CLOCK, Clock
from ssoenv.config.profiles import SsoProfile, SsoSession
from ssoenv.credentials import cache
from ssoenv.credentials.cache import FRESHNESS, RoleCredentials, Token
from ssoenv.errors import ConfigError, LoginRequired, ServiceError, SsoenvError
from ssoenv.log import debug
from ssoenv.paths import Paths

T = TypeVar("T")


class Access(NamedTuple):
    """How a command may obtain a token when it needs one (built once, by the command layer)."""

    interactive: bool  # a login may start (ssoenv.auth.loginopts.may_log_in)
    login_options: LoginOptions | None = None
    profile: str | None = None  # whose endpoint settings to use
    login_command: str = "ssoenv login"
    display: LoginDisplay | None = None  # where a login shows itself; the core never builds one
    clock: Clock = SYSTEM_CLOCK
    relogin_hint: str | None = None  # what to tell a script whose session the portal rejected


def token_state(paths: Paths, session: SsoSession) -> tuple[str, Token | None]:
    """``valid`` / ``refreshable`` / ``expired`` / ``none``, for listings (no network)."""
    token = cache.load_token(paths, session)
    if token is None:
        return "none", None
    if cache.is_rejected(paths, session, token):
        return "rejected", token
    if token.is_valid():
        return "valid", token
    if session.refreshable and token.can_refresh:
        return "refreshable", token
    return "expired", token


def _login_hint(session: SsoSession, access: Access) -> str:
    if access.profile:
        from ssoenv.shells import shell_word

        return f"run `{access.login_command} {shell_word(access.profile)}`"
    if session.name:
        from ssoenv.shells import shell_word

        return f"run `{access.login_command} --sso-session {shell_word(session.name)}`"
    return f"run `{access.login_command}`"


def with_region(paths: Paths, session: SsoSession) -> SsoSession:
    """``session`` with its sso_region: as configured; else (a vanity start URL without one) the
    region its token was issued in; else the region the start URL leads to (ssoenv.config.starturl)."""
    if session.region:
        return session
    token = cache.load_token(paths, session)
    region = token.region if token is not None and token.region else None
    if region is None:
        from ssoenv.config.starturl import derive_region

        region = derive_region(session.start_url)
    if not region:
        raise ConfigError(
            f"cannot tell the SSO region of {session.label}: {session.start_url} does not name one",
            hint="add sso_region to the sso-session",
        )
    debug("sso_region of %s: %s", session.label, region)
    return session._replace(region=region)


def _regional(paths: Paths, session: SsoSession, access: Access) -> tuple[SsoSession, Access]:
    """The session with its region, and the access to use: clients are then built without the
    profile, because botocore refuses an sso-session profile without sso_region."""
    if session.region:
        return session, access
    options = access.login_options._replace(profile=None) if access.login_options else None
    return with_region(paths, session), access._replace(profile=None, login_options=options)


def get_token(
    paths: Paths,
    session: SsoSession,
    access: Access,
    *,
    force_login: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Token:
    """A valid access token for ``session``: cached, refreshed, or from a new login."""
    session, access = _regional(paths, session, access)
    token = None if force_login else cache.load_token(paths, session)
    if token is not None and cache.is_rejected(paths, session, token):
        # the service refused it (revoked): neither its expiry nor its refresh token can be trusted
        if not access.interactive:
            raise LoginRequired(
                f"the SSO session ({session.label}) was revoked or rejected by the service",
                hint=_login_hint(session, access),
            )
        return login_now(paths, session, access, environ=environ)
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
    from ssoenv.auth import oidc

    with cache.token_lock(paths, session):
        current = cache.load_token(paths, session)  # another process may have refreshed already
        if current is None:
            return None
        if current.remaining() > FRESHNESS:
            debug("token refreshed by another process meanwhile")
            return current
        if not current.can_refresh:
            return current
        try:
            new = oidc.refresh(paths, session, current, profile=access.profile)
        except ServiceError:
            # the service failed (no answer in time, an error, garbage), not the session: another
            # program may have refreshed meanwhile, else use what is left of this token
            fresher = _written_meanwhile(paths, session, current, access)
            if fresher is not None:
                debug("refresh failed, but another program wrote a fresher token meanwhile")
                return fresher
            if current.is_valid():
                debug("refresh failed; falling back to the token (%s left)", current.remaining())
                return current
            raise
        if new is None:
            fresher = _written_meanwhile(paths, session, current, access)
            if fresher is not None:
                debug("refresh failed, but another program wrote a fresher token meanwhile")
                return fresher
            debug("refresh failed; token has %s left", current.remaining())
            return current
        cache.save_token(paths, session, new)
        from ssoenv.auth.sessionclock import note_refresh

        note_refresh(paths, session, current, new)  # the login's time goes with the new refresh token
        debug("token refreshed, valid until %s", new.expires_at)
        return new


# After a failed refresh: how long another program (the AWS CLI, which does not take our lock)
# may still need to write the token it got with the same, rotating, refresh token.
RACE_GRACE = 1.0


def _written_meanwhile(paths: Paths, session: SsoSession, current: Token, access: Access) -> Token | None:
    """A fresher token than ``current`` in the file now (re-read at once, then for a moment, never
    past the command's total budget, ``SSOENV_TIMEOUT``)."""
    import time

    from ssoenv.remote.retry import total_deadline

    deadline = total_deadline()
    waited = 0.0
    while True:
        token = cache.load_token(paths, session)
        if token is not None and token.access_token != current.access_token and token.expires_at > current.expires_at:
            return token
        if waited >= RACE_GRACE or (deadline is not None and time.monotonic() + 0.1 > deadline):
            return None
        access.clock.sleep(0.1)
        waited += 0.1


def login_now(paths: Paths, session: SsoSession, access: Access, *, environ: Mapping[str, str] | None = None) -> Token:
    from ssoenv.auth import oidc
    from ssoenv.auth.browser import browser_usable

    session, access = _regional(paths, session, access)
    ui = access.display
    if ui is None or not access.interactive:
        raise LoginRequired(f"the SSO session ({session.label}) needs a login", hint=_login_hint(session, access))
    options = access.login_options or LoginOptions(profile=access.profile)
    named = f" ({session.label})" if session.label != session.start_url else ""
    ui.message(f"logging in to {session.start_url}{named}")
    token = oidc.login(paths, session, options, ui, browser_usable=browser_usable(environ), clock=access.clock)
    ui.message(
        f"logged in to {session.start_url}; valid until {token.expires_at:%Y-%m-%d %H:%M} UTC"
        + (" (refreshable)" if token.refresh_token and session.refreshable else "")
    )
    return token


class SignedIn:
    """A session's token for a series of portal calls, and the one re-login-and-retry policy.

    When the portal rejects the token (revoked, or expired early: ``LoginRequired``), log in once
    and repeat the call — if a login may start (``access.interactive``); otherwise fail with the
    command that logs in. Network retries are not this: they live in ``ssoenv.remote.client``.
    """

    def __init__(
        self,
        paths: Paths,
        session: SsoSession,
        access: Access,
        token: Token,
        *,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.paths = paths
        self.session = session
        self.access = access
        self.token = token
        self.environ = environ

    def call(self, fn: Callable[[str], T]) -> T:
        """``fn(access_token)``, with at most one re-login in between."""
        try:
            return fn(self.token.access_token)
        except LoginRequired as exc:
            cache.mark_rejected(self.paths, self.session, self.token)  # unusable everywhere from now on
            if not self.access.interactive:
                hint = self.access.relogin_hint or _login_hint(self.session, self.access)
                raise LoginRequired(exc.message, hint=hint) from exc
            debug("the portal rejected the token (%s); logging in again", exc.message)
            self.token = login_now(self.paths, self.session, self.access, environ=self.environ)
        return fn(self.token.access_token)


def get_role_credentials(
    paths: Paths,
    profile: SsoProfile,
    access: Access,
    *,
    force_refresh: bool = False,
    environ: Mapping[str, str] | None = None,
) -> RoleCredentials:
    if not force_refresh:
        cached = cache.fresh(cache.load_role_credentials(paths, profile))
        if cached is not None:
            return cached
    from ssoenv.remote.portal import Portal

    endpoint_profile = (access.profile or profile.name) if profile.session.region else None
    session, access = _regional(paths, profile.session, access)
    profile = profile._replace(session=session)
    token = get_token(paths, profile.session, access, environ=environ)
    portals: list[Portal] = []

    def fetch(access_token: str) -> RoleCredentials:
        # one GetRoleCredentials for many callers: under a lock per role-cache key, re-reading the
        # cache once it is held (another process or thread may have fetched them meanwhile)
        with cache.role_lock(paths, profile):
            if not force_refresh:
                cached = cache.fresh(cache.load_role_credentials(paths, profile))
                if cached is not None:
                    debug("role credentials fetched by another process meanwhile")
                    return cached
            if not portals:
                portals.append(Portal(profile.session.region, profile=endpoint_profile))
            creds = portals[0].get_role_credentials(access_token, profile.account_id, profile.role_name)
            try:
                cache.save_role_credentials(paths, profile, creds)
            except ServiceError:
                raise  # values that must not be used
            except SsoenvError as exc:  # the credentials are good; only the cache cannot keep them
                from ssoenv.ui.status import say

                say(f"warning: {exc}")
            return creds

    # a re-login (SignedIn) happens outside the lock: a login takes a while
    return SignedIn(paths, profile.session, access, token, environ=environ).call(fetch)
