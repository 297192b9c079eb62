"""Profiles whose keys are not SSO's: static keys in the files, and ``credential_process``.

``ssoenv use`` serves them too: static keys are read (no network), a ``credential_process`` is run
the way botocore's ``ProcessProvider`` runs it (split like a shell would, no shell, stdout read
as the version-1 JSON document, stderr kept for the error). Every other kind of profile
(``web_identity_token_file``, ``credential_source``, ``login_session``, none at all) gets one
line saying what is supported; ``use --profile-only`` works for all of them.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from ssoenv.config.profiles import AwsConfig, is_sso_role
from ssoenv.errors import ConfigError, ServiceError

PROCESS_TIMEOUT = 300.0  # seconds: long enough for a process that asks its own questions


class ProfileKeys(NamedTuple):
    """Keys of a static or ``credential_process`` profile (token and expiry are optional)."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None
    expiration: datetime | None
    account_id: str | None = None


def kind(cfg: AwsConfig, name: str) -> str:
    """botocore's choice for ``name``: ``chained``, ``sso``, ``static``, ``process`` or what else it is."""
    value = cfg.value
    if value(name, "role_arn") and not value(name, "web_identity_token_file"):
        return "chained"
    if value(name, "web_identity_token_file"):
        return "web-identity"
    if is_sso_role(cfg, name):
        return "sso"
    # botocore's chain: credentials-file keys, login_session, credential_process, config-file keys
    in_credentials = cfg.credentials.get(name)
    if in_credentials is not None and (
        in_credentials.get("aws_access_key_id") or in_credentials.get("aws_secret_access_key")
    ):
        return "static"
    if value(name, "login_session"):
        return "login-session"
    if value(name, "credential_process"):
        return "process"
    if value(name, "aws_access_key_id") or value(name, "aws_secret_access_key"):
        return "static"
    if value(name, "credential_source"):
        return "credential-source"
    return "none"


def unsupported(cfg: AwsConfig, name: str, what: str) -> ConfigError:
    section = cfg.profile(name)
    described = {
        "web-identity": "web_identity_token_file",
        "login-session": "login_session",
        "credential-source": "credential_source",
        "none": "no credentials at all",
    }.get(what, what)
    return ConfigError(
        f"profile {name!r} ({section.where()}) uses {described}; `ssoenv use` serves SSO profiles, role chains "
        "on them, static keys and credential_process",
        hint=f"`ssoenv use --profile-only {name}` sets AWS_PROFILE and lets the SDKs resolve it",
    )


def static_keys(cfg: AwsConfig, name: str) -> ProfileKeys:
    key, secret = cfg.value(name, "aws_access_key_id"), cfg.value(name, "aws_secret_access_key")
    if not key or not secret:
        missing = "aws_secret_access_key" if key else "aws_access_key_id"
        raise ConfigError(f"profile {name!r} ({cfg.profile(name).where()}) has static keys but no {missing}")
    token = cfg.value(name, "aws_session_token") or cfg.value(name, "aws_security_token")
    return ProfileKeys(key, secret, token or None, None, cfg.value(name, "aws_account_id"))


def process_keys(cfg: AwsConfig, name: str) -> ProfileKeys:
    """Run the profile's ``credential_process`` like botocore and return what it printed."""
    import json
    import shlex
    import subprocess

    from ssoenv.credentials.cache import parse_timestamp

    command = cfg.value(name, "credential_process") or ""
    what = f"credential_process of profile {name!r}"
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"{what} cannot be split into words: {exc}") from exc
    if not argv:
        raise ConfigError(f"{what} is empty")
    try:
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=PROCESS_TIMEOUT)
    except FileNotFoundError as exc:
        raise ConfigError(f"{what}: command not found: {argv[0]}") from exc
    except PermissionError as exc:
        raise ConfigError(f"{what}: cannot execute {argv[0]}: permission denied") from exc
    except subprocess.TimeoutExpired as exc:
        raise ServiceError(f"{what} did not finish within {int(PROCESS_TIMEOUT)} s") from exc
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = f": {lines[-1]}" if lines else ""
        raise ServiceError(f"{what} failed (exit {proc.returncode}){detail}")
    try:
        data = json.loads(proc.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ServiceError(f"{what} did not print a JSON document") from exc
    if not isinstance(data, dict) or data.get("Version") != 1:
        version = data.get("Version", "<Version key not provided>") if isinstance(data, dict) else "?"
        raise ServiceError(f"{what}: unsupported version {version!r} (supported: 1)")
    key, secret = data.get("AccessKeyId"), data.get("SecretAccessKey")
    if not isinstance(key, str) or not isinstance(secret, str) or not key or not secret:
        raise ServiceError(f"{what}: AccessKeyId and SecretAccessKey are required")
    token = data.get("SessionToken")
    raw_expiration = data.get("Expiration")
    expiration = parse_timestamp(raw_expiration) if raw_expiration is not None else None
    if raw_expiration is not None and expiration is None:
        raise ServiceError(f"{what}: unreadable Expiration {raw_expiration!r}")
    account = data.get("AccountId") or cfg.value(name, "aws_account_id")
    return ProfileKeys(
        key,
        secret,
        token if isinstance(token, str) and token else None,
        expiration,
        account if isinstance(account, str) else None,
    )
