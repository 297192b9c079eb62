"""The emulated Identity Center directory: accounts and the roles the user is assigned in each.

Default directory (``Directory.generate(n, m)``), deterministic:

* account ``k`` (1-based) has id ``str(k) * 12`` for ``k <= 9`` (``111111111111``, ...) and
  ``str(100000000000 + k)`` above; name ``dev``, ``prod``, ``staging``, ``shared-services``,
  ``security``, ``log-archive``, ``network``, ``data``, ``sandbox``, then ``account-0010``, ...;
  e-mail ``aws+<name>@example.com``;
* roles: the first ``m`` of ``AdministratorAccess``, ``ReadOnly``, ``PowerUserAccess``,
  ``Billing``, ``ViewOnlyAccess``, then ``Role6``, ``Role7``, ... (``Role<position>``).

Directory file (``EmulatorConfig.directory_file``, ``ssoenv emulator --directory FILE``), JSON::

    {
      "user_name": "jane@example.com",            (optional: overrides config.user_name)
      "accounts": [
        {"id": "111111111111", "name": "dev", "email": "aws+dev@example.com",
         "roles": ["AdministratorAccess", "ReadOnly"]},
        {"id": "222222222222", "name": "prod", "roles": ["ReadOnly"]}
      ],
      "iam_roles": [...], "mfa_devices": {...}     (optional: see ssoenv.emulator.iam)
    }

``id`` must be 12 digits and unique; ``name`` defaults to ``account-<id>``; ``email`` to
``aws+<name>@example.com``; ``roles`` to ``[]``. A bare JSON list is taken as ``accounts``.
Accounts without any role are not listed by ListAccounts (the user has no assignment there).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from ssoenv.emulator.iam import Iam

ACCOUNT_NAMES: Final = (
    "dev",
    "prod",
    "staging",
    "shared-services",
    "security",
    "log-archive",
    "network",
    "data",
    "sandbox",
)
ROLE_NAMES: Final = ("AdministratorAccess", "ReadOnly", "PowerUserAccess", "Billing", "ViewOnlyAccess")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")


def default_account_id(k: int) -> str:
    return str(k) * 12 if k <= 9 else str(100000000000 + k)


def default_account_name(k: int) -> str:
    return ACCOUNT_NAMES[k - 1] if k <= len(ACCOUNT_NAMES) else f"account-{k:04d}"


def default_role_names(count: int) -> list[str]:
    return [ROLE_NAMES[i] if i < len(ROLE_NAMES) else f"Role{i + 1}" for i in range(count)]


@dataclass
class Account:
    account_id: str
    name: str
    email: str
    roles: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.account_id, "name": self.name, "email": self.email, "roles": list(self.roles)}

    def copy(self) -> Account:
        return Account(self.account_id, self.name, self.email, list(self.roles))


def _check_account_id(account_id: str) -> None:
    if not isinstance(account_id, str) or not _ACCOUNT_ID.match(account_id):
        raise ValueError(f"account id must be 12 digits, not {account_id!r}")


def _check_role(role: str) -> None:
    if not isinstance(role, str) or not _ROLE_NAME.match(role):
        raise ValueError(f"invalid role name {role!r}")


class Directory:
    """Thread-safe, ordered set of accounts with role assignments. Readers get copies."""

    def __init__(
        self,
        accounts: Iterable[Account] = (),
        *,
        user_name: str | None = None,
        default_roles: Iterable[str] = ROLE_NAMES[:2],
    ) -> None:
        self._lock = threading.RLock()
        self._accounts: dict[str, Account] = {}
        self.user_name = user_name  # from a directory file; None = use the config's
        self.default_roles = list(default_roles)
        self.iam = Iam()  # roles STS AssumeRole can assume, MFA devices (see ssoenv.emulator.iam)
        for acct in accounts:
            self._insert(acct.copy())

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def generate(cls, accounts: int, roles_per_account: int) -> Directory:
        roles = default_role_names(roles_per_account)
        items = []
        for k in range(1, accounts + 1):
            name = default_account_name(k)
            items.append(Account(default_account_id(k), name, f"aws+{name}@example.com", list(roles)))
        return cls(items, default_roles=roles)

    @classmethod
    def from_dict(cls, data: Any) -> Directory:
        if isinstance(data, list):
            data = {"accounts": data}
        if not isinstance(data, dict) or not isinstance(data.get("accounts"), list):
            raise ValueError('directory must be a JSON object with an "accounts" list')
        user_name = data.get("user_name")
        if user_name is not None and (not isinstance(user_name, str) or not user_name):
            raise ValueError("user_name must be a non-empty string")
        items = []
        for i, entry in enumerate(data["accounts"]):
            if not isinstance(entry, dict):
                raise ValueError(f"accounts[{i}] must be an object")
            account_id = entry.get("id", entry.get("accountId"))
            if not isinstance(account_id, str):
                raise ValueError(f"accounts[{i}]: id must be a string of 12 digits")
            _check_account_id(account_id)
            name = entry.get("name", entry.get("accountName", f"account-{account_id}"))
            email = entry.get("email", entry.get("emailAddress", f"aws+{name}@example.com"))
            roles = entry.get("roles", [])
            if not isinstance(name, str) or not isinstance(email, str) or not isinstance(roles, list):
                raise ValueError(f"accounts[{i}]: name and email must be strings, roles a list")
            for role in roles:
                _check_role(role)
            items.append(Account(account_id, name, email, list(dict.fromkeys(roles))))
        directory = cls(user_name=user_name)
        for acct in items:
            if acct.account_id in directory._accounts:
                raise ValueError(f"duplicate account id {acct.account_id}")
            directory._insert(acct)
        directory.iam.load(data)
        return directory

    @classmethod
    def load(cls, path: str | Path) -> Directory:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not valid JSON: {exc}") from exc
        try:
            return cls.from_dict(data)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from exc

    def to_dict(self) -> dict[str, Any]:
        with self._lock:
            out: dict[str, Any] = {"accounts": [a.to_dict() for a in self._accounts.values()]}
            if self.user_name:
                out["user_name"] = self.user_name
            out.update(self.iam.to_dict())
            return out

    def _insert(self, acct: Account) -> None:
        self._accounts[acct.account_id] = acct

    # -- queries ----------------------------------------------------------------------------
    def accounts(self) -> list[Account]:
        """Every account, in insertion order (copies)."""
        with self._lock:
            return [a.copy() for a in self._accounts.values()]

    def assigned_accounts(self) -> list[Account]:
        """Accounts where the user has at least one role: what ListAccounts shows."""
        with self._lock:
            return [a.copy() for a in self._accounts.values() if a.roles]

    def get(self, account_id: str) -> Account | None:
        with self._lock:
            acct = self._accounts.get(account_id)
            return acct.copy() if acct else None

    def roles(self, account_id: str) -> list[str]:
        with self._lock:
            acct = self._accounts.get(account_id)
            return list(acct.roles) if acct else []

    def has_role(self, account_id: str, role_name: str) -> bool:
        with self._lock:
            acct = self._accounts.get(account_id)
            return acct is not None and role_name in acct.roles

    def __len__(self) -> int:
        with self._lock:
            return len(self._accounts)

    def __contains__(self, account_id: object) -> bool:
        with self._lock:
            return account_id in self._accounts

    # -- changes ----------------------------------------------------------------------------
    def add_account(
        self,
        account_id: str | None = None,
        name: str | None = None,
        email: str | None = None,
        roles: Iterable[str] | None = None,
    ) -> Account:
        """Add (or replace) an account; ``roles=None`` assigns ``default_roles``."""
        with self._lock:
            if account_id is None:
                k = len(self._accounts) + 1
                while default_account_id(k) in self._accounts:
                    k += 1
                account_id = default_account_id(k)
                name = name or default_account_name(k)
            _check_account_id(account_id)
            name = name or f"account-{account_id}"
            role_list = list(dict.fromkeys(self.default_roles if roles is None else roles))
            for role in role_list:
                _check_role(role)
            acct = Account(account_id, name, email or f"aws+{name}@example.com", role_list)
            self._insert(acct)
            return acct.copy()

    def remove_account(self, account_id: str) -> bool:
        with self._lock:
            return self._accounts.pop(account_id, None) is not None

    def add_role(self, account_id: str, role_name: str) -> None:
        _check_role(role_name)
        with self._lock:
            acct = self._accounts.get(account_id)
            if acct is None:
                raise KeyError(f"no account {account_id}")
            if role_name not in acct.roles:
                acct.roles.append(role_name)

    def remove_role(self, account_id: str, role_name: str) -> bool:
        """Remove an assignment; True when it existed."""
        with self._lock:
            acct = self._accounts.get(account_id)
            if acct is None or role_name not in acct.roles:
                return False
            acct.roles.remove(role_name)
            return True
