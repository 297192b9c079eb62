"""Profiles that follow your directory, in real bash, zsh and fish (PTY, against the emulator):
in and out, nested trees, a hand `use`, an untrusted file, a changed file, `deny`, a guarded
profile (asked on the terminal), and no session (one line, then the switch after a login)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.guard.conftest import guarded_config
from tests.shells.conftest import SessionFactory, make_session, shell  # noqa: F401 (fixtures)
from tests.shells.harness import Session, ShellSpec, clean
from tests.shells.test_interactive import login, shell_env, stable

pytestmark = [pytest.mark.shell, pytest.mark.interactive]

QUESTION = "is a guarded profile. To go on, type its name (prod) or account id (222222222222): "


def tree(home: Path) -> dict[str, Path]:
    """proj (dev) with proj/sub (no file) and proj/inner (prod), and an unrelated folder."""
    dirs = {"proj": home / "proj", "sub": home / "proj" / "sub", "inner": home / "proj" / "inner"}
    for folder in dirs.values():
        folder.mkdir(parents=True, exist_ok=True)
    (dirs["proj"] / ".ssoenv").write_text("# the team's account\nprofile = dev\n")
    (dirs["inner"] / ".ssoenv").write_text("profile = prod\nregion = ap-south-1\n")
    dirs["elsewhere"] = home / "elsewhere"
    dirs["elsewhere"].mkdir(exist_ok=True)
    return dirs


def said(s: Session) -> str:
    """The lines ssoenv printed before the last prompt (not the prompt's segment)."""
    text = s.last_before_prompt.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line for line in text.split("\n") if line.startswith("ssoenv:"))


def cd(s: Session, folder: Path | str) -> str:
    """``cd`` there; what the hook said at the prompt that followed."""
    s.run(f"cd '{folder}'")
    return said(s)


def vars_of(s: Session) -> dict[str, str]:
    """The environment, less what differs from one folder or prompt to the next."""
    return {k: v for k, v in stable(s.env()).items() if k not in ("PWD", "OLDPWD")}


def profile(s: Session) -> str | None:
    return s.env().get("SSOENV_PROFILE")


def allow(sandbox: Any, *folders: Path) -> None:
    for folder in folders:
        out = sandbox.run(["allow", str(folder)])
        assert out.returncode == 0, out.stderr


def test_in_and_out_nested_and_by_hand(
    shell: tuple[ShellSpec, str],  # noqa: F811
    make_session: SessionFactory,  # noqa: F811
    sandbox: Any,
) -> None:
    spec, program = shell
    env = login(sandbox)
    dirs = tree(sandbox.home)
    allow(sandbox, dirs["proj"], dirs["inner"])
    s = make_session(spec, program, env=env, home=sandbox.home)
    before = vars_of(s)
    assert before["AWS_PROFILE"] == "old-profile" and "SSOENV_PROFILE" not in before

    msg = cd(s, dirs["proj"])
    assert re.search(rf"ssoenv: using dev \(111111111111/AdministratorAccess, eu-west-1, .*\), for {dirs['proj']}", msg)
    assert msg.count("ssoenv:") == 1
    inside = s.env()
    assert inside["SSOENV_PROFILE"] == "dev" and inside["AWS_ACCESS_KEY_ID"].startswith("ASIA")
    assert "AWS_PROFILE" not in inside and inside["AWS_REGION"] == "eu-west-1"
    assert s.last_prompt.startswith("(aws dev 111111111111/AdministratorAccess")

    # within the same tree: nothing happens (the same nearest file)
    calls = sandbox.emulator.calls("GetRoleCredentials")
    assert "ssoenv:" not in cd(s, dirs["sub"])
    s.enter()
    assert profile(s) == "dev"

    # the nested tree wins, and going back out of it puts dev back without a process
    msg = cd(s, dirs["inner"])
    assert "ssoenv: using prod (222222222222/ReadOnly, ap-south-1" in msg
    assert s.env()["AWS_REGION"] == "ap-south-1"
    msg = cd(s, dirs["sub"])
    assert msg.strip() == f"ssoenv: left {dirs['inner']}: back to dev"
    back = s.env()
    assert back["SSOENV_PROFILE"] == "dev" and back["AWS_ACCESS_KEY_ID"] == inside["AWS_ACCESS_KEY_ID"]
    assert back["AWS_REGION"] == "eu-west-1"
    # out: exactly what was there before
    msg = cd(s, dirs["elsewhere"])
    assert msg.strip() == f"ssoenv: left {dirs['proj']}: back to no profile"
    assert vars_of(s) == before
    assert s.last_prompt == ""

    # a profile used by hand before entering comes back on leaving
    assert s.status_of("ssoenv use prod") == 0
    by_hand = s.env()
    assert "using dev" in cd(s, dirs["sub"])
    msg = cd(s, dirs["elsewhere"])
    assert msg.strip() == f"ssoenv: left {dirs['proj']}: back to prod"
    assert vars_of(s) == {k: v for k, v in stable(by_hand).items() if k not in ("PWD", "OLDPWD")}
    assert s.status_of("ssoenv off") == 0
    assert vars_of(s) == before

    # a `use` by hand inside the tree is respected: not at each prompt, not within the tree,
    # and leaving keeps it
    assert "using dev" in cd(s, dirs["proj"])
    assert s.status_of("ssoenv use prod") == 0
    s.enter()
    s.enter()
    assert profile(s) == "prod"
    assert "ssoenv:" not in cd(s, dirs["sub"])
    assert profile(s) == "prod"
    assert "ssoenv:" not in cd(s, dirs["elsewhere"])
    assert profile(s) == "prod"
    # `off` by hand inside a tree: leaving does not bring anything back either
    assert "using dev" in cd(s, dirs["proj"])
    assert s.status_of("ssoenv off") == 0
    after_off = vars_of(s)
    assert "ssoenv:" not in cd(s, dirs["elsewhere"])
    assert vars_of(s) == after_off
    assert sandbox.emulator.calls("GetRoleCredentials") >= calls  # (cache or not: never a login)
    assert sandbox.emulator.calls("StartDeviceAuthorization") == 1  # the one login of the fixture


