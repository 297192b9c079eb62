"""The CLI's one table (ssoenv.front.clispec) against what else names verbs, formats and shells.

Its equality with click's real commands is tests/shells/test_completion.py's drift test.
"""

from __future__ import annotations

from ssoenv.front import clispec, fastpath
from ssoenv.shells import DIALECTS, exportfmt, shell_names


def test_every_export_format_has_a_renderer() -> None:
    assert set(exportfmt._RENDERERS) == set(clispec.EXPORT_FORMATS)


def test_shell_names_are_the_dialects() -> None:
    assert set(clispec.DIALECT_NAMES) == set(shell_names())
    assert set(clispec.SHELLS) == {n for n in shell_names() if n in DIALECTS and DIALECTS[n].hook_script} | {
        "powershell"
    }


def test_fast_path_knows_every_spelling_of_what_it_serves() -> None:
    assert fastpath._FLAGS["use"] == {"--no-login": "no_login", "-q": "quiet", "--quiet": "quiet"}
    assert fastpath._VALUED == {"use": {"--shell": "shell"}, "export": {"--format": "format"}}
    assert fastpath._parse("use", ["-q", "--shell=fish", "dev"]) == {"quiet": True, "shell": "fish", "profile": "dev"}
    assert fastpath._parse("use", ["--refresh", "dev"]) is None  # not served: the full command runs
