"""A big emulated directory and a logged-in sandbox for populate tests."""

from __future__ import annotations

import configparser
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

from ssoenv.emulator import Emulator, EmulatorConfig
from tests.conftest import START_URL, Sandbox, new_sandbox

ACCOUNTS = 250
ROLES = 3

SESSION_CONFIG = f"""\
# my settings -- hand written
[default]
region = eu-west-1

[profile handmade]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = ReadOnly
region = us-west-2

[sso-session corp]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""


@pytest.fixture(scope="module")
def big_emulator() -> Iterator[Emulator]:
    emu = Emulator(EmulatorConfig(port=0, accounts=ACCOUNTS, roles_per_account=ROLES, approve="preapproved"))
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()


def make_sandbox(tmp_path: Path, emu: Emulator, config: str | None = SESSION_CONFIG, *, login: bool = True) -> Sandbox:
    sb = new_sandbox(tmp_path, emu, config)
    if login:
        sb.run(["login", "--sso-session", "corp", "--use-device-code", "--no-browser"], check=True)
    return sb


@pytest.fixture
def big(tmp_path: Path, big_emulator: Emulator) -> Iterator[Sandbox]:
    """Logged in to sso-session corp on a 250-account directory (restored after the test)."""
    before = big_emulator.directory.to_dict()
    big_emulator.clear_faults()
    yield make_sandbox(tmp_path, big_emulator)
    big_emulator.clear_faults()
    big_emulator.set_latency(0)
    for acct in before["accounts"]:
        for role in acct["roles"]:
            if not big_emulator.directory.has_role(acct["id"], role):
                big_emulator.directory.add_role(acct["id"], role)


def read_profiles(path: Path) -> dict[str, dict[str, str]]:
    """Profiles as botocore sees them."""
    cp = configparser.RawConfigParser()
    cp.read_string(path.read_text())
    out: dict[str, dict[str, str]] = {}
    for section in cp.sections():
        if section == "default":
            out["default"] = dict(cp.items(section))
        elif section.startswith("profile"):
            out[shlex.split(section)[1]] = dict(cp.items(section))
    return out