def test_untrusted_changed_and_denied(
    shell: tuple[ShellSpec, str],  # noqa: F811
    make_session: SessionFactory,  # noqa: F811
    sandbox: Any,
) -> None:
    spec, program = shell
    env = login(sandbox)
    dirs = tree(sandbox.home)
    file = dirs["proj"] / ".ssoenv"
    s = make_session(spec, program, env=env, home=sandbox.home)
    before = vars_of(s)

    msg = cd(s, dirs["proj"])
    assert msg.strip() == f"ssoenv: {file} is not allowed yet (profile dev); run `ssoenv allow` to use it"
    assert profile(s) is None
    # once per entry into the tree: not at every prompt, not within the tree
    s.enter()
    assert "ssoenv:" not in said(s)
    msg = cd(s, dirs["sub"])
    assert "ssoenv:" not in msg
    cd(s, dirs["elsewhere"])
    msg = cd(s, dirs["sub"])
    assert msg.strip() == (
        f"ssoenv: {file} is not allowed yet (profile dev); run `ssoenv allow {dirs['proj']}` to use it"
    )

    # allowed: the shell switches at once
    out = s.run("ssoenv allow")
    assert f"ssoenv: allowed {file} (profile dev)" in out
    assert "ssoenv: using dev" in said(s)
    assert profile(s) == "dev"

    # changed after the allow: not acted on until allowed again
    cd(s, dirs["elsewhere"])
    file.write_text("profile = prod\n")
    msg = cd(s, dirs["proj"])
    assert msg.strip() == (f"ssoenv: {file} changed since you allowed it (profile prod); run `ssoenv allow` to use it")
    assert profile(s) is None
    s.run("ssoenv allow")
    assert "ssoenv: using prod" in said(s)
    assert profile(s) == "prod"

    # deny: forgotten, and the shell leaves its profile at once
    out = s.run("ssoenv deny")
    assert f"ssoenv: denied {file}" in out
    message = said(s)
    assert f"ssoenv: left {dirs['proj']}: back to no profile" in message
    assert "is not allowed yet (profile prod)" in message
    assert vars_of(s) == before


def test_a_guarded_profile_asks_on_the_terminal(
    shell: tuple[ShellSpec, str],  # noqa: F811
    make_session: SessionFactory,  # noqa: F811
    sandbox: Any,
) -> None:
    spec, program = shell
    sandbox.write_config(guarded_config())
    env = login(sandbox)
    repo = sandbox.home / "prodrepo"
    repo.mkdir()
    (repo / ".ssoenv").write_text("profile = prod\n")
    allow(sandbox, repo)
    s = make_session(spec, program, env=env, home=sandbox.home)

    # a wrong answer: no switch, one line
    s.send_line(f"cd '{repo}'")
    s.child.expect_exact(QUESTION, timeout=60)
    s.send_line("production")
    s.expect_prompt()
    message = said(s)
    assert f"ssoenv: {repo}: not switched to prod: not confirmed: 'production' is not prod or 222222222222" in message
    assert profile(s) is None
    s.enter()  # not asked again at the next prompt
    assert QUESTION not in said(s)

    # the name: switched, marked
    cd(s, sandbox.home)
    s.send_line(f"cd '{repo}'")
    s.child.expect_exact(QUESTION, timeout=60)
    s.send_line("prod")
    s.expect_prompt()
    assert "ssoenv: using prod (222222222222/ReadOnly" in said(s)
    env_in = s.env()
    assert env_in["SSOENV_PROFILE"] == "prod" and env_in["SSOENV_GUARD"] == "1"
    assert s.last_prompt.startswith("(aws !prod ")
    assert "back to no profile" in cd(s, sandbox.home)


