"""The picker in real bash, zsh and fish (PTY, the hook loaded): the profiles used most and most
recently come first, those used in the current directory before them; typed words filter over
name, account id, role and account name, matches highlighted; the choice reaches the shell."""

from __future__ import annotations

import re
import sys
from typing import Any

import pexpect
import pytest

from tests.conftest import BROWSER, Sandbox, require_program
from tests.shells.conftest import SessionFactory, make_session, shell  # noqa: F401 (fixtures)
from tests.shells.harness import Session, ShellSpec, clean

pytestmark = [pytest.mark.shell, pytest.mark.interactive]

TITLE = "Use which profile?"


def logged_in(sandbox: Sandbox) -> dict[str, str]:
    proc = sandbox.run(["login", "dev"], env={"BROWSER": BROWSER})
    assert proc.returncode == 0, proc.stderr
    return dict(sandbox.env)


def menu_rows(drawn: str) -> list[str]:
    """The profile names of a drawn menu, top to bottom ('>' marks the selected one)."""
    rows = []
    for line in clean(drawn).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        match = re.match(r"^(>| ) (\S+)\s+\d{12}\s", line)
        if match:
            rows.append(("> " if match.group(1) == ">" else "") + match.group(2))
    return rows


def open_picker(s: Session) -> list[str]:
    """`ssoenv use` with no profile: the menu's rows as first drawn; then Esc (nothing used)."""
    s.send_line("ssoenv use")
    s.child.expect_exact(TITLE, timeout=60)
    s.child.expect(r"3 of 3", timeout=30)
    rows = menu_rows(s.child.before)
    s.child.send("\x1b")
    s.expect_prompt()
    return rows


def test_frecency_order_and_directory_boost(
    shell: tuple[ShellSpec, str],  # noqa: F811
    make_session: SessionFactory,  # noqa: F811
    sandbox: Any,
) -> None:
    spec, program = shell
    env = logged_in(sandbox)
    for name in ("a", "b", "c"):
        (sandbox.home / name).mkdir()
    s = make_session(spec, program, env=env, home=sandbox.home)

    # no history yet: name order
    assert open_picker(s) == ["> dev", "legacy", "prod"]

    # in a: prod three times, dev once
    s.run("cd a")
    for _ in range(3):
        assert s.status_of("ssoenv use prod") == 0
    assert s.status_of("ssoenv use dev") == 0
    assert open_picker(s) == ["> prod", "dev", "legacy"]

    # in b: dev once -- here dev (2 uses, 1 of them here: 2 + 4) comes before prod (3)
    s.run("cd ../b")
    assert s.status_of("ssoenv use dev") == 0
    assert open_picker(s) == ["> dev", "prod", "legacy"]

    # in c, where nothing was used: the most frecent overall first again
    s.run("cd ../c")
    assert open_picker(s) == ["> prod", "dev", "legacy"]

    # words filter over the fields (role, account id), highlighted; Enter uses the choice
    s.send_line("ssoenv use")
    s.child.expect_exact(TITLE, timeout=60)
    s.child.send("read 2222")
    s.child.expect_exact("filter: read 2222", timeout=30)
    s.child.expect(r"1 of 3", timeout=30)
    drawn = s.child.before
    assert menu_rows(drawn)[-1] == "> prod"
    # TERM=dumb: no colour, the matches in bold + underline inside the selected (reverse) row
    selected = r"\x1b\[7m> prod +\x1b\[7;1;4m222222222222\x1b\[0;7m +\x1b\[7;1;4mRead\x1b\[0;7mOnly +us-east-2\x1b\[0m"
    assert re.search(selected, drawn), repr(drawn)
    s.child.send("\r")
    s.expect_prompt()
    assert s.env()["SSOENV_PROFILE"] == "prod"


def test_console_without_a_profile_offers_the_picker(sandbox: Sandbox) -> None:
    """No credentials in the environment and no profile: `console` asks on the terminal; the
    sign-in URL still goes only to the pipe."""
    bash = require_program("bash")
    env = logged_in(sandbox)
    assert sandbox.run(["use", "dev", "--shell", "bash", "--quiet"]).returncode == 0  # dev: most frecent
    child = pexpect.spawn(
        bash,
        ["--norc", "--noprofile", "-c", f"{sys.executable} -m ssoenv console --print | cut -c1-60; echo rc=$?"],
        env=env,
        cwd=str(sandbox.home),
        encoding="utf-8",
        timeout=60,
        dimensions=(30, 200),
    )
    child.expect_exact("Open the console as which profile?")
    child.expect(r"3 of 3")
    assert menu_rows(child.before)[0] == "> dev"
    child.send("\r")
    child.expect(r"https?://127\.0\.0\.1:\d+/federation\?Action=login")
    child.expect(r"rc=0")
    child.expect(pexpect.EOF)
    history = (sandbox.home / ".local" / "state" / "ssoenv" / "history").read_text()
    assert [line.split("\t")[2:] for line in history.splitlines()] == [[str(sandbox.home), "dev"]] * 2


def test_a_guarded_profile_says_so_in_the_menu(sandbox: Sandbox) -> None:
    from tests.guard.conftest import guarded_config

    bash = require_program("bash")
    sandbox.write_config(guarded_config())
    child = pexpect.spawn(
        bash,
        ["--norc", "--noprofile", "-c", f"out=$({sys.executable} -m ssoenv use --shell bash); echo rc=$?"],
        env=sandbox.env,
        cwd=str(sandbox.home),
        encoding="utf-8",
        timeout=60,
        dimensions=(30, 200),
    )
    child.expect_exact(TITLE)
    child.expect(r"3 of 3")
    rows = {}
    for row in clean(child.before).splitlines():
        match = re.match(r"^[> ] (\S+)\s+\d{12}", row)
        if match:
            rows[match.group(1)] = row
    assert rows["prod"].endswith("us-east-2  ! guarded") and "guarded" not in rows["dev"] + rows["legacy"]
    child.send("\x1b")
    child.expect(r"rc=130")
    child.expect(pexpect.EOF)
