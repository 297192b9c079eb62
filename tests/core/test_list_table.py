"""`ssoenv list` fits the terminal: every line within the width (COLUMNS, else the terminal's,
else 80), long values elided with …, guarded profiles marked, both clocks shown; `--json` keeps
the full values."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pexpect
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssoenv.front.cli import listing
from ssoenv.ui.table import Column, cell_width, elide, fit, printable, render
from tests.conftest import BROWSER, START_URL, Sandbox

LONG_URL = START_URL + "?" + "portal-" * 40  # 200 characters and more: a legacy profile's start URL
assert len(LONG_URL) >= 200
WIDE = "本番環境の管理者"  # eight wide characters: 16 cells

CONFIG = f"""\
[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = AdministratorAccess
region = eu-west-1

[profile prod]
sso_session = corp
sso_account_id = 222222222222
sso_role_name = ReadOnly
region = us-east-2
ssoenv_guard = confirm

[profile legacy]
sso_start_url = {LONG_URL}
sso_region = us-east-1
sso_account_id = 111111111111
sso_role_name = ReadOnly

[profile {WIDE}]
sso_session = corp
sso_account_id = 333333333333
sso_role_name = {WIDE}Role
region = ap-northeast-1

[sso-session corp]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def listed(sandbox: Sandbox) -> Sandbox:
    """The config above, logged in to corp and to the legacy profile, role credentials cached for
    dev and legacy (so the first clock has something to show)."""
    sandbox.write_config(CONFIG)
    for profile in ("dev", "legacy"):
        proc = sandbox.run(["login", profile], env={"BROWSER": BROWSER})
        assert proc.returncode == 0, proc.stderr
        assert sandbox.run(["use", profile, "--shell", "bash", "--no-login"]).returncode == 0
    return sandbox


def table(sb: Sandbox, columns: int | None, **env: str) -> list[str]:
    extra = dict(env)
    if columns is not None:
        extra["COLUMNS"] = str(columns)
    proc = sb.run(["list"], env=extra)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def row(lines: list[str], name: str) -> str:
    (found,) = [line for line in lines if re.search(rf"(^|\s|[*!]){re.escape(name)}(\s|…|$)", line)]
    return found


CLOCKS = r"(?P<creds>\d+m|\dh\d\dm)\s+(?P<ends>(?:\d\d-\d\d )?\d\d:\d\d)$"


@pytest.mark.parametrize("columns", [80, 200, 40])
def test_every_line_fits_and_keeps_the_marks_and_both_clocks(listed: Sandbox, columns: int) -> None:
    lines = table(listed, columns)
    assert all(cell_width(line) <= columns for line in lines), "\n".join(lines)
    header = lines[0].split()
    assert header[0] == "PROFILE" or header[0].startswith("PRO")
    assert header[-2:] == ["CREDS", "ENDS"]
    assert row(lines, "prod").startswith("!")  # the guarded mark, at every width
    # legacy: credentials cached (time left) and a session that cannot be refreshed (its exact end)
    assert re.search(CLOCKS, row(lines, "legacy")), row(lines, "legacy")
    # dev: credentials cached; a refreshable session without ssoenv_session_duration: end unknown
    assert re.search(r"\s(\d+m|\dh\d\dm)\s+-$", row(lines, "dev")), row(lines, "dev")
    assert re.search(r"\s-\s+-$", row(lines, "prod"))  # nothing cached, end unknown
    legacy = row(lines, "legacy")
    if columns >= 200:
        assert "AdministratorAccess" in row(lines, "dev") and "corp" in row(lines, "dev")
    else:
        assert LONG_URL not in legacy  # elided or dropped, never wrapped
    if "SESSION" in lines[0]:
        assert "…" in legacy  # the URL is shown up to the width, cut with an ellipsis


def test_the_long_start_url_no_longer_widens_every_row(listed: Sandbox) -> None:
    lines = table(listed, 80)
    widths = {cell_width(line) for line in lines}
    assert max(widths) <= 80
    assert cell_width(row(lines, "dev")) < 80  # the dev row is not padded out to the URL's length


def test_wide_characters_count_two_cells(listed: Sandbox) -> None:
    for columns in (200, 80):
        lines = table(listed, columns)
        (wide,) = [line for line in lines if WIDE[:2] in line]
        assert cell_width(wide) <= columns
        if columns == 200:
            assert WIDE in wide and f"{WIDE}Role" in wide
            # columns line up in cells: the state starts where the header's STATE does
            assert cell_width(wide[: wide.index("valid")]) == lines[0].index("STATE")


def test_not_a_terminal_means_80_columns(listed: Sandbox) -> None:
    env = {k: v for k, v in listed.env.items() if k != "COLUMNS"}
    listed.env.clear()
    listed.env.update(env)
    lines = table(listed, None)
    assert max(cell_width(line) for line in lines) <= 80
    assert any(cell_width(line) > 60 for line in lines)  # and it uses the room it has


def test_json_keeps_the_full_values(listed: Sandbox) -> None:
    proc = listed.run(["list", "--json"], env={"COLUMNS": "40"})
    rows = {r["profile"]: r for r in json.loads(proc.stdout)}
    assert rows["legacy"]["start_url"] == LONG_URL
    assert rows[WIDE]["role_name"] == f"{WIDE}Role"
    assert rows["prod"]["guarded"] is True
    assert rows["dev"]["credentials_expire_at"] and rows["legacy"]["session_expires_at"]


def test_a_control_character_in_a_name_is_shown_as_a_question_mark(sandbox: Sandbox) -> None:
    sandbox.write_config("[profile a\x1bb]\nregion = eu-west-1\n")
    lines = table(sandbox, 80)
    assert "a?b" in lines[1] and "\x1b" not in "".join(lines)


def _pty_list(sb: Sandbox, columns: int, **env: str) -> str:
    full = {**sb.env, "TERM": "xterm-256color", **env}
    full.pop("COLUMNS", None)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "ssoenv", "list"],
        env=full,
        cwd=str(sb.home),
        dimensions=(40, columns),
        encoding="utf-8",
        timeout=30,
    )
    out = child.read()
    child.close()
    assert child.exitstatus == 0, out
    return str(out)


