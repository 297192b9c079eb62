"""The AWS CLI's cache files, byte-compatible: tokens, client registrations, role credentials.

- ``~/.aws/sso/cache/<sha1(session name | start URL)>.json``: access tokens (reference §2.1);
- ``~/.aws/sso/cache/<sha1(json registration key)>.json``: client registrations (§2.2);
- ``~/.aws/cli/cache/<sha1(compact json)>.json``: role credentials in AWS CLI v2's format (§2.3).

Reads never crash: a missing, truncated or corrupt file is treated as absent. Writes are atomic
(temp + fsync + rename), files 0600, directories created 0700. Only stdlib imports.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, NamedTuple

from ssoenv.config.profiles import SsoProfile, SsoSession
from ssoenv.fsutil import atomic_write, file_lock
from ssoenv.paths import Paths

UTC = timezone.utc
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# botocore/CLI: reuse role credentials and skip token refresh while more than this remains
FRESHNESS = timedelta(minutes=15)

_TS_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$", re.IGNORECASE
)


def now() -> datetime:
    return datetime.now(UTC)


def parse_timestamp(value: object) -> datetime | None:
    """Every spelling other writers use: ``...Z``, ``...UTC``, fractions, ``+00:00``.

    A timestamp without a zone is taken as UTC (botocore would crash on it; we do not).
    Returns None for anything unparseable.
    """
    if not isinstance(value, str):
        return None
    match = _TS_RE.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    fraction = match.group(7)
    micro = round(float(fraction) * 1_000_000) if fraction else 0
    micro = min(micro, 999_999)
    zone = (match.group(8) or "Z").upper()
    if zone in ("Z", "UTC"):
        tz = UTC
    else:
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=tz).astimezone(UTC)
    except ValueError:
        return None


def format_timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime(TIME_FORMAT)


_SHA1: list[Any] = []  # the SHA-1 constructor, found on first use


def sha1_hex(text: str) -> str:
    if not _SHA1:
        try:  # CPython's built-in SHA-1: avoids loading OpenSSL on the hot path
            from _sha1 import sha1  # type: ignore[import-not-found]
        except ImportError:  # pragma: no cover - Pythons built without it
            from hashlib import sha1
        _SHA1.append(sha1)
    digest: str = _SHA1[0](text.encode("utf-8")).hexdigest()
    return digest


def token_cache_key(session: SsoSession) -> str:
    return sha1_hex(session.cache_key_source)


def registration_cache_key(session: SsoSession) -> str:
    """§2.2: sorted keys, Python's default separators, scopes/session_name null for legacy."""
    scopes: list[str] | None = list(session.scopes) if session.scopes else None
    args = {
        "tool": "botocore",
        "startUrl": session.start_url,
        "region": session.region,
        "scopes": scopes,
        "session_name": session.name,
    }
    return sha1_hex(json.dumps(args, sort_keys=True))


def role_cache_key(profile: SsoProfile) -> str:
    """§2.3: compact sorted JSON of account, role and session name (or start URL)."""
    account, role, session = profile.account_id, profile.role_name, profile.session.name
    last, value = ("startUrl", profile.session.start_url) if session is None else ("sessionName", session)
    text = account + role + value
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        # what the encoder writes for such strings (nothing to escape), without it: `list`
        # computes the key of every profile as soon as any role credentials are cached
        encoded = f'{{"accountId":"{account}","roleName":"{role}","{last}":"{value}"}}'
    else:
        encoded = _COMPACT_SORTED({"accountId": account, "roleName": role, last: value})
    return sha1_hex(encoded).replace(":", "_").replace("/", "_").replace(os.sep, "_")


# json.dumps(..., sort_keys=True, separators=(",", ":")) without a new encoder per call (`list`
# computes the key of every profile as soon as any role credentials are cached)
_COMPACT_SORTED = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def clean_text(value: object) -> bool:
    """A credential, token or name fit for a cache file, an environment variable and a shell:
    a non-empty string of printable characters (no NUL, no control characters)."""
    return isinstance(value, str) and value != "" and value.isprintable()


def _write_json(path: Path, data: dict[str, Any]) -> None:
    atomic_write(path, json.dumps(data, indent=None).encode("utf-8"))


# --------------------------------------------------------------------------------------------
# Tokens


