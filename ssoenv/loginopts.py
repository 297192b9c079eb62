"""How a login may run: the user's choices, kept apart from the flows so that reading them is cheap."""

from __future__ import annotations

from typing import NamedTuple

PKCE_TIMEOUT = 600.0  # seconds the loopback listener waits for the browser


class LoginOptions(NamedTuple):
    use_device_code: bool = False
    no_browser: bool = False
    callback_port: int | None = None
    profile: str | None = None  # whose [services] / endpoint_url settings apply
    pkce_timeout: float = PKCE_TIMEOUT
