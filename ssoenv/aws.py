"""botocore clients for the SSO, SSO OIDC and STS APIs, and the translation of their errors.

botocore is imported lazily, only when a network call is really needed, so the hot paths never pay
for it. Clients are created from a botocore session bound to the profile in use (when there is
one), so ``AWS_ENDPOINT_URL_<SERVICE>``, ``AWS_ENDPOINT_URL``, ``[services]`` blocks, a profile's
``endpoint_url`` and ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`` behave exactly as in the AWS CLI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ssoenv.errors import ServiceError
from ssoenv.log import debug

if TYPE_CHECKING:
    from botocore.client import BaseClient

# Dummy static keys: every SSO/OIDC operation is modelled as no-auth, and passing keys stops
# botocore from walking the credential chain (which could recurse into the profile itself).
_NO_CREDENTIALS = {"aws_access_key_id": "ssoenv-unsigned", "aws_secret_access_key": "ssoenv-unsigned"}


def _botocore_session(profile: str | None) -> Any:
    import botocore.session

    session = botocore.session.get_session()
    if profile is not None and profile in session.available_profiles:
        session.set_config_variable("profile", profile)
    else:
        # never let AWS_PROFILE name a profile that does not exist break our own calls
        session.set_config_variable("profile", "default" if "default" in session.available_profiles else None)
    return session


def client(
    service: str,
    region: str,
    *,
    profile: str | None = None,
    credentials: dict[str, str] | None = None,
    max_attempts: int = 3,
    read_timeout: float = 30,
    connect_timeout: float = 10,
) -> BaseClient:
    """A botocore client for ``service`` (``sso``, ``sso-oidc``, ``sts``) in ``region``."""
    from botocore.config import Config

    session = _botocore_session(profile)
    config = Config(
        retries={"mode": "standard", "total_max_attempts": max_attempts},
        read_timeout=read_timeout,
        connect_timeout=connect_timeout,
        user_agent_extra="ssoenv",
    )
    keys = credentials if credentials is not None else _NO_CREDENTIALS
    debug("creating %s client in %s (profile %s)", service, region, profile)
    return session.create_client(service, region_name=region, config=config, **keys)


def error_code(exc: BaseException) -> str | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        return str(code) if code is not None else None
    return None


def error_message(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        err = response.get("Error", {})
        msg = err.get("Message") or response.get("error_description") or ""
        if msg:
            return str(msg)
    return str(exc)


def http_status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return int(status) if status is not None else None
    return None


def translate_transport_error(exc: BaseException, what: str) -> ServiceError | None:
    """Connection-level failures (no answer at all) as one clear ServiceError, else None."""
    from botocore.exceptions import (
        ConnectTimeoutError,
        EndpointConnectionError,
        ReadTimeoutError,
    )

    if isinstance(exc, EndpointConnectionError):
        return ServiceError(
            f"cannot reach {what}: {getattr(exc, 'kwargs', {}).get('endpoint_url', '')}".rstrip(": "),
            hint="check your network, proxy and AWS_ENDPOINT_URL_* settings",
        )
    if isinstance(exc, (ConnectTimeoutError, ReadTimeoutError)):
        return ServiceError(f"{what} did not answer in time", hint="try again")
    return None
