"""``list``, ``use``, completion, ``configure`` and ``populate`` agree on every profile, and with
botocore, on a config full of the cases that used to split them (issue 9 A)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import botocore.session

from tests.conftest import Sandbox

START = "https://d-1234567890.awsapps.com/start"

HOSTILE = (
    textwrap.dedent(
        f"""\
        [sso-session corp]
        sso_start_url = {START}
        sso_region = us-east-1

        [profile default]
        sso_session = corp
        sso_account_id = 222222222222
        sso_role_name = ReadOnly

        [default]
        sso_session = corp
        sso_account_id = 111111111111
        sso_role_name = AdministratorAccess

        [profile "it's \\"q\\" a\\\\b"]
        sso_session = corp
        sso_account_id = 111111111111
        sso_role_name = AdministratorAccess

        [profile 'sp ace']
        sso_session = corp
        sso_account_id = 222222222222
        sso_role_name = ReadOnly

        [profile dev]
          sso_session = corp
          sso_account_id = 222222222222
          sso_role_name = ReadOnly

        [profilex renamed]
        sso_session = corp
        sso_account_id = 111111111111
        sso_role_name = AdministratorAccess
        """
    )
    + "[profile odd-breaks]\nsso_session = corp\nsso_account_id = 111111111111\n"
    + "sso_role_name = AdministratorAccess\nregion = eu-west-1\x0bnot-a-new-line\r\n"
)


def botocore_profiles(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    session = botocore.session.Session()
    session.set_config_variable("config_file", str(sandbox.config_file))
    session.set_config_variable("credentials_file", str(sandbox.home / "no-credentials"))
    profiles: dict[str, dict[str, Any]] = session.full_config["profiles"]
    return profiles


def exported(code: str) -> dict[str, str]:
    out = {}
    for line in code.splitlines():
        if line.startswith("export ") and "=" in line:
            name, _, value = line[len("export ") :].partition("=")
            out[name] = value.strip("'")
    return out


def test_every_part_agrees_on_every_profile(sandbox: Sandbox) -> None:
    sandbox.config_file.write_bytes(HOSTILE.encode())
    sandbox.env["AWS_SHARED_CREDENTIALS_FILE"] = str(sandbox.home / "no-credentials")
    assert sandbox.emulator is not None
    sandbox.emulator.config.approve = "preapproved"
    expected = botocore_profiles(sandbox)
    names = sorted(expected)
    assert {"default", 'it\'s "q" a\\b', "sp ace", "dev", "renamed", "odd-breaks"} == set(names)
    assert expected["default"]["sso_account_id"] == "111111111111"  # the later [default] wins
    assert expected["odd-breaks"]["region"] == "eu-west-1\x0bnot-a-new-line"

    listed = json.loads(sandbox.run(["list", "--json"], check=True).stdout)
    assert sorted(row["profile"] for row in listed) == names
    for row in listed:
        assert row["account_id"] == expected[row["profile"]]["sso_account_id"], row

    completed = sandbox.run(["_complete", "profiles"], check=True).stdout.splitlines()
    assert sorted(completed) == names

    sandbox.run(["login", "--sso-session", "corp", "--use-device-code", "--no-browser"], check=True)
    for name in names:
        proc = sandbox.run(["use", name, "--shell", "bash"])
        assert proc.returncode == 0, (name, proc.stderr)
        assert exported(proc.stdout)["SSOENV_ACCOUNT_ID"] == expected[name]["sso_account_id"], name

    # configure edits the section botocore reads, and use then follows it
    args = ["configure", "--profile", "default", "--sso-session", "corp", "--account-id", "222222222222"]
    proc = sandbox.run([*args, "--role-name", "ReadOnly"])
    assert proc.returncode == 0, proc.stderr
    assert botocore_profiles(sandbox)["default"]["sso_account_id"] == "222222222222"
    use = sandbox.run(["use", "default", "--shell", "bash"], check=True)
    assert exported(use.stdout)["SSOENV_ACCOUNT_ID"] == "222222222222"
    text = sandbox.config_file.read_text()
    assert text.count("sso_account_id = 222222222222") == 4  # [profile default] was left alone

    # populate sees the hand-written profiles: a generated name that collides ("dev", the
    # emulator's first account name, with the indented keys) is skipped, not overwritten
    before = sandbox.config_file.read_bytes()
    proc = sandbox.run(["populate", "--sso-session", "corp", "--dry-run", "--profile-template", "{account_name}"])
    assert proc.returncode == 0, proc.stderr
    assert sandbox.config_file.read_bytes() == before
    assert "skipped dev: a profile with this name exists, written by hand" in proc.stderr
    removed = [line for line in proc.stdout.split("\n") if line.startswith("-") and not line.startswith("---")]
    assert removed == []
    assert "region = eu-west-1\x0bnot-a-new-line\n" in proc.stdout  # the diff splits lines as botocore does


def test_configure_writes_what_use_and_botocore_read_back(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.config_file.write_bytes(HOSTILE.encode())
    sandbox.env["AWS_SHARED_CREDENTIALS_FILE"] = str(sandbox.home / "no-credentials")
    assert sandbox.emulator is not None
    sandbox.emulator.config.approve = "preapproved"
    sandbox.run(["login", "--sso-session", "corp", "--use-device-code", "--no-browser"], check=True)
    args = ["configure", "--profile", "dev", "--sso-session", "corp", "--account-id", "111111111111"]
    proc = sandbox.run([*args, "--role-name", "AdministratorAccess", "--region", "ap-south-1"])
    assert proc.returncode == 0, proc.stderr
    profile = botocore_profiles(sandbox)["dev"]
    assert (profile["sso_account_id"], profile["region"]) == ("111111111111", "ap-south-1")
    assert "  region = ap-south-1\n" in sandbox.config_file.read_text()  # the section's indentation
    listed = {row["profile"]: row for row in json.loads(sandbox.run(["list", "--json"], check=True).stdout)}
    assert (listed["dev"]["account_id"], listed["dev"]["region"]) == ("111111111111", "ap-south-1")