class Token(NamedTuple):
    access_token: str
    expires_at: datetime
    start_url: str | None = None
    region: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    registration_expires_at: datetime | None = None
    refresh_token: str | None = None

    def remaining(self, at: datetime | None = None) -> timedelta:
        return self.expires_at - (at or now())

    def is_valid(self, margin: timedelta = timedelta(0)) -> bool:
        return self.remaining() > margin

    @property
    def can_refresh(self) -> bool:
        return bool(
            self.refresh_token
            and self.client_id
            and self.client_secret
            and self.registration_expires_at
            and self.registration_expires_at > now()
        )

    def to_json(self) -> dict[str, Any]:
        """Field order exactly as the AWS CLI writes it."""
        data: dict[str, Any] = {}
        if self.start_url is not None:
            data["startUrl"] = self.start_url
        if self.region is not None:
            data["region"] = self.region
        data["accessToken"] = self.access_token
        data["expiresAt"] = format_timestamp(self.expires_at)
        if self.client_id is not None:
            data["clientId"] = self.client_id
        if self.client_secret is not None:
            data["clientSecret"] = self.client_secret
        if self.registration_expires_at is not None:
            data["registrationExpiresAt"] = format_timestamp(self.registration_expires_at)
        if self.refresh_token is not None:
            data["refreshToken"] = self.refresh_token
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Token | None:
        access = data.get("accessToken")
        expires = parse_timestamp(data.get("expiresAt"))
        if not isinstance(access, str) or not clean_text(access) or expires is None:
            return None

        def text(key: str) -> str | None:
            value = data.get(key)
            return value if isinstance(value, str) and clean_text(value) else None

        return cls(
            access_token=access,
            expires_at=expires,
            start_url=text("startUrl"),
            region=text("region"),
            client_id=text("clientId"),
            client_secret=text("clientSecret"),
            registration_expires_at=parse_timestamp(data.get("registrationExpiresAt")),
            refresh_token=text("refreshToken"),
        )


def token_path(paths: Paths, session: SsoSession) -> Path:
    return paths.sso_cache_dir / f"{token_cache_key(session)}.json"


def load_token(paths: Paths, session: SsoSession) -> Token | None:
    data = _read_json(token_path(paths, session))
    return Token.from_json(data) if data is not None else None


def save_token(paths: Paths, session: SsoSession, token: Token) -> None:
    _write_json(token_path(paths, session), token.to_json())


def rejected_path(paths: Paths, session: SsoSession) -> Path:
    """Where ssoenv notes that the service rejected (401) a token that its file still calls valid.

    Beside our lock files, never in ``~/.aws/sso/cache``: the AWS CLI's token file stays exactly
    as the AWS CLI wrote it, and other tools that list that folder see nothing new.
    """
    return paths.lock_dir.parent / "ssoenv-rejected" / token_cache_key(session)


def _fingerprint(token: Token) -> bytes:
    import hashlib

    return hashlib.sha256(token.access_token.encode("utf-8")).hexdigest().encode("ascii")


def mark_rejected(paths: Paths, session: SsoSession, token: Token) -> None:
    """Remember that this very token was refused (a new login, by us or the AWS CLI, is not)."""
    atomic_write(rejected_path(paths, session), _fingerprint(token))


def is_rejected(paths: Paths, session: SsoSession, token: Token) -> bool:
    """Whether the service refused this token: unusable everywhere, whatever its expiry says."""
    try:
        return rejected_path(paths, session).read_bytes() == _fingerprint(token)
    except OSError:
        return False


@contextlib.contextmanager
def token_lock(paths: Paths, session: SsoSession) -> Iterator[None]:
    """Serialises refreshes of one session's token across processes."""
    with file_lock(paths.lock_dir / f"{token_cache_key(session)}.lock"):
        yield


# --------------------------------------------------------------------------------------------
# Client registrations


class Registration(NamedTuple):
    client_id: str
    client_secret: str
    expires_at: datetime
    scopes: tuple[str, ...] | None = None
    grant_types: tuple[str, ...] | None = None

    @property
    def is_pkce(self) -> bool:
        return bool(self.grant_types and "authorization_code" in self.grant_types)

    def usable_for(self, pkce: bool) -> bool:
        """§2.2 reuse rule: > 15 minutes left and the grant type matches the flow."""
        return self.expires_at - now() > FRESHNESS and self.is_pkce == pkce

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "clientId": self.client_id,
            "clientSecret": self.client_secret,
            "expiresAt": format_timestamp(self.expires_at),
        }
        if self.scopes is not None:
            data["scopes"] = list(self.scopes)
        if self.grant_types is not None:
            data["grantTypes"] = list(self.grant_types)
        return data


def registration_path(paths: Paths, session: SsoSession) -> Path:
    return paths.sso_cache_dir / f"{registration_cache_key(session)}.json"


