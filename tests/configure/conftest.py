"""Emulators of several sizes and a PTY driver for `ssoenv configure`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from ssoenv.emulator import Emulator, EmulatorConfig
from tests.conftest import START_URL, Sandbox, new_sandbox

LOGIN = ["--use-device-code", "--no-browser"]  # the emulator pre-approves device codes

CORP_CONFIG = f"""\
# team config -- do not reorder
[default]
region = eu-west-1
    ; an indented comment

[profile handmade]
# keep
sso_session = corp
sso_account_id = 111111111111
sso_role_name = ReadOnly

[sso-session corp]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""


def _emulator(accounts: int, roles: int) -> Iterator[Emulator]:
    emu = Emulator(EmulatorConfig(port=0, accounts=accounts, roles_per_account=roles, approve="preapproved"))
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture(scope="module")
def emu150() -> Iterator[Emulator]:
    yield from _emulator(150, 3)


@pytest.fixture(scope="module")
def emu_one() -> Iterator[Emulator]:
    yield from _emulator(1, 1)


def make_sandbox(tmp_path: Path, emu: Emulator, config: str | None = CORP_CONFIG) -> Sandbox:
    return new_sandbox(tmp_path, emu, config)


def spawn(sb: Sandbox, *args: str) -> pexpect.spawn:
    """`ssoenv configure ARGS` on a real pseudo-terminal (isolated HOME)."""
    child = pexpect.spawn(
        sys.executable,
        ["-m", "ssoenv", "configure", *args],
        env={**sb.env, "TERM": "xterm-256color"},
        cwd=str(sb.home),
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 120),
    )
    return child


def finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus is not None, child.signalstatus
    return int(child.exitstatus)
