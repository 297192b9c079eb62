"""An arrow-key menu with type-to-filter, on the controlling terminal (``/dev/tty``).

``pick(items, title=...)`` returns the index of the chosen item. An item is a label or a
:class:`Choice`: fields shown as aligned columns (a profile's name, account id, role, account
name) and a note after them. Typing filters: every word typed must be a case-insensitive
substring of one of an item's fields (a label is one field; notes are not searched), and the
matched parts are highlighted (bold and colour; bold and underline under ``NO_COLOR`` or
``TERM=dumb``). Items are ordered by their ``scores`` (the profiles' frecency,
:mod:`ssoenv.ui.frecency`), then by how well the filter matches (a whole field, then the start
of a field or of a word, then anywhere), then as given. Up/Down, PgUp/PgDn, Home/End (and
Ctrl-P/Ctrl-N) move, Enter chooses, Esc or Ctrl-C raise :class:`ssoenv.errors.Interrupted`. At
most ``ROWS`` rows are shown with an ``N of M`` line; the menu redraws in place with ANSI
sequences and is erased when done. The terminal mode and the cursor are restored on every exit
path. Stdlib only.

:class:`PickerState` holds the logic (filter, order, selection, scrolling, highlighting, rendering
to lines) and knows nothing about terminals, so it is tested directly.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import select
import termios
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final, NamedTuple

import ssoenv
from ssoenv.errors import Interrupted, UsageError
from ssoenv.ui.table import cell_width as _width
from ssoenv.ui.table import elide as clip
from ssoenv.ui.table import elide_segments

ROWS: Final = 10

# key names produced by the decoder
UP, DOWN, PGUP, PGDN, HOME, END = "up", "down", "pgup", "pgdn", "home", "end"
ENTER, ESC, INTERRUPT, BACKSPACE, KILL_LINE, KILL_WORD = "enter", "esc", "interrupt", "bs", "kill", "killword"

_SEQUENCES: Final = {
    "\x1b[A": UP,
    "\x1bOA": UP,
    "\x1b[B": DOWN,
    "\x1bOB": DOWN,
    "\x1b[5~": PGUP,
    "\x1b[6~": PGDN,
    "\x1b[H": HOME,
    "\x1bOH": HOME,
    "\x1b[1~": HOME,
    "\x1b[7~": HOME,
    "\x1b[F": END,
    "\x1bOF": END,
    "\x1b[4~": END,
    "\x1b[8~": END,
}
_CONTROL: Final = {
    "\r": ENTER,
    "\n": ENTER,
    "\x03": INTERRUPT,  # Ctrl-C
    "\x04": INTERRUPT,  # Ctrl-D
    "\x7f": BACKSPACE,
    "\x08": BACKSPACE,
    "\x15": KILL_LINE,  # Ctrl-U
    "\x17": KILL_WORD,  # Ctrl-W
    "\x10": UP,  # Ctrl-P
    "\x0e": DOWN,  # Ctrl-N
    "\x02": PGUP,  # Ctrl-B
    "\x06": PGDN,  # Ctrl-F
    "\x01": HOME,  # Ctrl-A
    "\x05": END,  # Ctrl-E
}


COLUMN_CAP: Final = 40  # a column is as wide as its widest cell up to this; longer cells push their row


class Choice(NamedTuple):
    """One line of the menu: ``fields`` are searched by the filter and shown as aligned columns
    (empty fields keep their column); ``note`` is shown after them and not searched."""

    fields: tuple[str, ...]
    note: str = ""


Item = str | Choice


def as_choice(item: Item) -> Choice:
    return Choice((item,)) if isinstance(item, str) else item


def label(item: Item) -> str:
    """The item as one line of plain text (what the picker prints once a choice is made)."""
    choice = as_choice(item)
    return "  ".join(part for part in (*choice.fields, choice.note) if part)


def words(query: str) -> list[str]:
    """The filter's words, case-folded."""
    return query.casefold().split()


class _Folded(NamedTuple):
    """A field case-folded, with the original position of every folded character (None: the same)."""

    text: str
    origin: list[int] | None


def _fold(text: str) -> _Folded:
    if text.isascii():
        return _Folded(text.lower(), None)
    folded, origin = [], []
    for i, c in enumerate(text):
        f = c.casefold()
        folded.append(f)
        origin.extend([i] * len(f))
    return _Folded("".join(folded), origin)


def _at_word_start(text: str, pos: int) -> bool:
    """A word starts at ``pos`` of ``text``: its start, after a non-alphanumeric, a camelCase hump."""
    if pos == 0:
        return True
    before, here = text[pos - 1], text[pos]
    return not before.isalnum() or (before.islower() and here.isupper())


