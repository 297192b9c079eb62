"""The wizard's terminal side (ssoenv.ui.wizard.TerminalIO) and the plain questions it is built on."""

from __future__ import annotations

import io

import pytest

from ssoenv.errors import Interrupted
from ssoenv.ui.status import paint, say
from ssoenv.ui.wizard import TerminalIO


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_answers_defaults_and_end_of_input(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n  eu-west-1 \nmaybe\ny\n"))
    terminal = TerminalIO(interactive=True)
    assert terminal.ask("Region", "us-east-1") == "us-east-1"  # ENTER keeps the value in brackets
    assert terminal.ask("Region", None) == "eu-west-1"
    assert terminal.confirm("Replace?", default=False) is True  # "maybe" is asked again
    with pytest.raises(Interrupted, match="end of input"):
        terminal.ask("Name", None)
    captured = capsys.readouterr()
    assert captured.out == ""  # stdout is for code and data only
    assert captured.err.count("Replace? [y/N]: ") == 2 and "Region [us-east-1]: " in captured.err


def test_the_dialogue_goes_through_the_one_channel(capsys: pytest.CaptureFixture[str]) -> None:
    TerminalIO(interactive=False).say("Using the role name")
    assert capsys.readouterr() == ("", "Using the role name\n")


def test_colours_only_where_welcome(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert paint("hi", "1;31", FakeTTY()) == "\x1b[1;31mhi\x1b[0m"
    assert paint("hi", "1;31", io.StringIO()) == "hi"  # not a terminal
    assert paint("hi", "", FakeTTY()) == "hi"
    monkeypatch.setenv("NO_COLOR", "1")
    assert paint("hi", "1;31", FakeTTY()) == "hi"
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    stream = FakeTTY()
    say("plain", stream=stream, style="1")
    assert stream.getvalue() == "ssoenv: plain\n"
