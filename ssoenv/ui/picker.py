"""An arrow-key menu with type-to-filter, on the controlling terminal (``/dev/tty``).

``pick(items, title=...)`` returns the index of the chosen item. Typing filters the list
(case-insensitive substring over the whole label; several words must all match), Up/Down,
PgUp/PgDn, Home/End (and Ctrl-P/Ctrl-N) move, Enter chooses, Esc or Ctrl-C raise
:class:`ssoenv.errors.Interrupted`. At most ``ROWS`` rows are shown with an ``N of M`` line;
the menu redraws in place with ANSI sequences and is erased when done. The terminal mode and
the cursor are restored on every exit path. Stdlib only.

:class:`PickerState` holds the logic (filter, selection, scrolling, rendering to lines) and
knows nothing about terminals, so it is tested directly.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import select
import termios
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final

from ssoenv.errors import Interrupted, UsageError

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


def matches(label: str, words: Sequence[str]) -> bool:
    folded = label.casefold()
    return all(word in folded for word in words)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in text)


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal cells (with an ellipsis when cut)."""
    if _width(text) <= width:
        return text
    out, used = [], 0
    for c in text:
        w = _width(c)
        if used + w > width - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


@dataclass
class PickerState:
    items: Sequence[str]
    title: str
    query: str = ""
    rows: int = ROWS
    cursor: int = 0  # position in ``visible``
    offset: int = 0  # first shown position in ``visible``
    visible: list[int] = field(default_factory=list)
    _folded: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._folded = [item.casefold() for item in self.items]
        self.refilter()

    # ---- filtering and moving

    def refilter(self) -> None:
        keep = self.selected()
        words = self.query.casefold().split()
        self.visible = [i for i, label in enumerate(self._folded) if all(w in label for w in words)]
        self.cursor = self.visible.index(keep) if keep is not None and keep in self.visible else 0
        self.offset = 0
        self._scroll()

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

    def render(self, width: int) -> list[str]:
        """The menu as plain-text lines plus ANSI for the highlight; each fits ``width``."""
        width = max(width, 20)
        lines = [clip(f"? {self.title}", width - 1)]
        lines.append(clip(f"  filter: {self.query}", width - 1) if self.query else "  (type to filter)")
        shown = self.visible[self.offset : self.offset + self.rows]
        for pos, index in enumerate(shown, start=self.offset):
            label = clip(self.items[index], width - 5)
            if pos == self.cursor:
                lines.append(f"\x1b[7m> {label}\x1b[0m")
            else:
                lines.append(f"  {label}")
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


def pick(items: Sequence[str], *, title: str, initial_filter: str = "", initial: int = 0) -> int:
    """Let the person choose one of ``items`` on the terminal; return its index.

    ``initial`` is the item selected at first (when the filter shows it).
    """
    if not items:
        raise UsageError(f"{title}: nothing to choose from")
    state = PickerState(items, title, query=initial_filter)
    state.select(initial)
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
                    os.write(fd, clip(f"? {title} {items[chosen]}", _columns(fd) - 1).encode("utf-8", "replace"))
                    os.write(fd, b"\r\n")
                    return chosen
                if key == ENTER:
                    os.write(fd, b"\a")  # nothing to choose
                draw()
        except BaseException:
            erase()
            raise
    raise AssertionError("unreachable")  # pragma: no cover