def load_registration(paths: Paths, session: SsoSession) -> Registration | None:
    data = _read_json(registration_path(paths, session))
    if data is None:
        return None
    client_id, secret = data.get("clientId"), data.get("clientSecret")
    expires = parse_timestamp(data.get("expiresAt"))
    if not isinstance(client_id, str) or not isinstance(secret, str) or expires is None:
        return None
    scopes = data.get("scopes")
    grants = data.get("grantTypes")
    return Registration(
        client_id=client_id,
        client_secret=secret,
        expires_at=expires,
        scopes=tuple(str(s) for s in scopes) if isinstance(scopes, list) else None,
        grant_types=tuple(str(g) for g in grants) if isinstance(grants, list) else None,
    )


def save_registration(paths: Paths, session: SsoSession, registration: Registration) -> None:
    _write_json(registration_path(paths, session), registration.to_json())


# --------------------------------------------------------------------------------------------
# Role credentials


class RoleCredentials(NamedTuple):
    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime
    account_id: str

    def remaining(self) -> timedelta:
        return self.expiration - now()

    def to_json(self) -> dict[str, Any]:
        return {
            "ProviderType": "sso",
            "Credentials": {
                "AccessKeyId": self.access_key_id,
                "SecretAccessKey": self.secret_access_key,
                "SessionToken": self.session_token,
                "Expiration": format_timestamp(self.expiration),
                "AccountId": self.account_id,
            },
        }


def role_credentials_path(paths: Paths, profile: SsoProfile) -> Path:
    return paths.cli_cache_dir / f"{role_cache_key(profile)}.json"


def fresh(creds: RoleCredentials | None, freshness: timedelta = FRESHNESS) -> RoleCredentials | None:
    """``creds`` if they have more than ``freshness`` left, else None (they are fetched again)."""
    return creds if creds is not None and creds.remaining() > freshness else None


def cached_expiration(path: Path) -> datetime | None:
    """When the role credentials cached in ``path`` expire: an SSO role's file or an assume-role
    one (both keep ``Credentials.Expiration``); None when it holds no such time."""
    data = _read_json(path)
    creds = data.get("Credentials") if data is not None else None
    return parse_timestamp(creds.get("Expiration")) if isinstance(creds, dict) else None


def load_role_credentials(paths: Paths, profile: SsoProfile) -> RoleCredentials | None:
    data = _read_json(role_credentials_path(paths, profile))
    if data is None:
        return None
    creds = data.get("Credentials")
    if not isinstance(creds, dict):
        return None
    values = [creds.get(k) for k in ("AccessKeyId", "SecretAccessKey", "SessionToken")]
    expiration = parse_timestamp(creds.get("Expiration"))
    if expiration is None or not all(clean_text(v) for v in values):
        return None  # absent, or damaged (a NUL byte, a control character): fetched again
    account = creds.get("AccountId")
    return RoleCredentials(
        access_key_id=str(values[0]),
        secret_access_key=str(values[1]),
        session_token=str(values[2]),
        expiration=expiration,
        account_id=account if isinstance(account, str) and account else profile.account_id,
    )


def save_role_credentials(paths: Paths, profile: SsoProfile, creds: RoleCredentials) -> None:
    """Cache ``creds``; values no shell or config could carry are refused, never cached."""
    for name, value in (
        ("accessKeyId", creds.access_key_id),
        ("secretAccessKey", creds.secret_access_key),
        ("sessionToken", creds.session_token),
    ):
        if not clean_text(value):
            from ssoenv.errors import ServiceError

            raise ServiceError(f"GetRoleCredentials gave an invalid {name} (a control character); nothing cached")
    _write_json(role_credentials_path(paths, profile), creds.to_json())


@contextlib.contextmanager
def role_lock(paths: Paths, profile: SsoProfile) -> Iterator[None]:
    """Serialises GetRoleCredentials for one role-cache key across processes (and threads)."""
    with file_lock(paths.lock_dir / f"role-{role_cache_key(profile)}.lock"):
        yield


# --------------------------------------------------------------------------------------------
# Logout sweep (§2.5)


def cached_tokens(paths: Paths) -> list[tuple[Path, dict[str, Any]]]:
    """Every file of the SSO cache that holds an access token (any session, any writer)."""
    out: list[tuple[Path, dict[str, Any]]] = []
    try:
        entries = sorted(paths.sso_cache_dir.iterdir())
    except OSError:
        return out
    for path in entries:
        if not path.is_file() or path.suffix != ".json":
            continue
        data = _read_json(path)
        if data is not None and "accessToken" in data:
            out.append((path, data))
    return out


def sso_role_credential_files(paths: Paths) -> list[Path]:
    out: list[Path] = []
    try:
        entries = sorted(paths.cli_cache_dir.iterdir())
    except OSError:
        return out
    for path in entries:
        if path.is_file() and path.suffix == ".json":
            data = _read_json(path)
            if data is not None and data.get("ProviderType") == "sso":
                out.append(path)
    return out
