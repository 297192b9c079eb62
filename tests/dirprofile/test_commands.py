"""`ssoenv allow` / `deny` and the hook's `ssoenv _dir`, run as the program (in-process tier)."""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any

import pytest

from ssoenv.shells.base import runtime_dir
from ssoenv.shells.envvars import MANAGED
from tests.guard.conftest import guarded_config
from tests.live.conftest import BROWSER


def project(sandbox: Any, text: str = "profile = dev\n", name: str = "proj") -> Path:
    folder = sandbox.home / name
    folder.mkdir(exist_ok=True)
    (folder / ".ssoenv").write_text(text)
    return folder / ".ssoenv"


def stamp(sandbox: Any) -> str:
    return str(runtime_dir(sandbox.env) / "dir-4242.stamp")


def state(out: str) -> dict[str, str]:
    """The hook's state variables in bash code (`_ssoenv_dir_st=applied` ...), unquoted."""
    found = {}
    for match in re.finditer(r"^_ssoenv_dir_(\w+)=('(?:[^']|'\\'')*'|\S*)$", out, re.M):
        value = match.group(2)
        if value.startswith("'"):
            value = value[1:-1].replace("'\\''", "'")
        found[match.group(1)] = value
    return found


def test_allow_and_deny(sandbox: Any) -> None:
    file = project(sandbox, "profile = dev\nregion = ap-south-1\n")
    out = sandbox.run(["allow", str(file.parent)])
    assert out.returncode == 0 and out.stdout == ""
    assert out.stderr == f"ssoenv: allowed {file} (profile dev, region ap-south-1)\n"
    out = sandbox.run(["deny", str(file)])
    assert out.returncode == 0 and out.stderr.startswith(f"ssoenv: denied {file}: ssoenv will not act on it")
    out = sandbox.run(["deny", str(file)])
    assert out.stderr == f"ssoenv: {file} was not allowed; nothing to forget\n"


def test_allow_refuses_what_would_be_refused(sandbox: Any) -> None:
    file = project(sandbox, "profile = dev\neval $(curl evil)\n")
    out = sandbox.run(["allow", str(file.parent)])
    assert out.returncode == 3
    assert out.stderr.count("\n") == 1 and f"{file}:2: not `key = value`" in out.stderr
    out = sandbox.run(["allow"])  # from HOME: no .ssoenv here or above
    assert out.returncode == 2 and "no .ssoenv file in" in out.stderr


def test_allow_warns_about_an_unknown_profile(sandbox: Any) -> None:
    file = project(sandbox, "profile = nowhere\n")
    out = sandbox.run(["allow", str(file.parent)])
    assert out.returncode == 0
    assert "note: there is no profile nowhere in your config yet" in out.stderr


def test_the_helper_is_hidden(sandbox: Any) -> None:
    out = sandbox.run(["--help"])
    assert "allow" in out.stdout and "deny" in out.stdout and "_dir" not in out.stdout


def test_untrusted_then_changed(sandbox: Any) -> None:
    file = project(sandbox)
    out = sandbox.run(["_dir", "bash", str(file), stamp(sandbox)])
    assert out.returncode == 0
    assert state(out.stdout) == {"st": "untrusted", "r": "", "o": "", "w": ""}
    assert "AWS_" not in out.stdout
    assert out.stderr == (
        f"ssoenv: {file} is not allowed yet (profile dev); run `ssoenv allow {file.parent}` to use it\n"
    )
    assert sandbox.run(["allow", str(file.parent)]).returncode == 0
    file.write_text("profile = prod\n")
    out = sandbox.run(["_dir", "bash", str(file), stamp(sandbox)])
    assert state(out.stdout)["st"] == "untrusted"
    assert "changed since you allowed it (profile prod); run `ssoenv allow" in out.stderr
    assert out.stderr.count("\n") == 1


def test_an_invalid_file_is_one_line_and_nothing_else(sandbox: Any) -> None:
    file = project(sandbox, "profile = dev\nrm -rf /\n")
    out = sandbox.run(["_dir", "zsh", str(file), stamp(sandbox)])
    assert out.returncode == 0 and state(out.stdout)["st"] == "failed"
    assert out.stderr.count("\n") == 1 and f"{file}:2: not `key = value`" in out.stderr


def test_no_session_is_pending_and_never_a_login(sandbox: Any) -> None:
    file = project(sandbox)
    assert sandbox.run(["allow", str(file.parent)]).returncode == 0
    before = sandbox.emulator.calls("StartDeviceAuthorization") + sandbox.emulator.calls("RegisterClient")
    out = sandbox.run(["_dir", "bash", str(file), stamp(sandbox)], env={"BROWSER": BROWSER})
    assert out.returncode == 0
    st = state(out.stdout)
    assert st["st"] == "pending" and st["w"] == str(sandbox.sso_cache) and st["o"] == ""
    assert "AWS_ACCESS_KEY_ID" not in out.stdout
    assert out.stderr.count("\n") == 1
    assert "is not logged in; run `ssoenv login dev` and the shell switches then" in out.stderr
    assert sandbox.emulator.calls("StartDeviceAuthorization") + sandbox.emulator.calls("RegisterClient") == before
    # the hook tries again when the token folder changed: still no session says nothing more
    again = sandbox.run(["_dir", "bash", str(file), stamp(sandbox), "retry"])
    assert again.returncode == 0 and state(again.stdout)["st"] == "pending" and again.stderr == ""
    # the stamp has the time of the token cache folder: a login makes the folder newer
    mark = Path(stamp(sandbox))
    assert mark.stat().st_mtime_ns == sandbox.sso_cache.stat().st_mtime_ns
    assert stat.S_IMODE(mark.stat().st_mode) == 0o600
    assert sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
    assert sandbox.sso_cache.stat().st_mtime_ns > mark.stat().st_mtime_ns