def _original(folded: _Folded, start: int, end: int) -> tuple[int, int]:
    if folded.origin is None:
        return start, end
    return folded.origin[start], folded.origin[end - 1] + 1


SEPARATOR: Final = "\n"  # between an item's fields in its search text: no typed word holds one


def token_quality(text: str, folded: _Folded, token: str) -> int:
    """How well one word matches ``text`` (an item's fields joined by :data:`SEPARATOR`): 3 for a
    whole field, 2 for the start of a field or of a word in it, 1 anywhere else, 0 not at all."""
    f = folded.text
    best = 0
    pos = f.find(token)
    while pos >= 0:
        stop = pos + len(token)
        at_start = pos == 0 or f[pos - 1] == SEPARATOR
        if at_start and (stop == len(f) or f[stop] == SEPARATOR):
            return 3
        if best < 2:
            best = 2 if at_start or _at_word_start(text, _original(folded, pos, stop)[0]) else 1
        pos = f.find(token, pos + 1)
    return best


def quality(fields: Sequence[str], tokens: Sequence[str]) -> int:
    """How well all ``tokens`` match the fields: :func:`token_quality` summed over the words."""
    text = SEPARATOR.join(fields)
    folded = _fold(text)
    return sum(token_quality(text, folded, token) for token in tokens)


