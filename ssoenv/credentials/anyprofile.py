"""Credentials for any profile ssoenv serves: the one entry point every verb calls.

``resolve(cfg, name)`` gives an SSO profile or a role chain rooted at one
(:mod:`ssoenv.config.chain`); ``get_credentials(paths, profile, access)`` gives its credentials:

* SSO profile: :func:`ssoenv.credentials.sso.get_role_credentials` (cache → refresh → login → portal);
* chain: the outermost hop whose cached credentials are fresh (> 15 min left, botocore's window)
  is the starting point; from there (or from the SSO root's credentials) each further hop is an
  ``AssumeRole`` signed with the previous hop's credentials, and each result is cached in the
  AWS CLI's file. A source refused as expired is fetched anew once. An ``mfa_serial`` hop asks
  for the code on the terminal only when a person is there (never from the prompt hook).

``cached_credentials`` is the no-network, stdlib-only part the fast path uses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING

from ssoenv.config.chain import AnyProfile, ChainedProfile, RoleHop, resolve_any
from ssoenv.config.profiles import AwsConfig
from ssoenv.credentials.cache import FRESHNESS, RoleCredentials, fresh, load_role_credentials
from ssoenv.errors import LoginRequired
from ssoenv.errors import MfaRequired as MfaRequired  # re-exported; defined in errors.py with every error
from ssoenv.paths import Paths
from ssoenv.shells import shell_word

if TYPE_CHECKING:
    from ssoenv.credentials.sso import Access
    from ssoenv.shells.envvars import Activation

MfaPrompt = Callable[[str], str]

resolve = resolve_any


def cached_credentials(
    paths: Paths, profile: AnyProfile, *, freshness: timedelta = FRESHNESS
) -> RoleCredentials | None:
    """Fresh cached credentials of ``profile`` (no network), or None."""
    if isinstance(profile, ChainedProfile):
        from ssoenv.remote import sts

        return fresh(sts.load_cached(paths, profile.hops[-1]), freshness)
    return fresh(load_role_credentials(paths, profile), freshness)


def _token_code(hop: RoleHop, profile: ChainedProfile, access: Access, mfa_prompt: MfaPrompt | None) -> str | None:
    if hop.mfa_serial is None:
        return None
    if not access.interactive:
        raise MfaRequired(
            f"profile {profile.name!r} needs an MFA code for {hop.mfa_serial} (role of {hop.profile!r})",
            hint=f"run `ssoenv use {shell_word(profile.name)}` in a terminal to type it",
        )
    ask = mfa_prompt or (access.display.ask_secret if access.display is not None else None)
    if ask is None:  # the core asks through the display the command gave it; it builds no UI
        raise MfaRequired(f"profile {profile.name!r} needs an MFA code for {hop.mfa_serial} and nobody can type it")
    code = ask(f"Enter MFA code for {hop.mfa_serial}: ")
    if not code:
        raise MfaRequired(f"no MFA code given for {hop.mfa_serial}")
    return code


def _sts_region(profile: ChainedProfile, environ: Mapping[str, str] | None) -> str:
    env = environ or {}
    return (
        profile.region
        or env.get("AWS_REGION")
        or env.get("AWS_DEFAULT_REGION")
        or profile.root.region
        or profile.root.session.region
    )


def _assume_from(
    paths: Paths,
    profile: ChainedProfile,
    start: int,
    source: RoleCredentials,
    access: Access,
    environ: Mapping[str, str] | None,
    mfa_prompt: MfaPrompt | None,
) -> RoleCredentials:
    from ssoenv.remote import sts

    region = _sts_region(profile, environ)
    creds = source
    for hop in profile.hops[start:]:
        code = _token_code(hop, profile, access, mfa_prompt)
        response = sts.assume_role(
            creds, hop, region=region, endpoint_profile=access.profile or profile.name, token_code=code
        )
        sts.save_response(paths, hop, response)
        creds = sts.credentials_from_response(response, hop)
    return creds


def _chain_credentials(
    paths: Paths,
    profile: ChainedProfile,
    access: Access,
    *,
    force_refresh: bool,
    environ: Mapping[str, str] | None,
    mfa_prompt: MfaPrompt | None,
) -> RoleCredentials:
    from ssoenv.credentials.sso import get_role_credentials
    from ssoenv.remote import sts

    hops = profile.hops
    # the outermost fresh hop (the profile's own hop only when not forced)
    last = len(hops) - 1 if not force_refresh else len(hops) - 2
    for index in range(last, -1, -1):
        cached = fresh(sts.load_cached(paths, hops[index]), FRESHNESS)
        if cached is None:
            continue
        if index == len(hops) - 1:
            return cached
        try:
            return _assume_from(paths, profile, index + 1, cached, access, environ, mfa_prompt)
        except MfaRequired:
            raise
        except LoginRequired:
            break  # the cached source was refused (revoked, expired early): from the root again
    root = get_role_credentials(paths, profile.root, access, force_refresh=force_refresh, environ=environ)
    try:
        return _assume_from(paths, profile, 0, root, access, environ, mfa_prompt)
    except MfaRequired:
        raise
    except LoginRequired:
        if force_refresh:
            raise
    root = get_role_credentials(paths, profile.root, access, force_refresh=True, environ=environ)
    return _assume_from(paths, profile, 0, root, access, environ, mfa_prompt)


def get_credentials(
    paths: Paths,
    profile: AnyProfile,
    access: Access,
    *,
    force_refresh: bool = False,
    environ: Mapping[str, str] | None = None,
    mfa_prompt: MfaPrompt | None = None,
) -> RoleCredentials:
    """Credentials for ``profile``: cached when fresh, else fetched (and cached)."""
    if isinstance(profile, ChainedProfile):
        return _chain_credentials(
            paths, profile, access, force_refresh=force_refresh, environ=environ, mfa_prompt=mfa_prompt
        )
    from ssoenv.credentials.sso import get_role_credentials

    return get_role_credentials(paths, profile, access, force_refresh=force_refresh, environ=environ)


def credentials_for(
    paths: Paths,
    cfg: AwsConfig,
    name: str,
    access: Access,
    *,
    force_refresh: bool = False,
    environ: Mapping[str, str] | None = None,
) -> tuple[AnyProfile, RoleCredentials]:
    """Resolve ``name`` and fetch its credentials: the one call for "credentials of profile X"."""
    profile = resolve_any(cfg, name)
    return profile, get_credentials(paths, profile, access, force_refresh=force_refresh, environ=environ)


def activation_for(
    paths: Paths,
    cfg: AwsConfig,
    name: str,
    access: Access,
    *,
    profile_only: bool = False,
    force_refresh: bool = False,
    region: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Activation:
    """What ``use``/``exec``/``shell`` put in the environment for profile ``name``, of any kind.

    SSO profiles and role chains: their credentials (``profile_only``: just a valid login, then
    ``AWS_PROFILE``). Static keys and ``credential_process``: their keys. Any other profile:
    ``AWS_PROFILE`` with ``profile_only``, else one clear ConfigError.
    """
    from ssoenv.credentials import keys as keyprofiles
    from ssoenv.shells.envvars import Activation, activation

    what = keyprofiles.kind(cfg, name) if name in cfg.profiles or name in cfg.credentials else "missing"
    if what in ("sso", "chained", "missing"):
        profile = resolve_any(cfg, name)
        if profile_only:
            from ssoenv.credentials.sso import get_token

            get_token(paths, profile.session, access, environ=environ)
            return activation(profile, None, region=region)
        creds = get_credentials(paths, profile, access, force_refresh=force_refresh, environ=environ)
        return activation(profile, creds, region=region)
    own_region = region or cfg.value(name, "region")
    if profile_only:
        return Activation(name, "", "", own_region, None)
    if what == "static":
        keys = keyprofiles.static_keys(cfg, name)
    elif what == "process":
        keys = keyprofiles.process_keys(cfg, name)
    else:
        raise keyprofiles.unsupported(cfg, name, what)
    return Activation(name, keys.account_id or "", "", own_region, keys)
