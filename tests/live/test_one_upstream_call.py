"""D: many callers on a cold role cache make one GetRoleCredentials (a lock per role-cache key)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import Sandbox


def test_twenty_concurrent_cold_use_make_one_get_role_credentials(logged_in: Sandbox) -> None:
    emu = logged_in.emulator
    assert emu is not None
    emu.set_latency(0.2)  # widen the window in which the processes overlap
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "ssoenv", "use", "dev", "--shell", "bash", "--no-login", "-q"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=logged_in.env,
            cwd=logged_in.home,
        )
        for _ in range(20)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 20, [err for _, err in outputs]
    keys = {line for out, _ in outputs for line in out.splitlines() if "AWS_ACCESS_KEY_ID" in line}
    assert len(keys) == 1  # every process got the same credentials
    assert emu.calls("GetRoleCredentials") == 1
    assert not [p for p in (logged_in.cli_cache.iterdir()) if p.name.endswith(".tmp")]


def test_roles_do_not_share_a_lock(logged_in: Sandbox) -> None:
    """dev and prod have different role-cache keys: each gets its own call."""
    for name in ("dev", "prod", "dev", "prod"):
        assert logged_in.run(["use", name, "--shell", "bash", "--no-login", "-q"]).returncode == 0
    assert logged_in.emulator is not None
    assert logged_in.emulator.calls("GetRoleCredentials") == 2
