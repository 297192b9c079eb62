"""bash and zsh: POSIX single quotes, ``export K=V`` / ``unset -v K``.

Inside single quotes neither shell interprets anything, so a value is wrapped in ``'...'`` and
each ``'`` in it becomes ``'\\''`` (close, escaped quote, reopen). Newlines stay literal inside the
quotes, which ``eval`` handles. The escape never produces ``''`` inside a quoted string, so zsh's
``RC_QUOTES`` option does not change the meaning (a test runs zsh with it set).

A word made only of characters that no POSIX shell treats specially is left bare. ``=`` and ``~``
are not among them: zsh expands ``=cmd`` and both shells expand ``~`` after ``=``/``:`` in
assignments.
"""

from __future__ import annotations

import re
from typing import Final

from ssoenv.shells.base import Dialect, validate_key, validate_value

_BARE: Final = re.compile(r"[A-Za-z0-9_@%+:,./-]+\Z")


def posix_quote(value: str) -> str:
    validate_value(value)
    if _BARE.match(value):
        return value
    return "'" + value.replace("'", "'\\''") + "'"


class PosixDialect(Dialect):
    def quote(self, value: str) -> str:
        return posix_quote(value)

    def set(self, key: str, value: str) -> str:
        return f"export {validate_key(key)}={self.quote(value)}"

    def unset(self, key: str) -> str:
        return f"unset -v {validate_key(key)}"


class Bash(PosixDialect):
    name = "bash"
    hook_script = "ssoenv.bash"
    completion_script = "ssoenv.bash"


class Zsh(PosixDialect):
    name = "zsh"
    hook_script = "ssoenv.zsh"
    completion_script = "ssoenv.zsh"
