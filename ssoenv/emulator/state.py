"""What the emulated services remember, under one lock, and the emulator's clock.

Registrations, device codes, pending browser authorizations and their codes, SSO sessions, access
and refresh tokens (SSO OIDC), role credentials (the portal and STS issue them; STS and the
console federation check them) and sign-in tokens. Handlers change these under :attr:`State.lock`.

A login is an *SSO session*; refreshes stay in it; ``Logout`` ends it (its access tokens and
refresh token stop working); role credentials already issued stay valid until they expire.
"""

from __future__ import annotations

import secrets
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ssoenv.emulator.config import EmulatorConfig
from ssoenv.emulator.directory import Directory
from ssoenv.emulator.wire import Request, Response


@dataclass
class Client:
    client_id: str
    client_secret: str
    name: str
    scopes: list[str]
    grant_types: list[str] | None
    redirect_uris: list[str]
    issued_at: int
    expires_at: int

    @property
    def refreshable(self) -> bool:
        return bool(self.scopes) and (self.grant_types is None or "refresh_token" in self.grant_types)


@dataclass
class DeviceAuth:
    device_code: str
    user_code: str
    client_id: str
    client_name: str
    scopes: list[str]
    expires_at: float
    interval: float
    status: str = "pending"  # pending | approved | denied | consumed
    last_poll: float | None = None


@dataclass
class AuthRequest:
    request_id: str
    client_id: str
    client_name: str
    redirect_uri: str
    state: str | None
    code_challenge: str
    scopes: list[str]
    expires_at: float
    status: str = "pending"  # pending | approved | denied


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    code_challenge: str
    scopes: list[str]
    expires_at: float
    used: bool = False


@dataclass
class Session:
    session_id: str
    user: str
    client_id: str
    scopes: list[str]
    refreshable: bool
    ended: bool = False


@dataclass
class AccessToken:
    token: str
    session_id: str
    expires_at: float
    revoked: bool = False


@dataclass
class RefreshToken:
    token: str
    session_id: str
    client_id: str
    valid: bool = True


@dataclass
class RoleCredentials:
    access_key_id: str
    secret_access_key: str
    session_token: str
    account_id: str
    role_name: str
    user: str
    expires_at: float
    assumed_arn: str | None = None  # the IAM role ARN, for AssumeRole credentials


@dataclass
class SigninToken:
    token: str
    access_key_id: str
    expires_at: float


class State:
    """Everything the services remember; change it under :attr:`lock`."""

    def __init__(self, config: EmulatorConfig, directory: Directory) -> None:
        self.config = config
        self.directory = directory
        self.lock = threading.RLock()
        self.clock_offset = 0.0
        self.url = ""  # set by the server once bound
        self.clients: dict[str, Client] = {}
        self.devices: dict[str, DeviceAuth] = {}
        self.auth_requests: dict[str, AuthRequest] = {}
        self.codes: dict[str, AuthCode] = {}
        self.sessions: dict[str, Session] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.role_credentials: dict[str, RoleCredentials] = {}
        self.signin_tokens: dict[str, SigninToken] = {}

    def now(self) -> float:
        """The emulator's clock (epoch seconds): the real one, moved by ``advance``."""
        return time.time() + self.clock_offset

    @property
    def user_name(self) -> str:
        return self.directory.user_name or self.config.user_name

    def base_url(self, req: Request) -> str:
        if self.url:
            return self.url
        host = req.header("host") or "127.0.0.1"
        return f"http://{host}"


def new_access_key_id() -> str:
    """``ASIA`` + 16 letters and digits: the access key id of temporary credentials."""
    alphabet = string.ascii_uppercase + string.digits
    return "ASIA" + "".join(secrets.choice(alphabet) for _ in range(16))


#: an operation's handler: the state, the request, and ``detail`` to fill for the request log (no secrets)
Handler = Callable[[State, Request, dict[str, str]], Response]
