"""The standard streams: closed ones made harmless, and the one way data is written to stdout.

``ssoenv use P >&-`` or ``configure <&-`` start the program with a standard descriptor closed:
the next file opened would silently become fd 0, 1 or 2 (a config file written to as stdout!), and
Python sets ``sys.stdout`` to None. :func:`guard` puts ``/dev/null`` in every closed slot first
and remembers that stdout was closed, so that :func:`write_stdout` can refuse with one line.

:func:`write_stdout` writes text byte for byte (no ANSI stripping as ``click.echo`` does when
stdout is not a terminal) in one piece; the commands call it last, once everything else has
succeeded, so a failing command prints nothing on stdout.
"""

from __future__ import annotations

import os
import sys

from ssoenv.errors import StdoutClosed as StdoutClosed  # re-exported; defined in errors.py with every error

_closed: set[int] = set()


def guard() -> None:
    """Fill closed descriptors 0, 1, 2 with ``/dev/null`` (remembered) and give Python streams for them."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
            _closed.add(fd)
    if sys.stdin is None:
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 - lives as long as the process
    if sys.stdout is None:
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    if sys.stderr is None:
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115


def stdout_closed() -> bool:
    return 1 in _closed


def write_stdout(text: str) -> None:
    """``text`` on stdout exactly as given (UTF-8), flushed. SsoenvError when stdout was closed."""
    if not text:
        return
    if stdout_closed():
        raise StdoutClosed(
            "stdout is closed: the output has nowhere to go; nothing was written",
            hint="run the command without closing stdout (>&-)",
        )
    data = text.encode("utf-8", "surrogateescape")
    out = sys.stdout
    buffer = getattr(out, "buffer", None)
    out.flush()
    if buffer is not None:
        buffer.write(data)
        buffer.flush()
    else:  # a text-only stream (tests)
        out.write(text)
        out.flush()
