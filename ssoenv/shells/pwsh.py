"""PowerShell (``pwsh``; ``powershell`` is an alias): verbatim single-quoted strings.

Inside ``'...'`` PowerShell interprets nothing except the quote itself, which is doubled. PowerShell
also accepts the Unicode single quotes U+2018, U+2019, U+201A and U+201B as quote characters, so
they are doubled too (otherwise ``it’s`` would end the string early).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from ssoenv.shells.base import Dialect, validate_key, validate_value

_QUOTES: Final = re.compile("(['\u2018\u2019\u201a\u201b])")


def pwsh_quote(value: str) -> str:
    validate_value(value)
    return "'" + _QUOTES.sub(r"\1\1", value) + "'"


class Pwsh(Dialect):
    name = "pwsh"
    aliases = ("powershell",)
    hook_script = "ssoenv.ps1"
    completion_script = "ssoenv.ps1"

    def quote(self, value: str) -> str:
        return pwsh_quote(value)

    def set(self, key: str, value: str) -> str:
        return f"$Env:{validate_key(key)} = {self.quote(value)}"

    def unset(self, key: str) -> str:
        return f"Remove-Item -LiteralPath Env:{validate_key(key)} -ErrorAction SilentlyContinue"

    def command(self, argv: Sequence[str]) -> str:
        # `& 'program' 'arg' ...`: the call operator runs a quoted path
        return "& " + super().command(argv)
