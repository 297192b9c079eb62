"""Guarded profiles in real bash, zsh and fish (PTY): the question, the answers, no terminal, --yes,
and the hook's background refresh of a confirmed profile, which never asks."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.shells.conftest import SessionFactory, make_session, shell  # noqa: F401 (fixtures)
from tests.shells.harness import PYTHON, Session, ShellSpec, clean
from tests.shells.test_interactive import settle, shell_env

from .conftest import BROWSER, guarded_config

pytestmark = [pytest.mark.shell, pytest.mark.interactive]

QUESTION = "is a guarded profile. To go on, type its name (prod) or account id (222222222222): "


def logged_in(sandbox: Any) -> dict[str, str]:
    sandbox.write_config(guarded_config())
    proc = sandbox.run(["login", "dev"], env={"BROWSER": BROWSER})
    assert proc.returncode == 0, proc.stderr
    return shell_env(sandbox)


def answer(s: Session, command: str, typed: str) -> tuple[int, str]:
    """Run ``command``, wait for the question on the terminal, type ``typed``: the exit status
    and what the command said after the answer."""
    var = s.spec.status_var
    s.send_line(f'{command}; echo "st=[{var}]"')
    s.child.expect_exact(QUESTION, timeout=60)
    s.send_line(typed)
    s.child.expect(r"st=\[(\d+)\]", timeout=60)
    status, said = int(s.child.match.group(1)), clean(s.child.before)
    s.expect_prompt()
    return status, said


def test_confirmation_on_the_terminal(
    shell: tuple[ShellSpec, str],  # noqa: F811
    make_session: SessionFactory,  # noqa: F811
    sandbox: Any,
) -> None:
    spec, program = shell
    s = make_session(spec, program, env=logged_in(sandbox), home=sandbox.home)
    before = s.env()

    # a wrong answer: refused (8), nothing changed
    status, said = answer(s, "ssoenv use prod", "production")
    assert status == 8
    assert "ssoenv: not confirmed: 'production' is not prod or 222222222222; nothing done" in said
    assert said.count("ssoenv:") == 1
    assert s.env().get("SSOENV_PROFILE") is None

    # no terminal to ask on: refused with one line
    program_cmd = f"'{PYTHON}' -m ssoenv use prod --shell {spec.name} </dev/null >/dev/null"
    out = s.run(f'sh -c "{program_cmd}"; echo "st=[{spec.status_var}]"')
    assert "st=[8]" in out and "no terminal to confirm it" in out and QUESTION not in out
    assert s.env().get("SSOENV_PROFILE") is None

    # the profile name: in, marked
    assert answer(s, "ssoenv use prod", "prod")[0] == 0
    env = s.env()
    assert env["SSOENV_PROFILE"] == "prod" and env["SSOENV_GUARD"] == "1"

    # in use and confirmed: `use prod` again does not ask
    assert s.status_of("ssoenv use prod") == 0

    # the account id works too, for exec; --yes never asks
    s.run("ssoenv off")
    assert answer(s, "ssoenv exec prod -- true", "222222222222")[0] == 0
    assert s.status_of("ssoenv use --yes prod") == 0
    assert s.env()["SSOENV_GUARD"] == "1"
    assert s.status_of("ssoenv off") == 0
    after = s.env()
    assert "SSOENV_GUARD" not in after and after.get("AWS_PROFILE") == before.get("AWS_PROFILE")


def test_the_background_refresh_of_a_confirmed_profile_never_asks(
    shell: tuple[ShellSpec, str],  # noqa: F811
    make_session: SessionFactory,  # noqa: F811
    sandbox: Any,
) -> None:
    spec, program = shell
    env = logged_in(sandbox)
    sandbox.emulator.config.role_ttl = 240  # inside the refresh window as soon as issued
    s = make_session(spec, program, env=env, home=sandbox.home)
    fetched = sandbox.emulator.calls("GetRoleCredentials")
    assert answer(s, "ssoenv use prod", "prod")[0] == 0
    first = s.env()["AWS_ACCESS_KEY_ID"]
    settle(s)
    deadline = time.monotonic() + 30
    while s.env()["AWS_ACCESS_KEY_ID"] == first:  # picked up at a later prompt
        assert time.monotonic() < deadline, "the background refresh did not renew the credentials"
        s.enter()
    assert sandbox.emulator.calls("GetRoleCredentials") >= fetched + 2
    assert "ssoenv:" not in s.last_before_prompt and "guarded" not in s.last_before_prompt
    assert not re.search(r"could not refresh", s.last_before_prompt)
    assert s.env()["SSOENV_GUARD"] == "1"
