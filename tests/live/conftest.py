"""Fixtures for the live-credential tests: a sandbox that is logged in to the emulator."""

from __future__ import annotations

import pytest

from tests.conftest import BROWSER, Sandbox


@pytest.fixture
def logged_in(sandbox: Sandbox) -> Sandbox:
    proc = sandbox.run(["login", "dev"], env={"BROWSER": BROWSER})
    assert proc.returncode == 0, proc.stderr
    return sandbox
