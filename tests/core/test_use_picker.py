"""`ssoenv use` with no profile on a terminal: a type-to-filter picker, output still only for eval."""

from __future__ import annotations

import sys

import pexpect

from tests.conftest import Sandbox, require_program

BROWSER = f"{sys.executable} -m ssoenv.emulator.browser %s"


def test_picker_chooses_by_typing(sandbox: Sandbox) -> None:
    bash = require_program("bash")
    assert sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
    child = pexpect.spawn(
        bash,
        [
            "--norc",
            "--noprofile",
            "-c",
            f"out=$({sys.executable} -m ssoenv use --shell bash --quiet); "
            'echo "rc=$? [$(printf %s "$out" | grep SSOENV_PROFILE)]"',
        ],
        env=sandbox.env,
        encoding="utf-8",
        timeout=30,
        dimensions=(30, 200),
    )
    child.expect("Use which profile")
    child.expect("dev")
    child.send("pro")  # filter: only prod matches
    child.expect("1 of 3")
    child.send("\r")
    child.expect(r"rc=0 \[export SSOENV_PROFILE=prod\]")
    child.expect(pexpect.EOF)


def test_picker_escape_changes_nothing(sandbox: Sandbox) -> None:
    bash = require_program("bash")
    child = pexpect.spawn(
        bash,
        ["--norc", "--noprofile", "-c", f'out=$({sys.executable} -m ssoenv use --shell bash); echo "rc=$? [$out]"'],
        env=sandbox.env,
        encoding="utf-8",
        timeout=30,
        dimensions=(30, 200),
    )
    child.expect("Use which profile")
    child.send("\x1b")
    child.expect(r"rc=130 \[\]")
    child.expect(pexpect.EOF)
