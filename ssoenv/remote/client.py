"""botocore clients for the SSO, SSO OIDC and STS APIs, and the translation of their errors.

botocore is imported lazily, only when a network call is really needed, so the hot paths never pay
for it. Clients are created from a botocore session bound to the profile in use (when there is
one), so ``AWS_ENDPOINT_URL_<SERVICE>``, ``AWS_ENDPOINT_URL``, ``[services]`` blocks, a profile's
``endpoint_url`` and ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`` behave exactly as in the AWS CLI.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ssoenv.errors import MalformedAnswer as MalformedAnswer  # re-exported; defined in errors.py with every error
from ssoenv.errors import ServiceError
from ssoenv.log import debug
from ssoenv.remote.retry import CONNECT_TIMEOUT, READ_TIMEOUT

if TYPE_CHECKING:
    from botocore.client import BaseClient

# Dummy static keys: every SSO/OIDC operation is modelled as no-auth, and passing keys stops
# botocore from walking the credential chain (which could recurse into the profile itself).
_NO_CREDENTIALS = {"aws_access_key_id": "ssoenv-unsigned", "aws_secret_access_key": "ssoenv-unsigned"}


# botocore data loaders by AWS_DATA_PATH: one per process (see _share_loader)
_LOADERS: dict[Any, Any] = {}


def _share_loader(session: Any) -> None:
    """Give ``session`` this process's botocore data loader, which keeps the endpoint, partition
    and service-model files it has parsed: a second session (login: sso-oidc then sso; every fetch
    of the live endpoint) does not parse those JSON files again (~50 ms of CPU each time)."""
    data_path = session.get_config_variable("data_path")
    loader = _LOADERS.get(data_path)
    if loader is None:
        _LOADERS[data_path] = session.get_component("data_loader")
    else:
        session.register_component("data_loader", loader)


def _botocore_session(profile: str | None) -> Any:
    import botocore.session

    from ssoenv.config.profiles import preload_botocore

    session = botocore.session.get_session()
    preload_botocore(session)  # the config as ssoenv read it: a big file is not parsed again
    if profile is not None and profile in session.available_profiles:
        session.set_config_variable("profile", profile)
    else:
        # never let AWS_PROFILE name a profile that does not exist break our own calls
        session.set_config_variable("profile", "default" if "default" in session.available_profiles else None)
    _share_loader(session)  # after the profile is settled: reading data_path resolves it
    return session


def client(
    service: str,
    region: str,
    *,
    profile: str | None = None,
    credentials: dict[str, str] | None = None,
    read_timeout: float = READ_TIMEOUT,
    connect_timeout: float = CONNECT_TIMEOUT,
    session: Any = None,
) -> BaseClient:
    """A botocore client for ``service`` (``sso``, ``sso-oidc``, ``sts``) in ``region``.

    botocore's own retries are off (:mod:`ssoenv.remote.retry` is the one policy) and every answer is
    checked before botocore parses it (:func:`check_answer`)."""
    from botocore.config import Config

    if session is None:
        session = _botocore_session(profile)
    config = Config(
        retries={"mode": "legacy", "total_max_attempts": 1},  # legacy: no retry metadata on success
        read_timeout=read_timeout,
        connect_timeout=connect_timeout,
        user_agent_extra="ssoenv",
    )
    keys = credentials if credentials is not None else _NO_CREDENTIALS
    debug("creating %s client in %s (profile %s)", service, region, profile)
    made = session.create_client(service, region_name=region, config=config, **keys)
    made.meta.events.register("before-parse", _check_answer_event)
    return made


class Remote:
    """One service in one region, every call through the retry policy (:mod:`ssoenv.remote.retry`)."""

    def __init__(
        self,
        service: str,
        region: str,
        *,
        profile: str | None = None,
        credentials: dict[str, str] | None = None,
        label: str = "the service",
    ) -> None:
        self.service = service
        self.region = region
        self.profile = profile
        self.credentials = credentials
        self.label = label
        self._clients: dict[tuple[float, float], Any] = {}
        self._session: Any = None

    def client(self, connect_timeout: float = CONNECT_TIMEOUT, read_timeout: float = READ_TIMEOUT) -> Any:
        """A client with these timeouts (rounded down to 0.1 s); all share one botocore session,
        so only the first one pays for loading the service model."""
        key = (math.floor(connect_timeout * 10) / 10 or 0.1, math.floor(read_timeout * 10) / 10 or 0.1)
        made = self._clients.get(key)
        if made is None:
            if self._session is None:
                self._session = _botocore_session(self.profile)
            made = client(
                self.service,
                self.region,
                profile=self.profile,
                credentials=self.credentials,
                read_timeout=key[1],
                connect_timeout=key[0],
                session=self._session,
            )
            self._clients[key] = made
        return made

    @property
    def endpoint_url(self) -> str:
        return str(self.client().meta.endpoint_url)

    def call(self, operation: str, method: str, **kwargs: Any) -> dict[str, Any]:
        """``client.<method>(**kwargs)`` with retries. Transport failures and answers that are not
        the service's become :class:`ServiceError`; a ``ClientError`` (an AWS error answer) is
        raised as is for the caller to translate."""
        from ssoenv.remote.retry import attempts

        def once(connect: float, read: float) -> dict[str, Any]:
            result: dict[str, Any] = getattr(self.client(connect, read), method)(**kwargs)
            return result

        try:
            self.client()  # load the model before the clock of the attempts starts
            return attempts(operation, once, retryable=retryable, throttled=throttled)
        except Exception as exc:
            translated = translate_transport_error(exc, self.label, operation)
            if translated is not None:
                raise translated from exc
            raise


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


def describe_client_error(exc: BaseException) -> str:
    """``Code: message`` of an AWS error answer; ``HTTP 400`` when it named no error type."""
    code = error_code(exc)
    status = http_status(exc)
    message = error_message(exc)
    head = code if code is not None and code != str(status) else (f"HTTP {status}" if status else "an error")
    message = " ".join(message.split())[:300]
    if not message or "An error occurred" in message:
        return head
    return f"{head}: {message}"


def http_status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return int(status) if status is not None else None
    return None


def retryable(exc: BaseException) -> bool:
    """Server errors and connection failures are worth another attempt; nothing else. A read
    timeout is not: a service that gave no answer for READ_TIMEOUT seconds will not give one in
    what is left of the call's budget."""
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError, ReadTimeoutError

    if isinstance(exc, ClientError):
        status = http_status(exc)
        return status is not None and status >= 500
    if isinstance(exc, ReadTimeoutError):
        return False
    return isinstance(exc, (ConnectionError, HTTPClientError))


