"""Which commands note a use in the picker's history (use on both paths, console, exec, shell), which
do not (a failed command, the prompt's background refresh), and that a broken history breaks nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import BROWSER, Sandbox


@pytest.fixture
def logged_in(sandbox: Sandbox) -> Sandbox:
    assert sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
    return sandbox


def history(sandbox: Sandbox) -> Path:
    return Path(sandbox.env["XDG_STATE_HOME"]) / "ssoenv" / "history"


def uses(sandbox: Sandbox) -> list[tuple[str, str]]:
    """(directory, profile) of every line of the history."""
    path = history(sandbox)
    if not path.exists():
        return []
    return [tuple(line.split("\t")[2:]) for line in path.read_text().splitlines()]  # type: ignore[misc]


def test_the_sandbox_keeps_history_inside_itself(sandbox: Sandbox) -> None:
    assert history(sandbox).is_relative_to(sandbox.home)


def test_use_records_on_the_full_path_and_on_the_fast_path(logged_in: Sandbox) -> None:
    home = str(logged_in.home)
    full = logged_in.run(["use", "dev", "--shell", "bash"], env={"SSOENV_NO_FASTPATH": "1"})
    assert full.returncode == 0, full.stderr
    assert uses(logged_in) == [(home, "dev")]
    # cached now: served without click (the import log proves it) and noted all the same
    fast = logged_in.run(["use", "dev", "--shell", "bash"], env={"PYTHONPROFILEIMPORTTIME": "1"}, process=True)
    assert fast.returncode == 0 and "export SSOENV_PROFILE=dev" in fast.stdout
    assert "| click" not in fast.stderr and "ssoenv.ui.frecency" in fast.stderr
    assert uses(logged_in) == [(home, "dev"), (home, "dev")]


def test_failures_and_the_background_refresh_record_nothing(logged_in: Sandbox) -> None:
    assert logged_in.run(["use", "nosuch", "--shell", "bash"]).returncode == 3
    assert logged_in.run(["use", "legacy", "--shell", "bash", "--no-login"]).returncode == 4  # not logged in
    target = logged_in.home / ".aws" / "sso" / "ssoenv-run" / "refresh-1"
    out = logged_in.run(["_refresh", "bash", str(target), "dev"], process=True)
    assert out.returncode == 0 and "export SSOENV_PROFILE=dev" in target.read_text()
    assert uses(logged_in) == []


def test_exec_shell_and_console_record(logged_in: Sandbox) -> None:
    assert logged_in.run(["exec", "prod", "--", "true"]).returncode == 0
    shell = logged_in.run(["shell", "dev"], env={"SHELL": "/bin/sh"}, input="exit 0\n", process=True)
    assert shell.returncode == 0, shell.stderr
    assert logged_in.run(["console", "prod", "--print"]).returncode == 0
    home = str(logged_in.home)
    assert uses(logged_in) == [(home, "prod"), (home, "dev"), (home, "prod")]


def test_a_broken_history_never_breaks_use(logged_in: Sandbox) -> None:
    history(logged_in).mkdir(parents=True)  # a directory where the file belongs
    first = logged_in.run(["use", "dev", "--shell", "bash", "--quiet"])
    assert first.returncode == 0 and "export SSOENV_PROFILE=dev" in first.stdout and first.stderr == ""
    debug = logged_in.run(["use", "dev", "--shell", "bash", "--quiet"], env={"SSOENV_DEBUG": "1"})
    assert debug.returncode == 0 and "export SSOENV_PROFILE=dev" in debug.stdout
    said = [line for line in debug.stderr.splitlines() if "history" in line]
    assert len(said) == 1 and "could not record the use of dev" in said[0], debug.stderr
