"""Linux, macOS and WSL are supported; on Windows ssoenv stops at start with one line."""

from __future__ import annotations

import sys

import pytest

from ssoenv.front import entry


@pytest.mark.parametrize("args", [["list"], ["use", "dev"], ["_complete", "profiles"], []])
def test_windows_stops_at_start_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    with pytest.raises(SystemExit) as exited:
        entry.main(args)
    assert exited.value.code == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "ssoenv: Windows is not supported; run it on Linux, macOS or in WSL\n"


def test_supported_platforms_go_on(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for platform in ("linux", "darwin"):
        monkeypatch.setattr(sys, "platform", platform)
        with pytest.raises(SystemExit) as exited:
            entry.main(["_complete", "verbs", "lis"])
        assert exited.value.code == 0
        assert capsys.readouterr().out == "list\n"
