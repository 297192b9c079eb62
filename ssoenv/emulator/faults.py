"""Fault injection: queued failures / delays per operation, and global latency."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any, Final

from ssoenv.emulator.config import OPERATIONS

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


@dataclass
class Fault:
    operation: str
    status: int
    error_type: str
    remaining: int
    delay: float
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_fault(spec: str) -> tuple[str, int, int]:
    """``OP:STATUS[:COUNT]`` → (operation, status, count); ValueError when malformed."""
    parts = spec.split(":")
    if len(parts) not in (2, 3):
        raise ValueError(f"fault must be OP:STATUS[:COUNT], not {spec!r}")
    op = parts[0]
    try:
        status = int(parts[1])
        count = int(parts[2]) if len(parts) == 3 else 1
    except ValueError:
        raise ValueError(f"fault must be OP:STATUS[:COUNT] with numbers, not {spec!r}") from None
    check_operation(op)
    if not 200 <= status <= 599 or count < 1:
        raise ValueError(f"bad status or count in {spec!r}")
    return op, status, count


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
    ) -> Fault:
        check_operation(operation)
        if not 200 <= status <= 599:
            raise ValueError(f"status must be 200..599, not {status}")
        if 200 <= status < 300 and delay <= 0:
            raise ValueError("a 2xx fault only adds latency: give delay > 0")
        if count < 1 or delay < 0:
            raise ValueError("count must be >= 1 and delay >= 0")
        if 200 <= status < 300:
            etype, text = "", ""
        else:
            etype = error_type or default_error_type(status)
            text = message or f"Injected fault: {etype}"
        fault = Fault(operation, status, etype, count, float(delay), text)
        with self._lock:
            self._faults.append(fault)
        return Fault(**asdict(fault))

    def take(self, operation: str) -> Fault | None:
        """The fault that applies to this call of ``operation`` (consumed), if any."""
        with self._lock:
            for fault in self._faults:
                if fault.operation == operation and fault.remaining > 0:
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
