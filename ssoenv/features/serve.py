"""A live credential endpoint: the container-credentials protocol, on loopback.

What the SDKs do (botocore's ``ContainerProvider`` / ``ContainerMetadataFetcher``; the other AWS
SDKs behave alike): with ``AWS_CONTAINER_CREDENTIALS_FULL_URI`` set, they send ``GET`` to it with
``Authorization: <AWS_CONTAINER_AUTHORIZATION_TOKEN>`` and expect ``200`` and a JSON object with
``AccessKeyId``, ``SecretAccessKey``, ``Token``, ``Expiration`` (RFC 3339) and optionally
``AccountId``; they ask again 15 minutes before ``Expiration`` (10 minutes: they block for it).
Plain ``http`` is accepted only for a loopback address (or ECS's link-local hosts). Any other
status is retried three times, one second apart, and then reported as one line:
``Error when retrieving credentials from container-role: Received non 200 response 403 from
container metadata: <body>`` — so every error body here is one line of compact JSON
``{"code": ..., "message": ...}`` (the shape the Go and Java SDKs parse), whose message says what
to do.

Every request is served from the shared caches through a :class:`CredentialSource` (for a
profile: :func:`ssoenv.credentials.anyprofile.get_credentials`, SSO or role chain, never interactive,
never a browser):
cached role credentials while they have more than 15 minutes left, else a token refresh and
GetRoleCredentials under the per-key locks. So a login from any terminal (``ssoenv login`` or
``aws sso login``) heals the next request, and a logout is honoured at once. Within this process,
requests for one endpoint that miss the cache wait for one upstream call (single flight), while
other endpoints and cache hits never wait for it.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
import secrets
import socket
import sys
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol, TextIO
from urllib.parse import quote, urlsplit

from ssoenv.config.chain import AnyProfile
from ssoenv.credentials.anyprofile import cached_credentials, get_credentials
from ssoenv.credentials.cache import RoleCredentials, format_timestamp, now
from ssoenv.credentials.sso import Access
from ssoenv.errors import AccessDenied, ConfigError, LoginRequired, SsoenvError
from ssoenv.httpserver import TrackingHTTPServer
from ssoenv.paths import Paths
from ssoenv.shells.envvars import LiveEndpoint
from ssoenv.ui.status import format_duration, say

LOOPBACK = "127.0.0.1"
TOKEN_BYTES = 32
MAX_IDLE = 60  # seconds an idle kept-alive connection may stay open


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (what the SDKs accept over plain http)."""
    import ipaddress

    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


def new_token() -> str:
    """A fresh secret for ``Authorization``: 32 random bytes, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


class CredentialSource(Protocol):
    """Where an endpoint's credentials come from."""

    @property
    def name(self) -> str:
        """The profile's name (for paths and log lines)."""

    def cached(self) -> RoleCredentials | None:
        """Credentials that can be served without any network call, or None."""

    def fetch(self) -> RoleCredentials:
        """Credentials, calling upstream if needed (raises SsoenvError)."""


class ProfileSource:
    """A profile's credentials (SSO or role chain) from the shared caches.

    ``access`` is the command's (``ssoenv.front.cli.common.make_access``, with ``no_login``: no person
    answers a request, so by the one policy ``may_log_in`` it is never interactive)."""

    def __init__(
        self, paths: Paths, profile: AnyProfile, access: Access, *, environ: Mapping[str, str] | None = None
    ) -> None:
        if access.interactive:
            raise ValueError("a credential endpoint never starts a login: build its access with no_login")
        self.paths = paths
        self.profile = profile
        self.environ = dict(os.environ if environ is None else environ)
        self.access = access

    @property
    def name(self) -> str:
        return self.profile.name

    def cached(self) -> RoleCredentials | None:
        return cached_credentials(self.paths, self.profile)

    def fetch(self) -> RoleCredentials:
        return get_credentials(self.paths, self.profile, self.access, environ=self.environ)


def credentials_document(creds: RoleCredentials) -> dict[str, str]:
    """The JSON body of a successful answer (what the SDKs read)."""
    return {
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_access_key,
        "Token": creds.session_token,
        "Expiration": format_timestamp(creds.expiration),
        "AccountId": creds.account_id,
    }


def error_status(exc: SsoenvError) -> tuple[int, str]:
    """HTTP status and ``code`` for a failure: 4xx when retrying cannot help, 5xx otherwise."""
    if isinstance(exc, LoginRequired):
        return 403, "LoginRequired"
    if isinstance(exc, AccessDenied):
        return 403, "AccessDenied"
    if isinstance(exc, ConfigError):
        return 500, "ConfigError"
    return 502, "UpstreamError"


