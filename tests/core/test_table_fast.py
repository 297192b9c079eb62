"""The column-wise table (``render_columns``, what ``ssoenv list`` uses) gives exactly the lines of
the cell-by-cell definition (``render``) on random tables: ASCII and wide characters, combining
marks, control characters, cells to elide, columns to drop, painted cells, every width."""

from __future__ import annotations

from collections.abc import Callable
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from ssoenv.ui import table as ui_table
from ssoenv.ui.table import RESET, Column, render, render_columns

ASCII = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=24)
# wide (本, emoji), ambiguous (… →), combining (U+0301), C0/C1 controls, DEL, line separator
ANY = st.text(
    st.sampled_from("ab -_.:/本番環境…→é\u0301\x1b\x00\x7f\x85\u2028\u3000\U0001f600") | st.characters(), max_size=24
)
WIDE = st.text(st.sampled_from("本番環境の管理者abc-"), max_size=16)  # two cells a character, mostly
CONTROLS = st.text(st.characters(max_codepoint=127), max_size=24)  # ASCII, yet not printable
TONES = st.sampled_from(["", "", "\x1b[31m", "\x1b[1;35m"])


Table = tuple[list[Column], list[list[str]], dict[int, list[str]]]  # columns, cells by column, tones


@st.composite
def tables(draw: st.DrawFn) -> Table:
    count = draw(st.integers(1, 6))
    rows = draw(st.integers(0, 20))
    columns = [
        Column(
            draw(st.one_of(ASCII, ANY).map(lambda t: t[:12])),
            draw(st.integers(0, 20)),
            shrink=draw(st.integers(0, 3)),
            drop=draw(st.integers(0, 3)),
        )
        for _ in range(count)
    ]
    cells = []
    for _ in range(count):
        text = draw(st.sampled_from([ASCII, ASCII, ANY, WIDE, CONTROLS]))  # most columns plain, as in a listing
        cells.append([draw(text) for _ in range(rows)])
    tones = {
        index: [draw(TONES) for _ in range(rows)] for index in draw(st.sets(st.integers(0, count - 1), max_size=count))
    }
    return columns, cells, tones


def painter(tones: dict[int, list[str]]) -> Callable[[int, int, str], str]:
    """``render``'s paint for the tones ``render_columns`` takes."""

    def paint(row: int, column: int, text: str) -> str:
        tone = tones[column][row] if row >= 0 and column in tones else ""
        return f"{tone}{text}{RESET}" if tone and text else text

    return paint


@settings(max_examples=400, deadline=None)
@given(tables(), st.integers(0, 40) | st.integers(0, 130))  # mostly narrow: cells elided, columns dropped
def test_column_wise_equals_cell_by_cell(table: Table, width: int) -> None:
    columns, cells, tones = table
    rows = [list(row) for row in zip(*cells, strict=True)] if cells[0] else []
    expected, painted = render(columns, rows, width), render(columns, rows, width, painter(tones))
    for few in (0, 32):  # every column cell by cell; columns of few values value by value
        with mock.patch.object(ui_table, "_FEW", few):
            assert render_columns(columns, cells, width) == expected
            assert render_columns(columns, cells, width, tones) == painted


def test_every_column_dropped_still_gives_a_line_per_row() -> None:
    columns = [Column("LONGTITLE", 9, drop=1), Column("B", 1, drop=2)]
    cells = [["x", "yy"], ["1", "2"]]
    rows = [["x", "1"], ["yy", "2"]]
    assert render(columns, rows, 0) == ["", "", ""]
    assert render_columns(columns, cells, 0) == render(columns, rows, 0)


def test_an_ascii_column_elided_and_painted() -> None:
    columns = [Column("NAME", 4, shrink=1), Column("N", 1)]
    lines = render_columns(columns, [["abcdefghij", "ab"], ["1", "2"]], 8, {0: ["\x1b[31m", "\x1b[31m"]})
    assert lines == ["NAME   N", "\x1b[31mabcd…\x1b[0m  1", "\x1b[31mab\x1b[0m     2"]
