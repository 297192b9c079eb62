"""Time spent waiting for a person does not count against SSOENV_TIMEOUT: a guarded profile
answered after the whole budget (3 s; a loaded machine needs about 1 s of it to start) has passed
still gets its credentials (seen: a `.ssoenv` switch into a guarded profile failed with "no time
left" after the person typed the name)."""

from __future__ import annotations

import sys
import time
from typing import Any

import pexpect
import pytest

from .conftest import BROWSER, guarded_config

pytestmark = pytest.mark.interactive


def test_the_answer_to_a_guard_is_not_network_time(sandbox: Any) -> None:
    sandbox.write_config(guarded_config())
    assert sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
    env = {**sandbox.env, "SSOENV_TIMEOUT": "3", "SSOENV_NO_FASTPATH": "1"}
    out = sandbox.home / "code"
    command = f"'{sys.executable}' -m ssoenv use prod --shell bash > '{out}'"  # the code is for eval
    child = pexpect.spawn("/bin/sh", ["-c", command], env=env, encoding="utf-8", timeout=30)
    try:
        child.expect_exact("account id (222222222222): ")
        time.sleep(3.5)  # the person reads, thinks, types: longer than the whole budget
        child.sendline("prod")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, child.before
    assert "no time left" not in child.before
    assert "AWS_SECRET_ACCESS_KEY=" in out.read_text()
