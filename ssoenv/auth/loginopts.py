"""How a login may run: the user's choices, the one decision "may this command log in?", and the
interface the login flows show themselves through — kept apart from the flows so reading them is cheap.

The core never builds a terminal UI: the command layer passes a :class:`LoginDisplay` (the terminal
one is :class:`ssoenv.ui.status.LoginUI`) and a :class:`~ssoenv.clock.Clock` in an ``Access``.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

PKCE_TIMEOUT = 600.0  # seconds the loopback listener waits for the browser


class LoginOptions(NamedTuple):
    use_device_code: bool = False
    no_browser: bool = False
    callback_port: int | None = None
    profile: str | None = None  # whose [services] / endpoint_url settings apply
    pkce_timeout: float = PKCE_TIMEOUT

    @property
    def chose_a_flow(self) -> bool:
        """The person asked for a flow that needs no terminal on this machine (a code or a URL to open)."""
        return self.use_device_code or self.no_browser


def may_log_in(options: LoginOptions, *, no_login: bool = False, person_present: bool, explicit: bool = False) -> bool:
    """Whether a command may start a login when it has no valid token: the one policy.

    Never with ``--no-login``; always for ``ssoenv login`` itself (``explicit``); otherwise when a
    person can see the prompt (stderr is a terminal) or asked for a flow that shows a code or an
    address (``--use-device-code``, ``--no-browser``), which works from a script's log as well.
    """
    if no_login:
        return False
    return explicit or person_present or options.chose_a_flow


class LoginDisplay(Protocol):
    """What a login shows the person (on stderr): messages, the code or address, a countdown."""

    def message(self, text: str) -> None: ...

    def show_device_code(self, uri: str, code: str, uri_complete: str | None) -> None: ...

    def show_authorize_url(self, url: str) -> None: ...

    def browser_failed(self, reason: str) -> None: ...

    def tick(self, seconds_left: float) -> None: ...

    def done(self) -> None: ...

    def ask_secret(self, prompt: str) -> str:
        """A secret typed by the person (an MFA code), not echoed."""
        ...
