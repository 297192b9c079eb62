"""A one-line progress bar on stderr, redrawn in place; silent when stderr is not a terminal.

Thread-safe (workers call :meth:`Progress.advance`), throttled to ~20 redraws a second, and
erased by :meth:`Progress.close` so the messages that follow start on a clean line.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from types import TracebackType
from typing import TextIO

_INTERVAL = 0.05


class Progress:
    def __init__(self, label: str, total: int = 0, *, stream: TextIO | None = None, live: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.label = label
        self.total = total
        self.done = 0
        self._lock = threading.Lock()
        self._last_draw = 0.0
        self._drawn = False

    def __enter__(self) -> Progress:
        self._draw(force=True)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def set_label(self, label: str, total: int | None = None) -> None:
        with self._lock:
            self.label = label
            if total is not None:
                self.total = total
                self.done = 0
        self._draw(force=True)

    def advance(self, n: int = 1) -> None:
        with self._lock:
            self.done += n
        self._draw()

    def line(self, width: int) -> str:
        count = f" {self.done}/{self.total}" if self.total else f" {self.done}"
        bar_width = max(0, min(30, width - len(self.label) - len(count) - 4))
        if self.total and bar_width >= 5:
            filled = int(bar_width * min(self.done, self.total) / self.total)
            bar = " [" + "#" * filled + "-" * (bar_width - filled) + "]"
        else:
            bar = ""
        text = f"{self.label}{bar}{count}"
        return text[: width - 1]

    def _draw(self, *, force: bool = False) -> None:
        if not self.live:
            return
        now = time.monotonic()
        with self._lock:
            if not force and now - self._last_draw < _INTERVAL and self.done < self.total:
                return
            self._last_draw = now
            width = shutil.get_terminal_size((80, 24)).columns
            self.stream.write("\r\x1b[K" + self.line(width))
            self.stream.flush()
            self._drawn = True

    def close(self) -> None:
        with self._lock:
            if self.live and self._drawn:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
                self._drawn = False
