"""Every remote operation × every way a network fails, against the bundled emulator's fault injection.

For each case: the documented exit code, exactly one ``ssoenv:`` error line on stderr (progress
lines of login/populate aside), no traceback, nothing on stdout, the ``~/.aws`` tree byte for
byte as before (Logout aside: it removes the local files whatever the service says), and a
bounded time to fail. Cases that call different operations run concurrently (two at a time) so
that the hangs cost little wall time; cases that share an operation run in a later wave.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from ssoenv.emulator import Emulator, EmulatorConfig
from tests.conftest import base_env, standard_config

TOKEN = "ee0bfd2552fbd840c02cc48b6e823320543c450f.json"  # sha1("corp")
pytestmark = pytest.mark.serial  # wall-clock limits: run alone (make test), not beside another worker

LIMIT = 10.0  # seconds to fail, start-up included
ENDPOINT_VAR = {
    "oidc": "AWS_ENDPOINT_URL_SSO_OIDC",
    "sso": "AWS_ENDPOINT_URL_SSO",
    "sts": "AWS_ENDPOINT_URL_STS",
    "signin": "AWS_ENDPOINT_URL_SIGNIN",
}
# lines a command prints before it reaches the network: not error reports
PROGRESS = ("ssoenv: logging in to", "ssoenv: populating from", "ssoenv: found ")

FAULTS: dict[str, dict[str, Any] | None] = {
    "500": {"status": 500},
    "429": {"status": 429},
    "400-typed": {"status": 400, "error_type": "InvalidRequestException"},
    "400-untyped": {"status": 400, "error_type": ""},
    "refused": None,
    "reset": {"kind": "reset"},
    "hang": {"kind": "hang", "delay": 30},
    "hang-body": {"kind": "hang-body", "delay": 30},
    "not-json": {"kind": "not-json"},
    "empty": {"kind": "empty"},
    "truncated": {"kind": "truncated"},
    "invalid-utf8": {"kind": "invalid-utf8"},
    "html": {"kind": "html"},
}


@dataclass(frozen=True)
class Case:
    name: str
    operation: str  # the emulator's name of the failing operation
    service: str  # which endpoint variable refuses connections for "refused"
    args: tuple[str, ...]
    setup: str  # fresh | logged-in | expired | cached
    wave: int = 0
    refused_too: bool = True  # False when an earlier call to the same endpoint would be refused first

    def expected_exit(self, fault: str) -> int:
        if self.operation == "Logout":
            return 0  # errors of the server-side logout are ignored, as in the AWS CLI
        if self.name == "CreateToken-refresh" and fault.startswith("400"):
            return 4  # the service refused the refresh token: a new login is needed
        return 6


DEVICE = ("--use-device-code", "--no-browser")
CASES = [
    Case("RegisterClient", "RegisterClient", "oidc", ("login", "dev", *DEVICE), "fresh"),
    Case(
        "StartDeviceAuthorization", "StartDeviceAuthorization", "oidc", ("login", "dev", "--force", *DEVICE), "cached"
    ),
    Case(
        "CreateToken-login",
        "CreateToken",
        "oidc",
        ("login", "dev", "--force", *DEVICE),
        "cached",
        wave=1,
        refused_too=False,
    ),
    Case("CreateToken-refresh", "CreateToken", "oidc", ("export", "prod", "--format", "env", "--no-login"), "expired"),
    Case(
        "GetRoleCredentials", "GetRoleCredentials", "sso", ("export", "prod", "--format", "env", "--no-login"), "cached"
    ),
    Case("ListAccounts", "ListAccounts", "sso", ("populate", "--sso-session", "corp", "--yes", "--prune"), "cached"),
    Case(
        "ListAccountRoles",
        "ListAccountRoles",
        "sso",
        ("populate", "--sso-session", "corp", "--yes", "--prune"),
        "cached",
        wave=1,
        refused_too=False,
    ),
    Case("Logout", "Logout", "sso", ("logout",), "cached"),
    Case("GetCallerIdentity", "GetCallerIdentity", "sts", ("whoami", "dev", "--no-login"), "cached"),
    Case("GetSigninToken", "GetSigninToken", "signin", ("console", "dev", "--print", "--no-login"), "cached"),
]


@dataclass
class World:
    emulator: Emulator
    template: Path  # a HOME logged in to sso-session corp with dev's role credentials cached
    closed_port: int
    lock: Any = field(default=None)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    emu = Emulator(EmulatorConfig(port=0, accounts=3, roles_per_account=2, approve="preapproved")).start()
    home = tmp_path_factory.mktemp("template") / "home"
    (home / ".aws").mkdir(parents=True)
    import textwrap

    (home / ".aws" / "config").write_text(textwrap.dedent(standard_config()).lstrip("\n"))
    env = {**base_env(home), **emu.env()}
    for args in (["login", "dev", *DEVICE], ["export", "dev", "--format", "env", "--no-login"]):
        proc = subprocess.run(
            [sys.executable, "-m", "ssoenv", *args], env=env, capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 0, proc.stderr
    try:
        yield World(emu, home, closed_port())
    finally:
        emu.stop()


def snapshot(root: Path) -> dict[str, tuple[int, bytes | None]]:
    out: dict[str, tuple[int, bytes | None]] = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if "ssoenv-lock" in rel:
            continue  # lock files are created once and kept (empty): not data
        out[rel] = (path.stat().st_mode, path.read_bytes() if path.is_file() else None)
    return out


def prepare(world: World, case: Case, tmp: Path) -> tuple[Path, dict[str, str]]:
    home = tmp / "home"
    shutil.copytree(world.template, home, symlinks=True)
    if case.setup == "fresh":
        shutil.rmtree(home / ".aws" / "sso")
        shutil.rmtree(home / ".aws" / "cli")
    if case.setup == "expired":
        path = home / ".aws" / "sso" / "cache" / TOKEN
        data = json.loads(path.read_text())
        past = datetime.now(timezone.utc) - timedelta(minutes=5)
        data["expiresAt"] = past.strftime("%Y-%m-%dT%H:%M:%SZ")
        path.write_text(json.dumps(data))
    env = {**base_env(home), **world.emulator.env()}
    return home, env


def run_case(world: World, case: Case, fault: str, tmp: Path) -> list[str]:
    """The problems of one case (empty when it behaved)."""
    home, env = prepare(world, case, tmp)
    if FAULTS[fault] is None:
        env[ENDPOINT_VAR[case.service]] = f"http://127.0.0.1:{world.closed_port}"
    before = snapshot(home / ".aws")
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "ssoenv", *case.args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        cwd=home,
    )
    elapsed = time.monotonic() - started
    problems = []
    label = f"{case.name} × {fault}"
    expected = case.expected_exit(fault)
    if proc.returncode != expected:
        problems.append(f"{label}: exit {proc.returncode}, expected {expected}: {proc.stderr!r}")
    if "Traceback" in proc.stderr:
        problems.append(f"{label}: traceback: {proc.stderr}")
    if elapsed > LIMIT:
        problems.append(f"{label}: took {elapsed:.1f} s")
    if case.operation == "Logout":
        if (home / ".aws" / "sso" / "cache" / TOKEN).exists():
            problems.append(f"{label}: the local token was not removed")
        return problems
    if proc.stdout:
        problems.append(f"{label}: stdout {proc.stdout!r}")
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("ssoenv:") and not ln.startswith(PROGRESS)]
    if len(errors) != 1:
        problems.append(f"{label}: {len(errors)} ssoenv: error lines: {proc.stderr!r}")
    elif "<" in errors[0] or len(errors[0]) > 400:
        problems.append(f"{label}: the error line shows the answer: {errors[0]!r}")
    if snapshot(home / ".aws") != before:
        problems.append(f"{label}: ~/.aws changed")
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("fault", list(FAULTS))
def test_every_operation_fails_cleanly(world: World, fault: str, tmp_path: Path) -> None:
    emu = world.emulator
    problems: list[str] = []
    for wave in (0, 1):
        cases = [c for c in CASES if c.wave == wave and (FAULTS[fault] is not None or c.refused_too)]
        emu.clear_faults()
        spec = FAULTS[fault]
        if spec is not None:
            for case in cases:
                emu.inject(case.operation, count=1000, **spec)
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(run_case, world, case, fault, tmp_path / case.name) for case in cases]
            for future in futures:
                problems.extend(future.result())
        emu.clear_faults()
    assert not problems, "\n".join(problems)
