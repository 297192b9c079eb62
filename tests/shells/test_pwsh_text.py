"""PowerShell, checked as text: pwsh cannot be installed here. Every PowerShell script and every
`--shell pwsh` output is parsed with tree-sitter-powershell (no ERROR / MISSING node); the hook's
behaviour in pwsh (the same changes as in bash, zsh and fish) is checked by reading its text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ssoenv.paths import data_dir
from ssoenv.shells import get_dialect

from .pwsh_parse import assert_parses, syntax_errors


def test_the_parser_finds_errors() -> None:
    """The check can fail: broken PowerShell is reported."""
    assert syntax_errors("$Env:A = 'unclosed\n")
    assert syntax_errors("function f { if ($true) { 'x' }\n")
    assert syntax_errors("foreach ($x in @(1,2) { }\n")
    assert not syntax_errors("$Env:A = 'it''s'\nRemove-Item -LiteralPath Env:B -ErrorAction SilentlyContinue\n")


@pytest.mark.parametrize("kind", ["shell", "completions"])
def test_scripts_parse(kind: str) -> None:
    assert_parses((data_dir(kind) / "ssoenv.ps1").read_text())


@pytest.mark.parametrize(
    "exe",
    [["/usr/bin/ssoenv"], ["/opt/my tools/it's/python3", "-m", "ssoenv"], ["C:\\Program Files\\ssoenv\\ssoenv.exe"]],
)
def test_filled_in_hook_parses(exe: list[str], tmp_path: Path) -> None:
    text = get_dialect("pwsh").hook(exe, runtime=str(tmp_path / "run ‘x’ $y"))
    assert "__SSOENV_" not in text
    assert_parses(text)


def test_outputs_parse(sandbox: Any) -> None:
    """use / off / export / emulator --background for pwsh, as the commands print them."""
    sandbox.emulator.config.approve = "preapproved"
    assert sandbox.run(["login", "dev", "--use-device-code", "--no-browser"]).returncode == 0
    env = {"AWS_PROFILE": "it's ‘x’ $(y)", "AWS_REGION": "xx-old-1"}
    use = sandbox.run(["use", "dev", "--shell", "pwsh"], env=env)
    assert use.returncode == 0 and "$Env:AWS_ACCESS_KEY_ID = '" in use.stdout
    assert_parses(use.stdout)
    used = dict(env)
    for line in use.stdout.splitlines():  # what the session holds after `use` (for `off`)
        m = re.match(r"\$Env:(\w+) = '(.*)'$", line)
        if m:
            used[m.group(1)] = m.group(2).replace("''", "'")
    off = sandbox.run(["off", "--shell", "powershell"], env={**used, "AWS_PROFILE": ""})
    assert off.returncode == 0 and "Remove-Item -LiteralPath Env:" in off.stdout
    assert_parses(off.stdout)
    export = sandbox.run(["export", "dev", "--format", "powershell"])
    assert export.returncode == 0 and export.stdout
    assert_parses(export.stdout)


def test_background_refresh_handoff_parses(sandbox: Any) -> None:
    """What `ssoenv _refresh pwsh` writes for the prompt to run."""
    sandbox.emulator.config.approve = "preapproved"
    assert sandbox.run(["login", "dev", "--use-device-code", "--no-browser"]).returncode == 0
    folder = sandbox.home / ".aws" / "sso" / "ssoenv-run"
    for profile, status in (("dev", 0), ("nosuch", 3)):
        target = folder / f"refresh-{status}.ps1"
        out = sandbox.run(["_refresh", "pwsh", str(target), profile], process=True)
        assert out.returncode == 0 and out.stdout == "" and out.stderr == ""
        text = target.read_text()
        assert text.endswith(f"$global:_ssoenv_bg_rc = {status}\n")
        assert ("$Env:AWS_SESSION_TOKEN = '" in text) == (status == 0)
        assert target.stat().st_mode & 0o777 == 0o600 and folder.stat().st_mode & 0o777 == 0o700
        assert_parses(text)


def test_hook_has_the_same_changes_as_the_other_shells() -> None:
    """Read, not run: the pwsh hook does what the bash/zsh/fish hooks do (see README)."""
    text = (data_dir("shell") / "ssoenv.ps1").read_text()
    # item 1: piped on, or inside Invoke-Expression (...), the wrapper passes the code on
    assert "$MyInvocation.PipelinePosition -lt $MyInvocation.PipelineLength" in text
    assert "Invoke-Expression|\\biex\\b" in text
    # item 3: the refresh is a background process; its result is picked up at a later prompt
    assert "'_refresh', 'pwsh'" in text and "[System.Diagnostics.Process]::Start" in text
    assert "function global:_ssoenv_pickup" in text and "WriteAllText($file, '')" in text
    assert "--no-login" not in text  # no network call from the prompt itself
    # item 2: the segment is computed at each prompt, never stored in a saved prompt; starship's own
    assert "$env:STARSHIP_SHELL" in text
    # item 4: hints that work; the program knows the hook is there
    assert "$env:SSOENV_HOOK = 'pwsh'" in text
    assert "has expired or was revoked; run ``ssoenv login $shown``" in text
