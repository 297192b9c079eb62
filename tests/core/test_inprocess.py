"""The in-process tier says what a real process says: same stdout, stderr and exit status.

If this fails, ``tests/inprocess.py`` no longer resets something a fresh interpreter would not
carry over, and every in-process test is in doubt.
"""

from __future__ import annotations

import sys
import threading

import pytest

from tests.conftest import BROWSER, Sandbox
from tests.inprocess import run_cli

CASES = [
    ["list", "--json"],
    ["list"],
    ["use", "dev", "--shell", "bash", "--no-login"],  # not logged in: exit 4, one line
    ["export", "dev", "--format", "env"],
    ["use", "nope", "--shell", "fish"],
    ["frobnicate"],
    ["export", "dev", "--format", "yaml"],
    ["--version"],
    ["hook", "zsh"],
    ["off", "--shell", "bash"],
]


@pytest.mark.parametrize("args", CASES, ids=" ".join)
def test_same_answer_in_and_out_of_process(sandbox: Sandbox, args: list[str]) -> None:
    inside = sandbox.run(args, process=False)
    outside = sandbox.run(args, process=True)
    assert (inside.returncode, inside.stdout, inside.stderr) == (outside.returncode, outside.stdout, outside.stderr)


def test_same_answer_after_a_login(sandbox: Sandbox) -> None:
    assert sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
    for args in (["use", "dev", "--shell", "fish"], ["export", "dev", "--format", "dotenv"], ["list", "--json"]):
        inside, outside = sandbox.run(args, process=False), sandbox.run(args, process=True)
        assert inside.returncode == outside.returncode == 0, (inside.stderr, outside.stderr)
        assert inside.stdout == outside.stdout
        assert inside.stderr.replace("59m", "1h00m") == outside.stderr.replace("59m", "1h00m")  # minutes tick


def test_the_environment_and_cwd_are_restored(sandbox: Sandbox) -> None:
    import os

    before = (dict(os.environ), os.getcwd(), sys.argv[:], sys.stdout)
    sandbox.run(["list"], env={"SSOENV_MARK": "1"})
    assert (dict(os.environ), os.getcwd(), sys.argv[:], sys.stdout) == before


def test_one_call_at_a_time(sandbox: Sandbox) -> None:
    from tests import inprocess

    held, release = threading.Event(), threading.Event()

    def hold() -> None:  # another thread is inside the runner
        with inprocess._ONE_AT_A_TIME:
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert held.wait(10)
        with pytest.raises(RuntimeError, match="one call at a time"):
            run_cli(["list"], env=sandbox.env)
    finally:
        release.set()
        thread.join()
