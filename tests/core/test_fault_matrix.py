"""Every remote operation × every way a network fails, against the bundled emulator's fault injection.

For each case: the documented exit code, exactly one ``ssoenv:`` error line on stderr (progress
lines of login/populate aside) that names the failing operation (exit 6) and never shows the
answer (no HTML), no traceback, nothing on
stdout, the ``~/.aws`` tree byte for byte as before (Logout aside: it removes the local files
whatever the service says), the failing operation really reached (or, for ``refused``, never
reached) and asked at most as often as the one retry policy allows.

Two tiers:

* the faults that are answered at once (errors, garbled answers, resets, refused connections) run
  in this process, one case after the other (``tests/inprocess.py``), in the parallel tier, with a
  clock that does not wait (``tests/conftest.py`` ``EmulatorClock``);
* the faults that make a command wait until a limit cuts it short (``hang`` before the headers,
  ``hang-body`` half-way through the body, and ``429`` retried until the call's time budget is
  spent) assert the wall-clock bound: they run in the serial tier, with the default limits (no
  ``SSOENV_TIMEOUT``), every case as a real process (``tests/core/forked.py``) behind its own
  gate with its fault injected for that gate only, all on one emulator at the same time, so that
  their waits overlap.

``refused`` is a closed port for an operation that is the first its command sends to that
endpoint, and a :class:`ssoenv.emulator.gate.Gate` that goes away after the previous request for
one that comes later in a flow (CreateToken of a login, ListAccountRoles after ListAccounts).
"""

from __future__ import annotations

import json
import shutil
import textwrap
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from ssoenv.emulator import Emulator, EmulatorConfig
from ssoenv.emulator.gate import Gate
from ssoenv.remote.retry import CALL_BUDGET, MAX_ATTEMPTS, MAX_THROTTLED, READ_TIMEOUT
from tests.conftest import BROWSER, EmulatorClock, base_env, standard_config
from tests.core.forked import Command, ForkServer
from tests.inprocess import run_cli

TOKEN = "ee0bfd2552fbd840c02cc48b6e823320543c450f.json"  # sha1("corp")
LIMIT = 10.0  # seconds to fail (issue 8), from the start of the process
EXIT_SLACK = 2.0  # seconds from the end of the last wait to the exit (error line, clean-up)
GROUP = 7  # cases started together (the next ones once these all wait on their failing operation)
ENDPOINT_VAR = {
    "oidc": "AWS_ENDPOINT_URL_SSO_OIDC",
    "sso": "AWS_ENDPOINT_URL_SSO",
    "sts": "AWS_ENDPOINT_URL_STS",
    "signin": "AWS_ENDPOINT_URL_SIGNIN",
}
# lines a command prints before it reaches the network: not error reports
PROGRESS = ("ssoenv: logging in to", "ssoenv: populating from", "ssoenv: found ", "ssoenv: sign in with your browser")
HUB = "arn:aws:iam::111111111111:role/hub-admin"
CHAIN = f"\n[profile hub]\nrole_arn = {HUB}\nsource_profile = dev\nrole_session_name = jane\n"
ACCOUNTS = 3

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
WAITING = ("429", "hang", "hang-body")  # cut short by a time limit: the serial tier
AT_ONCE = tuple(f for f in FAULTS if f not in WAITING)


@dataclass(frozen=True)
class Case:
    name: str
    operation: str  # the emulator's name of the failing operation
    service: str  # the endpoint that refuses connections for "refused"
    args: tuple[str, ...]
    setup: str  # fresh | cached | expired
    before: tuple[str, ...] = ()  # operations the command must get through first
    refused_after: str | None = None  # for "refused": the endpoint goes away after this request
    browser: bool = False  # a PKCE login: the stand-in browser approves
    calls_per_attempt: int = 1  # how many calls of the operation one command makes when all fail

    def expected_exit(self, fault: str) -> int:
        if self.operation == "Logout":
            return 0  # errors of the server-side logout are ignored, as in the AWS CLI
        if self.name == "CreateToken-refresh" and fault.startswith("400"):
            return 4  # the service refused the refresh token: a new login is needed
        return 6


