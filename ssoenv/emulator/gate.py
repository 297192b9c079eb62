"""A door in front of the emulator that closes for good: the network goes away in the middle of a flow.

The ``refused`` fault cannot be an injected answer: a refused connection never reaches a server.
For an operation that is the first a command sends to its endpoint, pointing the endpoint at a
closed port is enough. For one that comes later on the same endpoint (``CreateToken`` after
``StartDeviceAuthorization``, ``ListAccountRoles`` after ``ListAccounts``), a :class:`Gate`
forwards connections to the emulator until it has passed the request of ``close_after``; from
then on its port refuses every connection (as when a VPN drops or a laptop leaves the network).

Every forwarded request asks the emulator to close the connection after its answer, so a client
opens a new connection for its next request, which meets the closed port. The gate notes when
each request came through (``arrivals``: operation and :func:`time.monotonic`, which is the same
clock in every process of the machine)::

    gate = Gate(emu.url, close_after="StartDeviceAuthorization").start()
    env["AWS_ENDPOINT_URL_SSO_OIDC"] = gate.url   # CreateToken: connection refused
    ...
    gate.stop()

``Gate(url, refuse=True)`` refuses from the start (a closed port); ``Gate(url)`` only forwards and
notes the arrivals. A gate with a ``name`` marks what it forwards, so that faults injected with
``emu.inject(..., gate=name)`` apply to its requests only (:mod:`ssoenv.emulator.faults`).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from urllib.parse import parse_qsl, urlsplit

from ssoenv.emulator.faults import GATE_HEADER
from ssoenv.emulator.service import route
from ssoenv.emulator.wire import Request

MAX_HEAD = 64 * 1024
_HOP_HEADERS = (b"connection:", b"keep-alive:", b"proxy-connection:", GATE_HEADER.encode() + b":")


class Gate:
    """Forwards 127.0.0.1 connections to ``target`` (an ``http://127.0.0.1:PORT`` URL) until the
    request of operation ``close_after`` has passed (never when None); ``refuse``: closed from the start."""

    def __init__(
        self, target: str, *, close_after: str | None = None, refuse: bool = False, name: str | None = None
    ) -> None:
        parts = urlsplit(target)
        if parts.hostname is None or parts.port is None:
            raise ValueError(f"the gate's target must be http://HOST:PORT, not {target!r}")
        self._target = (parts.hostname, parts.port)
        self.close_after = close_after
        self.refuse = refuse
        self.name = name
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self.closed = threading.Event()
        self.arrivals: list[tuple[str, float]] = []  # (operation, time.monotonic()) of each request

    @property
    def forwarded(self) -> list[str]:
        """The operations that came through, in order."""
        return [op for op, _ in self.arrivals]

    def arrived(self, operation: str) -> float | None:
        """When the first request of ``operation`` came through (``time.monotonic()``), if it did."""
        return next((at for op, at in self.arrivals if op == operation), None)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Gate:
        if self.refuse:
            self.close()
        else:
            threading.Thread(target=self._accept, name="emulator-gate", daemon=True).start()
        return self

    def close(self) -> None:
        """Refuse every new connection from now on (connections being forwarded finish)."""
        if self.closed.is_set():
            return
        self.closed.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes accept(); the port stops listening
        self._listener.close()

    def stop(self) -> None:
        self.close()
        with self._lock:
            conns = list(self._open)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> Gate:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._forward, args=(conn,), name="emulator-gate-conn", daemon=True).start()

    def _forward(self, conn: socket.socket) -> None:
        with self._lock:
            self._open.add(conn)
        upstream: socket.socket | None = None
        try:
            head, rest = _read_head(conn)
            if head is None:
                return
            rest = _read_body(conn, head, rest)
            operation = _operation(head, rest)
            self.arrivals.append((operation, time.monotonic()))
            if operation == self.close_after:
                self.close()
            upstream = socket.create_connection(self._target, timeout=30)
            with self._lock:
                self._open.add(upstream)
            upstream.sendall(_rewrite(head, self.name) + rest)
            pump = threading.Thread(target=_pump, args=(conn, upstream), daemon=True)
            pump.start()
            _pump(upstream, conn)
            # one request per connection: the client sees the end now, rather than sending its
            # next request into a connection whose upstream is gone
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            pump.join(timeout=30)
        except OSError:
            pass
        finally:
            for sock in (conn, upstream):
                if sock is not None:
                    with self._lock:
                        self._open.discard(sock)
                    with contextlib.suppress(OSError):
                        sock.close()


def _read_head(conn: socket.socket) -> tuple[bytes | None, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk or len(data) > MAX_HEAD:
            return None, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head + b"\r\n\r\n", rest


def _headers(head: bytes) -> dict[str, str]:
    lines = head.decode("latin-1").split("\r\n")[1:]
    pairs = (line.partition(":") for line in lines if ":" in line)
    return {name.strip().lower(): value.strip() for name, _, value in pairs}


def _read_body(conn: socket.socket, head: bytes, rest: bytes) -> bytes:
    """The rest of a (small) body announced by Content-Length: the STS action is in it."""
    try:
        length = int(_headers(head).get("content-length", "0"))
    except ValueError:
        return rest
    while len(rest) < min(length, MAX_HEAD):
        chunk = conn.recv(65536)
        if not chunk:
            break
        rest += chunk
    return rest


def _operation(head: bytes, body: bytes) -> str:
    """The emulator's name of the request."""
    first = head.split(b"\r\n", 1)[0].decode("latin-1")
    method, _, rest = first.partition(" ")
    target = rest.rsplit(" ", 1)[0]
    parts = urlsplit(target)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    return route(Request(method, parts.path or "/", query, _headers(head), body))


def _rewrite(head: bytes, name: str | None) -> bytes:
    """The request head as forwarded: the emulator closes the connection after its answer, and
    the gate's name (if any) marks the request (a client's own mark is dropped)."""
    lines = head[:-4].split(b"\r\n")
    kept = [lines[0], *(ln for ln in lines[1:] if not ln.lower().startswith(_HOP_HEADERS))]
    if name is not None:
        kept.append(f"{GATE_HEADER}: {name}".encode("latin-1"))
    return b"\r\n".join([*kept, b"Connection: close"]) + b"\r\n\r\n"


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while True:
            chunk = src.recv(65536)
            if not chunk:
                break
            dst.sendall(chunk)
    except OSError:
        pass
    with contextlib.suppress(OSError):
        dst.shutdown(socket.SHUT_WR)
