"""Interactive bash, zsh and fish in a PTY (pexpect), each with the hook from `ssoenv hook`.

The shells talk to the emulator through the sandbox (temp HOME, config with dev, prod, legacy);
the hook is loaded as a user would, from `python -m ssoenv hook SHELL` in the rc file.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import SessionFactory
from .harness import Session, ShellSpec

pytestmark = [pytest.mark.shell, pytest.mark.interactive]

VOLATILE = ("_", "OLDPWD")  # set by the shells themselves


def login(sandbox: Any) -> dict[str, str]:
    """Log the sandbox in (device code, pre-approved) and return the environment for the shells."""
    sandbox.emulator.config.approve = "preapproved"
    out = sandbox.run(["login", "dev", "--use-device-code", "--no-browser"])
    assert out.returncode == 0, out.stderr
    return shell_env(sandbox)


def shell_env(sandbox: Any) -> dict[str, str]:
    browser = sandbox.home / "browser.sh"
    browser.write_text(f"#!/bin/sh\ntouch '{sandbox.home / 'BROWSER_OPENED'}'\n")
    browser.chmod(0o755)
    return {
        **sandbox.env,
        "BROWSER": str(browser),
        # what `use` displaces and `off` must put back
        "AWS_PROFILE": "old-profile",
        "AWS_REGION": "xx-old-1",
    }


def stable(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k not in VOLATILE}


def segment_re(profile: str, account: str, role: str, time_re: str = r"(?:\d+m|\dh\d\dm)") -> str:
    return rf"^\(aws {re.escape(profile)} {account}/{role} {time_re}\) $"


def check_active(env: dict[str, str], profile: str, account: str, role: str, region: str) -> None:
    assert env["AWS_ACCESS_KEY_ID"].startswith("ASIA")
    assert env["AWS_SECRET_ACCESS_KEY"] and env["AWS_SESSION_TOKEN"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", env["AWS_CREDENTIAL_EXPIRATION"])
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == region
    assert env["AWS_SSO_PROFILE"] == env["SSOENV_PROFILE"] == profile
    assert env["SSOENV_ACCOUNT_ID"] == account
    assert env["SSOENV_ROLE_NAME"] == role
    assert int(env["SSOENV_EXPIRES_AT"]) > time.time() + 60
    for gone in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"):
        assert gone not in env, gone
    assert env["SSOENV_SAVED_AWS_PROFILE"] == "old-profile"  # each displaced value in its own variable


def test_use_switch_off(shell: tuple[ShellSpec, str], make_session: SessionFactory, sandbox: Any) -> None:
    spec, program = shell
    s = make_session(spec, program, env=login(sandbox), home=sandbox.home)
    assert s.last_prompt == ""
    before = s.env()

    # use A
    assert s.status_of("ssoenv use dev") == 0
    dev = s.env()
    check_active(dev, "dev", "111111111111", "AdministratorAccess", "eu-west-1")
    assert re.match(segment_re("dev", "111111111111", "AdministratorAccess"), s.last_prompt), s.last_prompt
    exported = json.loads(sandbox.run(["export", "dev", "--format", "process"], check=True).stdout)
    assert exported["AccessKeyId"] == dev["AWS_ACCESS_KEY_ID"]

    # the AWS CLI (v1) inside the shell sees the role, through the emulator
    identity = json.loads(s.run("aws sts get-caller-identity --output json"))
    assert identity["Account"] == "111111111111"
    assert (
        ":assumed-role/AWSReservedSSO_AdministratorAccess" in identity["Arn"]
        or "AdministratorAccess" in identity["Arn"]
    )

    # use B: nothing of A left, the original environment still remembered
    assert s.status_of("ssoenv use prod") == 0
    prod = s.env()
    check_active(prod, "prod", "222222222222", "ReadOnly", "us-east-2")
    assert prod["AWS_ACCESS_KEY_ID"] != dev["AWS_ACCESS_KEY_ID"]
    assert prod["SSOENV_SAVED"] == dev["SSOENV_SAVED"]
    assert {k for k in prod if k not in before} == {k for k in dev if k not in before}
    assert re.match(segment_re("prod", "222222222222", "ReadOnly"), s.last_prompt), s.last_prompt

    # a failing use changes nothing: unknown profile (3), login needed but not allowed (4)
    assert s.status_of("ssoenv use nosuch") == 3
    assert stable(s.env()) == stable(prod)
    assert s.status_of("ssoenv use --no-login legacy") == 4
    assert stable(s.env()) == stable(prod)
    assert re.match(segment_re("prod", "222222222222", "ReadOnly"), s.last_prompt), s.last_prompt

    # off: exactly the environment of before
    assert s.status_of("ssoenv off") == 0
    after = s.env()
    assert stable(after) == stable(before)
    assert after["AWS_PROFILE"] == "old-profile" and after["AWS_REGION"] == "xx-old-1"
    assert s.last_prompt == ""
    assert not (sandbox.home / "BROWSER_OPENED").exists()


def test_tab_completion(shell: tuple[ShellSpec, str], make_session: SessionFactory, sandbox: Any) -> None:
    spec, program = shell
    s = make_session(spec, program, env=shell_env(sandbox), home=sandbox.home)
    assert s.complete("ssoenv use de") == "ssoenv use dev"
    assert s.complete("ssoenv exec pr") == "ssoenv exec prod"
    assert s.complete("ssoenv who") == "ssoenv whoami"
    assert s.complete("ssoenv use --no-l") == "ssoenv use --no-login"
    assert s.complete("ssoenv use --shell fi") == "ssoenv use --shell fish"
    assert s.complete("ssoenv export dev --format dot") == "ssoenv export dev --format dotenv"


def _reset_retry(s: Session) -> None:
    """Let the hook try again now instead of a minute later (what the passing of time would do)."""
    s.run("set -g _ssoenv_retry_at 0" if s.spec.name == "fish" else "_ssoenv_retry_at=0")


def settle(s: Session, timeout: float = 30) -> None:
    """Press Enter until the hook has no background refresh running (it picked the result up)."""
    var = "$_ssoenv_bg_started"
    deadline = time.monotonic() + timeout
    while s.run(f'echo "bg=[{var}]"').strip() != "bg=[0]":
        assert time.monotonic() < deadline, "the background refresh did not finish"
        time.sleep(0.05)


def test_auto_refresh(shell: tuple[ShellSpec, str], make_session: SessionFactory, sandbox: Any) -> None:
    spec, program = shell
    env = login(sandbox)
    emu = sandbox.emulator
    emu.config.role_ttl = 240  # inside the default 10-minute window as soon as it is issued
    s = make_session(spec, program, env=env, home=sandbox.home)
    device_logins = emu.calls("StartDeviceAuthorization")
    fetched = emu.calls("GetRoleCredentials")

    out = s.run('ssoenv use dev; echo "K1=[$AWS_ACCESS_KEY_ID]"')
    first_key = re.search(r"K1=\[(\w+)\]", out).group(1)  # type: ignore[union-attr]
    # the prompt right after `use` found them inside the window and started a refresh in the
    # background; a later prompt picks the new credentials up, quietly
    settle(s)
    assert "ssoenv:" not in s.last_before_prompt
    env1 = s.env()
    assert env1["AWS_ACCESS_KEY_ID"] != first_key
    assert emu.calls("GetRoleCredentials") == fetched + 2
    assert re.match(segment_re("dev", "111111111111", "AdministratorAccess", r"[34]m!"), s.last_prompt), s.last_prompt
    # the hand-off file is emptied once read: no credentials left lying around
    handoff = list((sandbox.home / ".aws" / "sso" / "ssoenv-run").iterdir())
    assert handoff and all(p.stat().st_size == 0 and p.stat().st_mode & 0o777 == 0o600 for p in handoff)
    assert (sandbox.home / ".aws" / "sso" / "ssoenv-run").stat().st_mode & 0o777 == 0o700
    # fresh credentials are short-lived again: no new attempt at every prompt
    s.enter()
    s.enter()
    settle(s)
    assert emu.calls("GetRoleCredentials") == fetched + 2

    # the session ends (revoked): one line, once, and no browser
    emu.revoke_all_tokens()
    _reset_retry(s)  # the prompt after this command tries again
    messages = ""
    deadline = time.monotonic() + 30
    while "ssoenv:" not in messages:
        assert time.monotonic() < deadline
        s.enter()
        messages += s.last_before_prompt
    assert "ssoenv: the SSO session of dev has expired or was revoked; run `ssoenv login dev`" in messages
    assert messages.count("ssoenv:") == 1
    _reset_retry(s)
    settle(s)
    assert "ssoenv:" not in s.last_before_prompt
    s.enter()
    assert "ssoenv:" not in s.last_before_prompt
    assert stable(s.env()) == stable(env1)  # the failed refresh changed nothing
    assert emu.calls("StartDeviceAuthorization") == device_logins
    assert not (sandbox.home / "BROWSER_OPENED").exists()


def test_refresh_window_override(shell: tuple[ShellSpec, str], make_session: SessionFactory, sandbox: Any) -> None:
    spec, program = shell
    env = {**login(sandbox), "SSOENV_REFRESH_WINDOW": "0"}
    sandbox.emulator.config.role_ttl = 240
    s = make_session(spec, program, env=env, home=sandbox.home)
    fetched = sandbox.emulator.calls("GetRoleCredentials")
    s.run("ssoenv use dev")
    s.enter()
    assert sandbox.emulator.calls("GetRoleCredentials") == fetched + 1  # outside a 0-second window


def _fake_profile_env(**extra: str) -> dict[str, str]:
    return {
        "SSOENV_PROFILE": "ghost",
        "SSOENV_ACCOUNT_ID": "123456789012",
        "SSOENV_ROLE_NAME": "Admin",
        "SSOENV_EXPIRES_AT": str(int(time.time()) + 7300),
        **extra,
    }


def test_hook_installed_twice_runs_once_and_keeps_status(
    shell: tuple[ShellSpec, str], make_session: SessionFactory, sandbox: Any
) -> None:
    spec, program = shell
    s = make_session(spec, program, env={**shell_env(sandbox), **_fake_profile_env()}, home=sandbox.home, hooks=2)
    read = 'echo "runs=[$_ssoenv_runs]"'
    first = int(re.search(r"runs=\[(\d+)\]", s.run(read)).group(1))  # type: ignore[union-attr]
    s.enter()
    s.run("true")
    second = int(re.search(r"runs=\[(\d+)\]", s.run(read)).group(1))  # type: ignore[union-attr]
    assert second - first == 3
    assert re.match(segment_re("ghost", "123456789012", "Admin", r"2h0[01]m"), s.last_prompt), s.last_prompt
    # `$?` survives the prompt hook
    s.run_keep_status("false")
    assert s.status_after_prompt() == 1
    if spec.name != "fish":
        s.run_keep_status("(exit 7)")
        assert s.status_after_prompt() == 7
    # the hook is registered once
    if spec.name == "bash":
        assert s.run('[[ $PROMPT_COMMAND == "$_ssoenv_pc" ]] && echo "[same]"').strip() == "[same]"
        assert s.run('echo "[$PS1]"').strip() == "[${_ssoenv_ps1}PXP>> ]"
    elif spec.name == "zsh":
        assert s.run('echo "[${precmd_functions[*]}]"').strip() == "[_ssoenv_precmd _ssoenv_draw]"
    else:
        out = s.run("functions --handlers-type generic | string match -r '_ssoenv\\S*'")
        assert out.split() == ["_ssoenv_on_prompt"]


def test_prompt_commands_already_there(make_session: SessionFactory, sandbox: Any, tmp_path: Path) -> None:
    """bash: PROMPT_COMMAND as a string and as an array (5.1+); zsh: existing precmd functions."""
    from .harness import SHELLS, require_program

    bash = require_program("bash")
    s = make_session(
        SHELLS["bash"],
        bash,
        env=shell_env(sandbox),
        home=tmp_path / "a",
        before=["user_runs=0; _user_pc() { user_runs=$((user_runs+1)); }; PROMPT_COMMAND=(_user_pc)"],
        hooks=2,
    )
    out = s.run(
        "declare -p PROMPT_COMMAND; "
        'echo "${#PROMPT_COMMAND[@]}|${PROMPT_COMMAND[0]%%[[:space:]]*}|${PROMPT_COMMAND[1]}"'
    )
    assert out.strip().splitlines()[-1] == "2|_ssoenv_hook|_user_pc"
    s = make_session(
        SHELLS["bash"],
        bash,
        env=shell_env(sandbox),
        home=tmp_path / "b",
        before=["PROMPT_COMMAND='history -a'"],
        hooks=2,
    )
    assert s.run('[[ $PROMPT_COMMAND == "$_ssoenv_pc"$\'\\n\'"history -a" ]] && echo "[same]"').strip() == "[same]"
    zsh = require_program("zsh")
    s = make_session(
        SHELLS["zsh"],
        zsh,
        env=shell_env(sandbox),
        home=tmp_path / "c",
        before=["mine() { :; }; precmd_functions=(mine)"],
        hooks=2,
    )
    assert s.run('echo "[${precmd_functions[*]}]"').strip() == "[_ssoenv_precmd mine _ssoenv_draw]"


def test_disable_prompt(shell: tuple[ShellSpec, str], make_session: SessionFactory, sandbox: Any) -> None:
    spec, program = shell
    env = {**login(sandbox), "SSOENV_DISABLE_PROMPT": "1"}
    s = make_session(spec, program, env=env, home=sandbox.home)
    show_prompt = "functions fish_prompt" if spec.name == "fish" else 'printf "%s\\n" "$PS1"'
    prompt_before = s.run(show_prompt)
    assert s.status_of("ssoenv use dev") == 0
    assert s.last_prompt == ""
    assert s.run(show_prompt) == prompt_before
    env1 = s.env()
    # what starship / powerlevel10k read, with no configuration
    assert env1["AWS_SSO_PROFILE"] == "dev" and env1["AWS_CREDENTIAL_EXPIRATION"].endswith("Z")
    # the function for hand-made prompts
    assert re.match(
        segment_re("dev", "111111111111", "AdministratorAccess").rstrip(" $") + r"$", s.run("ssoenv_prompt")
    )


HOSTILE_NAME = "p$(touch PWNED_1)`touch PWNED_2`%F{red}\\u!(x)\x1b[31m%%"


def test_prompt_shows_values_never_runs_them(
    shell: tuple[ShellSpec, str], make_session: SessionFactory, sandbox: Any
) -> None:
    spec, program = shell
    env = {**shell_env(sandbox), **_fake_profile_env(SSOENV_PROFILE=HOSTILE_NAME, SSOENV_SHELL_DEPTH="2")}
    s = make_session(spec, program, env=env, home=sandbox.home)
    shown = HOSTILE_NAME.replace("\x1b", "?")
    expected = f"(aws:2 {shown} 123456789012/Admin "
    # zsh shows it through psvar (%v): literally, whatever PROMPT_SUBST and PROMPT_BANG say
    literal = expected
    s.enter()
    assert s.last_prompt.startswith(literal), s.last_prompt
    if spec.name == "zsh":
        s.run("setopt promptsubst")
        s.enter()
        assert s.last_prompt.startswith(expected), s.last_prompt
        s.run("setopt promptbang")
        s.enter()
        assert s.last_prompt.startswith(expected), s.last_prompt
        s.run("unsetopt promptsubst; setopt promptbang")
        s.enter()
        assert s.last_prompt.startswith(literal), s.last_prompt
        s.run("unsetopt promptbang")
        s.enter()
        assert s.last_prompt.startswith(literal), s.last_prompt
    assert s.run("ssoenv_prompt").startswith(expected.rstrip())
    assert not list(sandbox.home.glob("PWNED*"))


def test_expiry_display_and_messages(shell: tuple[ShellSpec, str], make_session: SessionFactory, sandbox: Any) -> None:
    """Unknown expiry: no countdown, no refresh. Expired: shown, one message. Soon: a warning."""
    spec, program = shell
    env = {**shell_env(sandbox), **_fake_profile_env(SSOENV_EXPIRES_AT="")}
    s = make_session(spec, program, env=env, home=sandbox.home)
    calls = sandbox.emulator.calls("GetRoleCredentials")
    s.enter()
    s.enter()
    assert s.last_prompt == "(aws ghost 123456789012/Admin) "
    assert "ssoenv:" not in s.last_before_prompt  # an empty expiry is not "expired" (Granted#547)

    s.set_var("SSOENV_EXPIRES_AT", str(int(time.time()) - 5))
    assert s.last_prompt == "(aws ghost 123456789012/Admin expired) "
    messages = s.last_before_prompt
    deadline = time.monotonic() + 30
    while "ssoenv:" not in messages:  # the refresh runs in the background
        assert time.monotonic() < deadline
        s.enter()
        messages += s.last_before_prompt
    assert "ssoenv: could not refresh the credentials of ghost (exit 3); run `ssoenv use ghost`" in messages
    _reset_retry(s)
    settle(s)
    assert "ssoenv:" not in s.last_before_prompt  # once per expiry value
    assert s.last_prompt == "(aws ghost 123456789012/Admin expired) "

    s.set_var("SSOENV_REFRESH_WINDOW", "0")
    s.set_var("SSOENV_EXPIRES_AT", str(int(time.time()) + 300))
    assert re.fullmatch(r"\(aws ghost 123456789012/Admin [45]m!\) ", s.last_prompt), s.last_prompt
    assert "ssoenv:" not in s.last_before_prompt
    assert sandbox.emulator.calls("GetRoleCredentials") == calls


def test_completion_registered_when_compinit_runs_later(make_session: SessionFactory, sandbox: Any) -> None:
    """zsh: the hook line may come before `compinit` in .zshrc; completion is registered at the next prompt."""
    from .harness import SHELLS, require_program

    zsh = require_program("zsh")
    s = make_session(
        SHELLS["zsh"],
        zsh,
        env=shell_env(sandbox),
        home=sandbox.home,
        compinit=False,
        after=["autoload -Uz compinit && compinit -u -D"],
    )
    s.enter()
    assert s.complete("ssoenv use de") == "ssoenv use dev"


@pytest.mark.serial  # a wall-clock bound and a Ctrl-C race: run alone (make test)
def test_stalled_refresh_never_holds_the_prompt(
    shell: tuple[ShellSpec, str], make_session: SessionFactory, sandbox: Any, tmp_path: Path
) -> None:
    """A refresh that hangs runs in the background: Enter gives the prompt back at once, with no job
    message; Ctrl-C at the prompt does not reach it; the user's INT trap is kept; its late result
    is applied at a later prompt only if it is still for the credentials in use."""
    from ssoenv.shells import get_dialect

    spec, program = shell
    started = tmp_path / "started"
    release = tmp_path / "release"
    fake = tmp_path / "fake-ssoenv"
    status_line = {"bash": "_ssoenv_bg_rc=0", "zsh": "_ssoenv_bg_rc=0", "fish": "set -g _ssoenv_bg_rc 0"}[spec.name]
    late = get_dialect(spec.name).render({"SSOENV_EXPIRES_AT": str(int(time.time()) + 7200), "LATE": "1"})
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = _refresh ]; then\n'
        f"  touch '{started}'\n"
        f"  n=0; while [ ! -e '{release}' ] && [ $n -lt 1200 ]; do sleep 0.05; n=$((n + 1)); done\n"
        f'  umask 077; printf \'%s\' \'{late}{status_line}\n\' > "$3.tmp" && mv "$3.tmp" "$3"\n'
        "fi\n"
    )
    fake.chmod(0o755)
    hook_file = tmp_path / f"hook.{spec.name}"
    runtime = sandbox.home / ".aws" / "sso" / "ssoenv-run"
    runtime.mkdir(parents=True, mode=0o700)
    hook_file.write_text(get_dialect(spec.name).hook([str(fake)], completion=False, runtime=str(runtime)))
    env = {**shell_env(sandbox), **_fake_profile_env(SSOENV_EXPIRES_AT=str(int(time.time()) + 120))}
    trap = (
        "function fish_sigint --on-signal INT; echo USER-TRAP; end"
        if spec.name == "fish"
        else "trap 'echo USER-TRAP' INT"
    )
    s = make_session(spec, program, env=env, home=sandbox.home, before=[trap], hook=[f"source '{hook_file}'"])
    deadline = time.monotonic() + 20
    while not started.exists():
        assert time.monotonic() < deadline, "the refresh did not start"
        time.sleep(0.05)
    try:
        _stalled_checks(s, spec)
    finally:
        release.touch()  # never leave the stand-in waiting
    settle(s)
    assert s.env().get("LATE") == "1"  # the result, picked up at a prompt
    assert re.match(segment_re("ghost", "123456789012", "Admin", r"(1h59m|2h00m)"), s.last_prompt), s.last_prompt
    if spec.name != "fish":
        assert "echo USER-TRAP" in s.run("trap -p INT" if spec.name == "bash" else "trap")


def _stalled_checks(s: Session, spec: ShellSpec) -> None:
    for _ in range(3):
        begin = time.monotonic()
        s.enter()
        assert time.monotonic() - begin < 1.0  # the prompt does not wait for the stalled refresh
    s.child.sendintr()
    s.child.expect_exact("USER-TRAP", timeout=10)  # the user's trap ran: Ctrl-C reached the shell
    if spec.name == "bash":
        s.expect_prompt(timeout=10)  # bash draws a new prompt after Ctrl-C; zsh and fish do not
    s.run("true")  # back in sync
    jobs = s.run("jobs")
    assert jobs.strip() == "" or "no" in jobs.lower(), jobs  # not a job of the shell
    assert "Done" not in s.last_before_prompt and "ended" not in s.last_before_prompt
    assert "LATE" not in s.env()


def test_bash_without_promptvars(make_session: SessionFactory, sandbox: Any) -> None:
    """`shopt -u promptvars`: PS1 is not expanded, so the hook puts the text itself in and takes
    the last one out at the next prompt: one segment, current, never the reference, never run."""
    from .harness import SHELLS, require_program

    env = {**shell_env(sandbox), **_fake_profile_env(SSOENV_PROFILE=HOSTILE_NAME)}
    s = make_session(
        SHELLS["bash"], require_program("bash"), env=env, home=sandbox.home, before=["shopt -u promptvars"]
    )
    s.enter()
    shown = HOSTILE_NAME.replace("\x1b", "?")
    assert s.last_prompt.startswith(f"(aws {shown} 123456789012/Admin "), s.last_prompt
    assert "_ssoenv_ps1" not in s.last_prompt
    s.run("SSOENV_PROFILE=other SSOENV_ACCOUNT_ID=210987654321")
    s.enter()
    assert s.last_prompt.startswith("(aws other 210987654321/Admin "), s.last_prompt
    assert s.last_prompt.count("(aws") == 1, s.last_prompt
    s.run("unset SSOENV_PROFILE SSOENV_ACCOUNT_ID SSOENV_ROLE_NAME SSOENV_EXPIRES_AT")
    s.enter()
    assert "(aws" not in s.last_prompt, s.last_prompt
    assert not list(sandbox.home.glob("PWNED*"))
