"""Keep a :class:`~ssoenv.features.serve.CredentialServer` running: in the foreground, or in the background
for the lifetime of the shell that started it.

Background: the listening socket is bound before the fork, so the address printed by the parent
is valid at once (connections queue until the child accepts them). The child leaves the
terminal's session, lets go of stdin/stdout (``eval "$(...)"`` waits for stdout to close) and of
stderr unless it is a terminal, then serves until SIGTERM/SIGINT/SIGHUP or until the shell that
ran ``ssoenv serve`` is gone.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Mapping
from types import FrameType

from ssoenv.features.serve import CredentialServer

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
WATCH_INTERVAL = 0.5


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _wait(stop: threading.Event, watch_pid: int | None) -> None:
    while not stop.wait(WATCH_INTERVAL):
        if watch_pid is not None and not _alive(watch_pid):
            return


def run_foreground(server: CredentialServer, *, watch_pid: int | None = None) -> None:
    """Serve until SIGTERM/SIGINT/SIGHUP (or until ``watch_pid`` exits), then stop cleanly."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in STOP_SIGNALS}
    try:
        server.start()
        _wait(stop, watch_pid)
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _detach_stdio() -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    if not os.isatty(2):
        os.dup2(devnull, 2)
    os.close(devnull)


def calling_shell(environ: Mapping[str, str]) -> int:
    """The shell the endpoint ends with: the one the hook's wrapper names (``SSOENV_SHELL_PID``, its
    ``$$``: in ``eval "$(ssoenv serve P)"`` the wrapper runs in a subshell that ends at once) when it
    is an ancestor of this process, else the parent."""
    parent = os.getppid()
    named = environ.get("SSOENV_SHELL_PID", "")
    if not named.isdigit() or int(named) <= 1:
        return parent
    pid = parent
    for _ in range(8):  # the subshell's parent, or a few levels up
        if pid == int(named):
            return pid
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
                pid = int(fh.read().rsplit(")", 1)[1].split()[1])  # its parent: the field after the state
        except (OSError, ValueError, IndexError):
            break
    if not os.path.isdir("/proc") and _alive(int(named)):
        return int(named)  # no process table to check (macOS): the wrapper's word
    return parent


def run_background(server: CredentialServer, *, shell_pid: int | None = None) -> int:
    """Fork; the child serves until the calling shell (``shell_pid``, default: the parent) exits.
    Returns the child's pid (in the parent)."""
    shell_pid = os.getppid() if shell_pid is None else shell_pid
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        server.stop()  # the parent's copy of the listening socket; the child keeps its own
        return pid
    code = 0
    try:
        os.setsid()
        _detach_stdio()
        run_foreground(server, watch_pid=shell_pid)
    except BaseException:
        code = 1
    finally:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os._exit(code)
