"""`ssoenv configure` through flags with no terminal: nothing is asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssoenv.emulator import Emulator
from tests.conftest import START_URL

from .conftest import CORP_CONFIG, LOGIN, make_sandbox

NEW_SESSION = ["--sso-session", "acme", "--start-url", START_URL, "--sso-region", "us-east-1"]


def test_every_answer_from_flags(tmp_path: Path, emu150: Emulator) -> None:
    sb = make_sandbox(tmp_path, emu150)
    args = [
        "configure",
        *NEW_SESSION,
        "--account-id",
        "555555555555",
        "--role-name",
        "ReadOnly",
        "--region",
        "ap-southeast-2",
        "--output",
        "yaml",
        "--profile",
        "sec",
        *LOGIN,
    ]
    proc = sb.run(args)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "Using the account ID 555555555555" in proc.stderr
    assert "ssoenv use sec" in proc.stderr and "aws s3 ls --profile sec" in proc.stderr
    assert sb.config_file.read_text() == CORP_CONFIG + (
        "\n[sso-session acme]\n"
        f"sso_start_url = {START_URL}\n"
        "sso_region = us-east-1\n"
        "sso_registration_scopes = sso:account:access\n"
        "\n[profile sec]\n"
        "sso_session = acme\n"
        "sso_account_id = 555555555555\n"
        "sso_role_name = ReadOnly\n"
        "region = ap-southeast-2\n"
        "output = yaml\n"
    )
    # the same again: nothing to change, the file is not rewritten
    inode = sb.config_file.stat().st_ino
    proc = sb.run(args)
    assert proc.returncode == 0, proc.stderr
    assert "already set up like this" in proc.stderr
    assert sb.config_file.stat().st_ino == inode


def test_defaults_without_terminal(tmp_path: Path, emu150: Emulator) -> None:
    """The only session is used; region/output are not invented; the name is ROLE-ACCOUNT (AWS CLI v2)."""
    sb = make_sandbox(tmp_path, emu150)
    proc = sb.run(["configure", "--account-id", "888888888888", "--role-name", "AdministratorAccess", *LOGIN])
    assert proc.returncode == 0, proc.stderr
    assert sb.config_file.read_text() == CORP_CONFIG + (
        "\n[profile AdministratorAccess-888888888888]\n"
        "sso_session = corp\n"
        "sso_account_id = 888888888888\n"
        "sso_role_name = AdministratorAccess\n"
    )


def test_default_profile_is_updated_in_place(tmp_path: Path, emu150: Emulator) -> None:
    sb = make_sandbox(tmp_path, emu150)
    sb.run(["login", "--sso-session", "corp", *LOGIN], check=True)
    # no login flags: the cached session is used, nothing is asked
    proc = sb.run(["configure", "--profile", "default", "--account-id", "111111111111", "--role-name", "ReadOnly"])
    assert proc.returncode == 0, proc.stderr
    text = sb.config_file.read_text()
    assert text.startswith(
        "# team config -- do not reorder\n[default]\nregion = eu-west-1\n"
        "sso_session = corp\nsso_account_id = 111111111111\nsso_role_name = ReadOnly\n"
        "    ; an indented comment\n"
    )
    assert "Replacing the profile default" in proc.stderr


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["--role-name", "ReadOnly"], 2, "--account-id"),
        (["--account-id", "12345"], 2, "12 digits"),
        (["--account-id", "123456789012", "--role-name", "ReadOnly"], 5, "not among the 150 AWS accounts"),
        (["--account-id", "111111111111", "--role-name", "Nope"], 5, "--role-name Nope"),
        (["--start-url", "http://x.example.com", "--sso-session", "new", "--sso-region", "us-east-1"], 2, "https"),
        (["--output", "xml"], 2, "output must be one of"),
        (["--region", "moon-1"], 2, "not an AWS region"),
        (["--profile", "bad[name]"], 2, "--profile"),
        (["--sso-session", "nope"], 2, "--start-url"),
    ],
)
def test_bad_or_missing_answers_are_one_clear_line(
    tmp_path: Path, emu150: Emulator, args: list[str], code: int, needle: str
) -> None:
    sb = make_sandbox(tmp_path, emu150)
    proc = sb.run(["configure", *args, *LOGIN])
    assert proc.returncode == code, proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("ssoenv: ") and needle in last, proc.stderr
    assert "Traceback" not in proc.stderr
    assert sb.config_file.read_text() == CORP_CONFIG
    assert not sb.config_file.with_name("config.ssoenv.bak").exists()


def test_not_logged_in_and_no_way_to_log_in(tmp_path: Path, emu150: Emulator) -> None:
    sb = make_sandbox(tmp_path, emu150)
    proc = sb.run(["configure", "--account-id", "111111111111", "--role-name", "ReadOnly"], timeout=30)
    assert proc.returncode == 4
    assert "ssoenv login" in proc.stderr.strip().splitlines()[-1]
    assert sb.config_file.read_text() == CORP_CONFIG


def test_legacy_through_flags(tmp_path: Path, emu150: Emulator) -> None:
    sb = make_sandbox(tmp_path, emu150, config=None)
    proc = sb.run(
        [
            "configure",
            "--sso-session",
            "",
            "--start-url",
            START_URL,
            "--sso-region",
            "us-east-1",
            "--account-id",
            "222222222222",
            "--role-name",
            "ReadOnly",
            "--profile",
            "legacy",
            *LOGIN,
        ]
    )
    assert proc.returncode == 0, proc.stderr
    assert sb.config_file.read_text() == (
        f"[profile legacy]\nsso_start_url = {START_URL}\nsso_region = us-east-1\n"
        "sso_account_id = 222222222222\nsso_role_name = ReadOnly\n"
    )


def test_new_session_without_a_way_to_log_in_says_how(tmp_path: Path, emu150: Emulator) -> None:
    sb = make_sandbox(tmp_path, emu150)
    proc = sb.run(["configure", *NEW_SESSION, "--account-id", "111111111111", "--role-name", "ReadOnly"], timeout=30)
    assert proc.returncode == 4
    assert "--use-device-code" in proc.stderr.strip().splitlines()[-1]
    assert sb.config_file.read_text() == CORP_CONFIG
