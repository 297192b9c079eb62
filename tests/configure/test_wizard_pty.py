"""`ssoenv configure` driven through a real pseudo-terminal against the emulator."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from ssoenv.emulator import Emulator
from tests.conftest import START_URL

from .conftest import CORP_CONFIG, LOGIN, finish, make_sandbox, spawn

pytestmark = pytest.mark.interactive

DOWN, UP, END, HOME, ESC = "\x1b[B", "\x1b[A", "\x1b[F", "\x1b[H", "\x1b"


def test_150_accounts_arrow_keys_filter_and_defaults(tmp_path: Path, emu150: Emulator) -> None:
    sb = make_sandbox(tmp_path, emu150)
    child = spawn(sb, *LOGIN)
    child.expect_exact("SSO sessions in the config: corp")
    child.expect_exact("SSO session name (Recommended) [corp]: ")
    child.send("\r")  # ENTER keeps the value in brackets
    child.expect_exact(f"Using the existing sso-session corp: {START_URL} (us-east-1)")
    child.expect_exact("There are 150 AWS accounts available to you.")
    child.expect_exact("150 of 150")
    child.send("account-01")  # type to filter: names and e-mails of account-0100 .. account-0150
    child.expect_exact("51 of 150")
    child.send(DOWN)
    child.send(DOWN)
    child.send(END)
    child.send(UP)
    child.send("\r")
    child.expect_exact("Using the account ID 100000000149")
    child.expect_exact("There are 3 roles available to you.")
    child.send(DOWN)  # AdministratorAccess, PowerUserAccess, ReadOnly
    child.send("\r")
    child.expect_exact('Using the role name "PowerUserAccess"')
    child.expect_exact("Default client Region: ")
    child.send("\r")  # ENTER: no region key (AWS CLI v2)
    child.expect_exact("CLI default output format (json if not specified): ")
    child.send("text\r")
    child.expect_exact("text")  # echoed: the picker gave the terminal back in cooked mode
    child.expect_exact("Profile name [PowerUserAccess-100000000149]: ")
    child.send("\r")
    child.expect_exact("ssoenv use PowerUserAccess-100000000149")
    child.expect_exact("aws s3 ls --profile PowerUserAccess-100000000149")
    assert finish(child) == 0
    assert sb.config_file.read_text() == CORP_CONFIG + (
        "\n[profile PowerUserAccess-100000000149]\n"
        "sso_session = corp\n"
        "sso_account_id = 100000000149\n"
        "sso_role_name = PowerUserAccess\n"
        "output = text\n"
    )


def test_typing_an_account_id_among_150(tmp_path: Path, emu150: Emulator) -> None:
    sb = make_sandbox(tmp_path, emu150)
    child = spawn(sb, "--profile", "net", "--region", "eu-west-1", "--output", "json", *LOGIN)
    child.expect_exact("SSO session name (Recommended) [corp]: ")
    child.send("\r")
    child.expect_exact("150 of 150")
    child.send("7777 NETWORK")  # several words: all must match, any case, over id/name/e-mail
    child.expect_exact("1 of 150")
    child.send("\r")
    child.expect_exact("Using the account ID 777777777777")
    child.send(END + "\r")
    child.expect_exact('Using the role name "ReadOnly"')
    assert finish(child) == 0
    assert sb.config_file.read_text().endswith(
        "[profile net]\nsso_session = corp\nsso_account_id = 777777777777\nsso_role_name = ReadOnly\n"
        "region = eu-west-1\noutput = json\n"
    )


def test_one_account_and_role_are_chosen_automatically(tmp_path: Path, emu_one: Emulator) -> None:
    sb = make_sandbox(tmp_path, emu_one, config=None)
    child = spawn(sb, *LOGIN)
    child.expect_exact("SSO session name (Recommended): ")
    child.send("solo\r")
    child.expect_exact("SSO start URL: ")
    child.send("http://insecure.example.com\r")
    child.expect_exact("https://")  # refused, asked again
    child.expect_exact("SSO start URL: ")
    child.send(START_URL + "\r")
    child.expect_exact("SSO region: ")
    child.send("us-east-1\r")
    child.expect_exact("SSO registration scopes [sso:account:access]: ")
    child.send("\r")
    child.expect_exact("The only AWS account available to you is: dev, aws+dev@example.com (111111111111)")
    child.expect_exact("Using the account ID 111111111111")
    child.expect_exact("The only role available to you is: AdministratorAccess")
    child.expect_exact("Default client Region: ")
    child.send("\r")
    child.expect_exact("CLI default output format (json if not specified): ")
    child.send("\r")
    child.expect_exact("Profile name [AdministratorAccess-111111111111]: ")
    child.send("default\r")
    child.expect_exact("ssoenv use default")
    assert finish(child) == 0
    assert sb.config_file.read_text() == (
        "[sso-session solo]\n"
        f"sso_start_url = {START_URL}\n"
        "sso_region = us-east-1\n"
        "sso_registration_scopes = sso:account:access\n"
        "\n"
        "[default]\n"
        "sso_session = solo\n"
        "sso_account_id = 111111111111\n"
        "sso_role_name = AdministratorAccess\n"
    )  # ENTER at the region and output prompts writes neither key, like AWS CLI v2
    assert stat.S_IMODE(sb.config_file.stat().st_mode) == 0o600


EXISTING = (
    CORP_CONFIG
    + """
