"""Tables for a terminal: fitted to its width by eliding values with ``…``, never wrapped.

Widths are display cells (East Asian wide and fullwidth characters take two, combining marks
none); control characters are shown as ``?`` so a name cannot drive the terminal. Colour is
added after fitting and never counts in a width.

:func:`render` is the definition, cell by cell. :func:`render_columns` gives the same lines
column by column, at C speed for the columns of plain ASCII (a listing of 80,000 profiles): only
the cells to elide, to paint or with wide characters take Python steps of their own
(``tests/core/test_table_fast.py`` compares the two on random tables).
"""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from itertools import repeat
from typing import NamedTuple

ELLIPSIS = "…"
GAP = "  "
RESET = "\x1b[0m"  # ends a tone (an SGR sequence) that paints a cell
_SAMPLE, _FEW = 256, 32  # a column whose first 256 cells hold at most 32 values is fitted value by value


class Column(NamedTuple):
    """``floor``: how narrow eliding may make it; ``drop``: order in which columns go entirely
    when even the floors do not fit (1 first; 0 = never); ``shrink``: order of eliding (1 first)."""

    title: str
    floor: int
    shrink: int = 0
    drop: int = 0


def terminal_width(environ: Mapping[str, str] | None = None) -> int:
    """``COLUMNS`` when set, else the width of the terminal stdout is, else 80."""
    env = os.environ if environ is None else environ
    value = env.get("COLUMNS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    try:
        if sys.stdout.isatty():
            return os.get_terminal_size(sys.stdout.fileno()).columns or 80
    except (OSError, ValueError, AttributeError):
        pass
    return 80


def cell_width(text: str) -> int:
    """Display cells of ``text`` (already made printable with :func:`printable`)."""
    if text.isascii():
        return len(text)
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def printable(text: str) -> str:
    """Control characters (C0, DEL, C1) and line/paragraph separators as ``?``."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else "?" for c in text)


def elide(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells, ending in ``…`` when cut."""
    if width <= 0 and text:
        return ""
    return "".join(part for part, _ in elide_segments([(text, False)], width))


def elide_segments(segments: list[tuple[str, bool]], width: int) -> list[tuple[str, bool]]:
    """Segments of (text, marked) -- a line with highlighted parts -- cut to ``width`` cells in all,
    ``…`` (unmarked) where cut: :func:`elide` of the joined text, the marks kept."""
    if sum(cell_width(text) for text, _ in segments) <= width:
        return segments
    out: list[tuple[str, bool]] = []
    used = 0
    for text, marked in segments:
        kept = []
        for char in text:
            w = cell_width(char)
            if used + w > width - 1:
                break
            kept.append(char)
            used += w
        else:
            out.append((text, marked))
            continue
        out.append(("".join(kept), marked))
        break
    out.append((ELLIPSIS, False))
    return out


def fit(columns: Sequence[Column], natural: list[int], width: int) -> list[int | None]:
    """Each column's width (None: dropped) so that the row fits ``width`` cells where it can."""
    widths: list[int | None] = list(natural)

    def total() -> int:
        shown = [w for w in widths if w is not None]
        return sum(shown) + len(GAP) * (len(shown) - 1)

    def shrink(index: int, floor: int) -> None:
        current = widths[index]
        if current is None:
            return
        excess = total() - width
        if excess > 0:
            widths[index] = max(min(current, floor), current - excess)

    # 1. elide the least important columns down to their floors, in order
    for _, index in sorted((c.shrink, i) for i, c in enumerate(columns) if c.shrink):
        shrink(index, columns[index].floor)
    # 2. drop whole columns, in order, while it still does not fit
    for _, index in sorted((c.drop, i) for i, c in enumerate(columns) if c.drop):
        if total() <= width:
            break
        widths[index] = None
    # 3. give back what dropping freed, to the columns elided in step 1 (most important first)
    for _, index in sorted(((-c.shrink, i) for i, c in enumerate(columns) if c.shrink)):
        current = widths[index]
        if current is not None and current < natural[index]:
            widths[index] = min(natural[index], current + max(0, width - total()))
    # 4. still too wide (a very narrow terminal): elide further, down to the titles' first letters
    for _, index in sorted((c.shrink, i) for i, c in enumerate(columns) if c.shrink):
        shrink(index, min(columns[index].floor, 4))
    return widths


def render(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    width: int,
    paint: Callable[[int, int, str], str] | None = None,
) -> list[str]:
    """The header line and one line per row, fitted to ``width``; ``paint(row, column, text)``
    may colour a fitted cell (row -1 is the header)."""
    table = [[c.title for c in columns], *([v if v.isprintable() else printable(v) for v in row] for row in rows)]
    cells_width = [[len(v) if v.isascii() else cell_width(v) for v in row] for row in table]
    natural = [max(r[i] for r in cells_width) for i in range(len(columns))]
    widths = fit(columns, natural, width)
    shown = [(index, w) for index, w in enumerate(widths) if w is not None]
    lines = []
    for number, (row, row_widths) in enumerate(zip(table, cells_width, strict=True), -1):
        cells = []
        for index, w in shown:
            text, used = row[index], row_widths[index]
            if used > w:
                text = elide(text, w)
                used = cell_width(text)
            if paint is not None:
                text = paint(number, index, text)
            cells.append(text + " " * (w - used))
        lines.append(GAP.join(cells).rstrip())
    return lines


def render_columns(
    columns: Sequence[Column],
    cells: Sequence[Sequence[str]],
    width: int,
    tones: Mapping[int, Sequence[str]] | None = None,
) -> list[str]:
    """:func:`render` of the table given column by column (``cells[column][row]``), each cell
    painted with ``tones[column][row]`` (an SGR sequence; "" for none) as :func:`render` paints
    with ``lambda row, column, text: f"{tone}{text}{RESET}"`` for a non-empty fitted text of a
    row (never the header)."""
    rows = len(cells[0]) if cells else 0
    titles = [c.title for c in columns]
    title_widths = [cell_width(t) for t in titles]
    texts: list[Sequence[str]] = []
    used: list[list[int] | None] = []  # None: a column of printable ASCII, where a width is a length
    widest = []  # of the cells (the title aside)
    few: list[set[str] | None] = []  # a column's distinct values, where it has few (a region, a state)
    for column in cells:
        distinct = set(column) if len(set(column[:_SAMPLE])) <= _FEW else None
        values = column if distinct is None else distinct
        few.append(distinct)
        joined = "".join(values)
        if joined.isascii() and joined.isprintable():
            texts.append(column)
            used.append(None)
            widest.append(max(map(len, values), default=0))
        else:
            shown = [v if v.isprintable() else printable(v) for v in column]
            widths = [len(v) if v.isascii() else cell_width(v) for v in shown]
            texts.append(shown)
            used.append(widths)
            widest.append(max(widths, default=0))
    natural = [max(pair) for pair in zip(title_widths, widest, strict=True)]
    fitted = fit(columns, natural, width)
    header = []
    padded: list[list[str]] = []
    for index, w in enumerate(fitted):
        if w is None:
            continue
        title, title_width = titles[index], title_widths[index]
        if title_width > w:
            title = elide(title, w)
            title_width = cell_width(title)
        header.append(title + " " * (w - title_width))
        painted = (tones or {}).get(index)
        fits = widest[index] <= w
        painted = painted if painted and any(painted) else None
        distinct = few[index]
        if used[index] is None and distinct is not None and painted is None:  # each distinct value fitted once
            fitted_value = dict(zip(distinct, _fit_column(list(distinct), None, w, None, fits), strict=True))
            padded.append(list(map(fitted_value.__getitem__, texts[index])))
        else:
            padded.append(_fit_column(texts[index], used[index], w, painted, fits))
    lines = [GAP.join(header).rstrip()]
    if padded:
        lines.extend(map(str.rstrip, map(GAP.join, zip(*padded, strict=True))))
    else:
        lines.extend([""] * rows)
    return lines


def _fit_column(
    texts: Sequence[str], used: list[int] | None, w: int, tones: Sequence[str] | None, fits: bool
) -> list[str]:
    """One column's cells elided to ``w`` cells (unless they all ``fit``), painted, padded to ``w`` cells."""
    if used is None:  # printable ASCII: a cell's width is its length, before and after eliding
        if not fits:
            cut = w - 1
            texts = [v if len(v) <= w else (v[:cut] + ELLIPSIS if cut >= 0 else "") for v in texts]
        if not tones:
            return list(map(str.ljust, texts, repeat(w)))
        used = list(map(len, texts))
    elif not fits:
        texts = list(texts)
        used = list(used)
        for row, u in enumerate(used):
            if u > w:
                texts[row] = text = elide(texts[row], w)
                used[row] = cell_width(text)
    if not tones:
        return [text + " " * (w - u) for text, u in zip(texts, used, strict=True)]
    return [
        (f"{tone}{text}{RESET}" if tone and text else text) + " " * (w - u)
        for text, u, tone in zip(texts, used, tones, strict=True)
    ]
