"""Run a command as our child and pass everything through, for ``exec --live`` / ``shell --live``.

Unlike plain ``exec`` (which replaces ssoenv), a live endpoint needs ssoenv to stay alive for the
command's lifetime. The command shares our terminal, stdin/stdout/stderr and process group:

- Ctrl-C / Ctrl-\\ reach it straight from the terminal (it is in the foreground process group);
  we only note them, so the command decides what they do (a shell ignores them);
- SIGTERM, SIGHUP, SIGUSR1, SIGUSR2 sent to us are forwarded to it;
- Ctrl-Z stops both of us (default handling), ``fg`` continues both;
- when it exits we reap it (no zombie) and report its status; a command killed by a signal
  makes us die of the same signal, so the caller's shell sees exactly what it would have seen.

Caught signals are reset to their defaults by ``exec``, so the command starts with default
dispositions (never an inherited "ignore").
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from types import FrameType

FORWARDED = (signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2)
TERMINAL = (signal.SIGINT, signal.SIGQUIT)  # the terminal sends these to the child itself
WAIT_SLICE = 0.25  # seconds: the longest a signal handed to another thread waits to be forwarded


@contextlib.contextmanager
def _signals(child: list[subprocess.Popen[bytes]], pending: list[int]) -> Iterator[None]:
    def forward(signum: int, frame: FrameType | None) -> None:
        if not child:  # between fork and our noting the child: deliver it once we have
            pending.append(signum)
            return
        with contextlib.suppress(ProcessLookupError):
            child[0].send_signal(signum)

    def note(signum: int, frame: FrameType | None) -> None:
        pass

    previous = {}
    for sig in FORWARDED:
        previous[sig] = signal.signal(sig, forward)
    for sig in TERMINAL:
        previous[sig] = signal.signal(sig, note)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run(argv: Sequence[str], env: Mapping[str, str]) -> int:
    """Run ``argv`` with ``env``; its exit status (negative: killed by that signal).

    Raises OSError (FileNotFoundError, PermissionError) when it cannot be started.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    holder: list[subprocess.Popen[bytes]] = []
    pending: list[int] = []
    with _signals(holder, pending):
        proc = subprocess.Popen(list(argv), env=dict(env))
        holder.append(proc)
        while pending:  # a signal that came while the child was being started
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(pending.pop(0))
        while True:
            # never a wait without end: the kernel may hand a signal sent to us to one of the
            # endpoint's threads, which does not interrupt this one; Python runs the handler here,
            # in the main thread, within a slice (seen: SIGTERM not forwarded for 20 s under load)
            try:
                return proc.wait(WAIT_SLICE)
            except subprocess.TimeoutExpired:
                continue
            except KeyboardInterrupt:  # pragma: no cover - SIGINT is caught above
                continue


def exit_like(status: int) -> int:
    """Turn a child's status into ours: die of the same signal, else return the exit code."""
    if status >= 0:
        return status
    signum = -status
    if signum == signal.SIGKILL:
        os.kill(os.getpid(), signum)
    with contextlib.suppress(OSError, ValueError):
        signal.signal(signum, signal.SIG_DFL)
        sys.stdout.flush()
        sys.stderr.flush()
        os.kill(os.getpid(), signum)
    return 128 + signum  # the signal did not end us (it is ignored or blocked)
