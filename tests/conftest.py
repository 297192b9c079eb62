"""Shared fixtures: a fresh emulator per test and an isolated sandbox HOME pointing at it.

No test reads or writes the real ~/.aws or HOME: every run of ssoenv gets a minimal environment
built here, with HOME, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE in a temp dir and the
AWS_ENDPOINT_URL_* variables pointing at the emulator on 127.0.0.1.

``sandbox.run([...])`` runs ssoenv *in this process* (``tests/inprocess.py``) unless the command
needs a real one (exec, shell, demo, emulator, SSOENV_DEBUG=1) or the test asks for one with
``process=True``. ``clock`` fixture: an injectable clock that also moves the emulator's, so the
device-code flow's waiting takes no real time. Everything here is safe under pytest-xdist (ports
are chosen by the OS, every path is under the test's own ``tmp_path``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ssoenv.clock import Clock
from ssoenv.emulator import Emulator, EmulatorConfig
from ssoenv.emulator import browser as _browser
from tests.inprocess import needs_a_process, run_cli

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
START_URL = "https://d-1234567890.awsapps.com/start"
BIN_DIR = str(Path(sys.executable).parent)
#: $BROWSER of a login in a test: the emulator's stand-in browser, which is standard library only, run
#: as a file (-I -S: no site-packages); `-m ssoenv.emulator.browser` would first import the emulator
#: package (twice the CPU per login). Tests of that command itself are in tests/emulator.
BROWSER = f"{sys.executable} -I -S {_browser.__file__} %s"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Byte-compile ssoenv once, as an installed package is: the programs the tests start run with
    PYTHONDONTWRITEBYTECODE=1 (``base_env``) and would otherwise compile every ssoenv module they
    import, every time (~0.07 s of CPU per ``ssoenv`` process). Up-to-date files are skipped."""
    if hasattr(session.config, "workerinput"):  # an xdist worker: the controller has done it
        return
    import compileall

    import ssoenv

    compileall.compile_dir(str(Path(ssoenv.__file__).parent), quiet=2)


def require_program(name: str) -> str:
    """Path of ``name``; skip the test when missing locally, fail under CI."""
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} is required under CI but is not on PATH")
        pytest.skip(f"{name} is not installed")
    return path


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    emu = Emulator(EmulatorConfig(port=0, accounts=3, roles_per_account=2, approve="auto"))
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()


def fish_has_run(data_home: Path) -> None:
    """Mark fish's first interactive start as done under ``data_home`` (XDG_DATA_HOME), as for anyone
    who has used fish before. Otherwise an interactive fish that reads its own share/config.fish
    (``ssoenv shell``, the demo's shell) starts a man-page scan in the background
    (create_manpage_completions.py: 10-80 s of CPU) that holds the terminal open after fish exits."""
    (data_home / "fish" / "generated_completions").mkdir(parents=True, exist_ok=True)


def base_env(home: Path) -> dict[str, str]:
    """A minimal, isolated environment for subprocesses."""
    path = os.pathsep.join([BIN_DIR, "/usr/local/bin", "/usr/bin", "/bin"])
    return {
        "PATH": path,
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TERM": "dumb",
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),  # the picker's history (ssoenv.ui.frecency)
        "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


@dataclass
class Sandbox:
    home: Path
    env: dict[str, str]
    emulator: Emulator | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def config_file(self) -> Path:
        return Path(self.env["AWS_CONFIG_FILE"])

    @property
    def sso_cache(self) -> Path:
        return self.home / ".aws" / "sso" / "cache"

    @property
    def cli_cache(self) -> Path:
        return self.home / ".aws" / "cli" / "cache"

    def write_config(self, text: str) -> Path:
        self.config_file.parent.mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(textwrap.dedent(text).lstrip("\n"))
        return self.config_file

    def run(
        self,
        args: Sequence[str],
        *,
        input: str | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float = 60,
        check: bool = False,
        process: bool | None = None,
        clock: Clock | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """``ssoenv ARGS`` with the sandbox's environment (plus ``env``), in ``home``.

        In this process unless ``process=True`` or the command needs a real one (see
        ``tests.inprocess.needs_a_process``); ``timeout`` applies to real processes only
        (pytest-timeout bounds the rest). ``clock`` replaces the real clock (in-process only).
        """
        full_env = {**self.env, **(env or {})}
        if process is None:  # a clock can only be injected in-process
            process = clock is None and needs_a_process(args, full_env)
        if not process:
            proc = run_cli(args, env=full_env, cwd=self.home, input=input, clock=clock)
        else:
            assert clock is None, "a clock can only be injected in-process"
            proc = subprocess.run(
                [sys.executable, "-m", "ssoenv", *args],
                input=input,
                stdin=None if input is not None else subprocess.DEVNULL,
                capture_output=True,
                text=True,
                env=full_env,
                timeout=timeout,
                cwd=self.home,
            )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"ssoenv {' '.join(args)} exited {proc.returncode}\nstdout:{proc.stdout}\nstderr:{proc.stderr}"
            )
        return proc


def standard_config(start_url: str = START_URL) -> str:
    """Two sso-session profiles and one legacy profile on the emulator's default directory."""
    return f"""
    [profile dev]
    sso_session = corp
    sso_account_id = 111111111111
    sso_role_name = AdministratorAccess
    region = eu-west-1

    [profile prod]
    sso_session = corp
    sso_account_id = 222222222222
    sso_role_name = ReadOnly
    region = us-east-2

    [profile legacy]
    sso_start_url = {start_url}
    sso_region = us-east-1
    sso_account_id = 111111111111
    sso_role_name = ReadOnly

    [sso-session corp]
    sso_start_url = {start_url}
    sso_region = us-east-1
    sso_registration_scopes = sso:account:access
    """


def new_sandbox(tmp_path: Path, emu: Emulator, config: str | None) -> Sandbox:
    """A temp HOME pointing at ``emu``, with ``config`` (written as is) as its AWS config file."""
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    env = base_env(home)
    fish_has_run(Path(env["XDG_DATA_HOME"]))
    env.update(emu.env())
    sb = Sandbox(home=home, env=env, emulator=emu)
    if config is not None:
        sb.config_file.write_text(config)
    return sb


class EmulatorClock(Clock):
    """A clock for the login flows that hardly waits: ``sleep`` moves this clock and the emulator's.

    Each sleep still takes up to ``yield_real`` real seconds (default 0.05), so a stand-in browser
    in another process gets to approve a device code before ten simulated minutes have passed.
    ``slept`` lists every sleep; ``on_sleep(clock)``, if set, runs after each one (approve a pending
    login after N polls, say). Pass it as ``sandbox.run([...], clock=clock)``.
    """

    def __init__(self, emulator: Emulator | None = None) -> None:
        self.now = 1000.0
        self.emulator = emulator
        self.slept: list[float] = []
        self.on_sleep: Callable[[EmulatorClock], None] | None = None
        self.yield_real = 0.05

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        time.sleep(min(seconds, self.yield_real))
        self.now += seconds
        self.slept.append(seconds)
        if self.emulator is not None:
            self.emulator.advance(seconds)
        if self.on_sleep is not None:
            self.on_sleep(self)

    @property
    def elapsed(self) -> float:
        return self.now - 1000.0


@pytest.fixture
def clock(emulator: Emulator) -> EmulatorClock:
    return EmulatorClock(emulator)


@pytest.fixture
def sandbox(tmp_path: Path, emulator: Emulator) -> Sandbox:
    return new_sandbox(tmp_path, emulator, textwrap.dedent(standard_config()).lstrip("\n"))
