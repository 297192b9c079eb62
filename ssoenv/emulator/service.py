"""The emulated services, independent of HTTP: request in, response out.

One :class:`Backend` holds all state (registrations, device codes, authorization codes, SSO
sessions, access/refresh tokens, role credentials, sign-in tokens) under one lock and answers
the wire protocol of spec section 3 exactly:

* SSO OIDC (rest-json): ``POST /client/register``, ``POST /device_authorization``,
  ``POST /token``; browser-facing ``GET /authorize`` (+ ``POST /authorize`` consent form) and
  ``GET|POST /device``. Errors: ``x-amzn-ErrorType`` header + OAuth body ``{"error", "error_description"}``.
* SSO portal (rest-json, header ``x-amz-sso_bearer_token``): ``GET /federation/credentials``,
  ``GET /assignment/accounts``, ``GET /assignment/roles``, ``POST /logout``. Errors:
  ``x-amzn-ErrorType`` + ``{"message"}``.
* STS (query, XML): ``POST /`` ``Action=GetCallerIdentity``; the caller is found through the
  access key id of the SigV4 ``Credential=`` (signatures are not verified).
  ``Action=AssumeRole``: the caller must sign (SigV4, verified) with credentials the emulator
  issued; ``RoleArn`` must name a role of ``directory.iam`` (else AccessDenied), with its
  ``ExternalId`` and MFA (``SerialNumber`` + ``TokenCode``, TOTP) when its trust asks for them;
  ``DurationSeconds`` 900..43200 and at most 3600 when the caller is itself a role (always the
  case here: SSO role credentials are role sessions too), and at most the role's maximum.
* Console federation: ``GET /federation?Action=getSigninToken|login``.
* A vanity start URL: ``HEAD|GET /start`` redirects (302) to
  ``https://d-1234567890.portal.<config.region>.app.aws/start``.

Behaviour worth knowing (the real service's, where it is known):

* Refresh tokens are issued only to registrations that have scopes (as the real service does:
  legacy registrations without ``scopes`` get none) and, when ``grantTypes`` were registered,
  include ``refresh_token``. Every refresh rotates: new access + refresh token, the old refresh
  token becomes ``InvalidGrantException``.
* Device polling: a pending code polled faster than its interval (less than 80% of it since the
  previous poll) answers ``SlowDownException`` and adds 5 s to the interval the code expects
  (RFC 8628). An approved code answers the token at once, however fast the poll.
* A login is an *SSO session*; refreshes stay in it; ``Logout`` ends it (its access tokens and
  refresh token stop working), role credentials already issued stay valid until they expire.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import re
import secrets
import string
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Final, NoReturn
from urllib.parse import parse_qsl, urlencode, urlsplit
from xml.sax.saxutils import escape as xml_escape

from ssoenv.emulator import pages
from ssoenv.emulator.config import (
    API_OPERATIONS,
    FEDERATION_OPERATIONS,
    MAX_PAGE_SIZE,
    OIDC_OPERATIONS,
    PORTAL_OPERATIONS,
    STS_OPERATIONS,
    EmulatorConfig,
)
from ssoenv.emulator.directory import Directory
from ssoenv.emulator.faults import Fault, FaultPlan
from ssoenv.emulator.iam import ROLE_ARN
from ssoenv.emulator.sigv4 import SignatureError, verify

DEVICE_GRANT: Final = "urn:ietf:params:oauth:grant-type:device_code"
KNOWN_GRANTS: Final = frozenset({"authorization_code", "refresh_token", DEVICE_GRANT})
STS_NS: Final = "https://sts.amazonaws.com/doc/2011-06-15/"
BEARER_HEADER: Final = "x-amz-sso_bearer_token"
USER_CODE_ALPHABET: Final = "BCDFGHJKLMNPQRSTVWXZ"
LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
UNAUTHORIZED_MESSAGE: Final = "Session token not found or invalid"
REDACTED: Final = "***"
_SECRET_QUERY_KEYS: Final = frozenset(
    {"code", "code_verifier", "session", "signintoken", "x-amz-security-token", "x-amz-signature"}
)
_CREDENTIAL = re.compile(r"Credential=([A-Za-z0-9]+)/")
_ROLE_SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")
_STS_ACTIONS: Final = ("GetCallerIdentity", "AssumeRole")

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


def oauth_error_code(error_type: str) -> str:
    if error_type in OAUTH_ERRORS:
        return OAUTH_ERRORS[error_type]
    name = error_type.removesuffix("Exception")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower() or "server_error"


def family(operation: str) -> str:
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


# -- wire objects ---------------------------------------------------------------------------
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


@dataclass(frozen=True)
class RequestRecord:
    """One entry of the request log. Secrets are never stored here."""

    operation: str
    method: str
    path: str
    query: dict[str, str]
    status: int
    time: float  # wall clock, epoch seconds, when the request arrived
    duration: float = 0.0
    error_type: str | None = None  # x-amzn-ErrorType / STS error code of an error answer
    detail: dict[str, str] = field(default_factory=dict)  # e.g. {"grantType": ...} (no secrets)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        stamp = time.strftime("%H:%M:%S", time.localtime(self.time))
        extra = " ".join(f"{k}={v}" for k, v in self.detail.items())
        qs = urlencode(self.query)
        target = self.path + (f"?{qs}" if qs else "")
        return " ".join(
            p
            for p in (
                stamp,
                f"{self.status}",
                self.operation,
                self.method,
                target,
                self.error_type or "",
                extra,
                f"({self.duration * 1000:.0f} ms)",
            )
            if p
        )


class ApiError(Exception):
    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message


def fail(status: int, error_type: str, message: str) -> NoReturn:
    raise ApiError(status, error_type, message)


def redact_query(query: Mapping[str, str]) -> dict[str, str]:
    return {k: (REDACTED if k.lower() in _SECRET_QUERY_KEYS else v) for k, v in query.items()}


INJECTED_HTML: Final = "<script>alert('captive portal')</script> Please sign in to the guest Wi-Fi."


def json_response(obj: Any, status: int = 200) -> Response:
    return Response(status, json.dumps(obj).encode(), "application/json")


def html_response(html: str, status: int = 200) -> Response:
    return Response(status, html.encode(), "text/html; charset=utf-8")


def redirect(location: str) -> Response:
    return Response(302, b"", None, [("Location", location)])


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


def same_redirect_uri(a: str, b: str) -> bool:
    """Equal ignoring the port (the real service accepts any loopback port)."""
    try:
        x, y = urlsplit(a), urlsplit(b)
        return (x.scheme, x.hostname, x.path or "/", x.query) == (y.scheme, y.hostname, y.path or "/", y.query)
    except ValueError:
        return False


def add_query(url: str, params: Mapping[str, str]) -> str:
    sep = "&" if "?" in url else "?"
    return url + sep + urlencode(params)


def is_loopback_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    except ValueError:
        return False


def _random_upper(n: int) -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(n))


def role_hex(account_id: str, role_name: str) -> str:
    """The deterministic 16-hex suffix of ``AWSReservedSSO_<role>_<hex>``."""
    return hashlib.sha256(f"{account_id}/{role_name}".encode()).hexdigest()[:16]


def role_unique_id(account_id: str, role_name: str) -> str:
    digest = hashlib.sha256(f"role-id/{account_id}/{role_name}".encode()).digest()
    alphabet = string.ascii_uppercase + string.digits
    return "AROA" + "".join(alphabet[b % len(alphabet)] for b in digest[:17])


def route(req: Request) -> str:
    """The operation a request asks for (the names of the request log and of fault injection)."""
    method, path = req.method, req.path.rstrip("/") or "/"
    if method == "POST":
        ops = {
            "/client/register": "RegisterClient",
            "/device_authorization": "StartDeviceAuthorization",
            "/token": "CreateToken",
            "/logout": "Logout",
            "/authorize": "AuthorizeDecision",
            "/device": "DeviceDecision",
        }
        if path in ops:
            return ops[path]
        if path == "/":
            action = req.form().get("Action") or req.query.get("Action")
            return action if action in _STS_ACTIONS else "STS"
    if method in ("GET", "HEAD") and path == "/start":
        return "PortalStart"
    if method == "GET":
        ops = {
            "/federation/credentials": "GetRoleCredentials",
            "/assignment/accounts": "ListAccounts",
            "/assignment/roles": "ListAccountRoles",
            "/authorize": "Authorize",
            "/device": "DevicePage",
        }
        if path in ops:
            return ops[path]
        if path == "/federation":
            action = req.query.get("Action", "")
            return {"getsignintoken": "GetSigninToken", "login": "Login"}.get(action.lower(), "Federation")
        if path == "/":
            if "Action" in req.query:
                action = req.query["Action"]
                return action if action in _STS_ACTIONS else "STS"
            return "Index"
    return "Unknown"


# -- state ----------------------------------------------------------------------------------
@dataclass
class Client:
    client_id: str
    client_secret: str
    name: str
    scopes: list[str]
    grant_types: list[str] | None
    redirect_uris: list[str]
    issued_at: int
    expires_at: int

    @property
    def refreshable(self) -> bool:
        return bool(self.scopes) and (self.grant_types is None or "refresh_token" in self.grant_types)


@dataclass
class DeviceAuth:
    device_code: str
    user_code: str
    client_id: str
    client_name: str
    scopes: list[str]
    expires_at: float
    interval: float
    status: str = "pending"  # pending | approved | denied | consumed
    last_poll: float | None = None


@dataclass
class AuthRequest:
    request_id: str
    client_id: str
    client_name: str
    redirect_uri: str
    state: str | None
    code_challenge: str
    scopes: list[str]
    expires_at: float
    status: str = "pending"  # pending | approved | denied


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    code_challenge: str
    scopes: list[str]
    expires_at: float
    used: bool = False


@dataclass
class Session:
    session_id: str
    user: str
    client_id: str
    scopes: list[str]
    refreshable: bool
    ended: bool = False


@dataclass
class AccessToken:
    token: str
    session_id: str
    expires_at: float
    revoked: bool = False


@dataclass
class RefreshToken:
    token: str
    session_id: str
    client_id: str
    valid: bool = True


@dataclass
class RoleCredentials:
    access_key_id: str
    secret_access_key: str
    session_token: str
    account_id: str
    role_name: str
    user: str
    expires_at: float
    assumed_arn: str | None = None  # the IAM role ARN, for AssumeRole credentials


@dataclass
class SigninToken:
    token: str
    access_key_id: str
    expires_at: float


class Backend:
    """All emulated services; ``handle()`` is thread-safe."""

    def __init__(self, config: EmulatorConfig, directory: Directory, faults: FaultPlan) -> None:
        self.config = config
        self.directory = directory
        self.faults = faults
        self.lock = threading.RLock()
        self.clock_offset = 0.0
        self.url = ""  # set by the server once bound
        self.on_request: Callable[[RequestRecord], None] | None = None
        self._records: list[RequestRecord] = []
        self._records_lock = threading.Lock()
        self.clients: dict[str, Client] = {}
        self.devices: dict[str, DeviceAuth] = {}
        self.auth_requests: dict[str, AuthRequest] = {}
        self.codes: dict[str, AuthCode] = {}
        self.sessions: dict[str, Session] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.role_credentials: dict[str, RoleCredentials] = {}
        self.signin_tokens: dict[str, SigninToken] = {}

    # -- clock, log ------------------------------------------------------------------------
    def now(self) -> float:
        return time.time() + self.clock_offset

    @property
    def user_name(self) -> str:
        return self.directory.user_name or self.config.user_name

    def records(self) -> list[RequestRecord]:
        with self._records_lock:
            return list(self._records)

    def clear_records(self) -> None:
        with self._records_lock:
            self._records.clear()

    def _record(self, rec: RequestRecord) -> None:
        with self._records_lock:
            self._records.append(rec)
            if len(self._records) > 100_000:
                del self._records[:10_000]
        callback = self.on_request
        if callback is not None:
            with contextlib.suppress(Exception):  # a broken log sink must not break the service
                callback(rec)

    # -- routing ---------------------------------------------------------------------------
    @staticmethod
    def route(req: Request) -> str:
        return route(req)

    def handle(self, req: Request) -> Response:
        started = time.time()
        op = self.route(req)
        detail: dict[str, str] = {}
        try:
            if op in API_OPERATIONS and self.faults.latency > 0:
                time.sleep(self.faults.latency)
            fault = self.faults.take(op)
            resp = None
            if fault is not None:
                if fault.kind != "error":
                    resp = self.malformed(fault)
                else:
                    if fault.delay > 0:
                        time.sleep(fault.delay)
                    if fault.status >= 300:
                        fail(fault.status, fault.error_type, fault.message)
            if resp is None:
                resp = self._dispatch(op, req, detail)
        except ApiError as err:
            resp = self.render_error(op, err)
        except Exception as exc:  # a bug: answer like the service would, keep serving
            resp = self.render_error(op, ApiError(500, "InternalServerException", f"emulator error: {exc!r}"))
        resp.headers.append(("x-amzn-RequestId", str(uuid.uuid4())))
        if op not in ("Index",):
            self._record(
                RequestRecord(
                    operation=op,
                    method=req.method,
                    path=req.path,
                    query=redact_query(req.query),
                    status=resp.status,
                    time=started,
                    duration=time.time() - started,
                    error_type=resp.error_type,
                    detail=detail,
                )
            )
        return resp

    def _dispatch(self, op: str, req: Request, detail: dict[str, str]) -> Response:
        handler = getattr(self, f"op_{op}", None)
        if handler is None:
            if op == "STS":
                action = req.form().get("Action") or req.query.get("Action") or ""
                fail(400, "InvalidAction", f"Could not find operation {action} for version 2011-06-15")
            if op == "Federation":
                fail(400, "InvalidRequest", "Unsupported federation Action")
            fail(404, "UnknownOperationException", f"No operation for {req.method} {req.path}")
        result: Response = handler(req, detail)
        return result

    # -- faults ----------------------------------------------------------------------------
    @staticmethod
    def malformed(fault: Fault) -> Response:
        """The answer of a body or connection fault (``ssoenv.emulator.faults``)."""
        full = json.dumps({"message": "this answer was cut short by an injected fault"}).encode()
        bodies: dict[str, tuple[bytes, str]] = {
            "not-json": (b'{"roleCredentials": {"accessKeyId": "ASIA', "application/json"),
            "empty": (b"{}", "application/json"),
            "invalid-utf8": (b'{"message": "\xff\xfe\xc3\x28 not utf-8"}', "application/json"),
            "html": (pages.error("Network login required", INJECTED_HTML).encode(), "text/html; charset=utf-8"),
        }
        if fault.kind == "answer":
            bodies["answer"] = ((fault.body or "{}").encode("utf-8"), "application/json")
        body, ctype = bodies.get(fault.kind, (full, "application/json"))
        resp = Response(fault.status, body, ctype, error_type=fault.kind)
        if fault.kind in ("truncated", "reset", "hang", "hang-body"):
            resp.fault = fault.kind
            resp.hang = fault.delay
        return resp

    # -- error rendering -------------------------------------------------------------------
    def render_error(self, op: str, err: ApiError) -> Response:
        fam = family(op)
        headers = [("x-amzn-ErrorType", err.error_type)] if err.error_type else []
        if fam == "oidc" and not err.error_type:  # an error that names no type
            resp = json_response({"error_description": err.message}, err.status)
        elif fam == "sts" and not err.error_type:
            xml = (
                f'<ErrorResponse xmlns="{STS_NS}">\n  <Error>\n    <Message>{xml_escape(err.message)}</Message>\n'
                f"  </Error>\n  <RequestId>{uuid.uuid4()}</RequestId>\n</ErrorResponse>\n"
            )
            resp = Response(err.status, xml.encode(), "text/xml")
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
            resp = Response(err.status, xml.encode(), "text/xml")
        elif fam == "federation":
            resp = Response(err.status, (err.message + "\n").encode(), "text/plain; charset=utf-8")
        elif fam == "page":
            resp = html_response(pages.error(f"Error {err.status}", err.message), err.status)
        else:
            resp = json_response({"message": err.message}, err.status)
        resp.headers.extend(headers)
        resp.error_type = err.error_type
        return resp

    # -- helpers ---------------------------------------------------------------------------
    @staticmethod
    def _json_body(req: Request) -> dict[str, Any]:
        if not req.body.strip():
            return {}
        try:
            data = json.loads(req.body)
        except (ValueError, UnicodeDecodeError):
            fail(400, "InvalidRequestException", "Request body is not valid JSON")
        if not isinstance(data, dict):
            fail(400, "InvalidRequestException", "Request body must be a JSON object")
        return data

    @staticmethod
    def _str(body: Mapping[str, Any], key: str, *, required: bool = True) -> str | None:
        value = body.get(key)
        if value is None or value == "":
            if required:
                fail(400, "InvalidRequestException", f"{key} is required")
            return None
        if not isinstance(value, str):
            fail(400, "InvalidRequestException", f"{key} must be a string")
        return value

    @staticmethod
    def _str_list(body: Mapping[str, Any], key: str) -> list[str] | None:
        value = body.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            fail(400, "InvalidRequestException", f"{key} must be a list of strings")
        return list(value)

    def _client(self, body: Mapping[str, Any]) -> Client:
        client_id = self._str(body, "clientId")
        secret = self._str(body, "clientSecret")
        assert client_id is not None and secret is not None
        client = self.clients.get(client_id)
        if client is None or not secrets.compare_digest(client.client_secret, secret):
            fail(401, "InvalidClientException", "Invalid client provided")
        if self.now() >= client.expires_at:
            fail(401, "InvalidClientException", "Client registration has expired")
        return client

    def _new_user_code(self) -> str:
        while True:
            raw = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(8))
            code = f"{raw[:4]}-{raw[4:]}"
            if all(d.user_code != code for d in self.devices.values()):
                return code

    def _issue_tokens(self, client: Client, scopes: list[str], session: Session | None = None) -> dict[str, Any]:
        now = self.now()
        if session is None:
            session = Session(
                session_id=str(uuid.uuid4()),
                user=self.user_name,
                client_id=client.client_id,
                scopes=scopes,
                refreshable=client.refreshable,
            )
            self.sessions[session.session_id] = session
        ttl = int(self.config.token_ttl)
        access = AccessToken("aoa" + secrets.token_urlsafe(96), session.session_id, now + ttl)
        self.access_tokens[access.token] = access
        out: dict[str, Any] = {"accessToken": access.token, "tokenType": "Bearer", "expiresIn": ttl}
        if session.refreshable:
            refresh = RefreshToken("aor" + secrets.token_urlsafe(96), session.session_id, client.client_id)
            self.refresh_tokens[refresh.token] = refresh
            out["refreshToken"] = refresh.token
        return out

    def _authenticate(self, req: Request) -> Session:
        token = req.header(BEARER_HEADER)
        with self.lock:
            access = self.access_tokens.get(token or "")
            session = self.sessions.get(access.session_id) if access else None
            if access is None or session is None or access.revoked or session.ended or self.now() >= access.expires_at:
                fail(401, "UnauthorizedException", UNAUTHORIZED_MESSAGE)
            return session

    def _page(self, req: Request, items: list[Any], kind: str, scope: str = "") -> tuple[list[Any], str | None]:
        raw = req.query.get("max_result")
        if raw is None or raw == "":
            size = self.config.effective_page_size
        else:
            try:
                size = int(raw)
            except ValueError:
                fail(400, "InvalidRequestException", "max_result must be an integer")
            if not 1 <= size <= MAX_PAGE_SIZE:
                fail(400, "InvalidRequestException", f"max_result must be between 1 and {MAX_PAGE_SIZE}")
        offset = 0
        token = req.query.get("next_token")
        if token:
            try:
                padded = token + "=" * (-len(token) % 4)
                data = json.loads(base64.urlsafe_b64decode(padded))
                assert data["k"] == kind and data["s"] == scope
                offset = int(data["o"])
                assert offset >= 0
            except Exception:
                fail(400, "InvalidRequestException", "Invalid next token")
        chunk = items[offset : offset + size]
        next_token = None
        if offset + size < len(items):
            payload = json.dumps({"k": kind, "s": scope, "o": offset + size, "n": secrets.token_hex(4)})
            next_token = base64.urlsafe_b64encode(payload.encode()).rstrip(b"=").decode()
        return chunk, next_token

    # -- SSO OIDC --------------------------------------------------------------------------
    def op_RegisterClient(self, req: Request, detail: dict[str, str]) -> Response:
        body = self._json_body(req)
        name = self._str(body, "clientName")
        ctype = self._str(body, "clientType")
        assert name is not None
        detail["clientName"] = name
        scopes = self._str_list(body, "scopes") or []
        grants = self._str_list(body, "grantTypes")
        redirect_uris = self._str_list(body, "redirectUris") or []
        self._str(body, "issuerUrl", required=False)
        if grants is not None:
            detail["grantTypes"] = ",".join(grants)
        if ctype != "public":
            fail(400, "InvalidClientMetadataException", "Only clientType=public is supported")
        if grants is not None:
            bad = [g for g in grants if g not in KNOWN_GRANTS]
            if bad:
                fail(400, "UnsupportedGrantTypeException", f"Unsupported grant type: {bad[0]}")
            if "authorization_code" in grants and not redirect_uris:
                fail(400, "InvalidRedirectUriException", "redirectUris is required for authorization_code")
        for uri in redirect_uris:
            try:
                parts = urlsplit(uri)
            except ValueError:
                fail(400, "InvalidRedirectUriException", f"Invalid redirect URI: {uri}")
            if parts.scheme == "https" and parts.hostname:
                continue
            if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
                continue
            fail(400, "InvalidRedirectUriException", f"Redirect URI must be https or http loopback: {uri}")
        now = int(self.now())
        client = Client(
            client_id=secrets.token_urlsafe(16),
            client_secret="eyJraWQiOiJrZXktZW11bGF0b3IifQ." + secrets.token_urlsafe(64),
            name=name,
            scopes=scopes,
            grant_types=grants,
            redirect_uris=redirect_uris,
            issued_at=now,
            expires_at=now + int(self.config.registration_ttl),
        )
        with self.lock:
            self.clients[client.client_id] = client
        return json_response(
            {
                "clientId": client.client_id,
                "clientSecret": client.client_secret,
                "clientIdIssuedAt": client.issued_at,
                "clientSecretExpiresAt": client.expires_at,
            }
        )

    def op_StartDeviceAuthorization(self, req: Request, detail: dict[str, str]) -> Response:
        body = self._json_body(req)
        with self.lock:
            client = self._client(body)
            start_url = self._str(body, "startUrl")
            assert start_url is not None
            detail["startUrl"] = start_url
            device = DeviceAuth(
                device_code=secrets.token_urlsafe(48),
                user_code=self._new_user_code(),
                client_id=client.client_id,
                client_name=client.name,
                scopes=list(client.scopes),
                expires_at=self.now() + self.config.device_expires_in,
                interval=float(self.config.device_interval),
            )
            if self.config.approve == "preapproved":
                device.status = "approved"
            self.devices[device.device_code] = device
        base = self.base_url(req)
        return json_response(
            {
                "deviceCode": device.device_code,
                "userCode": device.user_code,
                "verificationUri": f"{base}/device",
                "verificationUriComplete": f"{base}/device?user_code={device.user_code}",
                "expiresIn": int(self.config.device_expires_in),
                "interval": int(self.config.device_interval),
            }
        )

    def op_CreateToken(self, req: Request, detail: dict[str, str]) -> Response:
        body = self._json_body(req)
        grant = self._str(body, "grantType")
        assert grant is not None
        detail["grantType"] = grant
        with self.lock:
            client = self._client(body)
            if client.grant_types is not None and grant not in client.grant_types and grant != DEVICE_GRANT:
                fail(400, "UnauthorizedClientException", f"Client is not authorized for grant type {grant}")
            if grant == DEVICE_GRANT:
                result = self._grant_device(client, body)
            elif grant == "authorization_code":
                result = self._grant_code(client, body)
            elif grant == "refresh_token":
                result = self._grant_refresh(client, body)
            else:
                fail(400, "UnsupportedGrantTypeException", f"Unsupported grant type: {grant}")
        return json_response(result)

    def _grant_device(self, client: Client, body: Mapping[str, Any]) -> dict[str, Any]:
        code = self._str(body, "deviceCode")
        device = self.devices.get(code or "")
        if device is None or device.client_id != client.client_id:
            fail(400, "InvalidGrantException", "Invalid device code provided")
        now = self.now()
        if device.status == "consumed":
            fail(400, "InvalidGrantException", "Device code has already been used")
        if now >= device.expires_at:
            fail(400, "ExpiredTokenException", "Device code has expired")
        if device.status == "denied":
            fail(400, "AccessDeniedException", "Authorization request was denied by the user")
        if device.status == "pending":
            too_fast = device.last_poll is not None and now - device.last_poll < device.interval * 0.8
            device.last_poll = now
            if too_fast:
                device.interval += 5
                fail(400, "SlowDownException", "Client is polling too quickly")
            fail(400, "AuthorizationPendingException", "Authorization is still pending")
        device.status = "consumed"
        return self._issue_tokens(client, device.scopes)

    def _grant_code(self, client: Client, body: Mapping[str, Any]) -> dict[str, Any]:
        code = self._str(body, "code")
        auth = self.codes.get(code or "")
        if auth is None or auth.client_id != client.client_id:
            fail(400, "InvalidGrantException", "Invalid authorization code provided")
        if auth.used:
            fail(400, "InvalidGrantException", "Authorization code has already been used")
        auth.used = True  # single use, even when the checks below fail
        if self.now() >= auth.expires_at:
            fail(400, "ExpiredTokenException", "Authorization code has expired")
        verifier = self._str(body, "codeVerifier")
        assert verifier is not None
        try:
            matches = secrets.compare_digest(s256(verifier), auth.code_challenge)
        except (UnicodeEncodeError, TypeError):
            matches = False
        if not matches:
            fail(400, "InvalidGrantException", "Code verifier does not match the code challenge")
        redirect_uri = self._str(body, "redirectUri")
        assert redirect_uri is not None
        if not same_redirect_uri(redirect_uri, auth.redirect_uri):
            fail(400, "InvalidGrantException", "Redirect URI does not match the authorization request")
        return self._issue_tokens(client, auth.scopes)

    def _grant_refresh(self, client: Client, body: Mapping[str, Any]) -> dict[str, Any]:
        token = self._str(body, "refreshToken")
        refresh = self.refresh_tokens.get(token or "")
        session = self.sessions.get(refresh.session_id) if refresh else None
        if refresh is None or session is None or refresh.client_id != client.client_id:
            fail(400, "InvalidGrantException", "Invalid refresh token provided")
        if not refresh.valid or session.ended:
            fail(400, "InvalidGrantException", "Refresh token has been revoked or already used")
        refresh.valid = False  # always rotate
        return self._issue_tokens(client, session.scopes, session)

    # -- browser-facing pages --------------------------------------------------------------
    def op_Authorize(self, req: Request, detail: dict[str, str]) -> Response:
        q = req.query
        client_id = q.get("client_id", "")
        redirect_uri = q.get("redirect_uri", "")
        with self.lock:
            client = self.clients.get(client_id)
            if client is None or self.now() >= client.expires_at:
                fail(400, "InvalidClientException", "Unknown or expired client_id.")
            detail["clientName"] = client.name
            if not redirect_uri or not any(same_redirect_uri(redirect_uri, r) for r in client.redirect_uris):
                fail(400, "InvalidRedirectUriException", "redirect_uri is not registered for this client.")
            state = q.get("state")

            def error_redirect(error: str, description: str) -> Response:
                params = {"error": error, "error_description": description}
                if state is not None:
                    params["state"] = state
                detail["result"] = error
                return redirect(add_query(redirect_uri, params))

            if q.get("response_type") != "code":
                return error_redirect("unsupported_response_type", "response_type must be code")
            if client.grant_types is not None and "authorization_code" not in client.grant_types:
                return error_redirect("unauthorized_client", "client is not registered for authorization_code")
            challenge = q.get("code_challenge", "")
            if q.get("code_challenge_method") != "S256" or not re.fullmatch(r"[A-Za-z0-9_-]{43}", challenge):
                return error_redirect("invalid_request", "code_challenge with code_challenge_method=S256 is required")
            scopes = (q.get("scopes") or q.get("scope") or "").split()
            mode = self.config.approve
            if mode == "deny":
                return error_redirect("access_denied", "The user denied the authorization request")
            if mode in ("auto", "preapproved"):
                detail["result"] = "approved"
                code = self._new_code(client.client_id, redirect_uri, challenge, scopes)
                return redirect(add_query(redirect_uri, self._code_params(code, state)))
            request = AuthRequest(
                request_id=secrets.token_urlsafe(24),
                client_id=client.client_id,
                client_name=client.name,
                redirect_uri=redirect_uri,
                state=state,
                code_challenge=challenge,
                scopes=scopes,
                expires_at=self.now() + self.config.auth_code_ttl,
            )
            self.auth_requests[request.request_id] = request
            detail["result"] = "consent"
        return html_response(pages.authorize_consent(request.request_id, client.name, " ".join(scopes), self.user_name))

    @staticmethod
    def _code_params(code: str, state: str | None) -> dict[str, str]:
        params = {"code": code}
        if state is not None:
            params["state"] = state
        return params

    def _new_code(self, client_id: str, redirect_uri: str, challenge: str, scopes: list[str]) -> str:
        code = secrets.token_urlsafe(32)
        self.codes[code] = AuthCode(
            code, client_id, redirect_uri, challenge, scopes, self.now() + self.config.auth_code_ttl
        )
        return code

    def _decide_request(self, request: AuthRequest, allow: bool) -> str:
        """Decide a pending PKCE authorization; returns the URL to send the browser to."""
        if allow:
            request.status = "approved"
            code = self._new_code(request.client_id, request.redirect_uri, request.code_challenge, request.scopes)
            return add_query(request.redirect_uri, self._code_params(code, request.state))
        request.status = "denied"
        params = {"error": "access_denied", "error_description": "The user denied the authorization request"}
        if request.state is not None:
            params["state"] = request.state
        return add_query(request.redirect_uri, params)

    def op_AuthorizeDecision(self, req: Request, detail: dict[str, str]) -> Response:
        form = req.form()
        action = form.get("action", "")
        detail["action"] = action
        with self.lock:
            request = self.auth_requests.get(form.get("request_id", ""))
            if request is None:
                fail(400, "InvalidRequestException", "Unknown authorization request.")
            if self.now() >= request.expires_at:
                fail(400, "ExpiredTokenException", "This authorization request has expired. Start the login again.")
            if request.status != "pending":
                fail(400, "InvalidRequestException", f"This authorization request was already {request.status}.")
            if action not in ("allow", "deny"):
                fail(400, "InvalidRequestException", "action must be allow or deny")
            return redirect(self._decide_request(request, action == "allow"))

    @staticmethod
    def normalize_user_code(raw: str) -> str:
        code = re.sub(r"[\s-]", "", raw).upper()
        return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code

    def _device_by_user_code(self, user_code: str) -> DeviceAuth:
        code = self.normalize_user_code(user_code)
        for device in self.devices.values():
            if device.user_code == code:
                if self.now() >= device.expires_at:
                    fail(400, "ExpiredTokenException", "This code has expired. Start the login again.")
                return device
        fail(404, "InvalidRequestException", "This code is not valid. Check the code in your terminal.")

    def _device_result(self, device: DeviceAuth) -> Response:
        if device.status == "denied":
            return html_response(pages.denied())
        return html_response(pages.approved())

    def op_DevicePage(self, req: Request, detail: dict[str, str]) -> Response:
        raw = req.query.get("user_code", "").strip()
        if not raw:
            return html_response(pages.device_enter_code())
        with self.lock:
            device = self._device_by_user_code(raw)
            if device.status == "pending":
                mode = self.config.approve
                if mode in ("auto", "preapproved"):
                    device.status = "approved"
                elif mode == "deny":
                    device.status = "denied"
                else:
                    detail["result"] = "consent"
                    return html_response(pages.device_consent(device.user_code, device.client_name))
            detail["result"] = device.status
            return self._device_result(device)

    def op_DeviceDecision(self, req: Request, detail: dict[str, str]) -> Response:
        form = req.form()
        action = form.get("action", "")
        detail["action"] = action
        if action not in ("allow", "deny"):
            fail(400, "InvalidRequestException", "action must be allow or deny")
        with self.lock:
            device = self._device_by_user_code(form.get("user_code", ""))
            if device.status == "pending":
                device.status = "approved" if action == "allow" else "denied"
            return self._device_result(device)

    # -- control: approvals, revocation ----------------------------------------------------
    def decide_pending(self, allow: bool) -> int:
        """Approve or deny every pending device code and PKCE authorization; the browser
        redirect of a PKCE authorization is delivered by the emulator itself (as the user's
        browser would after a click)."""
        deliveries: list[str] = []
        count = 0
        with self.lock:
            now = self.now()
            for device in self.devices.values():
                if device.status == "pending" and now < device.expires_at:
                    device.status = "approved" if allow else "denied"
                    count += 1
            for request in self.auth_requests.values():
                if request.status == "pending" and now < request.expires_at:
                    deliveries.append(self._decide_request(request, allow))
                    count += 1
        for url in deliveries:
            if is_loopback_url(url):
                threading.Thread(target=_deliver, args=(url,), daemon=True, name="emulator-redirect").start()
        return count

    def pending(self) -> dict[str, list[dict[str, Any]]]:
        with self.lock:
            now = self.now()
            return {
                "device": [
                    {"userCode": d.user_code, "clientName": d.client_name, "expiresIn": int(d.expires_at - now)}
                    for d in self.devices.values()
                    if d.status == "pending" and now < d.expires_at
                ],
                "authorizations": [
                    {"clientName": r.client_name, "expiresIn": int(r.expires_at - now)}
                    for r in self.auth_requests.values()
                    if r.status == "pending" and now < r.expires_at
                ],
            }

    def revoke_all_tokens(self, include_refresh: bool = True) -> int:
        with self.lock:
            count = 0
            for access in self.access_tokens.values():
                if not access.revoked:
                    access.revoked = True
                    count += 1
            if include_refresh:
                for session in self.sessions.values():
                    session.ended = True
            return count

    # -- SSO portal ------------------------------------------------------------------------
    def op_GetRoleCredentials(self, req: Request, detail: dict[str, str]) -> Response:
        session = self._authenticate(req)
        role = req.query.get("role_name", "")
        account = req.query.get("account_id", "")
        if not role or not account:
            fail(400, "InvalidRequestException", "role_name and account_id are required")
        if not self.directory.has_role(account, role):
            fail(403, "ForbiddenException", "No access")
        creds = RoleCredentials(
            access_key_id="ASIA" + _random_upper(16),
            secret_access_key=secrets.token_urlsafe(30),
            session_token="IQoJb3JpZ2luX2VjE" + base64.b64encode(secrets.token_bytes(300)).decode(),
            account_id=account,
            role_name=role,
            user=session.user,
            expires_at=float(int(self.now()) + int(self.config.role_ttl)),
        )
        detail["accessKeyId"] = creds.access_key_id
        with self.lock:
            self.role_credentials[creds.access_key_id] = creds
        return json_response(
            {
                "roleCredentials": {
                    "accessKeyId": creds.access_key_id,
                    "secretAccessKey": creds.secret_access_key,
                    "sessionToken": creds.session_token,
                    "expiration": int(creds.expires_at * 1000),
                }
            }
        )

    def op_ListAccounts(self, req: Request, detail: dict[str, str]) -> Response:
        self._authenticate(req)
        accounts = self.directory.assigned_accounts()
        chunk, next_token = self._page(req, accounts, "accounts")
        out: dict[str, Any] = {
            "accountList": [{"accountId": a.account_id, "accountName": a.name, "emailAddress": a.email} for a in chunk]
        }
        if next_token:
            out["nextToken"] = next_token
        return json_response(out)

    def op_ListAccountRoles(self, req: Request, detail: dict[str, str]) -> Response:
        self._authenticate(req)
        account = req.query.get("account_id", "")
        if not account:
            fail(400, "InvalidRequestException", "account_id is required")
        roles = self.directory.roles(account)
        chunk, next_token = self._page(req, roles, "roles", account)
        out: dict[str, Any] = {"roleList": [{"roleName": r, "accountId": account} for r in chunk]}
        if next_token:
            out["nextToken"] = next_token
        return json_response(out)

    def op_Logout(self, req: Request, detail: dict[str, str]) -> Response:
        session = self._authenticate(req)
        with self.lock:
            session.ended = True
        return Response(200, b"", "application/json")

    # -- STS -------------------------------------------------------------------------------
    def _caller(self, req: Request, detail: dict[str, str]) -> RoleCredentials:
        params = {**req.query, **req.form()}
        auth = req.header("authorization") or ""
        match = _CREDENTIAL.search(auth)
        akid = match.group(1) if match else (params.get("X-Amz-Credential", "").split("/")[0] or None)
        if not akid:
            fail(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
        detail["accessKeyId"] = akid
        with self.lock:
            creds = self.role_credentials.get(akid)
        token = req.header("x-amz-security-token") or params.get("X-Amz-Security-Token")
        if creds is None or token != creds.session_token:
            fail(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
        if self.now() >= creds.expires_at:
            fail(400, "ExpiredToken", "The security token included in the request is expired")
        return creds

    def op_GetCallerIdentity(self, req: Request, detail: dict[str, str]) -> Response:
        creds = self._caller(req, detail)
        arn, user_id = self.identity(creds)
        xml = (
            f'<GetCallerIdentityResponse xmlns="{STS_NS}">\n'
            "  <GetCallerIdentityResult>\n"
            f"    <Arn>{xml_escape(arn)}</Arn>\n"
            f"    <UserId>{xml_escape(user_id)}</UserId>\n"
            f"    <Account>{creds.account_id}</Account>\n"
            "  </GetCallerIdentityResult>\n"
            "  <ResponseMetadata>\n"
            f"    <RequestId>{uuid.uuid4()}</RequestId>\n"
            "  </ResponseMetadata>\n"
            "</GetCallerIdentityResponse>\n"
        )
        return Response(200, xml.encode(), "text/xml")

    def op_AssumeRole(self, req: Request, detail: dict[str, str]) -> Response:
        caller = self._caller(req, detail)
        try:
            verify(
                method=req.method,
                path=req.path,
                query=req.query,
                headers=req.headers,
                body=req.body,
                secret_key=caller.secret_access_key,
            )
        except SignatureError as exc:
            fail(403, "SignatureDoesNotMatch", str(exc))
        params = {**req.query, **req.form()}
        arn = params.get("RoleArn", "")
        session_name = params.get("RoleSessionName", "")
        detail["roleArn"] = arn
        if not arn:
            fail(
                400,
                "ValidationError",
                "1 validation error detected: Value null at 'roleArn' failed to satisfy "
                "constraint: Member must not be null",
            )
        match = ROLE_ARN.match(arn)
        if match is None:
            fail(400, "ValidationError", f"{arn} is invalid")
        if not _ROLE_SESSION_NAME.match(session_name):
            fail(
                400,
                "ValidationError",
                f"1 validation error detected: Value '{session_name}' at 'roleSessionName' "
                "failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
            )
        raw_duration = params.get("DurationSeconds", "3600")
        if not raw_duration.isdigit():
            fail(400, "ValidationError", f"Value '{raw_duration}' at 'durationSeconds' failed to satisfy constraint")
        duration = int(raw_duration)
        if duration < 900:
            fail(
                400,
                "ValidationError",
                f"1 validation error detected: Value '{duration}' at 'durationSeconds' failed "
                "to satisfy constraint: Member must have value greater than or equal to 900",
            )
        if duration > 43200:
            fail(
                400,
                "ValidationError",
                f"1 validation error detected: Value '{duration}' at 'durationSeconds' failed "
                "to satisfy constraint: Member must have value less than or equal to 43200",
            )
        # every caller here is a role session (SSO or assumed): this is role chaining
        if duration > 3600:
            fail(
                400,
                "ValidationError",
                "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
            )
        caller_arn, _ = self.identity(caller)
        denied = f"User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {arn}"
        role = self.directory.iam.role(arn)
        if role is None:
            fail(403, "AccessDenied", denied)
        if duration > role.max_session_duration:
            fail(
                400,
                "ValidationError",
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
            )
        if role.external_id is not None and params.get("ExternalId") != role.external_id:
            fail(403, "AccessDenied", denied)
        if role.mfa:
            serial, code = params.get("SerialNumber"), params.get("TokenCode")
            if not serial or not code:
                fail(403, "AccessDenied", denied)
            if not self.directory.iam.mfa_code_ok(serial, code, self.now()):
                fail(403, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code. ")
        creds = RoleCredentials(
            access_key_id="ASIA" + _random_upper(16),
            secret_access_key=secrets.token_urlsafe(30),
            session_token="FwoGZXIvYXdzE" + base64.b64encode(secrets.token_bytes(300)).decode(),
            account_id=match.group(1),
            role_name=match.group(2),
            user=session_name,
            expires_at=float(int(self.now()) + duration),
            assumed_arn=arn,
        )
        detail["accessKeyId"] = creds.access_key_id
        with self.lock:
            self.role_credentials[creds.access_key_id] = creds
        assumed_arn, assumed_id = self.identity(creds)
        expiration = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(creds.expires_at))
        xml = (
            f'<AssumeRoleResponse xmlns="{STS_NS}">\n'
            "  <AssumeRoleResult>\n"
            "    <AssumedRoleUser>\n"
            f"      <AssumedRoleId>{xml_escape(assumed_id)}</AssumedRoleId>\n"
            f"      <Arn>{xml_escape(assumed_arn)}</Arn>\n"
            "    </AssumedRoleUser>\n"
            "    <Credentials>\n"
            f"      <AccessKeyId>{creds.access_key_id}</AccessKeyId>\n"
            f"      <SecretAccessKey>{xml_escape(creds.secret_access_key)}</SecretAccessKey>\n"
            f"      <SessionToken>{xml_escape(creds.session_token)}</SessionToken>\n"
            f"      <Expiration>{expiration}</Expiration>\n"
            "    </Credentials>\n"
            "  </AssumeRoleResult>\n"
            "  <ResponseMetadata>\n"
            f"    <RequestId>{uuid.uuid4()}</RequestId>\n"
            "  </ResponseMetadata>\n"
            "</AssumeRoleResponse>\n"
        )
        return Response(200, xml.encode(), "text/xml")

    @staticmethod
    def identity(creds: RoleCredentials) -> tuple[str, str]:
        """(Arn, UserId) of role credentials, as STS would report them."""
        if creds.assumed_arn is not None:
            arn = f"arn:aws:sts::{creds.account_id}:assumed-role/{creds.role_name}/{creds.user}"
            return arn, f"{role_unique_id(creds.account_id, creds.role_name)}:{creds.user}"
        role = f"AWSReservedSSO_{creds.role_name}_{role_hex(creds.account_id, creds.role_name)}"
        arn = f"arn:aws:sts::{creds.account_id}:assumed-role/{role}/{creds.user}"
        return arn, f"{role_unique_id(creds.account_id, creds.role_name)}:{creds.user}"

    # -- console federation ----------------------------------------------------------------
    def op_GetSigninToken(self, req: Request, detail: dict[str, str]) -> Response:
        raw = req.query.get("Session")
        if not raw:
            fail(400, "InvalidRequest", "Session is required")
        try:
            session = json.loads(raw)
            akid, key, token = session["sessionId"], session["sessionKey"], session["sessionToken"]
        except (ValueError, KeyError, TypeError):
            fail(400, "InvalidRequest", "Session must be JSON with sessionId, sessionKey and sessionToken")
        duration = req.query.get("SessionDuration")
        if duration is not None and (not duration.isdigit() or not 900 <= int(duration) <= 43200):
            fail(400, "InvalidRequest", "SessionDuration must be between 900 and 43200")
        detail["accessKeyId"] = str(akid)
        with self.lock:
            creds = self.role_credentials.get(str(akid))
            if creds is None or creds.secret_access_key != key or creds.session_token != token:
                fail(400, "InvalidClientTokenId", "The credentials in the session are invalid")
            if self.now() >= creds.expires_at:
                fail(400, "ExpiredToken", "The credentials in the session have expired")
            signin = SigninToken(
                secrets.token_urlsafe(96), creds.access_key_id, self.now() + self.config.signin_token_ttl
            )
            self.signin_tokens[signin.token] = signin
        return json_response({"SigninToken": signin.token})

    def op_Login(self, req: Request, detail: dict[str, str]) -> Response:
        q = req.query
        with self.lock:
            signin = self.signin_tokens.get(q.get("SigninToken", ""))
            if signin is None or self.now() >= signin.expires_at:
                fail(400, "InvalidSigninToken", "The sign-in token is invalid or has expired")
        destination = q.get("Destination", "")
        parts = urlsplit(destination)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            fail(400, "InvalidRequest", "Destination must be an http(s) URL")
        detail["destination"] = f"{parts.scheme}://{parts.netloc}{parts.path}"
        return redirect(destination)

    # -- misc ------------------------------------------------------------------------------
    def base_url(self, req: Request) -> str:
        if self.url:
            return self.url
        host = req.header("host") or "127.0.0.1"
        return f"http://{host}"

    def op_PortalStart(self, req: Request, detail: dict[str, str]) -> Response:
        """A vanity start URL (``http://127.0.0.1:PORT/start``): redirect to the regional portal host,
        as a company's own ``https://sso.example.com/start`` would."""
        return redirect(f"https://d-1234567890.portal.{self.config.region}.app.aws/start")

    def op_Index(self, req: Request, detail: dict[str, str]) -> Response:
        accounts = [(a.account_id, a.name, a.roles) for a in self.directory.accounts()]
        return html_response(pages.index(self.base_url(req), self.config.approve, self.user_name, accounts))


def _deliver(url: str) -> None:
    """GET ``url`` (a loopback redirect target) like a browser would; errors are ignored."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            resp.read()
    except Exception:
        pass
