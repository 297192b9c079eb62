"""AWS console sign-in with role credentials: the federation endpoint's two steps (reference §3.5).

Step 1 trades the credentials for a short-lived sign-in token (GET, stdlib HTTP, no boto3);
step 2 is the URL the browser opens. ``AWS_ENDPOINT_URL_SIGNIN`` points step 1 and 2 at another
federation host (the bundled emulator uses it).
"""

from __future__ import annotations

import http.client
import json
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from ssoenv.credentials.cache import RoleCredentials
from ssoenv.errors import ServiceError

ISSUER = "ssoenv"
# regions whose sign-in host carries no region prefix (as Granted does it)
_UNPREFIXED = {"us-east-1", "cn-north-1", "us-gov-west-1"}


def _partition(region: str | None) -> tuple[str, str]:
    """(sign-in domain, console domain) of the region's partition."""
    if region and region.startswith("us-gov-"):
        return "signin.amazonaws-us-gov.com", "console.amazonaws-us-gov.com"
    if region and region.startswith("cn-"):
        return "signin.amazonaws.cn", "console.amazonaws.cn"
    return "signin.aws.amazon.com", "console.aws.amazon.com"


def federation_base(region: str | None, environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    override = env.get("AWS_ENDPOINT_URL_SIGNIN")
    if override and env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() != "true":
        parts = urlsplit(override)
        return f"{parts.scheme}://{parts.netloc}"
    signin, _ = _partition(region)
    if region and region not in _UNPREFIXED:
        return f"https://{region}.{signin}"
    return f"https://{signin}"


def destination(region: str | None, service: str | None) -> str:
    """The console page to land on: a service's home, or the console home, in ``region``."""
    _, console = _partition(region)
    if not region:
        return f"https://{console}/" + (f"{quote(service)}/home" if service else "")
    host = f"https://{region}.{console}"
    path = f"/{quote(service)}/home" if service else "/console/home"
    return f"{host}{path}?region={quote(region)}"


def signin_token(creds: RoleCredentials, base: str) -> str:
    """GetSigninToken, through the one retry policy (:mod:`ssoenv.remote.retry`)."""
    from ssoenv.remote.client import MalformedAnswer, answer_problem
    from ssoenv.remote.retry import attempts

    session = json.dumps(
        {"sessionId": creds.access_key_id, "sessionKey": creds.secret_access_key, "sessionToken": creds.session_token}
    )
    url = f"{base}/federation?{urlencode({'Action': 'getSigninToken', 'Session': session})}"

    def once(connect: float, read: float) -> tuple[int, Any, bytes]:
        # urllib has one timeout, for the connection and for every read of the answer
        with urllib.request.urlopen(url, timeout=read) as response:
            return int(response.status), response.headers, response.read()

    try:
        status, headers, body = attempts("GetSigninToken", once, retryable=_retryable)
    except urllib.error.HTTPError as exc:
        if exc.code >= 500 or exc.code == 429:
            raise ServiceError(f"GetSigninToken failed: HTTP {exc.code}", hint="try again later") from exc
        raise ServiceError(
            f"GetSigninToken: the federation endpoint refused the credentials (HTTP {exc.code})",
            hint="they may have expired: run `ssoenv use PROFILE` again",
        ) from exc
    except TimeoutError as exc:
        raise ServiceError(
            "GetSigninToken: the federation endpoint did not answer in time", hint="try again later"
        ) from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", None) or type(exc).__name__
        if isinstance(reason, OSError) and reason.strerror:
            reason = reason.strerror  # "Connection refused", not "[Errno 111] Connection refused"
        raise ServiceError(
            f"GetSigninToken: the connection to the federation endpoint {base} failed: {reason}",
            hint="check your network, proxy and AWS_ENDPOINT_URL_SIGNIN",
        ) from exc
    problem = answer_problem("GetSigninToken", "json", status, headers, body)
    if problem is not None:
        raise MalformedAnswer("GetSigninToken", status, problem)
    token: str = json.loads(body)["SigninToken"]
    return token


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, urllib.error.HTTPError):
        return exc.code >= 500 or exc.code == 429
    if isinstance(exc, TimeoutError):
        return False  # no answer within the read timeout: not retried (see ssoenv.remote.client.retryable)
    return isinstance(exc, (urllib.error.URLError, OSError, http.client.HTTPException))


def login_url(
    creds: RoleCredentials, *, region: str | None, service: str | None, environ: Mapping[str, str] | None = None
) -> str:
    """The one-time URL that signs the browser in to the console (valid about 15 minutes)."""
    base = federation_base(region, environ)
    token = signin_token(creds, base)
    query = urlencode(
        {"Action": "login", "Issuer": ISSUER, "Destination": destination(region, service), "SigninToken": token}
    )
    return f"{base}/federation?{query}"