def spans(field: str, tokens: Sequence[str], folded: _Folded | None = None) -> list[tuple[int, int]]:
    """The parts of ``field`` the filter's words match, as sorted, merged ``(start, end)`` ranges."""
    f = folded or _fold(field)
    found = []
    for token in tokens:
        pos = f.text.find(token)
        while pos >= 0:
            found.append(_original(f, pos, pos + len(token)))
            pos = f.text.find(token, pos + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


SELECTED: Final = "7"  # reverse video
MATCH_COLOUR: Final = "1;36"  # bold cyan
MATCH_PLAIN: Final = "1;4"  # bold underline: visible without colours


@dataclass
class PickerState:
    items: Sequence[Item]
    title: str
    query: str = ""
    rows: int = ROWS
    scores: Sequence[float] | None = None  # higher first (frecency); None: all alike
    colour: bool = True  # matches in colour (else bold + underline only)
    cursor: int = 0  # position in ``visible``
    offset: int = 0  # first shown position in ``visible``
    visible: list[int] = field(default_factory=list)
    _choices: list[Choice] = field(default_factory=list)
    _text: list[str] = field(default_factory=list)  # each item's fields joined by SEPARATOR
    _folded: list[_Folded] = field(default_factory=list)  # the same, case-folded
    _qualities: dict[str, dict[int, int]] = field(default_factory=dict)  # word -> item -> token_quality
    _filtered: tuple[str, list[int]] = ("", [])  # the last query (folded) and the items it matched
    _widths: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._choices = [as_choice(item) for item in self.items]
        self._text = [SEPARATOR.join(choice.fields) for choice in self._choices]
        self._folded = [_fold(text) for text in self._text]
        if self.scores is not None and len(self.scores) != len(self.items):
            raise ValueError("one score per item")
        widths: list[int] = []
        for choice in self._choices:
            for i, text in enumerate(choice.fields):
                w = min(_width(text), COLUMN_CAP)
                if i == len(widths):
                    widths.append(w)
                elif w > widths[i]:
                    widths[i] = w
        self._widths = widths
        self.refilter()

    # ---- filtering, ordering and moving

    def refilter(self) -> None:
        keep = self.selected()
        tokens = words(self.query)
        folded_query = self.query.casefold()
        last_query, last_found = self._filtered
        # typing on narrows: what the longer query matches is among what the shorter one did
        candidates = last_found if last_query and folded_query.startswith(last_query) else range(len(self._folded))
        found = [i for i in candidates if all(token in self._folded[i].text for token in tokens)]
        self._filtered = (folded_query, found)
        found = list(found)
        scores = self.scores
        if tokens:
            rank = {i: sum(self._token_quality(token, i) for token in tokens) for i in found}
            if scores is None:
                found.sort(key=lambda i: (-rank[i], i))
            else:
                found.sort(key=lambda i: (-scores[i], -rank[i], i))
        elif scores is not None:
            found.sort(key=lambda i: (-scores[i], i))
        self.visible = found
        self.cursor = self.visible.index(keep) if keep is not None and keep in self.visible else 0
        self.offset = 0
        self._scroll()

    def _token_quality(self, token: str, index: int) -> int:
        known = self._qualities.setdefault(token, {})
        value = known.get(index)
        if value is None:
            value = known[index] = token_quality(self._text[index], self._folded[index], token)
        return value

    def select(self, index: int) -> None:
        if index in self.visible:
            self.cursor = self.visible.index(index)
            self._scroll()

    def selected(self) -> int | None:
        if not self.visible:
            return None
        return self.visible[self.cursor]

    def move(self, delta: int) -> None:
        if self.visible:
            self.cursor = max(0, min(len(self.visible) - 1, self.cursor + delta))
            self._scroll()

    def _scroll(self) -> None:
        if self.cursor < self.offset:
            self.offset = self.cursor
        elif self.cursor >= self.offset + self.rows:
            self.offset = self.cursor - self.rows + 1

    def handle(self, key: str) -> int | None:
        """Apply a key; return the chosen item's index on Enter (None otherwise)."""
        if key == ENTER:
            return self.selected()
        if key in (ESC, INTERRUPT):
            raise Interrupted("no choice made")
        moves = {UP: -1, DOWN: 1, PGUP: -self.rows, PGDN: self.rows, HOME: -len(self.items), END: len(self.items)}
        if key in moves:
            self.move(moves[key])
        elif key == BACKSPACE:
            self.set_query(self.query[:-1])
        elif key == KILL_LINE:
            self.set_query("")
        elif key == KILL_WORD:
            kept = self.query.rstrip()
            self.set_query(kept[: kept.rfind(" ") + 1])
        elif len(key) == 1 and key.isprintable():
            self.set_query(self.query + key)
        return None

    def set_query(self, query: str) -> None:
        if query != self.query:
            self.query = query
            self.refilter()

    # ---- drawing

    def segments(self, index: int) -> list[tuple[str, bool]]:
        """Item ``index`` as aligned columns: (text, matched by the filter) pieces."""
        choice = self._choices[index]
        tokens = words(self.query)
        out: list[tuple[str, bool]] = []
        last = len(choice.fields) - 1
        for i, text in enumerate(choice.fields):
            if not self._widths[i]:
                continue  # a column empty in every item takes no room
            if out:
                out.append(("  ", False))
            done = 0
            for start, end in spans(text, tokens) if tokens else ():
                if start > done:
                    out.append((text[done:start], False))
                out.append((text[start:end], True))
                done = end
            if done < len(text):
                out.append((text[done:], False))
            pad = self._widths[i] - _width(text)
            if pad > 0 and (i < last or choice.note):
                out.append((" " * pad, False))
        if choice.note:
            out.append(("  " + choice.note, False))
        while out and not out[-1][1] and not out[-1][0].strip():
            out.pop()  # no trailing padding
        return out

    def _row(self, index: int, width: int, selected: bool) -> str:
        base = SELECTED if selected else ""
        match = (base + ";" if base else "") + (MATCH_COLOUR if self.colour else MATCH_PLAIN)
        parts = ["\x1b[7m> " if selected else "  "]
        for text, marked in elide_segments(self.segments(index), width):
            parts.append(f"\x1b[{match}m{text}\x1b[0{';' + base if base else ''}m" if marked else text)
        if selected:
            parts.append("\x1b[0m")
        return "".join(parts)

    def render(self, width: int) -> list[str]:
        """The menu as plain-text lines plus ANSI for the selection and the matches; each fits ``width``."""
        width = max(width, 20)
        lines = [clip(f"? {self.title}", width - 1)]
        lines.append(clip(f"  filter: {self.query}", width - 1) if self.query else "  (type to filter)")
        shown = self.visible[self.offset : self.offset + self.rows]
        for pos, index in enumerate(shown, start=self.offset):
            lines.append(self._row(index, width - 5, pos == self.cursor))
        if not self.visible:
            lines.append("  (nothing matches; Backspace to edit the filter)")
        count = f"  {len(self.visible)} of {len(self.items)}"
        if len(self.visible) > self.rows:
            count += f"  (rows {self.offset + 1}-{self.offset + len(shown)})"
        lines.append(clip(count + "  ↑↓ move · Enter choose · Esc cancel", width - 1))
        return lines


class KeyReader:
    """Turns raw terminal bytes into key names and typed characters."""

    def __init__(self, fd: int, *, esc_timeout: float = 0.05) -> None:
        self.fd = fd
        self.esc_timeout = esc_timeout
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending = ""

    def _fill(self, timeout: float | None) -> bool:
        if timeout is not None:
            ready, _, _ = select.select([self.fd], [], [], timeout)
            if not ready:
                return False
        data = os.read(self.fd, 1024)
        if not data:
            raise Interrupted("the terminal went away")
        self._pending += self._decoder.decode(data)
        return True

    def __iter__(self) -> Iterator[str]:
        while True:
            if not self._pending:
                self._fill(None)
            c = self._pending[0]
            if c == "\x1b":
                if len(self._pending) == 1 and not self._fill(self.esc_timeout):
                    self._pending = ""
                    yield ESC
                    continue
                seq = self._take_sequence()
                if seq is not None:
                    yield seq
                continue
            self._pending = self._pending[1:]
            if c in _CONTROL:
                yield _CONTROL[c]
            elif c.isprintable():
                yield c

    def _take_sequence(self) -> str | None:
        """Consume one escape sequence from the buffer (which starts with Esc)."""
        while True:
            buf = self._pending
            if len(buf) >= 2:
                if buf[1] == "O" and len(buf) >= 3:
                    self._pending = buf[3:]
                    return _SEQUENCES.get(buf[:3])
                if buf[1] == "[":
                    for i in range(2, len(buf)):
                        if "@" <= buf[i] <= "~":  # CSI final byte
                            self._pending = buf[i + 1 :]
                            return _SEQUENCES.get(buf[: i + 1])
                elif buf[1] != "O":
                    self._pending = buf[2:]  # Alt+key: ignored
                    return None
            if len(buf) > 32 or not self._fill(self.esc_timeout):
                self._pending = ""  # an incomplete sequence: dropped
                return None


@contextlib.contextmanager
def _terminal() -> Iterator[int]:
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError as exc:
        raise UsageError("no terminal to show a menu on", hint="give the choice as an option instead") from exc
    try:
        old = termios.tcgetattr(fd)
    except termios.error as exc:
        os.close(fd)
        raise UsageError("no terminal to show a menu on", hint="give the choice as an option instead") from exc
    try:
        new = termios.tcgetattr(fd)
        new[3] &= ~(termios.ICANON | termios.ECHO | termios.ISIG | termios.IEXTEN)
        new[0] &= ~(termios.IXON | termios.ICRNL)
        new[6][termios.VMIN] = 1
        new[6][termios.VTIME] = 0
        termios.tcsetattr(fd, termios.TCSANOW, new)
        os.write(fd, b"\x1b[?25l")  # hide the cursor
        yield fd
    finally:
        with contextlib.suppress(OSError, termios.error):
            os.write(fd, b"\x1b[?25h")
            termios.tcsetattr(fd, termios.TCSADRAIN, old)
        os.close(fd)


def _columns(fd: int) -> int:
    try:
        return os.get_terminal_size(fd).columns
    except OSError:
        return 80


def pick(
    items: Sequence[Item],
    *,
    title: str,
    initial_filter: str = "",
    initial: int | None = None,
    scores: Sequence[float] | None = None,
) -> int:
    """Let the person choose one of ``items`` on the terminal; return its index.

    ``scores`` order the items (higher first: the frecency of :mod:`ssoenv.ui.frecency`);
    ``initial`` is the item selected at first (when the filter shows it), else the first shown.
    """
    if not items:
        raise UsageError(f"{title}: nothing to choose from")
    from ssoenv.ui.status import colours_welcome

    state = PickerState(items, title, query=initial_filter, scores=scores, colour=colours_welcome())
    if initial is not None:
        state.select(initial)
    begin = time.monotonic()
    try:
        return _run(state, items, title)
    finally:
        ssoenv.waited_for_person(begin)


def _run(state: PickerState, items: Sequence[Item], title: str) -> int:
    with _terminal() as fd:
        drawn = 0

        def draw() -> None:
            nonlocal drawn
            lines = state.render(_columns(fd))
            prefix = f"\x1b[{drawn}A" if drawn else ""
            text = prefix + "\r\x1b[J" + "\r\n".join(lines) + "\r"
            # the cursor rests on the last line; moving up len-1 reaches the first
            drawn = len(lines) - 1
            os.write(fd, text.encode("utf-8", "replace"))

        def erase() -> None:
            prefix = f"\x1b[{drawn}A" if drawn else ""
            os.write(fd, (prefix + "\r\x1b[J").encode())

        try:
            draw()
            for key in KeyReader(fd):
                chosen = state.handle(key)
                if chosen is not None:
                    erase()
                    os.write(fd, clip(f"? {title} {label(items[chosen])}", _columns(fd) - 1).encode("utf-8", "replace"))
                    os.write(fd, b"\r\n")
                    return chosen
                if key == ENTER:
                    os.write(fd, b"\a")  # nothing to choose
                draw()
        except BaseException:
            erase()
            raise
    raise AssertionError("unreachable")  # pragma: no cover
