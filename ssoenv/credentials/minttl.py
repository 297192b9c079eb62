"""``--min-ttl DURATION``: make sure what a long run depends on lasts at least that long, now.

Two lifetimes matter:

- the role credentials: ``use``/``exec``/``shell`` fetch fresh ones when the cached ones expire
  sooner (:func:`freshness`); when even fresh ones cannot last that long (the permission set's
  session duration is shorter) the run goes on with one line saying so (:func:`short_lived`) —
  with ``--live`` their lifetime does not matter at all;
- the SSO session: when it is *known* to end sooner, log in now (a person is there) or fail now,
  rather than dying mid-run (:func:`ensure_session`). What is known about the session's end is
  :mod:`ssoenv.auth.sessionclock`'s: exactly, for a token that cannot be refreshed; the login time plus
  ``ssoenv_session_duration`` for a refreshable session; otherwise nothing (not checked).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING

from ssoenv.auth.sessionclock import parse_duration, session_end
from ssoenv.config.chain import AnyProfile
from ssoenv.config.profiles import AwsConfig, SsoSession
from ssoenv.credentials import cache
from ssoenv.credentials.cache import FRESHNESS, RoleCredentials, now
from ssoenv.credentials.sso import Access, login_now
from ssoenv.errors import LoginRequired
from ssoenv.paths import Paths
from ssoenv.ui.status import format_duration

if TYPE_CHECKING:
    from ssoenv.credentials.keys import ProfileKeys

__all__ = [
    "ensure_session",
    "freshness",
    "known_session_end",
    "needs_fresh",
    "parse_duration",
    "prepare",
    "served",
    "short_lived",
]


def freshness(min_ttl: timedelta | None) -> timedelta:
    """How much lifetime cached role credentials need to be used as they are."""
    return max(FRESHNESS, min_ttl) if min_ttl is not None else FRESHNESS


def needs_fresh(paths: Paths, profile: AnyProfile, min_ttl: timedelta | None) -> bool:
    """Whether the cached credentials (any kind of profile) end within ``min_ttl``: fetch anew."""
    from ssoenv.credentials.anyprofile import cached_credentials

    wanted = freshness(min_ttl)
    return wanted > FRESHNESS and cached_credentials(paths, profile, freshness=wanted) is None


def short_lived(creds: RoleCredentials | ProfileKeys | None, min_ttl: timedelta | None, profile: str) -> str | None:
    """The one line to show when the credentials cannot last ``min_ttl`` (None when they can)."""
    if min_ttl is None or creds is None or creds.expiration is None:
        return None
    remaining = creds.expiration - now()
    if remaining >= min_ttl:
        return None
    left = format_duration(remaining.total_seconds())
    wanted = format_duration(min_ttl.total_seconds())
    return (
        f"{profile}'s role credentials last only {left}, less than --min-ttl {wanted} "
        f"(the permission set's session is shorter); going on. With --live their lifetime does not matter: "
        f"ssoenv exec --live {profile} -- ..."
    )


def known_session_end(paths: Paths, session: SsoSession, cfg: AwsConfig | None = None) -> timedelta | None:
    """Time left in the SSO session when it is known (:func:`ssoenv.auth.sessionclock.session_end`), else None."""
    token = cache.load_token(paths, session)
    if token is None:
        return None  # not logged in: the normal path logs in or says so
    end = session_end(paths, cfg, session, token)
    return end - now() if end is not None else None


def ensure_session(
    paths: Paths,
    session: SsoSession,
    access: Access,
    min_ttl: timedelta | None,
    *,
    environ: Mapping[str, str] | None = None,
    cfg: AwsConfig | None = None,
) -> None:
    """Log in now (a person is there) or raise LoginRequired when the session ends within ``min_ttl``."""
    if min_ttl is None:
        return
    left = known_session_end(paths, session, cfg)
    if left is None or left >= min_ttl or left <= timedelta(0):
        return  # unknown, long enough, or already over (the normal path handles that)
    if access.interactive:
        login_now(paths, session, access, environ=environ)
        return
    from ssoenv.shells import shell_word

    who = f" {shell_word(access.profile)}" if access.profile else ""
    raise LoginRequired(
        f"the SSO session ({session.label}) ends in {format_duration(left.total_seconds())}, "
        f"sooner than --min-ttl {format_duration(min_ttl.total_seconds())}",
        hint=f"run `{access.login_command}{who}` first",
    )


def served(cfg: AwsConfig, name: str) -> bool:
    """Whether ``name`` is an SSO profile or a role chain (what --min-ttl checks and --live serves).

    Other kinds (static keys, credential_process) have no lifetime ssoenv controls; a missing
    profile counts as served, so the normal path reports it.
    """
    from ssoenv.credentials import keys as keyprofiles

    if name not in cfg.profiles and name not in cfg.credentials:
        return True
    return keyprofiles.kind(cfg, name) in ("sso", "chained")


def prepare(
    paths: Paths,
    profile: AnyProfile,
    access: Access,
    min_ttl: timedelta | None,
    *,
    live: bool = False,
    environ: Mapping[str, str] | None = None,
    cfg: AwsConfig | None = None,
) -> bool:
    """The session check now, and whether the role credentials must be fetched anew (not with --live)."""
    ensure_session(paths, profile.session, access, min_ttl, environ=environ, cfg=cfg)
    return not live and needs_fresh(paths, profile, min_ttl)