DEVICE = ("--use-device-code", "--no-browser")
CASES = [
    Case("RegisterClient", "RegisterClient", "oidc", ("login", "dev", *DEVICE), "fresh"),
    Case("RegisterClient-pkce", "RegisterClient", "oidc", ("login", "dev", "--force"), "cached", browser=True),
    Case(
        "StartDeviceAuthorization", "StartDeviceAuthorization", "oidc", ("login", "dev", "--force", *DEVICE), "cached"
    ),
    Case(
        "CreateToken-login",
        "CreateToken",
        "oidc",
        ("login", "dev", "--force", *DEVICE),
        "cached",
        before=("StartDeviceAuthorization",),
        refused_after="StartDeviceAuthorization",
    ),
    Case(
        "CreateToken-pkce",
        "CreateToken",
        "oidc",
        ("login", "dev", "--force"),
        "cached",
        before=("RegisterClient",),
        refused_after="Authorize",  # the browser's request is the last one before CreateToken
        browser=True,
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
        before=("ListAccounts",),
        refused_after="ListAccounts",
        calls_per_attempt=ACCOUNTS,
    ),
    Case("Logout", "Logout", "sso", ("logout",), "cached"),
    Case("GetCallerIdentity", "GetCallerIdentity", "sts", ("whoami", "dev", "--no-login"), "cached"),
    Case("AssumeRole", "AssumeRole", "sts", ("export", "hub", "--format", "env", "--no-login"), "cached"),
    Case("GetSigninToken", "GetSigninToken", "signin", ("console", "dev", "--print", "--no-login"), "cached"),
]


def test_every_operation_and_fault_has_a_case() -> None:
    """The matrix is complete: every fault kind of the emulator, every operation ssoenv calls."""
    from ssoenv.emulator.config import API_OPERATIONS
    from ssoenv.emulator.faults import KINDS

    assert {spec["kind"] for spec in FAULTS.values() if spec and "kind" in spec} | {"error", "answer"} == set(KINDS)
    assert {c.operation for c in CASES} == set(API_OPERATIONS) - {"Login"}  # Login: the browser's, not ssoenv's
    assert set(AT_ONCE) | set(WAITING) == set(FAULTS)


@dataclass
class World:
    emulator: Emulator
    template: Path  # a HOME logged in to sso-session corp with dev's role credentials cached


def make_world(root: Path) -> World:
    emu = Emulator(EmulatorConfig(port=0, accounts=ACCOUNTS, roles_per_account=2, approve="preapproved")).start()
    emu.directory.iam.add_role(HUB)
    home = root / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "config").write_text(textwrap.dedent(standard_config()).lstrip("\n") + CHAIN)
    env = {**base_env(home), **emu.env()}
    for args in (["login", "dev", *DEVICE], ["export", "dev", "--format", "env", "--no-login"]):
        proc = run_cli(args, env=env, cwd=home)
        assert proc.returncode == 0, proc.stderr
    return World(emu, home)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    made = make_world(tmp_path_factory.mktemp("world"))
    try:
        yield made
    finally:
        made.emulator.stop()


def snapshot(root: Path) -> dict[str, tuple[int, bytes | None]]:
    out: dict[str, tuple[int, bytes | None]] = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if "ssoenv-lock" in rel:
            continue  # lock files are created once and kept (empty): not data
        out[rel] = (path.stat().st_mode, path.read_bytes() if path.is_file() else None)
    return out


@dataclass
class Prepared:
    case: Case
    fault: str
    home: Path
    env: dict[str, str]
    before: dict[str, tuple[int, bytes | None]]
    gate: Gate | None = None


