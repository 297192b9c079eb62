"""Shared helpers for the benchmarks: an isolated HOME, the emulator, timing of commands."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

SSOENV = [sys.executable, "-m", "ssoenv"]
BIN = Path(sys.executable).parent

# one SSO profile on one sso-session, for the benchmarks that serve it from the emulator
SSO_CONFIG = """\
[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = AdministratorAccess
region = eu-west-1

[sso-session corp]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""


def ssoenv_cmd() -> list[str]:
    """The installed console script when there is one (what users run), else python -m ssoenv."""
    script = BIN / "ssoenv"
    return [str(script)] if script.exists() else SSOENV


def isolated_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        "PATH": os.pathsep.join([str(BIN), "/usr/bin", "/bin"]),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    env.update(extra or {})
    return env


def temp_home() -> Path:
    home = Path(tempfile.mkdtemp(prefix="ssoenv-bench-"))
    (home / ".aws").mkdir()
    return home


def time_command(argv: Sequence[str], env: dict[str, str], runs: int = 20, warmup: int = 3) -> float:
    """Median wall time in seconds of running ``argv`` (stdout/stderr discarded)."""
    samples = []
    for i in range(warmup + runs):
        start = time.perf_counter()
        proc = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(argv)}")
        if i >= warmup:
            samples.append(elapsed)
    return statistics.median(samples)


def report(name: str, value_s: float, baseline_s: float, baseline_name: str, target: str) -> None:
    print(
        f"{name:<44} {value_s * 1000:8.1f} ms   {baseline_name}: {baseline_s * 1000:6.1f} ms   "
        f"ratio {value_s / baseline_s:5.2f}x   (target {target})"
    )


def run_counting_forks(argv: Sequence[str], env: dict[str, str], strace: bool) -> tuple[float, int]:
    """Seconds of running ``argv`` and the processes it started: with strace (new processes only:
    not threads, not failed calls), else from /proc/sys/kernel/ns_last_pid (approximate)."""
    trace = None
    if strace:
        trace = Path(tempfile.mktemp(prefix="ssoenv-bench-strace-"))
        argv = ["strace", "-f", "-qq", "-e", "trace=fork,vfork,clone,clone3", "-o", str(trace), *argv]
    before = _last_pid()
    start = time.perf_counter()
    subprocess.run(
        list(argv), env=env, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    elapsed = time.perf_counter() - start
    if trace is None:
        return elapsed, _last_pid() - before - 1
    lines = trace.read_text().splitlines()
    trace.unlink()
    pattern = re.compile(r"\b(v?fork|clone3?)\(")
    forks = sum(1 for line in lines if pattern.search(line) and "CLONE_THREAD" not in line and "= -" not in line)
    return elapsed, forks


def _last_pid() -> int:
    try:
        return int(Path("/proc/sys/kernel/ns_last_pid").read_text())
    except (OSError, ValueError):
        return 0
