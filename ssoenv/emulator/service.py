"""The emulated services behind one entry point: request in, response out, one record in the log.

:func:`route` names the operation a request asks for; :class:`Backend` applies an injected fault
(:mod:`ssoenv.emulator.faults`) or calls the operation's handler — :mod:`~ssoenv.emulator.oidc`,
:mod:`~ssoenv.emulator.approval` (the browser's pages), :mod:`~ssoenv.emulator.portal`,
:mod:`~ssoenv.emulator.sts`, :mod:`~ssoenv.emulator.federation` — on the shared
:class:`~ssoenv.emulator.state.State`, writes errors the way the operation's service does
(:func:`ssoenv.emulator.wire.render_error`) and logs a :class:`RequestRecord` (no secrets).
Independent of HTTP: :mod:`ssoenv.emulator.server` carries the requests and answers.

A vanity start URL: ``HEAD|GET /start`` redirects (302) to
``https://d-1234567890.portal.<config.region>.app.aws/start``; ``GET /`` is an index page.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Final
from urllib.parse import urlencode

from ssoenv.emulator import approval, federation, oidc, pages, portal, sts
from ssoenv.emulator.config import API_OPERATIONS, EmulatorConfig
from ssoenv.emulator.directory import Directory
from ssoenv.emulator.faults import GATE_HEADER, FaultPlan, fault_answer
from ssoenv.emulator.state import Handler, State
from ssoenv.emulator.wire import ApiError, Request, Response, fail, html_response, redirect, render_error

REDACTED: Final = "***"
_SECRET_QUERY_KEYS: Final = frozenset(
    {"code", "code_verifier", "session", "signintoken", "x-amz-security-token", "x-amz-signature"}
)


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


def redact_query(query: Mapping[str, str]) -> dict[str, str]:
    return {k: (REDACTED if k.lower() in _SECRET_QUERY_KEYS else v) for k, v in query.items()}


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
            return action if action in sts.ACTIONS else "STS"
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
                return action if action in sts.ACTIONS else "STS"
            return "Index"
    return "Unknown"


def portal_start(state: State, req: Request, detail: dict[str, str]) -> Response:
    """A vanity start URL (``http://127.0.0.1:PORT/start``): redirect to the regional portal host,
    as a company's own ``https://sso.example.com/start`` would."""
    return redirect(f"https://d-1234567890.portal.{state.config.region}.app.aws/start")


def index(state: State, req: Request, detail: dict[str, str]) -> Response:
    accounts = [(a.account_id, a.name, a.roles) for a in state.directory.accounts()]
    return html_response(pages.index(state.base_url(req), state.config.approve, state.user_name, accounts))


HANDLERS: Final[dict[str, Handler]] = {
    **oidc.HANDLERS,
    **approval.HANDLERS,
    **portal.HANDLERS,
    **sts.HANDLERS,
    **federation.HANDLERS,
    "PortalStart": portal_start,
    "Index": index,
}


class Backend:
    """Every emulated service; ``handle()`` is thread-safe."""

    def __init__(self, config: EmulatorConfig, directory: Directory, faults: FaultPlan) -> None:
        self.state = State(config, directory)
        self.faults = faults
        self.on_request: Callable[[RequestRecord], None] | None = None
        self._records: list[RequestRecord] = []
        self._records_lock = threading.Lock()

    # -- the request log -------------------------------------------------------------------
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

    # -- one request -----------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        started = time.time()
        op = route(req)
        detail: dict[str, str] = {}
        try:
            if op in API_OPERATIONS and self.faults.latency > 0:
                time.sleep(self.faults.latency)
            fault = self.faults.take(op, req.header(GATE_HEADER))
            resp = None
            if fault is not None:
                if fault.kind != "error":
                    resp = fault_answer(fault)
                else:
                    if fault.delay > 0:
                        time.sleep(fault.delay)
                    if fault.status >= 300:
                        fail(fault.status, fault.error_type, fault.message)
            if resp is None:
                resp = self._dispatch(op, req, detail)
        except ApiError as err:
            resp = render_error(op, err)
        except Exception as exc:  # a bug: answer like the service would, keep serving
            resp = render_error(op, ApiError(500, "InternalServerException", f"emulator error: {exc!r}"))
        resp.headers.append(("x-amzn-RequestId", str(uuid.uuid4())))
        if op != "Index":
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
        handler = HANDLERS.get(op)
        if handler is None:
            if op == "STS":
                action = req.form().get("Action") or req.query.get("Action") or ""
                fail(400, "InvalidAction", f"Could not find operation {action} for version 2011-06-15")
            if op == "Federation":
                fail(400, "InvalidRequest", "Unsupported federation Action")
            fail(404, "UnknownOperationException", f"No operation for {req.method} {req.path}")
        return handler(self.state, req, detail)