def throttled(exc: BaseException) -> bool:
    from botocore.exceptions import ClientError

    return isinstance(exc, ClientError) and (error_code(exc) in _THROTTLING or http_status(exc) == 429)


_THROTTLING = frozenset({"TooManyRequestsException", "ThrottlingException", "Throttling", "SlowDown"})


def translate_transport_error(exc: BaseException, what: str, operation: str | None = None) -> ServiceError | None:
    """Connection-level failures (no usable answer) as one clear ServiceError, else None."""
    from botocore.exceptions import (
        ConnectionClosedError,
        ConnectTimeoutError,
        EndpointConnectionError,
        HTTPClientError,
        ReadTimeoutError,
    )

    prefix = f"{operation}: " if operation else ""
    if isinstance(exc, EndpointConnectionError):
        return ServiceError(
            f"{prefix}cannot reach {what}: {getattr(exc, 'kwargs', {}).get('endpoint_url', '')}".rstrip(": "),
            hint="check your network, proxy and AWS_ENDPOINT_URL_* settings",
        )
    if isinstance(exc, ConnectTimeoutError):
        return ServiceError(f"{prefix}{what} did not accept a connection in time", hint="check your network")
    if isinstance(exc, ReadTimeoutError):
        return ServiceError(f"{prefix}{what} did not answer in time", hint="try again later")
    if isinstance(exc, ConnectionClosedError):
        return ServiceError(f"{prefix}{what} closed the connection without a complete answer", hint="try again later")
    if isinstance(exc, HTTPClientError):
        return ServiceError(f"{prefix}the connection to {what} failed: {_reason(exc)}", hint="try again later")
    return None


