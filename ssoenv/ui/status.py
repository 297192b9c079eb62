"""Everything said to the person, on stderr: the one message channel (:func:`say`), the ``use``
success line, and what a login shows (the URL, the device code and a live countdown).

stdout is never touched (a login may run inside ``eval "$(ssoenv use P)"``). On a terminal the
countdown redraws one line in place; elsewhere only the essential lines are printed once.
Cheap to import (only ``os`` and ``sys``, not even ``typing``): the fast path and TAB completion use it.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

    from ssoenv.shells.envvars import Activation

PREFIX = "ssoenv: "


def say(text: str, *, stream: TextIO | None = None, prefix: str = PREFIX, style: str = "") -> None:
    """A message for the person: one line (or more) on stderr, ``ssoenv: `` first, flushed at once.

    ``style``: an SGR code (``"1;36"``: bold cyan) used where colours are welcome (:func:`paint`)."""
    out = stream if stream is not None else sys.stderr
    out.write(paint(prefix + text, style, out) + "\n")
    out.flush()


def colours_welcome() -> bool:
    """Colours may be used on a terminal: ``TERM`` is not ``dumb`` and ``NO_COLOR`` is not set.
    What is marked in colour must also be marked without it (a character, bold, underline)."""
    return not os.environ.get("NO_COLOR") and os.environ.get("TERM", "dumb") != "dumb"


def paint(text: str, style: str, stream: TextIO | None = None) -> str:
    """``text`` in the SGR ``style`` when ``stream`` (stderr) is a terminal that welcomes colours
    (``TERM`` not ``dumb``, no ``NO_COLOR``), else as it is."""
    out = stream if stream is not None else sys.stderr
    if not style or not colours_welcome():
        return text
    try:
        if not out.isatty():
            return text
    except (AttributeError, ValueError):
        return text
    return f"\x1b[{style}m{text}\x1b[0m"


def using_message(act: Activation) -> str:
    """What ``ssoenv use`` says on success (the full command and the fast path alike)."""
    return f"using {act.profile} ({describe(act)})"


def describe(act: Activation) -> str:
    """``111111111111/Admin, eu-west-1, credentials valid for 59m``: what is in use."""
    import time

    details = []
    if act.account_id or act.role_name:
        details.append(f"{act.account_id}/{act.role_name}")
    if act.region:
        details.append(act.region)
    creds = act.credentials
    if creds is None:
        details.append("credentials served live" if act.endpoint is not None else "AWS_PROFILE only")
    elif creds.expiration is None:
        details.append("static keys")
    else:
        # whole seconds, as the prompt counts them (SSOENV_EXPIRES_AT - now): both say the same
        left = int(creds.expiration.timestamp()) - int(time.time())
        details.append(f"credentials valid for {format_duration(left)}")
    return ", ".join(details)


def format_duration(seconds: float) -> str:
    """``1h02m``, ``42m``, ``3m05s``, ``12s``: compact, for prompts and listings."""
    total = int(max(seconds, 0))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes >= 10:
        return f"{minutes}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


class LoginUI:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty()
        self._drawn = False
        self._last = -1

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def message(self, text: str) -> None:
        self._clear()
        say(text, stream=self.stream)

    def show_device_code(self, uri: str, code: str, uri_complete: str | None) -> None:
        self._clear()
        self._line("ssoenv: to sign in, open this page in a browser on any device:")
        self._line(f"    {uri_complete or uri}")
        self._line(f"  and check that it shows the code:  {code}")
        if uri_complete and uri_complete != uri:
            self._line(f"  (or open {uri} and enter the code)")

    def show_authorize_url(self, url: str) -> None:
        self._clear()
        self._line("ssoenv: sign in with your browser; if it does not open, visit:")
        self._line(f"    {url}")
        self._line("  (on another device? run the login with --use-device-code)")

    def browser_failed(self, reason: str) -> None:
        self._clear()
        self._line(f"ssoenv: {reason}; open the address above yourself. Still waiting.")

    def tick(self, seconds_left: float) -> None:
        whole = int(seconds_left)
        if not self.live:
            if not self._drawn:
                self._line("ssoenv: waiting for the login to be approved (Ctrl-C to cancel)")
                self._drawn = True
            return
        if whole == self._last:
            return
        self._last = whole
        minutes, secs = divmod(max(whole, 0), 60)
        self.stream.write(f"\r\x1b[2Kssoenv: waiting for approval… {minutes}:{secs:02d} left (Ctrl-C to cancel)")
        self.stream.flush()
        self._drawn = True

    def _clear(self) -> None:
        if self.live and self._drawn:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self._drawn = False
            self._last = -1

    def done(self) -> None:
        self._clear()

    def ask_secret(self, prompt: str) -> str:
        """Read a code from the controlling terminal without echo (like botocore's getpass)."""
        import getpass
        import time

        import ssoenv

        self._clear()
        begin = time.monotonic()
        try:
            return getpass.getpass(prompt).strip()
        finally:
            ssoenv.waited_for_person(begin)
