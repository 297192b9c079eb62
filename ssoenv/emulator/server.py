"""The HTTP server (stdlib ``ThreadingHTTPServer`` on 127.0.0.1) and the :class:`Emulator` API.

Control plane (JSON, no authentication, loopback only) under ``/_emulator/``:

=======  =================================  =============================================================
method   path                               body / answer
=======  =================================  =============================================================
GET      /_emulator/health                  ``{"ok": true, "url", "version", "approve"}``
GET      /_emulator/log[?since=N]           ``{"requests": [RequestRecord...], "count": total}``
DELETE   /_emulator/log                     clear the request log (also ``POST /_emulator/log/clear``)
GET      /_emulator/calls?operation=OP      ``{"operation", "count"}``
POST     /_emulator/inject                  ``{"operation", "kind"?, "status"?, "error_type"?, "count"?,
                                           "delay"?, "message"?, "body"?, "gate"?}`` (``ssoenv.emulator.faults``)
GET      /_emulator/faults                  ``{"faults": [...], "latency"}``
DELETE   /_emulator/faults                  clear faults and latency (also ``POST /_emulator/faults/clear``)
POST     /_emulator/latency                 ``{"seconds": S}``
POST     /_emulator/approve | deny          decide every pending device code / authorization → ``{"count"}``
GET      /_emulator/pending                 ``{"device": [...], "authorizations": [...]}``
POST     /_emulator/revoke                  ``{"include_refresh"?: true}`` → ``{"revoked"}``
GET      /_emulator/config                  the configuration
POST     /_emulator/config                  ``{"role_ttl": 60, ...}`` → new configuration
GET      /_emulator/directory               the directory (format of ``ssoenv.emulator.directory``)
POST     /_emulator/directory/add-account   ``{"account_id"?, "name"?, "email"?, "roles"?}``
POST     /_emulator/directory/remove-account   ``{"account_id"}``
POST     /_emulator/directory/add-role      ``{"account_id", "role_name"}``
POST     /_emulator/directory/remove-role   ``{"account_id", "role_name"}``
POST     /_emulator/advance                 ``{"seconds": S}``: move the emulator's clock forward
POST     /_emulator/shutdown                stop the emulator (``ssoenv emulator`` then exits 0)
=======  =================================  =============================================================

Errors answer 400/404 with ``{"error": "..."}``. Control requests are not in the request log.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ssoenv import __version__
from ssoenv.emulator import approval, oidc, sts
from ssoenv.emulator.config import EmulatorConfig
from ssoenv.emulator.directory import Directory
from ssoenv.emulator.faults import Fault, FaultPlan
from ssoenv.emulator.service import Backend, RequestRecord
from ssoenv.emulator.wire import Request, Response, json_response
from ssoenv.httpserver import TrackingHTTPServer

CONTROL_PREFIX = "/_emulator"
ENV_VARS = (
    "AWS_ENDPOINT_URL_SSO",
    "AWS_ENDPOINT_URL_SSO_OIDC",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_SIGNIN",
)
MAX_BODY = 1 << 20


class _Server(TrackingHTTPServer):
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], emulator: Emulator) -> None:
        self.emulator = emulator
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = f"ssoenv-emulator/{__version__}"
    sys_version = ""
    timeout = 120  # idle keep-alive connections are dropped after this
    disable_nagle_algorithm = True  # small answers on kept-alive connections must not wait for ACKs
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def version_string(self) -> str:
        return self.server_version

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > MAX_BODY:
                    raise ValueError("body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            self._send(Response(413, b"", None))
            return
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        req = Request(self.command, parts.path or "/", query, headers, body)
        emulator = self.server.emulator
        if req.path == CONTROL_PREFIX or req.path.startswith(CONTROL_PREFIX + "/"):
            resp = emulator._control(req)
        else:
            resp = emulator._backend.handle(req)
        self._send(resp)

    def _send(self, resp: Response) -> None:
        if resp.fault is not None:
            self._misbehave(resp)
            return
        self.send_response(resp.status)
        if resp.content_type:
            self.send_header("Content-Type", resp.content_type)
        for name, value in resp.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(resp.body)))
        if self.close_connection:  # the request said `Connection: close`: say so, never leave it to a guess
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and resp.body:
            self.wfile.write(resp.body)

    def _misbehave(self, resp: Response) -> None:
        """A connection fault: reset, hang before the headers, hang or stop half-way through the body."""
        self.close_connection = True
        if resp.fault == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return
        if resp.fault == "hang":
            self.server.emulator._stopped.wait(resp.hang)
            return
        self.send_response(resp.status)
        if resp.content_type:
            self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        self.wfile.write(resp.body[: len(resp.body) // 2])
        self.wfile.flush()
        if resp.fault == "hang-body":
            self.server.emulator._stopped.wait(resp.hang)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()


class _ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Emulator:
    """A local AWS SSO (OIDC + portal), STS and sign-in federation endpoint on 127.0.0.1.

    >>> emu = Emulator(EmulatorConfig(port=0)); emu.start()   # doctest: +SKIP
    >>> boto3.client("sso", endpoint_url=emu.url, region_name="us-east-1")   # doctest: +SKIP
    """

    def __init__(self, config: EmulatorConfig | None = None, *, directory: Directory | None = None) -> None:
        self.config = config if config is not None else EmulatorConfig()
        self.config.validate()
        if directory is None:
            if self.config.directory_file:
                directory = Directory.load(self.config.directory_file)
            else:
                directory = Directory.generate(self.config.accounts, self.config.roles_per_account)
        self.directory = directory
        self.faults = FaultPlan()
        self._backend = Backend(self.config, self.directory, self.faults)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        self._lifecycle = threading.Lock()

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Emulator:
        with self._lifecycle:
            if self._server is not None:
                raise RuntimeError("emulator already started")
            self._stopped.clear()
            server = _Server(("127.0.0.1", self.config.port), self)
            self._server = server
            self._backend.state.url = self.url
            self._thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="ssoenv-emulator", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        with self._lifecycle:
            server, thread = self._server, self._thread
            self._server = self._thread = None
            if server is not None:
                server.shutdown()
                server.close_connections()
                server.server_close()
            if thread is not None:
                thread.join(timeout=5)
            self._stopped.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the emulator is stopped (True) or ``timeout`` passes (False)."""
        return self._stopped.wait(timeout)

    def __enter__(self) -> Emulator:
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("emulator is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """The endpoint variables that point botocore, the AWS CLI and ssoenv at the emulator."""
        return dict.fromkeys(ENV_VARS, self.url)

    # -- faults ----------------------------------------------------------------------------
    def inject(
        self,
        operation: str,
        *,
        status: int | None = None,
        error_type: str | None = None,
        count: int = 1,
        delay: float = 0.0,
        message: str | None = None,
        kind: str = "error",
        body: str = "",
        gate: str | None = None,
    ) -> Fault:
        """Make the next ``count`` calls of ``operation`` fail (or, with status 200, only be slow).

        ``kind`` (see :mod:`ssoenv.emulator.faults`): ``error``, a malformed answer (``not-json``,
        ``empty``, ``invalid-utf8``, ``html``, ``truncated``) or a connection fault (``reset``,
        ``hang``, ``hang-body``), or ``answer``: exactly ``body`` as the answer. ``gate``: only the
        calls that come through the :class:`~ssoenv.emulator.gate.Gate` of that name."""
        if status is None:
            status = 500 if kind == "error" else 200  # a malformed answer "succeeds" unless told
        return self.faults.inject(
            operation,
            status=status,
            error_type=error_type,
            count=count,
            delay=delay,
            message=message,
            kind=kind,
            body=body,
            gate=gate,
        )

    def set_latency(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("latency must not be negative")
        self.faults.latency = float(seconds)

    def clear_faults(self) -> None:
        self.faults.clear()

    # -- request log -----------------------------------------------------------------------
    @property
    def requests(self) -> list[RequestRecord]:
        return self._backend.records()

    def calls(self, operation: str) -> int:
        return sum(1 for r in self._backend.records() if r.operation == operation)

    def clear_requests(self) -> None:
        self._backend.clear_records()

    @property
    def on_request(self) -> Callable[[RequestRecord], None] | None:
        return self._backend.on_request

    @on_request.setter
    def on_request(self, callback: Callable[[RequestRecord], None] | None) -> None:
        self._backend.on_request = callback

    # -- sessions --------------------------------------------------------------------------
    def revoke_all_tokens(self, include_refresh: bool = True) -> int:
        """Invalidate every access token (the portal answers 401). With ``include_refresh``
        (default) the SSO sessions end too, so refresh tokens fail with InvalidGrantException."""
        return oidc.revoke_all_tokens(self._backend.state, include_refresh)

    def approve_pending(self) -> int:
        return approval.decide_pending(self._backend.state, True)

    def deny_pending(self) -> int:
        return approval.decide_pending(self._backend.state, False)

    def pending(self) -> dict[str, list[dict[str, Any]]]:
        return approval.pending(self._backend.state)

    @property
    def user_name(self) -> str:
        """The Identity Center user of every session (directory file, else config)."""
        return self._backend.state.user_name

    def now(self) -> float:
        """The emulator's clock (epoch seconds): wall clock + :meth:`advance` offsets."""
        return self._backend.state.now()

    def advance(self, seconds: float) -> None:
        """Move the emulator's clock forward: tokens, codes and credentials age by ``seconds``."""
        self._backend.state.clock_offset += float(seconds)

    def identity(self, access_key_id: str) -> dict[str, str] | None:
        """What GetCallerIdentity would answer for issued credentials (Arn, UserId, Account)."""
        creds = self._backend.state.role_credentials.get(access_key_id)
        if creds is None:
            return None
        arn, user_id = sts.identity(creds)
        return {"Arn": arn, "UserId": user_id, "Account": creds.account_id}

    # -- control plane ---------------------------------------------------------------------
    def _control(self, req: Request) -> Response:
        try:
            result = self._control_dispatch(req)
        except _ControlError as exc:
            return json_response({"error": str(exc)}, exc.status)
        except (ValueError, KeyError, TypeError) as exc:
            return json_response({"error": str(exc)}, 400)
        return json_response(result)

    @staticmethod
    def _control_body(req: Request) -> dict[str, Any]:
        if not req.body.strip():
            return {}
        try:
            data = json.loads(req.body)
        except ValueError:
            raise _ControlError(400, "body must be JSON") from None
        if not isinstance(data, dict):
            raise _ControlError(400, "body must be a JSON object")
        return data

    def _control_dispatch(self, req: Request) -> Any:
        route = req.path[len(CONTROL_PREFIX) :].strip("/")
        method = req.method
        body = self._control_body(req) if method in ("POST", "PUT") else {}
        if route in ("", "health") and method == "GET":
            return {"ok": True, "url": self.url, "version": __version__, "approve": self.config.approve}
        if route == "log":
            if method == "GET":
                since = int(req.query.get("since", "0"))
                records = self.requests
                return {"requests": [r.to_dict() for r in records[since:]], "count": len(records)}
            if method == "DELETE":
                self.clear_requests()
                return {"ok": True}
        if route == "log/clear" and method == "POST":
            self.clear_requests()
            return {"ok": True}
        if route == "calls" and method == "GET":
            op = req.query.get("operation", "")
            return {"operation": op, "count": self.calls(op)}
        if route == "inject" and method == "POST":
            fault = self.inject(
                str(body["operation"]),
                status=None if body.get("status") is None else int(body["status"]),
                error_type=body.get("error_type"),
                count=int(body.get("count", 1)),
                delay=float(body.get("delay", 0.0)),
                message=body.get("message"),
                kind=str(body.get("kind", "error")),
                body=str(body.get("body", "")),
                gate=None if body.get("gate") is None else str(body["gate"]),
            )
            return {"fault": fault.to_dict()}
        if route == "faults":
            if method == "GET":
                return {"faults": [f.to_dict() for f in self.faults.pending()], "latency": self.faults.latency}
            if method == "DELETE":
                self.clear_faults()
                return {"ok": True}
        if route == "faults/clear" and method == "POST":
            self.clear_faults()
            return {"ok": True}
        if route == "latency" and method == "POST":
            self.set_latency(float(body.get("seconds", 0.0)))
            return {"latency": self.faults.latency}
        if route in ("approve", "deny") and method == "POST":
            count = self.approve_pending() if route == "approve" else self.deny_pending()
            return {"count": count}
        if route == "pending" and method == "GET":
            return self.pending()
        if route == "revoke" and method == "POST":
            return {"revoked": self.revoke_all_tokens(bool(body.get("include_refresh", True)))}
        if route == "config":
            if method == "POST":
                self.config.update(body)
            if method in ("GET", "POST"):
                return self.config.to_dict()
        if route == "advance" and method == "POST":
            self.advance(float(body["seconds"]))
            return {"offset": self._backend.state.clock_offset, "now": self.now()}
        if route.startswith("directory"):
            return self._control_directory(route, method, body)
        if route == "shutdown" and method == "POST":
            timer = threading.Timer(0.2, self.stop)  # after this answer has been sent
            timer.daemon = True
            timer.start()
            return {"ok": True}
        raise _ControlError(404, f"no control route {method} {req.path}")

    def _control_directory(self, route: str, method: str, body: dict[str, Any]) -> Any:
        d = self.directory
        if route == "directory" and method == "GET":
            return d.to_dict()
        if method != "POST":
            raise _ControlError(404, f"no control route {method} {route}")
        if route == "directory/add-account":
            roles = body.get("roles")
            acct = d.add_account(body.get("account_id"), body.get("name"), body.get("email"), roles)
            return acct.to_dict()
        if route == "directory/remove-account":
            return {"removed": d.remove_account(str(body["account_id"]))}
        if route == "directory/add-role":
            d.add_role(str(body["account_id"]), str(body["role_name"]))
            return {"ok": True}
        if route == "directory/remove-role":
            return {"removed": d.remove_role(str(body["account_id"]), str(body["role_name"]))}
        if route == "directory/add-iam-role":
            external = body.get("external_id")
            role = d.iam.add_role(
                str(body["arn"]),
                external_id=None if external is None else str(external),
                mfa=bool(body.get("mfa", False)),
                max_session_duration=int(body.get("max_session_duration", 3600)),
            )
            return role.to_dict()
        if route == "directory/add-mfa-device":
            d.iam.add_mfa_device(str(body["serial"]), str(body["secret"]))
            return {"ok": True}
        raise _ControlError(404, f"no control route {method} {route}")
