"""stdout is code or data, byte for byte, and only on success; closed standard streams are one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BROWSER, Sandbox, require_program

RED = "\x1b[31mred"


@pytest.fixture
def logged_in(sandbox: Sandbox) -> Sandbox:
    sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}, check=True)
    with sandbox.config_file.open("a") as f:
        f.write(f"\n[profile {RED}]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = ReadOnly\n")
    return sandbox


def bash(sandbox: Sandbox, script: str) -> subprocess.CompletedProcess[str]:
    program = require_program("bash")
    env = {**sandbox.env, "PATH": f"{Path(sys.executable).parent}:{sandbox.env['PATH']}"}
    return subprocess.run(
        [program, "-c", script], env=env, capture_output=True, text=True, timeout=60, cwd=sandbox.home
    )


def test_escape_sequences_survive_every_path(logged_in: Sandbox) -> None:
    """First use (full path), use again (fast path), export, off: values are the bytes they were."""
    proc = bash(
        logged_in,
        r"""
        export AWS_PROFILE=$'\e[1mold\e[0m'
        red=$'\e[31mred'
        eval "$(ssoenv use "$red" --shell bash --no-login)" || exit 11
        [ "$SSOENV_PROFILE" = "$red" ] || exit 12
        eval "$(ssoenv use "$red" --shell bash --no-login)" || exit 13
        [ "$SSOENV_PROFILE" = "$red" ] || exit 14
        eval "$(ssoenv off --shell bash)" || exit 15
        [ "$AWS_PROFILE" = $'\e[1mold\e[0m' ] || exit 16
        ssoenv list --json | grep -q '\\u001b\[31mred' || exit 17
        """,
    )
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize(
    "args",
    [["use", "dev", "--shell", "bash", "--no-login"], ["list"], ["export", "dev", "--no-login"]],
)
def test_closed_stdout_is_one_line_and_a_failure(logged_in: Sandbox, args: list[str]) -> None:
    proc = bash(logged_in, "ssoenv " + " ".join(args) + " >&-")
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[-1].startswith("ssoenv: stdout is closed")
    assert "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) <= 2


def test_closed_stdin_is_no_traceback(logged_in: Sandbox) -> None:
    proc = bash(logged_in, "ssoenv configure <&-")
    assert proc.returncode not in (0, 1) or "internal error" not in proc.stderr
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr and "AttributeError" not in proc.stderr
    assert sum(line.startswith("ssoenv:") for line in proc.stderr.splitlines()) == 1


def test_closed_stderr_fast_path(logged_in: Sandbox) -> None:
    logged_in.run(["export", "dev", "--no-login"], check=True)  # cached: the fast path serves use
    ok = bash(logged_in, "ssoenv use dev --shell bash 2>&-; echo rc=$?")
    assert "export AWS_ACCESS_KEY_ID=" in ok.stdout and ok.stdout.rstrip().endswith("rc=0")
    failed = bash(logged_in, "ssoenv use nosuch --shell bash 2>&-; echo rc=$?")
    assert failed.stdout == "rc=3\n"


def test_a_failing_use_prints_nothing(logged_in: Sandbox) -> None:
    assert logged_in.emulator is not None
    logged_in.emulator.inject("GetRoleCredentials", kind="html", count=5)
    proc = logged_in.run(["use", "dev", "--shell", "bash", "--no-login"])
    assert proc.returncode == 6 and proc.stdout == ""
