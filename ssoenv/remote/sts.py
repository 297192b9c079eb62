"""STS ``AssumeRole`` and its credential cache, shared byte for byte with the AWS CLI.

The cache is botocore's ``JSONFileCache`` in ``~/.aws/cli/cache``: the file name is the hop's
``cache_key`` (see :mod:`ssoenv.config.chain`), the content the ``AssumeRole`` response as botocore
parsed it (``Credentials`` with ``AccountId`` added, ``AssumedRoleUser``, ``ResponseMetadata``),
dumped with ``json.dumps`` the way ``JSONFileCache`` does, timestamps as the service sent them. Reading is stdlib only
(the fast path serves these files); the call itself imports botocore lazily.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ssoenv.credentials.cache import RoleCredentials, format_timestamp, parse_timestamp
from ssoenv.fsutil import atomic_write
from ssoenv.paths import Paths

if TYPE_CHECKING:
    from ssoenv.config.chain import RoleHop


def cache_path(paths: Paths, hop: RoleHop) -> Path:
    return paths.cli_cache_dir / f"{hop.cache_key}.json"


def load_cached(paths: Paths, hop: RoleHop) -> RoleCredentials | None:
    """The cached credentials of ``hop`` (any age), or None when absent or unreadable."""
    try:
        data = json.loads(cache_path(paths, hop).read_bytes())
        creds = data["Credentials"]
        values = [creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    expiration = parse_timestamp(creds.get("Expiration"))
    if expiration is None or not all(isinstance(v, str) and v for v in values):
        return None
    account = creds.get("AccountId")
    return RoleCredentials(
        access_key_id=values[0],
        secret_access_key=values[1],
        session_token=values[2],
        expiration=expiration,
        account_id=account if isinstance(account, str) and account else hop.account_id,
    )


def _as_service_sent(value: Any) -> Any:
    """Timestamps as STS sends them (``2026-11-30T06:56:50Z``): the AWS CLI does not parse
    timestamps, so its cache files hold the service's own strings."""
    if isinstance(value, datetime):
        return format_timestamp(value)
    return value


def save_response(paths: Paths, hop: RoleHop, response: dict[str, Any]) -> None:
    atomic_write(cache_path(paths, hop), json.dumps(response, default=_as_service_sent).encode("utf-8"))


def credentials_from_response(response: dict[str, Any], hop: RoleHop) -> RoleCredentials:
    creds = response["Credentials"]
    expiration = creds["Expiration"]
    if not isinstance(expiration, datetime):
        parsed = parse_timestamp(expiration)
        if parsed is None:
            raise ValueError(f"unparseable Expiration {expiration!r}")
        expiration = parsed
    return RoleCredentials(
        access_key_id=creds["AccessKeyId"],
        secret_access_key=creds["SecretAccessKey"],
        session_token=creds["SessionToken"],
        expiration=expiration,
        account_id=creds.get("AccountId") or hop.account_id,
    )


def _add_account_id(response: dict[str, Any]) -> None:
    """botocore's ``_add_account_id_to_response``: the account of the assumed role's ARN."""
    arn = response.get("AssumedRoleUser", {}).get("Arn", "")
    parts = arn.split(":") if isinstance(arn, str) else []
    if len(parts) >= 6 and parts[0] == "arn" and parts[4]:
        response["Credentials"]["AccountId"] = parts[4]


def assume_role(
    source: RoleCredentials,
    hop: RoleHop,
    *,
    region: str,
    endpoint_profile: str | None,
    token_code: str | None = None,
    session_name: str | None = None,
) -> dict[str, Any]:
    """Call ``AssumeRole`` signed with ``source``; the parsed response (with ``AccountId``).

    Errors become the domain's: AccessDenied (exit 5), an expired or unknown source
    (LoginRequired, exit 4), a refused argument (ConfigError, exit 3), anything else
    ServiceError (exit 6).
    """
    import time

    from ssoenv.errors import AccessDenied, ConfigError, LoginRequired, ServiceError
    from ssoenv.log import debug
    from ssoenv.remote.client import Remote, describe_client_error, error_code, error_message

    kwargs: dict[str, Any] = dict(hop.assume_args())
    if "RoleSessionName" not in kwargs:
        # botocore's default; not part of the cache key
        kwargs["RoleSessionName"] = session_name or f"botocore-session-{int(time.time())}"
    if token_code is not None:
        kwargs["TokenCode"] = token_code
    keys = {
        "aws_access_key_id": source.access_key_id,
        "aws_secret_access_key": source.secret_access_key,
        "aws_session_token": source.session_token,
    }
    sts = Remote("sts", region, profile=endpoint_profile, credentials=keys, label="STS")
    debug("AssumeRole %s for profile %s", hop.role_arn, hop.profile)
    try:
        response: dict[str, Any] = sts.call("AssumeRole", "assume_role", **kwargs)
    except Exception as exc:
        from botocore.exceptions import ClientError

        what = f"AssumeRole {hop.role_arn} (profile {hop.profile})"
        if isinstance(exc, ClientError):
            code, message = error_code(exc), error_message(exc)
            if code in ("AccessDenied", "AccessDeniedException"):
                raise AccessDenied(
                    f"{what} was refused: {message}",
                    hint="check the role's trust policy, external_id and mfa_serial",
                ) from exc
            if code in ("ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId"):
                raise LoginRequired(f"{what}: the source credentials were refused ({code}: {message})") from exc
            if code in ("ValidationError", "MalformedPolicyDocument", "RegionDisabledException"):
                raise ConfigError(f"{what}: {code}: {message}", hint=f"check profile {hop.profile!r}") from exc
            raise ServiceError(f"{what} failed: {describe_client_error(exc)}", hint="try again later") from exc
        raise
    _add_account_id(response)
    debug(
        "assumed %s until %s",
        hop.role_arn,
        format_timestamp(credentials_from_response(response, hop).expiration),
    )
    return response
