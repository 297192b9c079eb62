"""PowerShell, as text (no pwsh here): the directory switch's code parses, in the hook and in what
`ssoenv _dir --shell pwsh` prints; what it does in pwsh is verified only by reading (README)."""

from __future__ import annotations

import re
from typing import Any

from ssoenv.shells import get_dialect
from tests.live.conftest import BROWSER
from tests.shells.pwsh_parse import assert_parses

from .test_commands import project, stamp


def function_body(script: str, name: str) -> str:
    start = script.index(f"function global:{name}")
    end = script.find("\nfunction global:", start + 1)
    return script[start:end]


def test_the_hook_parses_and_looks_without_a_process() -> None:
    script = get_dialect("pwsh").hook(["/opt/ssoenv/bin/ssoenv"], completion=False)
    assert_parses(script)
    check = function_body(script, "_ssoenv_dir_check")
    # the upward search: .NET calls only; the program runs only in _ssoenv_dir_push
    assert "[System.IO.File]::Exists(" in check
    assert not re.search(r"_ssoenv_exe|Start-Process|Get-ChildItem|Test-Path|& ", check)
    assert "@('_dir', 'pwsh', $File, $global:_ssoenv_dir_stamp)" in function_body(script, "_ssoenv_dir_push")
    assert "_ssoenv_dir_check" in function_body(script, "_ssoenv_hook")


def test_what_the_helper_prints_for_pwsh_parses(sandbox: Any) -> None:
    file = project(sandbox, "profile = dev\nregion = ap-south-1\n")
    untrusted = sandbox.run(["_dir", "pwsh", str(file), stamp(sandbox)])
    assert "$global:_ssoenv_dir_st = 'untrusted'" in untrusted.stdout
    assert sandbox.run(["allow", str(file.parent)]).returncode == 0
    pending = sandbox.run(["_dir", "pwsh", str(file), stamp(sandbox)])
    assert "$global:_ssoenv_dir_st = 'pending'" in pending.stdout
    assert sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
    # a value with quotes (PowerShell's and the typographic ones) in what must be restored
    applied = sandbox.run(["_dir", "pwsh", str(file), stamp(sandbox)], env={"AWS_PROFILE": "it's \u2019odd\u2018"})
    assert "$global:_ssoenv_dir_st = 'applied'" in applied.stdout
    assert "$Env:SSOENV_PROFILE = 'dev'" in applied.stdout
    for out in (untrusted.stdout, pending.stdout, applied.stdout):
        assert_parses(out)
    restore = re.search(r"^\$global:_ssoenv_dir_r = ('(?:[^']|'')*')$", applied.stdout, re.M | re.S)
    assert restore is not None
    inner = (
        restore.group(1)[1:-1].replace("''", "'").replace("\u2019\u2019", "\u2019").replace("\u2018\u2018", "\u2018")
    )
    assert_parses(inner)
    assert "$Env:AWS_PROFILE = 'it''s \u2019\u2019odd\u2018\u2018'" in inner
