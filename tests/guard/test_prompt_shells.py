"""The hook's side in real bash, zsh and fish (PTY): the guarded prompt segment (marker + colour,
also under NO_COLOR) and the one line before the SSO session ends."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.shells.conftest import SessionFactory, make_session, shell  # noqa: F401 (fixtures)
from tests.shells.harness import ShellSpec
from tests.shells.test_interactive import shell_env

from .conftest import BROWSER
from .test_guard_shells import logged_in

pytestmark = [pytest.mark.shell, pytest.mark.interactive]


GUARD_COLOUR = re.compile(r"\x1b\[(?:1;)?35m\(aws !prod ")


def test_the_guarded_prompt_is_unmistakable(
    shell: tuple[ShellSpec, str],  # noqa: F811
    make_session: SessionFactory,  # noqa: F811
    sandbox: Any,
) -> None:
    spec, program = shell
    s = make_session(spec, program, env=logged_in(sandbox), home=sandbox.home)
    s.set_var("TERM", "xterm-256color")  # colours wanted (the harness starts with TERM=dumb)
    s.run("ssoenv use --yes prod")
    assert re.match(r"^\(aws !prod 222222222222/ReadOnly (?:\d+m|\dh\d\dm)\) $", s.last_prompt), s.last_prompt
    assert GUARD_COLOUR.search(s.child.before), repr(s.child.before[-200:])  # its own colour
    # without colours the marker stays
    s.set_var("NO_COLOR", "1")
    s.enter()
    assert re.match(r"^\(aws !prod 222222222222/ReadOnly (?:\d+m|\dh\d\dm)\) $", s.last_prompt), s.last_prompt
    assert not re.search(r"35m\(aws", s.child.before)
    # an unguarded profile: neither
    s.run("ssoenv use dev")
    assert re.match(r"^\(aws dev 111111111111/AdministratorAccess (?:\d+m|\dh\d\dm)\) $", s.last_prompt), s.last_prompt
    assert "!dev" not in s.child.before and "!prod" not in s.child.before


def test_one_line_before_the_session_ends(
    shell: tuple[ShellSpec, str],  # noqa: F811
    make_session: SessionFactory,  # noqa: F811
    sandbox: Any,
) -> None:
    """A legacy session (no refresh token) ends exactly with its token: 20 minutes in the emulator."""
    spec, program = shell
    sandbox.emulator.config.token_ttl = 1200
    proc = sandbox.run(["login", "legacy"], env={"BROWSER": BROWSER})
    assert proc.returncode == 0, proc.stderr
    env = {**shell_env(sandbox), "SSOENV_SESSION_WARN": "1800"}
    s = make_session(spec, program, env=env, home=sandbox.home)
    said = s.run("ssoenv use legacy")
    said += s.last_before_prompt  # the hook's line comes at the prompt after the command
    end = int(s.env()["SSOENV_SESSION_EXPIRES_AT"])
    assert 1100 < end - time.time() <= 1200
    lines = [line for line in said.splitlines() if "ends at" in line]
    assert len(lines) == 1, said
    at = time.strftime("%H:%M", time.localtime(end))
    assert lines[0] == (
        f"ssoenv: the SSO session of legacy ends at {at}; run `ssoenv login legacy` now to avoid an interruption"
    )
    # once: not at the next prompts, nor after switching within the same session
    s.enter()
    s.enter()
    assert "ends at" not in s.last_before_prompt
    out = s.run("ssoenv use legacy")
    assert "ends at" not in out + s.last_before_prompt
    # outside the window: nothing
    s.set_var("_ssoenv_session_warned", "")
    s.set_var("SSOENV_SESSION_WARN", "60")
    s.enter()
    assert "ends at" not in s.last_before_prompt
    assert not (sandbox.home / "BROWSER_OPENED").exists()