# my work profile
[profile work]
sso_session = corp
sso_account_id = 222222222222
sso_role_name = ReadOnly
aws_access_key_id = AKIAOLDSTATICKEY
region = eu-central-1
output = table
s3 =
  max_concurrent_requests = 4

# trailing comment
"""
)


def test_existing_profile_current_values_and_confirmed_replacement(tmp_path: Path, emu150: Emulator) -> None:
    sb = make_sandbox(tmp_path, emu150, config=EXISTING)
    child = spawn(sb, "--profile", "work", *LOGIN)
    child.expect_exact("SSO session name (Recommended) [corp]: ")
    child.send("\r")
    child.expect_exact("There are 150 AWS accounts available to you.")
    child.expect_exact("> prod, aws+prod@example.com (222222222222)")  # the current one is selected
    child.send("\r")
    child.expect_exact("Using the account ID 222222222222")
    child.expect_exact("> ReadOnly")
    child.send(UP + "\r")
    child.expect_exact('Using the role name "PowerUserAccess"')
    child.expect_exact("Default client Region [eu-central-1]: ")
    child.send("\r")
    child.expect_exact("CLI default output format (json if not specified) [table]: ")
    child.send("\r")
    child.expect_exact("The profile work already exists:")
    child.expect_exact("aws_access_key_id = AKIAOLDSTATICKEY")
    child.expect_exact("Replace the profile work? [y/N]: ")
    child.send("y\r")
    assert finish(child) == 0
    # only the role line changed and the static key (another credential source) went away
    assert sb.config_file.read_text() == EXISTING.replace(
        "sso_role_name = ReadOnly\naws_access_key_id = AKIAOLDSTATICKEY\n", "sso_role_name = PowerUserAccess\n"
    )
    assert sb.config_file.with_name("config.ssoenv.bak").read_text() == EXISTING

    # again, keeping every answer with ENTER: nothing to change, nothing written
    data = sb.config_file.read_bytes()
    child = spawn(sb, "--profile", "work", *LOGIN)
    child.expect_exact("[corp]: ")
    child.send("\r")
    child.expect_exact("> prod,")
    child.send("\r")
    child.expect_exact("> PowerUserAccess")
    child.send("\r")
    child.expect_exact("[eu-central-1]: ")
    child.send("\r")
    child.expect_exact("[table]: ")
    child.send("\r")
    child.expect_exact("already set up like this")
    assert finish(child) == 0
    assert sb.config_file.read_bytes() == data


def test_declining_the_replacement_writes_nothing(tmp_path: Path, emu150: Emulator) -> None:
    sb = make_sandbox(tmp_path, emu150, config=EXISTING)
    child = spawn(sb, "--profile", "work", "--account-id", "333333333333", "--role-name", "ReadOnly", *LOGIN)
    child.expect_exact("[corp]: ")
    child.send("\r")
    child.expect_exact("[eu-central-1]: ")
    child.send("\r")
    child.expect_exact("[table]: ")
    child.send("\r")
    child.expect_exact("Replace the profile work? [y/N]: ")
    child.send("\r")
    assert finish(child) == 130
    assert sb.config_file.read_text() == EXISTING


@pytest.mark.parametrize("key", [ESC, "\x03"])
def test_escape_or_ctrl_c_in_the_menu_cancels_cleanly(tmp_path: Path, emu150: Emulator, key: str) -> None:
    sb = make_sandbox(tmp_path, emu150)
    child = spawn(sb, *LOGIN)
    child.expect_exact("[corp]: ")
    child.send("\r")
    child.expect_exact("150 of 150")
    child.send(key)
    child.expect_exact("ssoenv: ")
    out = child.read()
    assert "Traceback" not in out
    assert finish(child) == 130
    assert sb.config_file.read_text() == CORP_CONFIG


def test_legacy_profile_with_an_empty_session_name(tmp_path: Path, emu_one: Emulator) -> None:
    sb = make_sandbox(tmp_path, emu_one, config=None)
    child = spawn(sb, "--profile", "old", *LOGIN)
    child.expect_exact("SSO session name (Recommended): ")
    child.send("\r")
    child.expect_exact("legacy profile")
    child.expect_exact("SSO start URL: ")
    child.send(START_URL + "\r")
    child.expect_exact("SSO region: ")
    child.send("us-east-1\r")
    child.expect_exact("Using the account ID 111111111111")
    child.expect_exact("Default client Region: ")
    child.send("\r")
    child.expect_exact("CLI default output format (json if not specified): ")
    child.send("\r")
    assert finish(child) == 0
    assert sb.config_file.read_text() == (
        "[profile old]\n"
        f"sso_start_url = {START_URL}\n"
        "sso_region = us-east-1\n"
        "sso_account_id = 111111111111\n"
        "sso_role_name = AdministratorAccess\n"
    )
