"""A sandbox whose prod profile is guarded, logged in to the emulator (sso-session corp)."""

from __future__ import annotations

import textwrap

import pytest

from tests.conftest import Sandbox, standard_config
from tests.live.conftest import BROWSER

__all__ = ["BROWSER", "guarded_config"]


def guarded_config(extra_session: str = "") -> str:
    """The standard config with ``ssoenv_guard = confirm`` on prod (and ``extra_session`` in corp)."""
    text = textwrap.dedent(standard_config()).lstrip("\n")
    text = text.replace("region = us-east-2\n", "region = us-east-2\nssoenv_guard = confirm\n")
    return text + extra_session


@pytest.fixture
def guarded(sandbox: Sandbox) -> Sandbox:
    sandbox.write_config(guarded_config())
    proc = sandbox.run(["login", "dev"], env={"BROWSER": BROWSER})
    assert proc.returncode == 0, proc.stderr
    return sandbox
