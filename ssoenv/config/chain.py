"""Role chaining: a profile with ``role_arn`` + ``source_profile`` resolved down to its SSO root.

``workload-deploy`` (role) → ``hub-admin`` (role) → ``dev-sso`` (SSO) becomes one
:class:`ChainedProfile`: the SSO profile at the root and the hops to assume from it, in order.
The rules are botocore's ``AssumeRoleProvider`` ones (a source profile with ``role_arn`` is
assumed in turn; without it, it must give credentials of its own — here: be an SSO profile),
and every refusal names the file and line. Each hop knows the arguments botocore would pass to
``AssumeRole`` and hence the AWS CLI's cache key for its credentials (``cache_key``), so the
AWS CLI and ssoenv share ``~/.aws/cli/cache``. Stdlib only: the fast path resolves chains too.
"""

from __future__ import annotations

import json
from typing import NamedTuple

from ssoenv.config.profiles import (
    AwsConfig,
    Section,
    SsoProfile,
    SsoSession,
    is_sso_role,
    resolve_all,
    resolve_profile,
)
from ssoenv.errors import ConfigError


class RoleHop(NamedTuple):
    """One ``AssumeRole``: the profile that asks for it and its arguments."""

    profile: str
    role_arn: str
    role_session_name: str | None = None
    external_id: str | None = None
    mfa_serial: str | None = None
    duration_seconds: int | None = None

    def assume_args(self) -> dict[str, str | int]:
        """botocore's ``extra_args`` + ``RoleArn`` (no generated session name, no MFA code)."""
        args: dict[str, str | int] = {"RoleArn": self.role_arn}
        if self.role_session_name is not None:
            args["RoleSessionName"] = self.role_session_name
        if self.external_id is not None:
            args["ExternalId"] = self.external_id
        if self.mfa_serial is not None:
            args["SerialNumber"] = self.mfa_serial
        if self.duration_seconds is not None:
            args["DurationSeconds"] = self.duration_seconds
        return args

    @property
    def cache_key(self) -> str:
        """``BaseAssumeRoleCredentialFetcher._create_cache_key``: SHA-1 of the sorted JSON."""
        from ssoenv.credentials.cache import sha1_hex

        digest = sha1_hex(json.dumps(self.assume_args(), sort_keys=True))
        return digest.replace(":", "_").replace("/", "_")

    @property
    def account_id(self) -> str:
        return self.role_arn.split(":")[4]

    @property
    def role_name(self) -> str:
        return self.role_arn.rsplit("/", 1)[-1]


class ChainedProfile(NamedTuple):
    """A role profile whose chain of ``source_profile`` ends at an SSO profile."""

    name: str
    root: SsoProfile
    hops: tuple[RoleHop, ...]  # from the root outwards; hops[-1].profile == name
    region: str | None = None

    @property
    def account_id(self) -> str:
        return self.hops[-1].account_id

    @property
    def role_name(self) -> str:
        return self.hops[-1].role_name

    @property
    def session(self) -> SsoSession:
        """The SSO session the chain's root logs in to."""
        return self.root.session

    @property
    def sources(self) -> tuple[str, ...]:
        """The profiles credentials come from, nearest first: ``("hub-admin", "dev-sso")``."""
        return (*(hop.profile for hop in reversed(self.hops[:-1])), self.root.name)

    @property
    def chain_text(self) -> str:
        return " → ".join(self.sources)

    @property
    def needs_mfa(self) -> bool:
        return any(hop.mfa_serial for hop in self.hops)


AnyProfile = SsoProfile | ChainedProfile


def _section(cfg: AwsConfig, name: str) -> Section:
    """The section where ``name``'s ``role_arn`` is (credentials file first, like botocore)."""
    cred = cfg.credentials.get(name)
    if cred is not None and "role_arn" in cred.values:
        return cred
    return cfg.profile(name)


def _where(cfg: AwsConfig, name: str, key: str) -> str:
    for section in (cfg.credentials.get(name), cfg.profiles.get(name)):
        if section is not None and key in section.values:
            return section.where(key)
    return cfg.profile(name).where()


def is_chained(cfg: AwsConfig, name: str) -> bool:
    """Does botocore resolve ``name`` through ``AssumeRoleProvider``?"""
    return bool(cfg.value(name, "role_arn")) and not cfg.value(name, "web_identity_token_file")


def _has_static_keys(cfg: AwsConfig, name: str) -> bool:
    return bool(cfg.value(name, "aws_access_key_id") or cfg.value(name, "aws_secret_access_key"))


