"""Emulator settings: one mutable dataclass, read afresh on every request.

Everything here may be changed while the emulator runs (``emu.config.role_ttl = 5``, or
``POST /_emulator/config``); the new values apply to the next request. ``port``, ``accounts``,
``roles_per_account`` and ``directory_file`` only matter when the emulator is built/started.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

ApproveMode = Literal["auto", "manual", "deny", "preapproved"]
APPROVE_MODES: Final[tuple[str, ...]] = get_args(ApproveMode)

DEFAULT_PAGE_SIZE: Final = 20
MAX_PAGE_SIZE: Final = 100

# Names of every operation the emulator answers (request log, fault injection).
OIDC_OPERATIONS: Final = ("RegisterClient", "StartDeviceAuthorization", "CreateToken")
PORTAL_OPERATIONS: Final = ("GetRoleCredentials", "ListAccounts", "ListAccountRoles", "Logout")
STS_OPERATIONS: Final = ("GetCallerIdentity", "AssumeRole")
FEDERATION_OPERATIONS: Final = ("GetSigninToken", "Login")
PAGE_OPERATIONS: Final = ("Authorize", "AuthorizeDecision", "DevicePage", "DeviceDecision")
API_OPERATIONS: Final[tuple[str, ...]] = (
    *OIDC_OPERATIONS,
    *PORTAL_OPERATIONS,
    *STS_OPERATIONS,
    *FEDERATION_OPERATIONS,
)
OPERATIONS: Final[tuple[str, ...]] = (*API_OPERATIONS, *PAGE_OPERATIONS)


@dataclass
class EmulatorConfig:
    """Settings of one emulator. All durations are in seconds."""

    port: int = 0  # 0 = an ephemeral port chosen by the OS
    accounts: int = 3  # size of the generated directory (ignored with directory_file)
    roles_per_account: int = 2
    approve: ApproveMode = "auto"  # how device codes / PKCE authorizations get decided
    token_ttl: int = 28800  # CreateToken expiresIn
    role_ttl: int = 3600  # lifetime of GetRoleCredentials credentials
    registration_ttl: int = 7776000  # RegisterClient clientSecretExpiresAt - now (90 days)
    device_interval: int = 1  # StartDeviceAuthorization interval
    device_expires_in: int = 600  # StartDeviceAuthorization expiresIn
    page_size: int | None = None  # portal page size when the client sends no max_result (None = 20)
    directory_file: str | None = None  # JSON directory (see ssoenv.emulator.directory)
    user_name: str = "demo.user@example.com"  # Identity Center user of every session
    auth_code_ttl: int = 300  # lifetime of a PKCE authorization code / pending authorization
    signin_token_ttl: int = 900  # lifetime of a federation SigninToken
    region: str = "us-east-1"  # region of the emulated identity store (IAM role path)

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ValueError when a value cannot work."""
        if self.approve not in APPROVE_MODES:
            raise ValueError(f"approve must be one of {', '.join(APPROVE_MODES)}, not {self.approve!r}")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be 0..65535, not {self.port}")
        if self.accounts < 0 or self.roles_per_account < 0:
            raise ValueError("accounts and roles_per_account must not be negative")
        for name in ("token_ttl", "role_ttl", "registration_ttl", "device_expires_in", "auth_code_ttl"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if self.device_interval < 0:
            raise ValueError("device_interval must not be negative")
        if self.page_size is not None and not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}")
        if not self.user_name:
            raise ValueError("user_name must not be empty")

    @property
    def effective_page_size(self) -> int:
        return self.page_size if self.page_size is not None else DEFAULT_PAGE_SIZE

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def update(self, changes: dict[str, Any]) -> None:
        """Apply ``changes`` (e.g. from JSON), type-checked; all or nothing."""
        fields = {f.name: f for f in dataclasses.fields(self)}
        new = dataclasses.replace(self)  # validated copy first
        for key, value in changes.items():
            if key not in fields:
                raise ValueError(f"unknown setting {key!r}")
            current = getattr(self, key)
            if key in ("page_size", "directory_file"):
                ok = value is None or isinstance(value, int if key == "page_size" else str)
            elif isinstance(current, (bool, str)):
                ok = isinstance(value, type(current))
            else:
                ok = isinstance(value, int) and not isinstance(value, bool)
            if not ok:
                raise ValueError(f"bad value for {key}: {value!r}")
            setattr(new, key, value)
        new.validate()
        for key in changes:
            setattr(self, key, getattr(new, key))