def prepare(world: World, case: Case, fault: str, tmp: Path, stack: ExitStack, *, gate: str | None = None) -> Prepared:
    """A HOME for ``case`` from the world's template. ``refused``, or a ``gate`` name (the case's
    faults are injected for its requests only, and its gate notes when each request arrives), puts a
    :class:`Gate` between the case's endpoint and the emulator."""
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
    if case.browser:
        env["BROWSER"] = BROWSER
    door = None
    if FAULTS[fault] is None or gate is not None:
        refused = FAULTS[fault] is None
        door = Gate(
            world.emulator.url,
            close_after=case.refused_after if refused else None,
            refuse=refused and case.refused_after is None,
            name=gate,
        )
        stack.enter_context(door)
        env[ENDPOINT_VAR[case.service]] = door.url
    return Prepared(case, fault, home, env, snapshot(home / ".aws"), door)


def most_calls(case: Case, fault: str) -> int:
    """How often one command may ask the failing operation under the one retry policy."""
    return (MAX_THROTTLED if fault == "429" else MAX_ATTEMPTS) * case.calls_per_attempt


def problems_of(p: Prepared, returncode: int, stdout: str, stderr: str, calls: int | None) -> list[str]:
    """What went wrong in one case (empty when it behaved); ``calls``: how often the emulator
    was asked the failing operation (None: counted by the caller)."""
    case, fault = p.case, p.fault
    label = f"{case.name} × {fault}"
    problems = []
    expected = case.expected_exit(fault)
    if returncode != expected:
        problems.append(f"{label}: exit {returncode}, expected {expected}: {stderr!r}")
    if "Traceback" in stderr:
        problems.append(f"{label}: traceback: {stderr}")
    if p.gate is not None and FAULTS[fault] is None:
        if calls or case.operation in p.gate.forwarded:
            problems.append(f"{label}: {case.operation} went through a closed door ({p.gate.forwarded})")
        if case.refused_after is not None and case.refused_after not in p.gate.forwarded:
            problems.append(f"{label}: never got to {case.refused_after} ({p.gate.forwarded}): {stderr!r}")
    elif calls is not None:
        most = most_calls(case, fault)
        if not 1 <= calls <= most:
            problems.append(f"{label}: {case.operation} asked {calls} times (1..{most} expected): {stderr!r}")
    if case.operation == "Logout":
        if (p.home / ".aws" / "sso" / "cache" / TOKEN).exists():
            problems.append(f"{label}: the local token was not removed")
        return problems
    if stdout:
        problems.append(f"{label}: stdout {stdout!r}")
    errors = [ln for ln in stderr.splitlines() if ln.startswith("ssoenv:") and not ln.startswith(PROGRESS)]
    if len(errors) != 1:
        problems.append(f"{label}: {len(errors)} ssoenv: error lines: {stderr!r}")
    elif "<" in errors[0] or len(errors[0]) > 400:
        problems.append(f"{label}: the error line shows the answer: {errors[0]!r}")
    elif returncode == 6 and case.operation not in errors[0]:
        problems.append(f"{label}: the error line does not name {case.operation}: {errors[0]!r}")
    after = snapshot(p.home / ".aws")
    changed = sorted(k for k in {*p.before, *after} if p.before.get(k) != after.get(k))
    if "RegisterClient" in case.before:  # a new registration is good and kept (the AWS CLI's cache)
        changed = [k for k in changed if not (k.startswith("sso/cache/") and k != f"sso/cache/{TOKEN}")]
    if changed:
        problems.append(f"{label}: ~/.aws changed: {changed}")
    return problems


def inject(emu: Emulator, operation: str, fault: str, gate: str | None = None) -> None:
    spec = FAULTS[fault]
    if spec is not None:
        emu.inject(operation, count=1000, gate=gate, **spec)