def test_applied_with_the_code_to_go_back(sandbox: Any) -> None:
    from ssoenv.shells.envvars import apply

    file = project(sandbox, "profile = dev\nregion = ap-south-1\n")
    assert sandbox.run(["allow", str(file.parent)]).returncode == 0
    assert sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
    before = {"AWS_PROFILE": "old-profile", "AWS_REGION": "xx-old-1"}
    out = sandbox.run(["_dir", "bash", str(file), stamp(sandbox)], env=before)
    assert out.returncode == 0, out.stderr
    st = state(out.stdout)
    assert st["st"] == "applied" and st["o"] == "dev"
    assert "export AWS_REGION=ap-south-1" in out.stdout and "export SSOENV_PROFILE=dev" in out.stdout
    assert re.fullmatch(
        rf"ssoenv: using dev \(111111111111/AdministratorAccess, ap-south-1, credentials valid for (?:1h00m|\d+m)\), "
        rf"for {re.escape(str(file.parent))}\n",
        out.stderr,
    )
    # the restore code sets back every variable the switch may touch, exactly as it was
    restore: dict[str, str | None] = {}
    for line in st["r"].splitlines():
        if line.startswith("unset -v "):
            restore[line.removeprefix("unset -v ")] = None
        else:
            name, _, value = line.removeprefix("export ").partition("=")
            restore[name] = value
    inside = {"AWS_ACCESS_KEY_ID": "ASIA...", "SSOENV_PROFILE": "dev", "SSOENV_SAVED": "AWS_PROFILE,AWS_REGION"}
    assert apply(inside, restore) == before
    assert set(MANAGED) <= set(restore)


def test_a_guarded_profile_without_a_terminal_does_not_switch(sandbox: Any) -> None:
    sandbox.write_config(guarded_config())
    file = project(sandbox, "profile = prod\n")
    assert sandbox.run(["allow", str(file.parent)]).returncode == 0
    assert sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
    out = sandbox.run(["_dir", "fish", str(file), stamp(sandbox)])
    assert out.returncode == 0
    assert "set -g _ssoenv_dir_st refused" in out.stdout and "AWS_ACCESS_KEY_ID" not in out.stdout
    assert out.stderr.count("\n") == 1
    assert "not switched to prod: prod is a guarded profile" in out.stderr
    assert "no terminal to confirm it" in out.stderr and "(`ssoenv use prod` to switch)" in out.stderr


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "pwsh"])
def test_state_in_every_shell(sandbox: Any, shell: str) -> None:
    file = project(sandbox)
    out = sandbox.run(["_dir", shell, str(file), stamp(sandbox)])
    assert out.returncode == 0
    assert "_ssoenv_dir_st" in out.stdout and "untrusted" in out.stdout
    assert "export" not in out.stdout  # state variables only: never exported


@pytest.mark.serial  # a wall-clock bound: run alone (make test)
def test_a_stalled_service_never_holds_the_switch(sandbox: Any) -> None:
    """No cached role credentials and the portal hangs: the switch gives up within its budget."""
    import time

    from ssoenv.features.dirprofile import BUDGET

    file = project(sandbox)
    assert sandbox.run(["allow", str(file.parent)]).returncode == 0
    assert sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
    sandbox.emulator.inject("GetRoleCredentials", kind="hang", count=10, delay=30)
    started = time.monotonic()
    out = sandbox.run(["_dir", "bash", str(file), stamp(sandbox)], process=True)
    elapsed = time.monotonic() - started
    assert out.returncode == 0 and state(out.stdout)["st"] == "failed"
    assert "AWS_ACCESS_KEY_ID" not in out.stdout
    assert out.stderr.count("\n") == 1 and "not switched to dev" in out.stderr
    assert elapsed <= BUDGET + 1.5  # the budget from the command's start, then start-up and exit


@pytest.mark.parametrize("hook", ["bash", "zsh", "fish"])
def test_the_login_hint_pastes_in_the_users_shell(sandbox: Any, hook: str) -> None:
    """The no-session line names `ssoenv login P` with P one word of that shell (run there to check)."""
    import shutil
    import subprocess

    from tests.core.test_hint_quoting import NAME, RUNNERS

    if shutil.which(hook) is None:
        pytest.skip(f"{hook} is not installed")
    with sandbox.config_file.open("a") as f:
        f.write(f'\n[profile "{NAME.replace(chr(92), chr(92) * 2)}"]\nsso_session = corp\n')
        f.write("sso_account_id = 111111111111\nsso_role_name = AdministratorAccess\n")
    file = project(sandbox, f"profile = {NAME}\n")
    assert sandbox.run(["allow", str(file.parent)]).returncode == 0
    out = sandbox.run(["_dir", hook, str(file), stamp(sandbox)], env={"SSOENV_HOOK": hook})
    assert "pending" in out.stdout, out.stderr
    match = re.search(r"run `(ssoenv login [^`]*)` and the shell switches then", out.stderr)
    assert match, out.stderr
    argv = [part.replace("{cmd}", match.group(1)) for part in RUNNERS[hook]]
    ran = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=True).stdout
    assert ran.splitlines() == ["login", NAME]
