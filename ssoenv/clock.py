"""Time as the login flows see it: a monotonic clock and a sleep, injectable for tests.

The device-code flow polls every few seconds for up to ten minutes; with a :class:`Clock` passed in,
a test can make that wait take no time at all (``tests/conftest.py`` has one that also moves the
emulator's clock, so the service and the client agree on how much time has passed).
"""

from __future__ import annotations

import time


class Clock:
    """The real clock: :func:`time.monotonic` and :func:`time.sleep`."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


SYSTEM_CLOCK = Clock()
