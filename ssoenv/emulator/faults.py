"""Fault injection: queued failures / delays per operation, and global latency.

A fault has a *kind*:

* ``error`` (default): an error answer of the service's own format with ``status`` and
  ``error_type`` (``error_type=""`` sends none: no ``x-amzn-ErrorType``, a body without a type);
  a 2xx ``error`` fault only adds ``delay``.
* answers that are not what the API model says, with ``status`` (default 200): ``not-json``
  (a JSON syntax error), ``empty`` (``{}``), ``invalid-utf8`` (bytes that are not UTF-8), ``html``
  (a captive portal / proxy page), ``truncated`` (``Content-Length`` of the whole answer, half of
  it sent, then the connection closed).
* ``answer``: exactly ``body`` (JSON text, default ``{}``) as the answer, for hostile values the
  emulator's own model would never produce (a control character in a role name, a NUL byte in a
  credential).
* the connection itself: ``reset`` (TCP RST instead of an answer), ``hang`` (no answer at all),
  ``hang-body`` (status line, headers and half the body, then nothing). A hang lasts
  ``delay`` seconds (default 600) or until the emulator stops, then the connection is closed.

A fault given a ``gate`` name applies only to the requests that came through the
:class:`~ssoenv.emulator.gate.Gate` of that name (it marks them with :data:`GATE_HEADER`): many
clients can meet different faults of the same operation on one emulator at the same time.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass
from typing import Any, Final

from ssoenv.emulator import pages
from ssoenv.emulator.config import OPERATIONS
from ssoenv.emulator.wire import Response

DEFAULT_ERROR_TYPES: Final[dict[int, str]] = {
    400: "InvalidRequestException",
    401: "UnauthorizedException",
    403: "ForbiddenException",
    404: "ResourceNotFoundException",
    429: "TooManyRequestsException",
    500: "InternalServerException",
    502: "BadGatewayException",
    503: "ServiceUnavailableException",
    504: "GatewayTimeoutException",
}


def default_error_type(status: int) -> str:
    if status in DEFAULT_ERROR_TYPES:
        return DEFAULT_ERROR_TYPES[status]
    return "InternalServerException" if status >= 500 else "InvalidRequestException"


BODY_KINDS: Final = ("not-json", "empty", "invalid-utf8", "html", "truncated", "answer")
CONNECTION_KINDS: Final = ("reset", "hang", "hang-body")
KINDS: Final[tuple[str, ...]] = ("error", *BODY_KINDS, *CONNECTION_KINDS)
DEFAULT_HANG: Final = 600.0
GATE_HEADER: Final = "x-ssoenv-emulator-gate"
INJECTED_HTML: Final = "<script>alert('captive portal')</script> Please sign in to the guest Wi-Fi."


@dataclass
class Fault:
    operation: str
    status: int
    error_type: str
    remaining: int
    delay: float
    message: str
    kind: str = "error"
    body: str = ""
    gate: str | None = None  # only for requests through the gate of this name

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_fault(spec: str) -> tuple[str, int | str, int]:
    """``OP:STATUS[:COUNT]`` or ``OP:KIND[:COUNT]`` → (operation, status or kind, count);
    ValueError when malformed."""
    parts = spec.split(":")
    if len(parts) not in (2, 3):
        raise ValueError(f"fault must be OP:STATUS[:COUNT] or OP:KIND[:COUNT], not {spec!r}")
    op = parts[0]
    check_operation(op)
    try:
        count = int(parts[2]) if len(parts) == 3 else 1
    except ValueError:
        raise ValueError(f"the COUNT of a fault must be a number, not {spec!r}") from None
    if count < 1:
        raise ValueError(f"bad count in {spec!r}")
    if parts[1] in KINDS and parts[1] not in ("error", "answer"):
        return op, parts[1], count
    try:
        status = int(parts[1])
    except ValueError:
        kinds = ", ".join(k for k in KINDS if k not in ("error", "answer"))
        raise ValueError(f"fault must be OP:STATUS[:COUNT] or OP:KIND[:COUNT] (KIND: {kinds}), not {spec!r}") from None
    if not 200 <= status <= 599:
        raise ValueError(f"bad status in {spec!r}")
    return op, status, count


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(KINDS)}")


def check_operation(op: str) -> None:
    if op not in OPERATIONS:
        raise ValueError(f"unknown operation {op!r}; known: {', '.join(OPERATIONS)}")


class FaultPlan:
    """Thread-safe queue of faults per operation plus a latency added to every API call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self.latency = 0.0

    def inject(
        self,
        operation: str,
        *,
        status: int = 500,
        error_type: str | None = None,
        count: int = 1,
        delay: float = 0.0,
        message: str | None = None,
        kind: str = "error",
        body: str = "",
        gate: str | None = None,
    ) -> Fault:
        check_operation(operation)
        check_kind(kind)
        if not 200 <= status <= 599:
            raise ValueError(f"status must be 200..599, not {status}")
        if kind == "error" and 200 <= status < 300 and delay <= 0:
            raise ValueError("a 2xx fault only adds latency: give delay > 0")
        if count < 1 or delay < 0:
            raise ValueError("count must be >= 1 and delay >= 0")
        if kind != "error" or 200 <= status < 300:
            etype, text = "", ""
        else:
            etype = default_error_type(status) if error_type is None else error_type
            text = message or f"Injected fault: {etype or 'no error type'}"
        if kind in ("hang", "hang-body") and delay <= 0:
            delay = DEFAULT_HANG
        fault = Fault(
            operation, status, etype, count, float(delay), text, kind, body if kind == "answer" else "", gate or None
        )
        with self._lock:
            self._faults.append(fault)
        return Fault(**asdict(fault))

    def take(self, operation: str, gate: str | None = None) -> Fault | None:
        """The fault that applies to this call of ``operation`` (consumed), if any; ``gate``: the
        gate the request came through."""
        with self._lock:
            for fault in self._faults:
                if fault.operation == operation and fault.remaining > 0 and fault.gate in (None, gate):
                    fault.remaining -= 1
                    snapshot = Fault(**asdict(fault))
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return snapshot
        return None

    def pending(self) -> list[Fault]:
        with self._lock:
            return [Fault(**asdict(f)) for f in self._faults]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self.latency = 0.0


def fault_answer(fault: Fault) -> Response:
    """The answer of a body or connection fault (the server carries out ``fault``/``hang`` on the wire)."""
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
    if fault.kind in CONNECTION_KINDS or fault.kind == "truncated":
        resp.fault = fault.kind
        resp.hang = fault.delay
    return resp