@pytest.mark.parametrize("fault", AT_ONCE)
def test_every_operation_fails_cleanly(world: World, fault: str, tmp_path: Path) -> None:
    """The faults answered at once, case after case in this process."""
    emu = world.emulator
    problems: list[str] = []
    for case in CASES:
        emu.clear_faults()
        inject(emu, case.operation, fault)
        with ExitStack() as stack:
            prepared = prepare(world, case, fault, tmp_path / case.name, stack)
            calls = emu.calls(case.operation)
            # the client's waits between its own steps (the grace for another program's refresh after
            # a failed one) take no real time here; the retry policy's own pauses stay real
            clock = EmulatorClock()
            clock.yield_real = 0
            proc = run_cli(case.args, env=prepared.env, cwd=prepared.home, clock=clock)
            calls = emu.calls(case.operation) - calls
        problems += problems_of(prepared, proc.returncode, proc.stdout, proc.stderr, calls)
        emu.clear_faults()
    assert not problems, "\n".join(problems)


@pytest.mark.serial  # wall-clock limits: run alone (make test), not beside another worker
@pytest.mark.slow
def test_waits_are_cut_short_within_the_limit(world: World, tmp_path: Path) -> None:
    """hang, hang-body and 429 on every operation fail within LIMIT seconds with the default
    limits, and within the read timeout (a hang) or the call's time budget (429), plus the time to
    exit, of the first request of the failing operation.

    Every case runs in its own process behind its own gate, with its fault injected for its gate
    only, so that all of them share one emulator and run at the same time; they start in groups of
    GROUP, each once the previous group's all wait on their failing operation, so that their
    start-ups do not compete for the CPU."""
    emu = world.emulator
    problems: list[str] = []
    with ExitStack() as stack:
        server = stack.enter_context(ForkServer())  # it imports while the cases are prepared
        stack.callback(emu.clear_faults)
        cases: list[Prepared] = []
        for fault in WAITING:
            for case in CASES:
                name = f"{fault}-{case.name}"
                cases.append(prepare(world, case, fault, tmp_path / name, stack, gate=name))
                inject(emu, case.operation, fault, gate=name)
        groups = [cases[n : n + GROUP] for n in range(0, len(cases), GROUP)]
        started = time.monotonic()
        batches: list[list[int]] = []
        for n, group in enumerate(groups):
            if n:
                waiting(server, groups[n - 1], batches[-1])
            batches.append(server.start([Command(p.case.args, p.env, p.home) for p in group]))
        jobs = [job for batch in batches for job in batch]
        results = server.results(jobs, timeout=60)
        wall = time.monotonic() - started
        for p, result in zip(cases, results, strict=True):
            assert p.gate is not None
            label = f"{p.case.name} × {p.fault}"
            calls = p.gate.forwarded.count(p.case.operation)
            problems += problems_of(p, result.returncode, result.stdout, result.stderr, calls)
            if result.elapsed > LIMIT:
                problems.append(f"{label}: took {result.elapsed:.1f} s ({len(jobs)} cases in {wall:.1f} s)")
            # a hang is cut by the read timeout (not retried); throttling is retried within the call's budget
            budget = CALL_BUDGET if p.fault == "429" else READ_TIMEOUT
            first = p.gate.arrived(p.case.operation)
            if first is not None and result.ended - first > budget + EXIT_SLACK:
                waited = f"{result.ended - first:.1f} s after its first {p.case.operation}"
                problems.append(f"{label}: exited {waited} (budget {budget} s + {EXIT_SLACK} s to exit)")
    assert not problems, "\n".join(problems)


def waiting(server: ForkServer, group: list[Prepared], jobs: list[int]) -> None:
    """Until every case of ``group`` has sent its failing operation (or ended), at most LIMIT seconds."""
    deadline = time.monotonic() + LIMIT
    while time.monotonic() < deadline:
        server.poll(0.05)
        if all(
            n in server.ended or (p.gate is not None and p.gate.arrived(p.case.operation) is not None)
            for p, n in zip(group, jobs, strict=True)
        ):
            return
