"""From credentials and a profile to the change set that ``use`` and ``off`` apply.

A change set maps variable names to a value (set) or None (unset). ``use`` remembers the values
it displaced the first time, each in its own variable ``SSOENV_SAVED_<NAME>`` (one variable for
all of them could outgrow the kernel's 128 KiB limit for one environment string, after which every
command of the shell fails), and in ``SSOENV_SAVED`` the comma-separated names of the variables
that were set; ``off`` puts them back exactly. A value too big to be remembered is refused with one
line. Switching from profile A to B is computed as "off, then use B" so nothing of A survives.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Final, NamedTuple

from ssoenv.config.chain import AnyProfile
from ssoenv.credentials.cache import RoleCredentials, format_timestamp
from ssoenv.credentials.keys import ProfileKeys

Changes = dict[str, "str | None"]

SAVED = "SSOENV_SAVED"
SAVED_PREFIX = "SSOENV_SAVED_"
PROFILE = "SSOENV_PROFILE"
MAX_ENV_STRING: Final = 128 * 1024 - 1  # Linux MAX_ARG_STRLEN, with its NUL: longest NAME=value

# every variable `use` may set or unset; `off` restores each to what it was before
MANAGED: tuple[str, ...] = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SSO_PROFILE",
    "SSOENV_PROFILE",
    "SSOENV_ACCOUNT_ID",
    "SSOENV_ROLE_NAME",
    "SSOENV_EXPIRES_AT",
    "SSOENV_SESSION_EXPIRES_AT",  # the SSO session's end (epoch seconds), when known (ssoenv.auth.sessionclock)
    "SSOENV_GUARD",  # 1: a guarded profile, confirmed (ssoenv.config.guard)
    # a live credential endpoint (``serve``, ``exec --live``); RELATIVE_URI and TOKEN_FILE would
    # take precedence over the two we set, so they are unset while in use
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
)
KEEP_WHEN_UNSET = frozenset({"AWS_REGION", "AWS_DEFAULT_REGION"})


class LiveEndpoint(NamedTuple):
    """Where a live credential endpoint listens and the secret it wants in ``Authorization``."""

    uri: str
    token: str


class Activation(NamedTuple):
    profile: str
    account_id: str
    role_name: str
    region: str | None
    credentials: RoleCredentials | ProfileKeys | None  # None with --profile-only or a live endpoint
    endpoint: LiveEndpoint | None = None  # a live credential endpoint instead of static keys
    guarded: bool = False  # ssoenv_guard = confirm (and confirmed): SSOENV_GUARD=1
    session_expires_at: datetime | None = None  # the SSO session's end, when known


def activation(
    profile: AnyProfile,
    creds: RoleCredentials | None,
    *,
    region: str | None = None,
    endpoint: LiveEndpoint | None = None,
) -> Activation:
    """``region`` (``--region``) replaces the profile's own; ``endpoint`` serves credentials live."""
    return Activation(profile.name, profile.account_id, profile.role_name, region or profile.region, creds, endpoint)


def credential_vars(creds: RoleCredentials | ProfileKeys) -> dict[str, str]:
    """The AWS CLI's ``export-credentials`` variables, in its order (static keys: no token/expiry)."""
    out = {"AWS_ACCESS_KEY_ID": creds.access_key_id, "AWS_SECRET_ACCESS_KEY": creds.secret_access_key}
    if creds.session_token:
        out["AWS_SESSION_TOKEN"] = creds.session_token
    if creds.expiration is not None:
        out["AWS_CREDENTIAL_EXPIRATION"] = format_timestamp(creds.expiration)
    return out


