"""fish: single quotes in which only ``\\\\`` and ``\\'`` are escapes, ``set -gx -- K V`` / ``set -e -g K``.

``shlex.quote`` is wrong for fish: fish treats ``\\\\`` and ``\\'`` as escapes even inside single
quotes, so ``shlex.quote('x\\\\')`` is a syntax error and ``a\\'b`` changes meaning. Control
characters are written as escapes outside the quotes (``'a'\\n'b'``), so every statement stays on
one line and the wrapper can capture the output as a list of lines.
"""

from __future__ import annotations

import re
from typing import Final

from ssoenv.shells.base import Dialect, validate_key, validate_value

_BARE: Final = re.compile(r"[A-Za-z0-9_@+:,./-]+\Z")
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
_NAMED: Final = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\x1b": "\\e"}


def _escape_control(match: re.Match[str]) -> str:
    char = match.group()
    return "'" + _NAMED.get(char, f"\\x{ord(char):02x}") + "'"


def fish_quote(value: str) -> str:
    validate_value(value)
    if _BARE.match(value):
        return value
    inner = value.replace("\\", "\\\\").replace("'", "\\'")
    quoted = "'" + _CONTROL.sub(_escape_control, inner) + "'"
    # drop the empty '' pairs left around escapes at the ends ('' alone stays: the empty string)
    if len(quoted) > 2:
        if quoted.startswith("''"):
            quoted = quoted[2:]
        if quoted.endswith("''") and not quoted.endswith("\\''"):
            quoted = quoted[:-2]
    return quoted


class Fish(Dialect):
    name = "fish"
    hook_script = "ssoenv.fish"
    completion_script = "ssoenv.fish"

    def quote(self, value: str) -> str:
        return fish_quote(value)

    def set(self, key: str, value: str) -> str:
        return f"set -gx -- {validate_key(key)} {self.quote(value)}"

    def unset(self, key: str) -> str:
        return f"set -e -g -- {validate_key(key)}"
