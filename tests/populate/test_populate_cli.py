"""`ssoenv populate` against the emulator with hundreds of accounts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ssoenv.emulator import Emulator, EmulatorConfig
from ssoenv.emulator.directory import Account, Directory
from tests.conftest import START_URL, Sandbox

from .conftest import ACCOUNTS, ROLES, SESSION_CONFIG, make_sandbox, read_profiles

pytestmark = pytest.mark.slow


def expected_profiles(emu: Emulator, session: str = "corp") -> dict[str, dict[str, str]]:
    out = {}
    for acct in emu.directory.assigned_accounts():
        for role in acct.roles:
            out[f"{acct.name}.{role}"] = {
                "sso_session": session,
                "sso_account_id": acct.account_id,
                "sso_role_name": role,
                "sso_account_name": acct.name,
                "ssoenv_generated": session,
            }
    return out


def generated(profiles: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    return {name: values for name, values in profiles.items() if "ssoenv_generated" in values}


def test_populate_writes_every_account_and_role(big: Sandbox) -> None:
    assert big.emulator is not None
    original = big.config_file.read_bytes()
    proc = big.run(["populate"], check=True)
    assert proc.stdout == ""  # messages go to stderr
    assert f"found {ACCOUNTS} account(s) with {ACCOUNTS * ROLES} role(s)" in proc.stderr
    profiles = read_profiles(big.config_file)
    assert generated(profiles) == expected_profiles(big.emulator)
    assert len(generated(profiles)) == ACCOUNTS * ROLES
    # hand-written content is byte for byte where it was
    after = big.config_file.read_bytes()
    assert after.startswith(original)
    assert profiles["handmade"] == {
        "sso_session": "corp",
        "sso_account_id": "111111111111",
        "sso_role_name": "ReadOnly",
        "region": "us-west-2",
    }
    # every ListAccounts page was followed; roles listed once per account
    assert big.emulator.calls("ListAccountRoles") >= ACCOUNTS
    backup = big.config_file.with_name("config.ssoenv.bak")
    assert backup.read_bytes() == original


def test_second_run_is_a_no_op(big: Sandbox) -> None:
    big.run(["populate", "--region", "eu-central-1"], check=True)
    data = big.config_file.read_bytes()
    stat = big.config_file.stat()
    proc = big.run(["populate", "--region", "eu-central-1"], check=True)
    assert "nothing to change" in proc.stderr
    assert big.config_file.read_bytes() == data
    assert big.config_file.stat().st_ino == stat.st_ino
    assert big.config_file.stat().st_mtime_ns == stat.st_mtime_ns
    # and without --region, the region written before stays
    proc = big.run(["populate"], check=True)
    assert "nothing to change" in proc.stderr
    assert big.config_file.read_bytes() == data


def test_dry_run_writes_nothing_and_prints_a_diff(big: Sandbox) -> None:
    before = big.config_file.read_bytes()
    proc = big.run(["populate", "--dry-run"], check=True)
    assert big.config_file.read_bytes() == before
    assert not big.config_file.with_name("config.ssoenv.bak").exists()
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("--- a/") and lines[1].startswith("+++ b/")
    assert sum(1 for line in lines if line.startswith("+[profile ")) == ACCOUNTS * ROLES
    assert not any(line.startswith("-") and not line.startswith("---") for line in lines)
    assert "nothing written" in proc.stderr
    # the diff applies cleanly and gives what a real run writes
    if shutil.which("patch"):
        copy = big.home / "copy"
        copy.write_bytes(before)
        subprocess.run(["patch", "-s", str(copy)], input=proc.stdout, text=True, check=True)
        big.run(["populate"], check=True)
        assert copy.read_bytes() == big.config_file.read_bytes()


def test_prune_removes_only_profiles_whose_assignment_is_gone(big: Sandbox) -> None:
    emu = big.emulator
    assert emu is not None
    big.run(["populate"], check=True)
    # a profile generated for another portal, and a hand edit inside a generated profile
    with big.config_file.open("a") as f:
        f.write("\n[profile other.portal]\nsso_session = partner\nsso_account_id = 222222222222\n")
        f.write("sso_role_name = ReadOnly\nssoenv_generated = partner\n")
    before = big.config_file.read_bytes()
    gone = ("333333333333", "ReadOnly")  # staging.ReadOnly
    assert emu.directory.remove_role(*gone)

    proc = big.run(["populate"], check=True)  # without --prune: kept, and said so
    assert "staging.ReadOnly" in proc.stderr and "--prune" in proc.stderr
    assert big.config_file.read_bytes() == before

    proc = big.run(["populate", "--prune"])  # no terminal, no --yes: refused, nothing written
    assert proc.returncode == 2, proc.stderr
    assert "--yes" in proc.stderr
    assert big.config_file.read_bytes() == before

    proc = big.run(["populate", "--prune", "--yes"], check=True)
    after = big.config_file.read_bytes()
    profiles = read_profiles(big.config_file)
    assert "staging.ReadOnly" not in profiles
    assert "other.portal" in profiles and "handmade" in profiles
    assert len(generated(profiles)) == ACCOUNTS * ROLES - 1 + 1  # minus the gone one, plus partner's
    section = b"[profile staging.ReadOnly]\n"
    start = before.index(section)
    end = before.index(b"\n[", start + 1) + 1
    assert after == before[:start] + before[end + 1 :] or after == before[:start] + before[end:].lstrip(b"\n")


def test_throttling_is_retried(big: Sandbox) -> None:
    emu = big.emulator
    assert emu is not None
    emu.inject("ListAccountRoles", status=429, count=25)
    emu.inject("ListAccounts", status=429, count=2)
    big.run(["populate"], check=True)
    assert generated(read_profiles(big.config_file)) == expected_profiles(emu)


def test_template_and_rename_in_place(big: Sandbox) -> None:
    emu = big.emulator
    assert emu is not None
    big.run(["populate"], check=True)
    first = read_profiles(big.config_file)
    proc = big.run(["populate", "--profile-template", "{account_id}-{role_name}"], check=True)
    assert f"{ACCOUNTS * ROLES} to rename" in proc.stderr
    profiles = generated(read_profiles(big.config_file))
    assert set(profiles) == {f"{v['sso_account_id']}-{v['sso_role_name']}" for v in generated(first).values()}
    proc = big.run(["populate", "--profile-template", "{nope}"])
    assert proc.returncode == 2 and "{account_name}" in proc.stderr


def test_expired_session_without_terminal_is_one_clear_error(tmp_path: Path, big_emulator: Emulator) -> None:
    sb = make_sandbox(tmp_path, big_emulator, login=False)
    proc = sb.run(["populate"])
    assert proc.returncode == 4
    assert proc.stderr.count("\n") == 2  # the announce line and one error line
    assert "ssoenv login" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_start_url_creates_a_session(tmp_path: Path) -> None:
    emu = Emulator(EmulatorConfig(port=0, accounts=4, roles_per_account=1, approve="preapproved")).start()
    try:
        sb = make_sandbox(tmp_path, emu, config=None, login=False)
        proc = sb.run(
            ["populate", "--start-url", START_URL, "--sso-region", "us-east-1", "--use-device-code", "--no-browser"],
            check=True,
        )
        assert "added [sso-session d-1234567890]" in proc.stderr
        assert sb.config_file.read_text().startswith(
            f"[sso-session d-1234567890]\nsso_start_url = {START_URL}\nsso_region = us-east-1\n"
            "sso_registration_scopes = sso:account:access\n\n[profile dev.AdministratorAccess]\n"
        )
        assert len(generated(read_profiles(sb.config_file))) == 4
        # the same URL again finds that session (no second one)
        sb.run(["populate", "--start-url", START_URL + "/", "--sso-region", "us-east-1"], check=True)
        assert sb.config_file.read_text().count("[sso-session") == 1
        assert stat_mode(sb.config_file) == 0o600
    finally:
        emu.stop()


def stat_mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777


def test_names_are_safe_unique_and_never_clobber_hand_written(tmp_path: Path) -> None:
    directory = Directory(
        [
            Account("111111111111", "Prod Account", "a@example.com", ["Admin"]),
            Account("222222222222", "Prod Account", "b@example.com", ["Admin"]),
            Account("333333333333", "weird/$name; rm", "c@example.com", ["Read Only", "Read-Only"]),
            Account("444444444444", "dev", "d@example.com", ["ReadOnly", "Admin"]),
        ]
    )
    emu = Emulator(EmulatorConfig(port=0, approve="preapproved"), directory=directory).start()
    try:
        config = SESSION_CONFIG + "\n[profile dev.Admin]\nregion = mine\n"
        sb = make_sandbox(tmp_path, emu, config=config)
        proc = sb.run(["populate"], check=True)
        assert "skipped dev.Admin" in proc.stderr
        profiles = read_profiles(sb.config_file)
        assert profiles["dev.Admin"] == {"region": "mine"}
        names = set(generated(profiles))
        assert names == {
            "Prod-Account.Admin-111111111111",
            "Prod-Account.Admin-222222222222",
            "weird/-name-rm.Read-Only",
            "weird/-name-rm.Read-Only-2",
            "dev.ReadOnly",
        }
    finally:
        emu.stop()


def test_aws_cli_v1_accepts_generated_profiles(big: Sandbox) -> None:
    aws = shutil.which("aws", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
    if aws is None:
        pytest.skip("AWS CLI v1 not installed")
    big.run(["populate", "--region", "eu-west-1"], check=True)
    proc = subprocess.run(
        [aws, "sts", "get-caller-identity", "--profile", "dev.ReadOnly", "--output", "json"],
        env=big.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert '"Account": "111111111111"' in proc.stdout


@pytest.mark.interactive
def test_in_a_terminal_a_progress_bar_and_a_confirmation_before_pruning(big: Sandbox) -> None:
    import pexpect

    emu = big.emulator
    assert emu is not None
    big.run(["populate"], check=True)
    assert emu.directory.remove_role("222222222222", "ReadOnly")
    before = big.config_file.read_bytes()
    child = pexpect.spawn(
        sys.executable,
        ["-m", "ssoenv", "populate", "--prune"],
        env={**big.env, "TERM": "xterm"},
        cwd=str(big.home),
        encoding="utf-8",
        timeout=60,
        dimensions=(24, 100),
    )
    child.expect_exact("listing roles")  # the progress bar, on the terminal
    child.expect_exact("1 generated profile(s) to remove: prod.ReadOnly")
    child.expect_exact("remove them? [y/N]: ")
    child.sendline("n")
    child.expect_exact("nothing written")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert big.config_file.read_bytes() == before
    child = pexpect.spawn(
        sys.executable,
        ["-m", "ssoenv", "populate", "--prune"],
        env={**big.env, "TERM": "xterm"},
        cwd=str(big.home),
        encoding="utf-8",
        timeout=60,
    )
    child.expect_exact("remove them? [y/N]: ")
    child.sendline("y")
    child.expect_exact("1 to remove")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "prod.ReadOnly" not in read_profiles(big.config_file)
