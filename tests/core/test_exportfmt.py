"""``export --format``: every shell format quotes with its dialect's one function; dotenv is read
back exactly by python-dotenv (the reference reader) or refused with one line — never raw control
characters inside quotes."""

from __future__ import annotations

import io
import subprocess
from datetime import datetime, timezone

import pytest
from dotenv import dotenv_values
from hypothesis import given, settings
from hypothesis import strategies as st

from ssoenv.credentials.cache import RoleCredentials
from ssoenv.errors import UsageError
from ssoenv.shells.exportfmt import render, variables
from tests.conftest import require_program

EXPIRES = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)
HOSTILE = ["it's", 'say "hi"', "a\\b", "a\nb", "cr\rhere", "tab\there", "$HOME ${HOME} `id`", "#x", " lead", "é ü ✓"]
values = st.text(st.characters(exclude_characters="\0"), max_size=30)


def creds(secret: str) -> RoleCredentials:
    return RoleCredentials("ASIAEXAMPLE", secret, "token/with+slash=", EXPIRES, "111111111111")


@settings(max_examples=300, deadline=None)
@given(values)
def test_dotenv_is_read_back_exactly_or_refused(value: str) -> None:
    try:
        text = render("dotenv", creds(value))
    except UsageError as exc:
        assert "dotenv file cannot carry" in str(exc)
        needs_quotes = any(c in value for c in "'\\\n\r\t")
        assert any((ord(c) < 0x20 and c not in "\n\r\t") or 0x7F <= ord(c) <= 0x9F for c in value) or (
            needs_quotes and "$" in value
        )
        return
    assert text.count("\n") == 4 and text.endswith("\n")  # one line per variable
    # no raw control character anywhere but the line ends
    assert not [c for c in text.replace("\n", "") if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F]
    assert dotenv_values(stream=io.StringIO(text), interpolate=True) == dict(variables(creds(value)))


@pytest.mark.parametrize("value", ["\x1b[31mred", "bell\x07", "del\x7f", "csi\x9b", "a'b$c"])
def test_dotenv_refuses_what_it_cannot_carry(value: str) -> None:
    with pytest.raises(UsageError, match="cannot carry"):
        render("dotenv", creds(value))


def test_dotenv_escapes_cr_and_newline() -> None:
    line = render("dotenv", creds("a\r\nb'"))
    assert 'AWS_SECRET_ACCESS_KEY="a\\r\\nb\'"\n' in line


@pytest.mark.parametrize("value", HOSTILE)
def test_env_format_round_trips_in_sh(value: str) -> None:
    for fmt in ("env", "env-no-export"):
        script = render(fmt, creds(value)) + 'printf "%s" "$AWS_SECRET_ACCESS_KEY"'
        out = subprocess.run(["sh", "-c", script], capture_output=True, check=True).stdout
        assert out == value.encode()


def test_fish_format_is_one_line_per_variable_and_round_trips() -> None:
    fish = require_program("fish")
    script = "".join(render("fish", creds(v)).splitlines(keepends=True)[1] for v in HOSTILE)
    assert len(script.splitlines()) == len(HOSTILE)  # control characters are escapes, not raw
    lines = [line.replace("AWS_SECRET_ACCESS_KEY", f"V{i}") for i, line in enumerate(script.splitlines())]
    probe = "\n".join(lines) + "\n" + "".join(f'printf "%s\\x00" "$V{i}"\n' for i in range(len(HOSTILE)))
    out = subprocess.run([fish, "--no-config", "-c", probe], capture_output=True, check=True).stdout
    assert out.split(b"\0")[:-1] == [v.encode() for v in HOSTILE]


def test_powershell_format_uses_the_dialect_quoting() -> None:
    # PowerShell is not installed here: the quoting itself is proven in tests/shells; this checks
    # that export uses it (Unicode single quotes doubled, which the old copy here also did)
    text = render("powershell", creds("it\u2019s 'x'"))
    assert "$Env:AWS_SECRET_ACCESS_KEY='it\u2019\u2019s ''x'''\n" in text
