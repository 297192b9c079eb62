"""`ssoenv use` with no profile on a terminal: a type-to-filter picker, output still only for eval."""

from __future__ import annotations

import sys

import pexpect

from tests.conftest import BROWSER, Sandbox, require_program


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


def test_use_logs_in_through_the_hook_wrapper_without_polluting_eval(sandbox: Sandbox) -> None:
    """No session yet: `ssoenv use dev` (hook wrapper) logs in on stderr/tty, then the shell has the role."""
    bash = require_program("bash")
    hook = sandbox.run(["hook", "bash"])
    assert hook.returncode == 0, hook.stderr
    rc = sandbox.home / "rc.bash"
    rc.write_text(hook.stdout + "\nPS1='P''> '\n")
    child = pexpect.spawn(
        bash,
        ["--noprofile", "--rcfile", str(rc), "-i"],
        env={**sandbox.env, "BROWSER": BROWSER},
        encoding="utf-8",
        timeout=30,
        dimensions=(30, 250),
    )
    child.expect("P> ")
    child.sendline("ssoenv use dev")
    child.expect("logging in to")
    child.expect("using dev")
    child.expect("P> ")
    child.sendline("echo acct=$SSOENV_ACCOUNT_ID key=${AWS_ACCESS_KEY_ID:0:4} prof=[${AWS_PROFILE-}]")
    child.expect(r"acct=111111111111 key=ASIA prof=\[\]")
    child.sendline("exit")
    child.expect(pexpect.EOF)
