"""Who AWS thinks you are: STS GetCallerIdentity for a set of keys, and what its ARN says.

The core of ``ssoenv whoami``: the command layer only chooses the keys (a profile's role
credentials, or the environment's) and prints the :class:`Identity`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from ssoenv.credentials.cache import RoleCredentials, now, parse_timestamp
from ssoenv.errors import LoginRequired, ServiceError, UsageError

_SSO_ARN = re.compile(r"^arn:[^:]+:sts::(\d+):assumed-role/AWSReservedSSO_(.+)_[0-9a-f]{16}/(.+)$")
_ROLE_ARN = re.compile(r"^arn:[^:]+:sts::(\d+):assumed-role/([^/]+)/(.+)$")
_EXPIRED_CODES = ("ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId")


def parse_arn(arn: str) -> tuple[str | None, str | None]:
    """(role, user) from an assumed-role ARN; the SSO permission set name for SSO roles."""
    for pattern in (_SSO_ARN, _ROLE_ARN):
        match = pattern.match(arn)
        if match:
            return match.group(2), match.group(3)
    return None, None


class Keys(NamedTuple):
    """Credentials to ask STS about, where they came from, and the region and profile to ask in."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None
    expiration: datetime | None
    region: str
    source: str  # "profile dev", "environment (ssoenv profile dev)"
    endpoint_profile: str | None  # whose endpoint settings apply to the STS call

    @classmethod
    def from_role_credentials(cls, creds: RoleCredentials, *, profile: str, region: str) -> Keys:
        return cls(
            creds.access_key_id,
            creds.secret_access_key,
            creds.session_token,
            creds.expiration,
            region,
            f"profile {profile}",
            profile,
        )

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> Keys:
        """The keys ``ssoenv use`` (or anything else) put in ``env``; UsageError when there are none."""
        key_id, secret = env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")
        if not (key_id and secret):
            raise UsageError(
                "no AWS credentials in the environment",
                hint="run `ssoenv use PROFILE` first, or `ssoenv whoami PROFILE`",
            )
        active = env.get("SSOENV_PROFILE") or None
        return cls(
            key_id,
            secret,
            env.get("AWS_SESSION_TOKEN") or env.get("AWS_SECURITY_TOKEN") or None,
            parse_timestamp(env.get("AWS_CREDENTIAL_EXPIRATION")),
            env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
            f"environment (ssoenv profile {active})" if active else "environment",
            active,
        )


class Identity(NamedTuple):
    source: str
    account: str | None
    role: str | None
    user: str | None
    arn: str
    user_id: str | None
    expiration: datetime | None
    seconds_left: int | None

    def as_json(self) -> dict[str, Any]:
        """The ``whoami --json`` object (key names as the AWS APIs spell them)."""
        return {
            "Source": self.source,
            "Account": self.account,
            "Role": self.role,
            "User": self.user,
            "Arn": self.arn,
            "UserId": self.user_id,
            "Expiration": self.expiration.isoformat() if self.expiration else None,
            "SecondsLeft": self.seconds_left,
        }


def caller_identity(keys: Keys) -> Identity:
    """Ask STS who ``keys`` belong to. Expired or unknown keys: LoginRequired; other failures: ServiceError."""
    from botocore.exceptions import ClientError

    from ssoenv.remote.client import Remote, describe_client_error, error_code, error_message

    credentials = {"aws_access_key_id": keys.access_key_id, "aws_secret_access_key": keys.secret_access_key}
    if keys.session_token:
        credentials["aws_session_token"] = keys.session_token
    sts = Remote("sts", keys.region, profile=keys.endpoint_profile, credentials=credentials, label="STS")
    try:
        response: dict[str, Any] = sts.call("GetCallerIdentity", "get_caller_identity")
    except ClientError as exc:
        code = error_code(exc)
        if code in _EXPIRED_CODES:
            raise LoginRequired(
                f"STS rejected the credentials ({code}: {error_message(exc)})",
                hint="they have expired: run `ssoenv use PROFILE` again",
            ) from exc
        raise ServiceError(f"GetCallerIdentity failed: {describe_client_error(exc)}", hint="try again later") from exc
    arn = str(response.get("Arn", ""))
    role, user = parse_arn(arn)
    left = (keys.expiration - now()).total_seconds() if keys.expiration else None
    return Identity(
        source=keys.source,
        account=response.get("Account"),
        role=role,
        user=user,
        arn=arn,
        user_id=response.get("UserId"),
        expiration=keys.expiration,
        seconds_left=int(left) if left is not None else None,
    )