def test_on_a_terminal_its_width_and_colours_and_no_color(listed: Sandbox) -> None:
    coloured = _pty_list(listed, 70)
    lines = [ANSI.sub("", line) for line in coloured.splitlines()]
    assert max(cell_width(line) for line in lines) <= 70  # the terminal's own width, no COLUMNS
    assert "\x1b[1;35m" in coloured  # the guarded profile in the prompt's colour
    assert row(lines, "prod").startswith("!")
    plain = _pty_list(listed, 70, NO_COLOR="1")
    assert "\x1b[" not in plain
    assert [line.rstrip() for line in plain.splitlines()] == [line.rstrip() for line in lines]
    assert row(plain.splitlines(), "prod").startswith("!")  # the mark stays without colour


# --------------------------------------------------------------------------------------------
# The fitting itself


def test_elide_counts_cells() -> None:
    assert elide("abcdef", 4) == "abc…"
    assert elide("abc", 3) == "abc"
    assert elide(WIDE, 5) == "本番…"  # 4 cells + the ellipsis
    assert cell_width(elide(WIDE, 6)) <= 6
    assert printable("a\x1b[31mb\u2028") == "a?[31mb?"
    assert cell_width("e\u0301") == 1  # a combining mark takes no cell


def test_fit_drops_in_order_and_never_below_floors_when_it_can_fit() -> None:
    cols = [Column("A", 4), Column("B", 8, shrink=1, drop=1), Column("C", 6, shrink=2)]
    assert fit(cols, [4, 30, 10], 100) == [4, 30, 10]
    assert fit(cols, [4, 30, 10], 30) == [4, 12, 10]  # B elided first, only as far as needed
    assert fit(cols, [4, 30, 10], 24) == [4, 8, 8]  # B at its floor, then C
    assert fit(cols, [4, 30, 10], 16) == [4, None, 10]  # B dropped; C gets its room back
    assert fit(cols, [4, 30, 10], 10) == [4, None, 4]  # a very narrow terminal: below the floors


def test_render_pads_in_cells_and_paints_after_fitting() -> None:
    cols = [Column("NAME", 4, shrink=1), Column("N", 1)]
    lines = render(cols, [[WIDE, "1"], ["ab", "2"]], 12, paint=lambda r, c, t: f"<{t}>" if c == 1 and r >= 0 else t)
    assert lines[0] == "NAME" + " " * 7 + "N"
    assert lines[1] == "本番環境…  <1>"  # 9 cells: the column's width
    assert lines[2] == "ab" + " " * 9 + "<2>"


# --------------------------------------------------------------------------------------------
# --json for a pipe: the text json.dumps gives, made column by column

TEXT = st.text(st.characters(), max_size=8) | st.sampled_from(["corp", "eu-west-1", "valid", "本番", 'a"b\\c\n'])
VALUE = st.none() | TEXT | st.booleans() | st.tuples(TEXT) | st.tuples(TEXT, TEXT)
ROWS = st.lists(st.tuples(TEXT, *[VALUE] * (len(listing.FIELDS) - 1)), max_size=12)


@settings(max_examples=300, deadline=None)
@given(ROWS, st.none() | TEXT)
def test_json_is_what_json_dumps_gives(rows: list[tuple[object, ...]], active: str | None) -> None:
    if rows and active is None and len(rows) > 1:
        active = str(rows[1][0])  # an active row among them
    expected = json.dumps([dict(zip(listing.FIELDS, row, strict=True), active=row[0] == active) for row in rows])
    assert listing._json(rows, active) == expected


def test_json_of_a_value_that_is_not_hashable() -> None:
    row = ("p", None, "r", None, None, None, "valid", None, None, ["a", "b"], False, None, None)
    assert listing._json([row], "p") == json.dumps([dict(zip(listing.FIELDS, row, strict=True), active=True)])


@given(st.lists(st.sampled_from([None, "", "a", "111111111111"]), max_size=40))
def test_an_empty_value_is_shown_as_a_dash(values: list[str | None]) -> None:
    assert list(listing._or_dash(tuple(values))) == [v or "-" for v in values]


def test_only_unexpired_credential_files_are_looked_for(tmp_path: Path) -> None:
    """list computes a cache key per profile only while some cached role credentials are still
    valid: the SSO role files and the assume-role ones (both keep Credentials.Expiration)."""
    soon, gone = "2999-01-01T00:00:00Z", "2000-01-01T00:00:00Z"
    files = {
        "sso.json": {"ProviderType": "sso", "Credentials": {"AccessKeyId": "A", "Expiration": soon}},
        "sts.json": {"Credentials": {"AccessKeyId": "A", "Expiration": "2999-01-01T00:00:00+00:00"}},
        "old.json": {"ProviderType": "sso", "Credentials": {"AccessKeyId": "A", "Expiration": gone}},
        "odd.json": {"Credentials": {"Expiration": "soon"}},
        "list.json": ["Credentials"],
        "sso.txt": {"Credentials": {"Expiration": soon}},
    }
    for name, data in files.items():
        (tmp_path / name).write_text(json.dumps(data))
    (tmp_path / "junk.json").write_text("{not json")
    assert listing._unexpired(tmp_path) == {"sso.json", "sts.json"}
    assert listing._unexpired(tmp_path / "missing") == set()
