"""Requests and answers of the emulated services, independent of HTTP, and how each service writes an error.

A handler takes a :class:`Request` and returns a :class:`Response`, or raises :class:`ApiError`
(:func:`fail`), which :func:`render_error` writes in the format of the operation's service:

* SSO OIDC: ``x-amzn-ErrorType`` header + OAuth body ``{"error", "error_description"}``
  (``{"error_description"}`` alone when the error names no type);
* SSO portal: ``x-amzn-ErrorType`` + ``{"message"}``;
* STS (query protocol): an XML ``ErrorResponse`` (``Type``, ``Code``, ``Message``);
* console federation: plain text; the browser-facing pages: an HTML page.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, NoReturn
from urllib.parse import parse_qsl, urlencode
from xml.sax.saxutils import escape as xml_escape

from ssoenv.emulator import pages
from ssoenv.emulator.config import FEDERATION_OPERATIONS, OIDC_OPERATIONS, PORTAL_OPERATIONS, STS_OPERATIONS

STS_NS: Final = "https://sts.amazonaws.com/doc/2011-06-15/"

OAUTH_ERRORS: Final[dict[str, str]] = {
    "AuthorizationPendingException": "authorization_pending",
    "SlowDownException": "slow_down",
    "ExpiredTokenException": "expired_token",
    "AccessDeniedException": "access_denied",
    "InvalidGrantException": "invalid_grant",
    "InvalidClientException": "invalid_client",
    "UnauthorizedClientException": "unauthorized_client",
    "UnsupportedGrantTypeException": "unsupported_grant_type",
    "InvalidScopeException": "invalid_scope",
    "InvalidRequestException": "invalid_request",
    "InternalServerException": "server_error",
    "InvalidClientMetadataException": "invalid_client_metadata",
    "InvalidRedirectUriException": "invalid_redirect_uri",
}


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def form(self) -> dict[str, str]:
        try:
            return dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            return {}


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    error_type: str | None = None
    # set by a connection fault: the server misbehaves on the wire (see ssoenv.emulator.faults)
    fault: str | None = None
    hang: float = 0.0


class ApiError(Exception):
    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message


def fail(status: int, error_type: str, message: str) -> NoReturn:
    raise ApiError(status, error_type, message)


def json_response(obj: Any, status: int = 200) -> Response:
    return Response(status, json.dumps(obj).encode(), "application/json")


def html_response(html: str, status: int = 200) -> Response:
    return Response(status, html.encode(), "text/html; charset=utf-8")


def xml_response(xml: str, status: int = 200) -> Response:
    return Response(status, xml.encode(), "text/xml")


def redirect(location: str) -> Response:
    return Response(302, b"", None, [("Location", location)])


def add_query(url: str, params: Mapping[str, str]) -> str:
    sep = "&" if "?" in url else "?"
    return url + sep + urlencode(params)


# -- errors ---------------------------------------------------------------------------------
def oauth_error_code(error_type: str) -> str:
    if error_type in OAUTH_ERRORS:
        return OAUTH_ERRORS[error_type]
    name = error_type.removesuffix("Exception")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower() or "server_error"


def family(operation: str) -> str:
    """The service an operation belongs to: its errors are written the way that service writes them."""
    if operation in OIDC_OPERATIONS:
        return "oidc"
    if operation in PORTAL_OPERATIONS:
        return "portal"
    if operation in STS_OPERATIONS or operation == "STS":
        return "sts"
    if operation in FEDERATION_OPERATIONS:
        return "federation"
    if operation in ("Unknown", "UnknownOperation"):
        return "unknown"
    return "page"


def render_error(operation: str, err: ApiError) -> Response:
    fam = family(operation)
    headers = [("x-amzn-ErrorType", err.error_type)] if err.error_type else []
    if fam == "oidc" and not err.error_type:  # an error that names no type
        resp = json_response({"error_description": err.message}, err.status)
    elif fam == "sts" and not err.error_type:
        xml = (
            f'<ErrorResponse xmlns="{STS_NS}">\n  <Error>\n    <Message>{xml_escape(err.message)}</Message>\n'
            f"  </Error>\n  <RequestId>{uuid.uuid4()}</RequestId>\n</ErrorResponse>\n"
        )
        resp = xml_response(xml, err.status)
    elif fam == "oidc":
        body = {"error": oauth_error_code(err.error_type), "error_description": err.message}
        resp = json_response(body, err.status)
    elif fam == "sts":
        kind = "Receiver" if err.status >= 500 else "Sender"
        xml = (
            f'<ErrorResponse xmlns="{STS_NS}">\n  <Error>\n    <Type>{kind}</Type>\n'
            f"    <Code>{xml_escape(err.error_type)}</Code>\n"
            f"    <Message>{xml_escape(err.message)}</Message>\n  </Error>\n"
            f"  <RequestId>{uuid.uuid4()}</RequestId>\n</ErrorResponse>\n"
        )
        resp = xml_response(xml, err.status)
    elif fam == "federation":
        resp = Response(err.status, (err.message + "\n").encode(), "text/plain; charset=utf-8")
    elif fam == "page":
        resp = html_response(pages.error(f"Error {err.status}", err.message), err.status)
    else:
        resp = json_response({"message": err.message}, err.status)
    resp.headers.extend(headers)
    resp.error_type = err.error_type
    return resp
