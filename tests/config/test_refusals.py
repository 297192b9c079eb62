"""A config botocore refuses, or one ssoenv may not write, stops every command before any network
call: one ``ssoenv:`` line naming file:line, exit 3, nothing written (issue 8, items 5-6)."""

from __future__ import annotations

import os
import stat
import textwrap
from pathlib import Path

import pytest

from ssoenv.errors import EXIT_CONFIG
from tests.conftest import Sandbox, standard_config

GOOD = textwrap.dedent(standard_config()).lstrip("\n")

BROKEN = {
    # a duplicate key in another profile than the one used
    "duplicate key elsewhere": (GOOD + "\n[profile other]\nregion = a\nRegion = b\n", "repeated"),
    "key before the first section": ("region = us-east-1\n" + GOOD, "before"),
    "UTF-8 BOM": ("\ufeff" + GOOD, "BOM"),
    "bad sso_region": (GOOD.replace("us-east-1\nsso_registration", "us east 1\nsso_registration"), "sso_region"),
}

COMMANDS = {
    "use": ["use", "dev", "--shell", "bash"],
    "login": ["login", "dev", "--use-device-code", "--no-browser"],
    "export": ["export", "dev"],
    "populate": ["populate", "--sso-session", "corp", "--yes", "--use-device-code", "--no-browser"],
    "configure": [
        "configure",
        "--profile",
        "new",
        "--sso-session",
        "corp",
        "--account-id",
        "111111111111",
        "--role-name",
        "ReadOnly",
        "--use-device-code",
        "--no-browser",
    ],
}


def tree(root: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def assert_one_line(stderr: str, *needles: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("ssoenv: "), stderr
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in lines[0], stderr


@pytest.mark.parametrize("case", sorted(BROKEN))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_config_botocore_refuses_stops_before_the_network(sandbox: Sandbox, case: str, command: str) -> None:
    text, what = BROKEN[case]
    assert text != GOOD
    sandbox.config_file.write_text(text)
    assert sandbox.emulator is not None
    sandbox.emulator.clear_requests()
    before = tree(sandbox.home)
    proc = sandbox.run(COMMANDS[command])
    assert proc.returncode == EXIT_CONFIG, proc.stderr
    assert proc.stdout == ""
    assert_one_line(proc.stderr, f"{sandbox.config_file}:", what)
    assert sandbox.emulator.requests == []
    assert tree(sandbox.home) == before


def test_bom_names_the_real_cause(sandbox: Sandbox) -> None:
    sandbox.config_file.write_text("\ufeff" + GOOD)
    proc = sandbox.run(["list"])
    assert proc.returncode == EXIT_CONFIG
    assert_one_line(proc.stderr, f"{sandbox.config_file}:1:", "byte order mark")
    assert "does not exist" not in proc.stderr


@pytest.mark.parametrize("command", [["list"], ["use", "dev", "--shell", "bash"], ["_complete", "profiles"]])
def test_config_path_that_is_a_directory(sandbox: Sandbox, command: list[str]) -> None:
    folder = sandbox.home / "cfgdir"
    folder.mkdir()
    proc = sandbox.run(command, env={"AWS_CONFIG_FILE": str(folder)})
    if command[0] == "_complete":
        assert (proc.returncode, proc.stdout) == (0, "")  # TAB offers nothing and says nothing
        return
    assert proc.returncode == EXIT_CONFIG
    assert_one_line(proc.stderr, f"{folder} is a directory")


@pytest.mark.parametrize("command", ["configure", "populate"])
def test_read_only_config_is_refused_before_login(sandbox: Sandbox, command: str) -> None:
    """A 0444 config is refused like ``aws configure set`` refuses it for a plain user.

    The tests run as root, whom the kernel lets write anything, so this checks the mode-bit rule
    (no write bit at all: refused for everybody); the ``os.access`` rule for files other users
    own is the kernel's answer and is not simulated here.
    """
    sandbox.config_file.write_text(GOOD)
    os.chmod(sandbox.config_file, 0o444)
    assert sandbox.emulator is not None
    sandbox.emulator.clear_requests()
    before = tree(sandbox.home)
    proc = sandbox.run(COMMANDS[command])
    assert proc.returncode == EXIT_CONFIG, proc.stderr
    assert_one_line(proc.stderr, f"{sandbox.config_file} is read-only (mode 0444)")
    assert sandbox.emulator.requests == []  # checked before any login
    assert tree(sandbox.home) == before
    assert stat.S_IMODE(sandbox.config_file.stat().st_mode) == 0o444


def test_populate_dry_run_reads_a_read_only_config(sandbox: Sandbox) -> None:
    sandbox.config_file.write_text(GOOD)
    os.chmod(sandbox.config_file, 0o444)
    assert sandbox.emulator is not None
    sandbox.emulator.config.approve = "preapproved"
    sandbox.run(["login", "dev", "--use-device-code", "--no-browser"], check=True)
    proc = sandbox.run(["populate", "--sso-session", "corp", "--dry-run"])
    assert proc.returncode == 0, proc.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="as a plain user the folder check is the kernel's own")
def test_unwritable_folder_is_refused_before_login(sandbox: Sandbox, tmp_path: Path) -> None:
    from ssoenv.config.writer import check_writable
    from ssoenv.errors import ConfigError
    from ssoenv.paths import resolve_paths

    # a path below a regular file: no folder can be made there, for root either
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ConfigError, match=r"^cannot use "):
        check_writable(resolve_paths({"HOME": str(tmp_path), "AWS_CONFIG_FILE": str(blocker / "config")}))