def _reason(exc: BaseException) -> str:
    inner = getattr(exc, "kwargs", {}).get("error")
    text = str(inner if inner is not None else exc)
    return text.splitlines()[0][:200] if text else type(exc).__name__


# --------------------------------------------------------------------------------------------
# What a successful answer must contain (checked before botocore parses it)

# operation -> required members: "name" (a string without control characters), "name:int",
# "name:list", or "outer.inner" for members of a nested object
_REQUIRED: dict[str, tuple[str, ...]] = {
    "RegisterClient": ("clientId", "clientSecret", "clientSecretExpiresAt:int"),
    "StartDeviceAuthorization": ("deviceCode", "userCode", "verificationUri"),
    "CreateToken": ("accessToken", "expiresIn:int"),
    "GetRoleCredentials": (
        "roleCredentials.accessKeyId",
        "roleCredentials.secretAccessKey",
        "roleCredentials.sessionToken",
        "roleCredentials.expiration:int",
    ),
    "ListAccounts": ("accountList:list",),
    "ListAccountRoles": ("roleList:list",),
    "GetCallerIdentity": ("Account", "Arn"),
    "AssumeRole": ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"),  # XML: by element name
    "GetSigninToken": ("SigninToken",),
}


def answer_problem(operation: str, protocol: str, status: int, headers: Any, body: bytes) -> str | None:
    """Why ``body`` cannot be ``operation``'s answer, or None when it can."""
    ctype = str(headers.get("content-type", "") or "").split(";")[0].strip().lower()
    looks_html = ctype == "text/html" or body.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html"))
    if looks_html:
        return "an HTML page, not an AWS answer (a proxy or captive portal?)"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "an answer that is not UTF-8 text (a proxy?)"
    if protocol == "query":
        return _xml_problem(operation, status, text)
    if status >= 300:
        if not text.strip():
            return None if headers.get("x-amzn-errortype") else "an empty error answer (a proxy?)"
        return None if _json_object(text) is not None else "not an AWS answer (a proxy?)"
    if not text.strip() and operation not in _REQUIRED:
        return None
    data = _json_object(text)
    if data is None:
        return "an answer that is not JSON (cut short, or a proxy?)"
    for spec in _REQUIRED.get(operation, ()):
        problem = _member_problem(data, spec)
        if problem:
            return problem
    return None


def _json_object(text: str) -> dict[str, Any] | None:
    import json

    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _member_problem(data: dict[str, Any], spec: str) -> str | None:
    path, _, kind = spec.partition(":")
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if kind == "int":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif kind == "list":
        ok = isinstance(value, list)
    else:
        ok = isinstance(value, str) and value != "" and value.isprintable()
    if ok:
        return None
    if value is None:
        return f"an answer without {path} (not what the service sends)"
    return f"an answer with an invalid {path}"


def _xml_problem(operation: str, status: int, text: str) -> str | None:
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return "not an AWS answer (a proxy?)"
    name = root.tag.rsplit("}", 1)[-1]
    if status >= 300:
        return None if name == "ErrorResponse" else "not an AWS error answer (a proxy?)"
    if name != f"{operation}Response":
        return "not an AWS answer (a proxy?)"
    found = {el.tag.rsplit("}", 1)[-1]: (el.text or "") for el in root.iter()}
    for member in _REQUIRED.get(operation, ()):
        if not found.get(member, "").strip():
            return f"an answer without {member} (not what the service sends)"
    return None


def _check_answer_event(operation_model: Any, response_dict: dict[str, Any], **_: Any) -> None:
    status = int(response_dict.get("status_code") or 0)
    body = response_dict.get("body") or b""
    protocol = str(operation_model.service_model.resolved_protocol)
    problem = answer_problem(operation_model.name, protocol, status, response_dict.get("headers") or {}, body)
    if problem is not None:
        debug("%s: HTTP %s, rejected answer (%d bytes): %s", operation_model.name, status, len(body), problem)
        raise MalformedAnswer(operation_model.name, status, problem)
