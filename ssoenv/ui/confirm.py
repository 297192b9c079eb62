"""Questions asked of the person on the terminal: the prompt on stderr, the answer read from stdin.

Nothing goes to stdout (``use`` runs inside ``$(...)``); the typed answer is echoed by the
terminal as typed. :func:`ask_line` is the question a guarded profile asks (``ssoenv.config.guard``:
end of input is an empty answer, refused by the policy); :func:`read_answer` and :func:`yes_no` are
the plain questions of ``configure``, ``populate`` and ``demo`` (end of input: ``Interrupted``).
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator

import ssoenv
from ssoenv.ui.status import paint


def terminal_present() -> bool:
    """A person can be asked: stdin and stderr are a terminal."""
    try:
        return sys.stdin.isatty() and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _ask(question: str) -> str | None:
    begin = time.monotonic()
    try:
        with _line_mode():  # before the question: what is typed once it shows is read as a line
            sys.stderr.write(question)
            sys.stderr.flush()
            line = sys.stdin.readline()
    finally:
        ssoenv.waited_for_person(begin)
    return line.rstrip("\r\n") if line else None


def ask_line(question: str) -> str:
    """Show ``question`` on stderr (red where colours are welcome) and return the line typed."""
    return _ask(paint(question, "1;31")) or ""


def read_answer(prompt: str) -> str:
    """The line typed after ``prompt``, stripped; raises Interrupted at the end of input."""
    line = _ask(prompt)
    if line is None:
        from ssoenv.errors import Interrupted

        sys.stderr.write("\n")
        raise Interrupted("no answer (end of input)")
    return line.strip()


def yes_no(question: str, *, default: bool) -> bool:
    """``question [Y/n]:`` until the answer is yes or no (ENTER: ``default``)."""
    hint = "Y/n" if default else "y/N"
    while True:
        answer = read_answer(f"{question} [{hint}]: ").lower()
        if not answer:
            return default
        if answer in ("y", "yes"):
            return True
        if answer in ("n", "no"):
            return False


@contextlib.contextmanager
def _line_mode() -> Iterator[None]:
    """The terminal in line mode (echo, Enter ends the line, Ctrl-C) while the answer is typed: a
    prompt hook (fish's) may ask while the shell holds the terminal in its own raw mode."""
    try:
        import termios

        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd)
    except Exception:  # not a terminal (termios.error), no fileno, no termios: read as it is
        yield
        return
    wanted = list(saved)
    wanted[0] |= termios.ICRNL
    wanted[3] |= termios.ICANON | termios.ECHO | termios.ISIG
    try:
        if wanted != saved:
            termios.tcsetattr(fd, termios.TCSANOW, wanted)
        yield
    finally:
        if wanted != saved:
            with contextlib.suppress(Exception):
                termios.tcsetattr(fd, termios.TCSANOW, saved)