def test_no_session_then_a_login(
    shell: tuple[ShellSpec, str],  # noqa: F811
    make_session: SessionFactory,  # noqa: F811
    sandbox: Any,
) -> None:
    spec, program = shell
    sandbox.emulator.config.approve = "preapproved"
    env = shell_env(sandbox)
    dirs = tree(sandbox.home)
    allow(sandbox, dirs["proj"], dirs["inner"])
    s = make_session(spec, program, env=env, home=sandbox.home)
    devices = sandbox.emulator.calls("StartDeviceAuthorization")

    msg = cd(s, dirs["proj"])
    assert msg.count("ssoenv:") == 1
    assert "uses dev, but the SSO session (sso-session corp) is not logged in; run `ssoenv login dev`" in msg
    s.enter()
    assert "ssoenv:" not in said(s) and profile(s) is None
    assert not (sandbox.home / "BROWSER_OPENED").exists()
    assert sandbox.emulator.calls("StartDeviceAuthorization") == devices  # never a login from cd

    # the token folder changes, but no session comes of it: tried again, quietly
    stamp = next((sandbox.home / ".aws" / "sso" / "ssoenv-run").glob("dir-*.stamp"))
    (sandbox.sso_cache / "unrelated.json").write_text("{}")
    changed = sandbox.sso_cache.stat().st_mtime_ns
    assert changed > stamp.stat().st_mtime_ns
    s.enter()
    assert said(s) == "" and profile(s) is None
    assert stamp.stat().st_mtime_ns == changed  # `ssoenv _dir` ran again (it gave the stamp the folder's time)
    (sandbox.sso_cache / "unrelated.json").unlink()

    # a login in another terminal: the next prompt sees the token folder change and switches
    out = sandbox.run(["login", "dev", "--use-device-code", "--no-browser"])
    assert out.returncode == 0, out.stderr
    s.enter()
    assert "ssoenv: using dev" in said(s)
    assert profile(s) == "dev"

    # the wrapper's `ssoenv login`: the switch waiting for it happens at the next prompt
    cd(s, dirs["elsewhere"])
    assert s.status_of("ssoenv logout") == 0
    msg = cd(s, dirs["inner"])
    assert "uses prod, but" in msg and "run `ssoenv login prod`" in msg
    s.run("ssoenv login prod --use-device-code --no-browser")
    assert "ssoenv: using prod" in said(s), clean(s.last_before_prompt)
    assert profile(s) == "prod"


def test_a_shell_started_with_a_profile_keeps_it_where_it_starts(
    shell: tuple[ShellSpec, str],  # noqa: F811
    make_session: SessionFactory,  # noqa: F811
    sandbox: Any,
) -> None:
    """`ssoenv shell prod` (or a nested shell) inside a dev tree stays prod; another tree switches."""
    import json

    from ssoenv.shells.envvars import apply

    spec, program = shell
    env = login(sandbox)
    dirs = tree(sandbox.home)
    allow(sandbox, dirs["proj"], dirs["inner"])
    out = sandbox.run(["use", "prod", "--shell", "json", "--quiet"], env=env)
    assert out.returncode == 0, out.stderr
    started = {k: v for k, v in apply(env, json.loads(out.stdout)).items() if v is not None}
    s = make_session(spec, program, env=started, home=sandbox.home, before=[f"cd '{dirs['sub']}'"])
    assert "ssoenv:" not in said(s)
    assert profile(s) == "prod"
    s.enter()
    assert profile(s) == "prod"
    assert "ssoenv:" not in cd(s, dirs["proj"])  # the same tree: still as it started
    assert "ssoenv: using prod (222222222222/ReadOnly, ap-south-1" in cd(s, dirs["inner"])  # another one: switches
    assert cd(s, dirs["proj"]) == f"ssoenv: left {dirs['inner']}: back to prod"
    assert "ssoenv:" not in cd(s, dirs["elsewhere"])
    assert profile(s) == "prod"
