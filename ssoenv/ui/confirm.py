"""The question a guarded profile asks (``ssoenv.config.guard``): on stderr, the answer read from the terminal.

Nothing goes to stdout (``use`` runs inside ``$(...)``); the typed answer is echoed by the
terminal as typed. End of input is an empty answer (refused by the policy).
"""

from __future__ import annotations

import os
import sys


def terminal_present() -> bool:
    """A person can be asked: stdin and stderr are a terminal."""
    try:
        return sys.stdin.isatty() and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def ask_line(question: str) -> str:
    """Show ``question`` on stderr (red where colours are welcome) and return the line typed."""
    colour = os.environ.get("TERM", "dumb") != "dumb" and not os.environ.get("NO_COLOR")
    sys.stderr.write(f"\x1b[1;31m{question}\x1b[0m" if colour else question)
    sys.stderr.flush()
    line = sys.stdin.readline()
    return line.rstrip("\r\n")
