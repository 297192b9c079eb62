"""The picker's logic (no terminal) and its key decoding (through a pipe)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator

import pytest

from ssoenv.errors import Interrupted
from ssoenv.ui.picker import (
    BACKSPACE,
    DOWN,
    END,
    ENTER,
    ESC,
    HOME,
    INTERRUPT,
    KILL_LINE,
    KILL_WORD,
    PGDN,
    PGUP,
    UP,
    KeyReader,
    PickerState,
    clip,
)
from ssoenv.ui.progress import Progress

ITEMS = [f"account-{i:03d}, aws+acct{i}@example.com ({100000000000 + i})" for i in range(150)]


def state(query: str = "") -> PickerState:
    return PickerState(ITEMS, "Choose", query=query)


def test_filter_is_case_insensitive_and_all_words_must_match() -> None:
    s = state("ACCOUNT-01")
    assert s.visible == list(range(10, 20))
    s.set_query("ACCT14 @example")
    assert s.visible == [14, *range(140, 150)]
    s.set_query("nothing-like-this")
    assert s.visible == [] and s.handle(ENTER) is None


def test_moves_and_scrolling() -> None:
    s = state()
    for key, expected in [(DOWN, 1), (DOWN, 2), (UP, 1), (PGDN, 11), (PGUP, 1), (END, 149), (HOME, 0), (UP, 0)]:
        s.handle(key)
        assert s.selected() == expected
    s.handle(END)
    lines = s.render(100)
    rows = [line for line in lines if "account-" in line]
    assert len(rows) == 10  # at most ten rows
    assert "\x1b[7m> " + ITEMS[149] in lines[-2]
    assert "150 of 150" in lines[-1] and "rows 141-150" in lines[-1]


def test_selection_survives_filtering_when_still_visible() -> None:
    s = state()
    s.select(42)
    s.set_query("04")
    assert s.selected() == 42
    s.set_query("acct43")
    assert s.selected() == 43


def test_editing_the_filter() -> None:
    s = state()
    for c in "acc 12":
        s.handle(c)
    assert s.query == "acc 12"
    s.handle(BACKSPACE)
    assert s.query == "acc 1"
    s.handle(KILL_WORD)
    assert s.query == "acc "
    s.handle(KILL_LINE)
    assert s.query == "" and len(s.visible) == 150


@pytest.mark.parametrize("key", [ESC, INTERRUPT])
def test_escape_and_ctrl_c_raise_interrupted(key: str) -> None:
    with pytest.raises(Interrupted):
        state().handle(key)


def test_enter_returns_the_original_index() -> None:
    s = state("acct77")
    assert s.handle(ENTER) == 77


def test_rows_fit_the_terminal_width() -> None:
    for line in state().render(30):
        visible = line.replace("\x1b[7m", "").replace("\x1b[0m", "")
        assert len(visible) <= 29
    assert clip("日本語の名前", 7) == "日本語…"  # 6 cells + the ellipsis
    assert clip("日本語の名前", 6) == "日本…"


def keys_from(data: bytes) -> Iterator[str]:
    r, w = os.pipe()
    os.write(w, data)
    os.close(w)
    reader = KeyReader(r, esc_timeout=0.01)
    it = iter(reader)
    try:
        while True:
            yield next(it)
    except Interrupted:
        os.close(r)


def test_key_decoding() -> None:
    data = b"\x1b[A\x1bOB\x1b[5~\x1b[6~\x1b[H\x1b[F\x1b[1~\x1b[4~\r\x7f\x15\x17\x03" + "é日".encode() + b"\x1b"
    assert list(keys_from(data)) == [
        UP,
        DOWN,
        PGUP,
        PGDN,
        HOME,
        END,
        HOME,
        END,
        ENTER,
        BACKSPACE,
        KILL_LINE,
        KILL_WORD,
        INTERRUPT,
        "é",
        "日",
    ]


def test_a_lone_escape_is_the_escape_key() -> None:
    r, w = os.pipe()
    try:
        os.write(w, b"\x1b")  # and nothing follows (the write end stays open)
        assert next(iter(KeyReader(r, esc_timeout=0.01))) == ESC
    finally:
        os.close(r)
        os.close(w)


def test_unknown_sequences_and_alt_keys_are_ignored() -> None:
    assert list(keys_from(b"\x1b[1;5C\x1bxa")) == ["a"]


def test_progress_bar_draws_only_on_a_terminal() -> None:
    quiet = io.StringIO()
    with Progress("listing", 10, stream=quiet) as p:
        p.advance(5)
    assert quiet.getvalue() == ""
    live = io.StringIO()
    with Progress("listing roles", 4, stream=live, live=True) as p:
        for _ in range(4):
            p.advance()
    out = live.getvalue()
    assert "listing roles" in out and "4/4" in out and out.endswith("\r\x1b[K")
