"""`ssoenv demo` runs the whole tour in seconds without touching HOME."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import base_env


def test_demo_runs_and_leaves_home_untouched(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = base_env(home)
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "ssoenv", "demo"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - start < 30
    assert proc.stdout == ""  # everything for people goes to stderr
    for text in (
        "logged in to",
        "demo-prod  222222222222",
        "account  222222222222",
        "child sees demo-dev eu-west-1",
        "demo finished",
    ):
        assert text in proc.stderr
    assert "AWS_SECRET_ACCESS_KEY='…'" in proc.stderr
    assert os.listdir(home) == []
