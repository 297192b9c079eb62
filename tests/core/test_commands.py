"""list, whoami, logout, export formats, the terminal guards, exec and shell."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from tests.conftest import BROWSER, Sandbox, require_program


@pytest.fixture
def logged_in(sandbox: Sandbox) -> Sandbox:
    assert sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
    return sandbox


def test_list_shows_every_profile_and_session_state(sandbox: Sandbox) -> None:
    with sandbox.config_file.open("a") as f:
        f.write("\n[profile plain]\nregion = eu-west-3\n\n[profile broken]\nsso_account_id = 1\n")
    before = json.loads(sandbox.run(["list", "--json"]).stdout)
    states = {row["profile"]: row["state"] for row in before}
    assert states == {
        "broken": "invalid",
        "dev": "not-logged-in",
        "legacy": "not-logged-in",
        "plain": "not-sso",
        "prod": "not-logged-in",
    }
    assert sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
    rows = {row["profile"]: row for row in json.loads(sandbox.run(["list", "--json"]).stdout)}
    assert rows["dev"]["state"] == rows["prod"]["state"] == "valid"
    assert rows["legacy"]["state"] == "not-logged-in"  # another cache key: another login
    assert rows["prod"]["account_id"] == "222222222222" and rows["prod"]["region"] == "us-east-2"
    table = sandbox.run(["list"])
    assert table.returncode == 0
    assert "valid 7h59m" in table.stdout or "valid 8h" in table.stdout
    assert "missing required configuration" in table.stderr  # the broken profile explained


def test_list_reports_refreshable_and_expired(logged_in: Sandbox) -> None:
    path = logged_in.sso_cache / "ee0bfd2552fbd840c02cc48b6e823320543c450f.json"
    data = json.loads(path.read_text())
    data["expiresAt"] = "2020-01-01T00:00:00Z"
    path.write_text(json.dumps(data))
    rows = {row["profile"]: row for row in json.loads(logged_in.run(["list", "--json"]).stdout)}
    assert rows["dev"]["state"] == "refreshable"
    del data["refreshToken"]
    path.write_text(json.dumps(data))
    rows = {row["profile"]: row for row in json.loads(logged_in.run(["list", "--json"]).stdout)}
    assert rows["dev"]["state"] == "expired"


def test_whoami_profile_and_environment(logged_in: Sandbox) -> None:
    out = json.loads(logged_in.run(["whoami", "prod", "--json"]).stdout)
    assert out["Account"] == "222222222222" and out["Role"] == "ReadOnly" and out["User"] == "demo.user@example.com"
    assert 3500 < out["SecondsLeft"] <= 3600
    code = logged_in.run(["use", "dev", "--shell", "json", "--quiet"])
    env = {k: v for k, v in json.loads(code.stdout).items() if v is not None}
    proc = logged_in.run(["whoami", "--json"], env=env)
    assert proc.returncode == 0, proc.stderr
    ident = json.loads(proc.stdout)
    assert ident["Account"] == "111111111111" and ident["Role"] == "AdministratorAccess"
    assert ident["Source"] == "environment (ssoenv profile dev)"
    none = logged_in.run(["whoami"])
    assert none.returncode == 2 and "no AWS credentials in the environment" in none.stderr


def test_logout_like_aws_sso_logout(logged_in: Sandbox) -> None:
    assert logged_in.run(["login", "legacy"], env={"BROWSER": BROWSER}).returncode == 0
    assert logged_in.run(["export", "dev", "--format", "env"]).returncode == 0
    other = logged_in.cli_cache / "assume-role-entry.json"
    other.write_text('{"ProviderType": "assume-role", "Credentials": {}}')
    emu = logged_in.emulator
    assert emu is not None
    proc = logged_in.run(["logout"])
    assert proc.returncode == 0 and proc.stdout == ""
    assert emu.calls("Logout") == 2
    names = sorted(p.name for p in logged_in.sso_cache.iterdir())
    # the two registrations are kept; both tokens are gone
    assert names == sorted(
        ["bc8a1afdb0f5cdc2c789b8a6cd51898e2be3c37c.json", "365414a68be7c9bfc776c660981dbdbd942acea4.json"]
    )
    assert [p.name for p in logged_in.cli_cache.iterdir()] == ["assume-role-entry.json"]
    lines = proc.stderr.splitlines()
    assert len(lines) == 3 and all(line.startswith("ssoenv: logged out of https://") for line in lines[:2])
    assert lines[2] == f"ssoenv: removed 1 cached SSO role credential file(s) from {logged_in.cli_cache}"
    again = logged_in.run(["export", "dev", "--format", "env", "--no-login"])
    assert again.returncode == 4


@pytest.mark.parametrize("fmt", ["env", "env-no-export"])
def test_export_env_formats_round_trip_in_sh(logged_in: Sandbox, fmt: str) -> None:
    proc = logged_in.run(["export", "dev", "--format", fmt])
    assert proc.returncode == 0
    values = json.loads(logged_in.run(["export", "dev", "--format", "json"]).stdout)
    script = proc.stdout + "".join(f'printf "%s\\n" "${k}"\n' for k in values)
    if fmt == "env-no-export":
        script = proc.stdout + "".join(f'printf "%s\\n" "${k}"\n' for k in values)
    out = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == list(values.values())


def test_export_process_format_matches_the_aws_cli(logged_in: Sandbox) -> None:
    proc = logged_in.run(["export", "dev"])
    data = json.loads(proc.stdout)
    assert list(data) == ["Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"]
    assert data["Version"] == 1 and data["Expiration"].endswith("+00:00")
    assert proc.stdout.startswith('{\n  "Version": 1,')


def test_export_as_credential_process_for_the_aws_cli(logged_in: Sandbox) -> None:
    with logged_in.config_file.open("a") as f:
        f.write(f"\n[profile viaproc]\ncredential_process = {sys.executable} -m ssoenv export prod --no-login\n")
    aws = str(Path(sys.executable).parent / "aws")
    proc = subprocess.run(
        [aws, "sts", "get-caller-identity", "--profile", "viaproc", "--region", "us-east-1"],
        env=logged_in.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["Account"] == "222222222222"


@pytest.mark.parametrize("fmt", ["fish", "powershell", "windows-cmd", "dotenv"])
def test_export_other_formats(logged_in: Sandbox, fmt: str) -> None:
    """Each format, read back by its reader (fish itself, python-dotenv) or parsed exactly."""
    values = json.loads(logged_in.run(["export", "dev", "--format", "json"]).stdout)
    proc = logged_in.run(["export", "dev", "--format", fmt])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("\n") == 4 and proc.stdout.endswith("\n")
    if fmt == "fish":
        fish = require_program("fish")
        probe = proc.stdout + "".join(f'printf "%s\\n" "${k}"\n' for k in values)
        out = subprocess.run([fish, "--no-config", "-c", probe], capture_output=True, text=True, check=True)
        read = dict(zip(values, out.stdout.splitlines(), strict=True))
    elif fmt == "dotenv":
        import io

        from dotenv import dotenv_values

        read = dict(dotenv_values(stream=io.StringIO(proc.stdout)))
    else:
        pattern = {"powershell": r"\$Env:(\w+)='((?:[^']|'')*)'", "windows-cmd": r'set "(\w+)=([^"^%]*)"'}[fmt]
        read = {}
        for line in proc.stdout.splitlines():
            match = re.fullmatch(pattern, line)
            assert match, line
            read[match.group(1)] = match.group(2).replace("''", "'")
    assert read == values


def test_bad_format_is_a_usage_error(logged_in: Sandbox) -> None:
    proc = logged_in.run(["export", "dev", "--format", "yaml"])
    assert proc.returncode == 2 and proc.stdout == ""


@pytest.mark.parametrize("args", [["use", "dev"], ["export", "dev", "--format", "env"], ["off"]])
def test_terminal_stdout_gets_no_secret(logged_in: Sandbox, args: list[str]) -> None:
    child = pexpect.spawn(
        sys.executable, ["-m", "ssoenv", *args], env=logged_in.env, encoding="utf-8", timeout=30, dimensions=(24, 250)
    )
    child.expect(pexpect.EOF)
    child.close()
    text = child.before or ""
    assert child.exitstatus == 2
    assert "ASIA" not in text and "AWS_SECRET_ACCESS_KEY" not in text
    assert "eval" in text


def test_exec_passes_status_argv_and_environment(logged_in: Sandbox, tmp_path: Path) -> None:
    script = tmp_path / "probe.py"
    script.write_text(
        "import json, os, sys\n"
        "env = {k: v for k, v in os.environ.items() if k.startswith(('AWS_', 'SSOENV_'))}\n"
        "json.dump({'argv': sys.argv[1:], 'env': env, 'stdin': sys.stdin.read()}, sys.stdout)\n"
        "sys.exit(int(os.environ.get('PROBE_EXIT', '0')))\n"
    )
    argv = ["a b", "it's", '"quoted"', "$HOME", "`x`", ""]
    proc = logged_in.run(
        ["exec", "dev", "--", sys.executable, str(script), *argv],
        input="from stdin",
        env={"PROBE_EXIT": "7", "AWS_PROFILE": "other"},
    )
    assert proc.returncode == 7, proc.stderr
    data = json.loads(proc.stdout)
    assert data["argv"] == argv
    assert data["stdin"] == "from stdin"
    assert data["env"]["AWS_ACCESS_KEY_ID"].startswith("ASIA")
    assert data["env"]["SSOENV_PROFILE"] == "dev" and "AWS_PROFILE" not in data["env"]
    missing = logged_in.run(["exec", "dev", "--", "no-such-command-xyz"])
    assert missing.returncode == 127 and "command not found" in missing.stderr


def test_exec_secrets_never_on_argv(logged_in: Sandbox) -> None:
    proc = logged_in.run(
        ["exec", "dev", "--", "sh", "-c", "cat /proc/$$/cmdline | tr '\\0' ' '; echo; echo $AWS_SECRET_ACCESS_KEY"]
    )
    cmdline, secret = proc.stdout.splitlines()[:2]
    assert secret and secret not in cmdline


def test_shell_starts_the_users_shell_with_credentials_and_depth(logged_in: Sandbox) -> None:
    bash = require_program("bash")
    env = {**logged_in.env, "SHELL": bash, "PS1": "$ "}
    child = pexpect.spawn(bash, ["--norc", "--noprofile"], env=env, encoding="utf-8", timeout=30, dimensions=(24, 250))
    child.sendline(f"PS1='P''> '; {sys.executable} -m ssoenv shell dev")
    child.expect("starting bash with dev")
    child.sendline("echo depth=$SSOENV_SHELL_DEPTH key=${AWS_ACCESS_KEY_ID:0:4}")
    child.expect("depth=1 key=ASIA")
    child.sendline(f"{sys.executable} -m ssoenv shell prod")
    child.expect("starting bash with prod")
    child.sendline("echo depth=$SSOENV_SHELL_DEPTH acct=$SSOENV_ACCOUNT_ID")
    child.expect("depth=2 acct=222222222222")
    child.sendline("exit")
    child.sendline("echo back depth=$SSOENV_SHELL_DEPTH acct=$SSOENV_ACCOUNT_ID")
    child.expect("back depth=1 acct=111111111111")
    child.sendline("exit")
    child.sendline("echo top depth=[$SSOENV_SHELL_DEPTH]")
    child.expect(r"top depth=\[\]")
    child.sendline("exit")
    child.expect(pexpect.EOF)
    assert os.environ.get("SSOENV_SHELL_DEPTH") is None


def test_exec_replaces_itself_so_signals_reach_the_command(logged_in: Sandbox) -> None:
    import signal
    import time

    proc = subprocess.Popen(
        [sys.executable, "-m", "ssoenv", "exec", "dev", "--", "sleep", "30"],
        env=logged_in.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    cmdline = Path(f"/proc/{proc.pid}/cmdline")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not cmdline.read_bytes().startswith(b"sleep\0"):
        time.sleep(0.05)
    assert cmdline.read_bytes().startswith(b"sleep\0")  # same pid: ssoenv became the command
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == -signal.SIGTERM
