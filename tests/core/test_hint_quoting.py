"""Hints name a command that works when pasted: the profile is one word in the user's shell."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.conftest import Sandbox

NAME = "it's a\\b"

# the hint's command run with `ssoenv` standing in as a function that prints its arguments
RUNNERS = {
    "bash": ["bash", "--norc", "--noprofile", "-c", 'ssoenv() { printf "%s\\n" "$@"; }; ' + "{cmd}"],
    "zsh": ["zsh", "-f", "-c", 'ssoenv() { printf "%s\\n" "$@"; }; ' + "{cmd}"],
    "fish": ["fish", "--no-config", "-c", "function ssoenv; printf '%s\\n' $argv; end; " + "{cmd}"],
}


@pytest.mark.parametrize("shell", sorted(RUNNERS))
def test_login_hint_quotes_the_profile_for_the_shell(sandbox: Sandbox, shell: str) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    with sandbox.config_file.open("a") as f:
        f.write(f'\n[profile "{NAME.replace(chr(92), chr(92) * 2)}"]\nsso_session = corp\n')
        f.write("sso_account_id = 111111111111\nsso_role_name = AdministratorAccess\n")
    proc = sandbox.run(["use", "--no-login", "--shell", shell, NAME], env={"SSOENV_HOOK": shell})
    assert proc.returncode == 4, proc.stderr
    assert proc.stdout == ""
    match = re.search(r"run `(ssoenv login [^`]*)`", proc.stderr)
    assert match, proc.stderr
    argv = [part.replace("{cmd}", match.group(1)) for part in RUNNERS[shell]]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=True).stdout
    assert out.splitlines() == ["login", NAME]