def activation_vars(act: Activation) -> dict[str, str]:
    """Variables ``use`` sets; every other managed variable is unset."""
    out: dict[str, str] = {}
    if act.credentials is not None:
        out.update(credential_vars(act.credentials))
        if act.credentials.expiration is not None:
            out["SSOENV_EXPIRES_AT"] = str(int(act.credentials.expiration.timestamp()))
    elif act.endpoint is not None:
        out["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = act.endpoint.uri
        out["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = act.endpoint.token
    else:
        out["AWS_PROFILE"] = act.profile
    if act.region:
        out["AWS_REGION"] = act.region
        out["AWS_DEFAULT_REGION"] = act.region
    out["AWS_SSO_PROFILE"] = act.profile
    out["SSOENV_PROFILE"] = act.profile
    if act.session_expires_at is not None:
        out["SSOENV_SESSION_EXPIRES_AT"] = str(int(act.session_expires_at.timestamp()))
    if act.guarded:
        out["SSOENV_GUARD"] = "1"
    if act.account_id:
        out["SSOENV_ACCOUNT_ID"] = act.account_id
    if act.role_name:
        out["SSOENV_ROLE_NAME"] = act.role_name
    return out


def _decode_saved(environ: Mapping[str, str]) -> dict[str, str | None] | None:
    """The displaced values, or None when nothing is remembered. Reads the old one-variable JSON
    form too (shells that ran an earlier ssoenv)."""
    raw = environ.get(SAVED)
    if raw is None:
        return None
    if raw.startswith("{"):
        try:
            data = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        return {k: v if isinstance(v, str) else None for k, v in data.items() if k in MANAGED}
    names = {name for name in raw.split(",") if name in MANAGED}
    return {name: environ.get(SAVED_PREFIX + name) if name in names else None for name in MANAGED}


def _saved_changes(environ: Mapping[str, str], saved: Mapping[str, str | None]) -> Changes:
    """The variables that remember ``saved``; UsageError when a value is too big to be kept."""
    from ssoenv.errors import UsageError

    changes: Changes = {}
    names = [k for k in MANAGED if saved.get(k) is not None]
    for key in MANAGED:
        value = saved.get(key)
        if value is not None and len(f"{SAVED_PREFIX}{key}={value}".encode()) > MAX_ENV_STRING:
            raise UsageError(
                f"{key} holds {len(value.encode())} bytes: too big to be remembered for `ssoenv off`; nothing changed",
                hint=f"unset {key} first, then run the command again",
            )
        if environ.get(SAVED_PREFIX + key) != value:
            changes[SAVED_PREFIX + key] = value
    changes[SAVED] = ",".join(names)
    return changes


def original_environment(environ: Mapping[str, str]) -> dict[str, str | None]:
    """The managed variables as they were before the first ``use`` (or are now, if none)."""
    saved = _decode_saved(environ) if environ.get(PROFILE) else None
    if saved is not None:
        return {k: saved.get(k) for k in MANAGED}
    return {k: environ.get(k) for k in MANAGED}


def use_changes(environ: Mapping[str, str], act: Activation) -> Changes:
    """What to set/unset so the shell holds ``act`` and nothing of an earlier profile."""
    original = original_environment(environ)
    wanted = activation_vars(act)
    changes: Changes = {}
    for key in MANAGED:
        # a profile without a region keeps the shell's own region; everything else is replaced
        target = wanted.get(key, original.get(key) if key in KEEP_WHEN_UNSET else None)
        if environ.get(key) != target:
            changes[key] = target
    changes.update(_saved_changes(environ, original))
    return changes


def off_changes(environ: Mapping[str, str]) -> Changes:
    """Undo ``use``: remove what it set, restore what it displaced. Empty when nothing is active."""
    if not environ.get(PROFILE) and SAVED not in environ:
        return {}
    original = original_environment(environ)
    changes: Changes = {}
    for key in MANAGED:
        target = original.get(key)
        if environ.get(key) != target:
            changes[key] = target
        if SAVED_PREFIX + key in environ:
            changes[SAVED_PREFIX + key] = None
    changes[SAVED] = None
    return changes


def apply(environ: Mapping[str, str], changes: Mapping[str, str | None]) -> dict[str, str]:
    """The environment after ``changes`` (for ``shell``/``exec`` and for tests)."""
    out = dict(environ)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out
