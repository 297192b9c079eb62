"""The IAM side of the emulated accounts: roles that STS ``AssumeRole`` can assume, MFA devices.

Directory file (``"iam_roles"`` and ``"mfa_devices"`` beside ``"accounts"``)::

    "iam_roles": [
      {"arn": "arn:aws:iam::222222222222:role/deploy",
       "external_id": "s3cret",                 (optional: the trust policy's sts:ExternalId)
       "mfa": true,                             (optional: trust requires aws:MultiFactorAuthPresent)
       "max_session_duration": 3600}            (optional: 3600..43200, default 3600)
    ],
    "mfa_devices": {"arn:aws:iam::111111111111:mfa/jane": "JBSWY3DPEHPK3PXP"}   (base32 TOTP secrets)

A role that is not listed does not trust the caller: ``AccessDenied``, as AWS answers for a role
that does not exist or whose trust policy does not name the caller.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import threading
import time
from dataclasses import dataclass
from typing import Any, Final

ROLE_ARN: Final = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]{1,64})$")
MFA_SERIAL: Final = re.compile(r"^(?:arn:aws[a-z-]*:iam::\d{12}:mfa/[\w+=,.@/-]+|[\w+=/:,.@-]{9,256})$")


@dataclass
class IamRole:
    arn: str
    external_id: str | None = None
    mfa: bool = False
    max_session_duration: int = 3600

    @property
    def account_id(self) -> str:
        match = ROLE_ARN.match(self.arn)
        return match.group(1) if match else ""

    @property
    def name(self) -> str:
        match = ROLE_ARN.match(self.arn)
        return match.group(2) if match else ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"arn": self.arn}
        if self.external_id is not None:
            out["external_id"] = self.external_id
        if self.mfa:
            out["mfa"] = True
        if self.max_session_duration != 3600:
            out["max_session_duration"] = self.max_session_duration
        return out


def totp(secret: str, at: float | None = None, *, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 code of a base32 ``secret`` (what an authenticator app shows)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


class Iam:
    """Assumable roles by ARN and MFA devices by serial; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._roles: dict[str, IamRole] = {}
        self._mfa: dict[str, str] = {}

    def add_role(
        self, arn: str, *, external_id: str | None = None, mfa: bool = False, max_session_duration: int = 3600
    ) -> IamRole:
        if not ROLE_ARN.match(arn):
            raise ValueError(f"not a role ARN: {arn!r}")
        if not 3600 <= max_session_duration <= 43200:
            raise ValueError("max_session_duration must be 3600..43200")
        role = IamRole(arn, external_id, mfa, max_session_duration)
        with self._lock:
            self._roles[arn] = role
        return role

    def role(self, arn: str) -> IamRole | None:
        with self._lock:
            return self._roles.get(arn)

    def roles(self) -> list[IamRole]:
        with self._lock:
            return list(self._roles.values())

    def add_mfa_device(self, serial: str, secret: str) -> None:
        totp(secret)  # validates the base32 secret
        with self._lock:
            self._mfa[serial] = secret

    def mfa_code_ok(self, serial: str, code: str, at: float) -> bool:
        """A code of the current 30 s window or the one before (clock skew, like AWS)."""
        with self._lock:
            secret = self._mfa.get(serial)
        if secret is None or not code.isdigit():
            return False
        return any(hmac.compare_digest(totp(secret, at - drift), code) for drift in (0, 30))

    def load(self, data: dict[str, Any]) -> None:
        roles = data.get("iam_roles", [])
        devices = data.get("mfa_devices", {})
        if not isinstance(roles, list) or not isinstance(devices, dict):
            raise ValueError('"iam_roles" must be a list and "mfa_devices" an object')
        for i, entry in enumerate(roles):
            if not isinstance(entry, dict) or not isinstance(entry.get("arn"), str):
                raise ValueError(f"iam_roles[{i}] must be an object with an arn")
            external = entry.get("external_id")
            if external is not None and not isinstance(external, str):
                raise ValueError(f"iam_roles[{i}].external_id must be a string")
            self.add_role(
                entry["arn"],
                external_id=external,
                mfa=bool(entry.get("mfa", False)),
                max_session_duration=int(entry.get("max_session_duration", 3600)),
            )
        for serial, secret in devices.items():
            if not isinstance(secret, str):
                raise ValueError(f"mfa_devices[{serial!r}] must be a base32 string")
            self.add_mfa_device(str(serial), secret)

    def to_dict(self) -> dict[str, Any]:
        with self._lock:
            out: dict[str, Any] = {}
            if self._roles:
                out["iam_roles"] = [r.to_dict() for r in self._roles.values()]
            if self._mfa:
                out["mfa_devices"] = dict(self._mfa)
            return out