class _Route:
    def __init__(self, source: CredentialSource, token: str) -> None:
        self.source = source
        self.token = token.encode("ascii")
        self.flight = threading.Lock()  # one upstream call at a time for this endpoint

    def credentials(self) -> RoleCredentials:
        creds = self.source.cached()
        if creds is not None:
            return creds
        with self.flight:
            # the request that held the lock before us may have fetched them
            return self.source.cached() or self.source.fetch()


class Log:
    """Lines for people on stderr: issuances only when verbose; each distinct failure once."""

    def __init__(self, stream: TextIO | None = None, *, verbose: bool = False) -> None:
        self.stream = stream
        self.verbose = verbose
        self._last_error: dict[str, str] = {}
        self._lock = threading.Lock()

    def _write(self, text: str) -> None:
        stream = self.stream if self.stream is not None else sys.stderr
        with self._lock, contextlib.suppress(OSError, ValueError):
            say(f"{format_timestamp(now())} {text}", stream=stream)

    def issued(self, name: str, creds: RoleCredentials) -> None:
        with self._lock:
            self._last_error.pop(name, None)
        if self.verbose:
            left = format_duration(creds.remaining().total_seconds())
            self._write(f"{name}: issued credentials valid until {format_timestamp(creds.expiration)} ({left} left)")

    def failed(self, name: str, message: str) -> None:
        with self._lock:
            repeated = self._last_error.get(name) == message
            self._last_error[name] = message
        if not repeated or self.verbose:
            self._write(f"{name}: {message}")

    def rejected(self, path: str) -> None:
        if self.verbose:
            self._write(f"rejected a request for {path!r}: missing or wrong authorization token")


class _HTTPServer(TrackingHTTPServer):
    allow_reuse_address = False  # never share a port with another listener
    request_queue_size = 128  # a burst of clients (make -j, a test runner) must not wait for SYN retries

    def __init__(self, address: tuple[str, int], owner: CredentialServer, family: int) -> None:
        self.address_family = family
        self.owner = owner
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ssoenv"
    sys_version = ""
    timeout = MAX_IDLE
    disable_nagle_algorithm = True
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: dict[str, str]) -> None:
        data = json.dumps(body, separators=(",", ":")).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self) -> None:
        owner = self.server.owner
        path = urlsplit(self.path).path
        route = owner.routes.get(path)
        if route is None:
            self._answer(404, {"code": "NotFound", "message": "ssoenv: no credential endpoint at this path"})
            return
        supplied = self.headers.get_all("Authorization") or []
        given = supplied[0].encode("latin-1", "replace") if len(supplied) == 1 else b""
        if not hmac.compare_digest(given, route.token):
            owner.log.rejected(path)
            self._answer(401, {"code": "Unauthorized", "message": "ssoenv: missing or wrong authorization token"})
            return
        name = route.source.name
        try:
            creds = route.credentials()
        except SsoenvError as exc:
            status, code = error_status(exc)
            owner.log.failed(name, str(exc))
            self._answer(status, {"code": code, "message": f"ssoenv: {exc}"})
            return
        except Exception as exc:  # a bug must not kill the endpoint; say it in one line
            owner.log.failed(name, f"internal error: {exc!r}")
            self._answer(500, {"code": "InternalError", "message": f"ssoenv: internal error: {exc!r}"})
            return
        owner.log.issued(name, creds)
        self._answer(200, credentials_document(creds))

    def _not_allowed(self) -> None:
        self._answer(405, {"code": "MethodNotAllowed", "message": "ssoenv: only GET is supported"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _not_allowed


class CredentialServer:
    """An HTTP server with one credential endpoint per source; binds when constructed.

    ``host`` is 127.0.0.1 unless the caller asks otherwise (the CLI warns then). :meth:`start`
    serves in a background thread; :meth:`stop` ends it.
    """

    def __init__(self, *, host: str = LOOPBACK, port: int = 0, log: Log | None = None) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.host = host
        self.log = log or Log()
        self.routes: dict[str, _Route] = {}
        self._http = _HTTPServer((host, port), self, family)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._http.server_address[1])

    def base_url(self) -> str:
        """The URL a local client uses (a wildcard address is reached through loopback)."""
        host = self.host
        if host in ("0.0.0.0", ""):
            host = LOOPBACK
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def add(self, source: CredentialSource, token: str | None = None) -> LiveEndpoint:
        path = "/credentials/" + quote(source.name, safe="")
        secret = token or new_token()
        self.routes[path] = _Route(source, secret)
        return LiveEndpoint(self.base_url() + path, secret)

    def start(self) -> CredentialServer:
        """Serve in a background (daemon) thread."""
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.2}, name="ssoenv-serve", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening, drop open connections, release the port. Idempotent."""
        if self._thread is not None:
            self._http.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._http.close_connections()
        with contextlib.suppress(OSError):
            self._http.server_close()