def _hop(cfg: AwsConfig, name: str) -> RoleHop:
    role_arn = cfg.value(name, "role_arn") or ""
    if not role_arn.startswith("arn:") or len(role_arn.split(":")) < 6 or ":role/" not in role_arn:
        raise ConfigError(
            f"{_where(cfg, name, 'role_arn')}: role_arn of profile {name!r} is not a role ARN: {role_arn!r}",
            hint="expected arn:aws:iam::123456789012:role/NAME",
        )
    raw_duration = cfg.value(name, "duration_seconds")
    duration: int | None = None
    if raw_duration is not None:
        if not raw_duration.strip().isdigit():
            raise ConfigError(
                f"{_where(cfg, name, 'duration_seconds')}: duration_seconds must be a number of seconds, "
                f"not {raw_duration!r}",
                hint="900 to 43200 (3600 at most when the source is itself a role)",
            )
        duration = int(raw_duration)
    return RoleHop(
        profile=name,
        role_arn=role_arn,
        role_session_name=cfg.value(name, "role_session_name"),
        external_id=cfg.value(name, "external_id"),
        mfa_serial=cfg.value(name, "mfa_serial"),
        duration_seconds=duration,
    )


def resolve_chain(cfg: AwsConfig, name: str) -> ChainedProfile:
    """Follow ``source_profile`` from ``name`` to an SSO profile; refuse anything else clearly."""
    hops: list[RoleHop] = []
    visited: list[str] = []
    current = name
    while True:
        section = _section(cfg, current)
        if cfg.value(current, "credential_source"):
            raise ConfigError(
                f"{_where(cfg, current, 'credential_source')}: profile {current!r} uses credential_source, "
                "which ssoenv does not support (only source_profile chains that end at an SSO profile)",
                hint="use the AWS CLI or an SDK directly with this profile (ssoenv use --profile-only)",
            )
        source = cfg.value(current, "source_profile")
        if not source:
            raise ConfigError(
                f"{section.where()}: profile {current!r} has role_arn but no source_profile",
                hint="add source_profile = <the SSO profile to assume the role from>",
            )
        visited.append(current)
        hops.append(_hop(cfg, current))
        if source not in cfg.profiles and source not in cfg.credentials:
            raise ConfigError(
                f"{_where(cfg, current, 'source_profile')}: source_profile {source!r} of profile "
                f"{current!r} does not exist",
                hint="run `ssoenv list` to see the profiles",
            )
        if source in visited:
            loop = " → ".join([*visited, source])
            raise ConfigError(
                f"{_where(cfg, current, 'source_profile')}: source_profile loop: {loop}",
                hint="one profile of the chain must be an SSO profile",
            )
        if is_chained(cfg, source) and not _has_static_keys(cfg, source):
            current = source
            continue
        if is_sso_role(cfg, source):
            root = resolve_profile(cfg, source)
            break
        raise ConfigError(
            f"{_where(cfg, current, 'source_profile')}: source_profile {source!r} of profile {current!r} is not "
            "an SSO role profile; ssoenv chains roles from SSO profiles only",
            hint="point source_profile at a profile with sso_session/sso_account_id/sso_role_name",
        )
    hops.reverse()
    return ChainedProfile(name=name, root=root, hops=tuple(hops), region=cfg.value(name, "region"))


def resolve_any(cfg: AwsConfig, name: str) -> AnyProfile:
    """An SSO profile or a role chain on one: what every credential-serving verb takes."""
    cfg.profile(name)  # ProfileNotFound first
    if is_chained(cfg, name):
        return resolve_chain(cfg, name)
    return resolve_profile(cfg, name)


def servable_profiles(cfg: AwsConfig) -> list[tuple[str, AnyProfile | ConfigError]]:
    """Every SSO role profile and role chain, resolved (or the error it gives), in name order."""
    return resolve_all(cfg, lambda c, name: is_chained(c, name) or is_sso_role(c, name), resolve_any)


def account_names(cfg: AwsConfig) -> dict[str, str]:
    """Account id -> account name, from the profiles that say it (``sso_account_name``: written by
    ``populate`` from the portal's account list); the first profile in name order wins."""
    names: dict[str, str] = {}
    for profile in cfg.profile_names():
        account, name = cfg.value(profile, "sso_account_id"), cfg.value(profile, "sso_account_name")
        if account and name and account not in names:
            names[account] = name
    return names


def login_session(cfg: AwsConfig, name: str) -> SsoSession:
    """The session ``ssoenv login NAME`` logs in to: a role chain's is its SSO root's."""
    from ssoenv.config.profiles import login_session_for_profile

    if is_chained(cfg, name):
        return resolve_chain(cfg, name).session
    return login_session_for_profile(cfg, name)
