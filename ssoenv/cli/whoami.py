"""``ssoenv whoami [PROFILE] [--json]``: STS GetCallerIdentity for a profile or the environment."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from typing import Any

import click

from ssoenv.aws import client, error_code, error_message, translate_transport_error
from ssoenv.cache import now, parse_timestamp
from ssoenv.cli.common import Context, fetch_credentials, login_options, make_access
from ssoenv.errors import LoginRequired, ServiceError, UsageError
from ssoenv.ui.status import format_duration

_SSO_ARN = re.compile(r"^arn:[^:]+:sts::(\d+):assumed-role/AWSReservedSSO_(.+)_[0-9a-f]{16}/(.+)$")
_ROLE_ARN = re.compile(r"^arn:[^:]+:sts::(\d+):assumed-role/([^/]+)/(.+)$")


def parse_arn(arn: str) -> tuple[str | None, str | None]:
    """(role, user) from an assumed-role ARN; the SSO permission set name for SSO roles."""
    for pattern in (_SSO_ARN, _ROLE_ARN):
        match = pattern.match(arn)
        if match:
            return match.group(2), match.group(3)
    return None, None


def caller_identity(keys: dict[str, str], region: str, profile: str | None) -> dict[str, Any]:
    from botocore.exceptions import BotoCoreError, ClientError

    sts: Any = client("sts", region, profile=profile, credentials=keys)
    try:
        response: dict[str, Any] = sts.get_caller_identity()
    except ClientError as exc:
        code = error_code(exc)
        if code in ("ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId"):
            raise LoginRequired(
                f"STS rejected the credentials ({code}: {error_message(exc)})",
                hint="they have expired: run `ssoenv use PROFILE` again",
            ) from exc
        raise ServiceError(f"GetCallerIdentity failed: {code}: {error_message(exc)}") from exc
    except BotoCoreError as exc:
        raise translate_transport_error(exc, "STS") or ServiceError(f"GetCallerIdentity failed: {exc}") from exc
    return response


@click.command("whoami")
@click.argument("profile", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
@click.option("--no-login", is_flag=True, help="Never start a login; fail with exit code 4 instead.")
@login_options
def whoami_command(
    profile: str | None,
    as_json: bool,
    no_login: bool,
    **login: Any,
) -> None:
    """Show who AWS thinks you are: account, role, user, ARN and time left.

    Without PROFILE it reports the credentials in the environment (what `ssoenv use` set).
    """
    expiration: datetime | None
    if profile:
        ctx = Context.load()
        resolved = ctx.profile(profile)
        access = make_access(profile=profile, no_login=no_login, **login)
        creds = fetch_credentials(ctx, profile, access)
        keys = {
            "aws_access_key_id": creds.access_key_id,
            "aws_secret_access_key": creds.secret_access_key,
            "aws_session_token": creds.session_token,
        }
        expiration = creds.expiration
        region = resolved.region or resolved.session.region
        source = f"profile {profile}"
        endpoint_profile: str | None = profile
    else:
        env = os.environ
        if not (env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY")):
            raise UsageError(
                "no AWS credentials in the environment",
                hint="run `ssoenv use PROFILE` first, or `ssoenv whoami PROFILE`",
            )
        keys = {"aws_access_key_id": env["AWS_ACCESS_KEY_ID"], "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"]}
        token = env.get("AWS_SESSION_TOKEN") or env.get("AWS_SECURITY_TOKEN")
        if token:
            keys["aws_session_token"] = token
        expiration = parse_timestamp(env.get("AWS_CREDENTIAL_EXPIRATION"))
        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
        active = env.get("SSOENV_PROFILE")
        source = f"environment (ssoenv profile {active})" if active else "environment"
        endpoint_profile = active or None
    identity = caller_identity(keys, region, endpoint_profile)
    arn = identity.get("Arn", "")
    role, user = parse_arn(arn)
    left = (expiration - now()).total_seconds() if expiration else None
    result = {
        "Source": source,
        "Account": identity.get("Account"),
        "Role": role,
        "User": user,
        "Arn": arn,
        "UserId": identity.get("UserId"),
        "Expiration": expiration.isoformat() if expiration else None,
        "SecondsLeft": int(left) if left is not None else None,
    }
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    rows = [
        ("source", source),
        ("account", result["Account"]),
        ("role", role or "-"),
        ("user", user or "-"),
        ("arn", arn),
        (
            "expires",
            f"{expiration:%Y-%m-%d %H:%M} UTC ({format_duration(left) if left and left > 0 else 'expired'})"
            if expiration and left is not None
            else "unknown",
        ),
    ]
    for key, value in rows:
        click.echo(f"{key:>8}  {value}")


command = whoami_command
