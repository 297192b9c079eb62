"""Cache keys (reference test vectors), timestamp spellings, file formats, corrupt files."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssoenv.config.profiles import SsoProfile, SsoSession
from ssoenv.credentials import cache
from ssoenv.credentials.cache import RoleCredentials, Token
from ssoenv.paths import resolve_paths

UTC = timezone.utc
CORP = SsoSession("corp", "https://d-1234567890.awsapps.com/start", "us-east-1", ("sso:account:access",))
LEGACY = SsoSession(None, "https://d-1234567890.awsapps.com/start", "us-east-1")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("https://d-abc123.awsapps.com/start", "40a89917e3175433e361b710a9d43528d7f1890a"),
        ("admin", "d033e22ae348aeb5660fc2140aec35850c4da997"),
        ("corp", "ee0bfd2552fbd840c02cc48b6e823320543c450f"),
    ],
)
def test_token_key_vectors(source: str, expected: str) -> None:
    session = SsoSession(
        None if source.startswith("https") else source, source if source.startswith("https") else "u", "r"
    )
    assert cache.token_cache_key(session) == expected


@pytest.mark.parametrize(
    ("session", "expected"),
    [
        (CORP, "bc8a1afdb0f5cdc2c789b8a6cd51898e2be3c37c"),
        (LEGACY, "365414a68be7c9bfc776c660981dbdbd942acea4"),
        (
            SsoSession(None, "https://d-abc123.awsapps.com/start", "us-west-2"),
            "d75f79f67bab3f92a2b1450471c0c2574de0dca4",
        ),
    ],
)
def test_registration_key_vectors(session: SsoSession, expected: str) -> None:
    assert cache.registration_cache_key(session) == expected


def test_role_key_vectors() -> None:
    legacy = SsoProfile("x", "1234567890", "test-role", SsoSession(None, "https://d-92671207e4.awsapps.com/start", "r"))
    assert cache.role_cache_key(legacy) == "048db75bbe50955c16af7aba6ff9c41a3131bb7e"
    assert cache.role_cache_key(SsoProfile("x", "111111111111", "AdministratorAccess", CORP)) == (
        "16e5f373157b11b9ca274bd774686b0119407b56"
    )


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-26T10:00:00Z",
        "2026-11-26T10:00:00UTC",
        "2026-11-26T10:00:00.123Z",
        "2026-11-26T10:00:00+00:00",
        "2026-11-26T11:00:00+01:00",
        "2026-11-26T10:00:00",
    ],
)
def test_timestamp_spellings(text: str) -> None:
    parsed = cache.parse_timestamp(text)
    assert parsed is not None
    assert parsed.replace(microsecond=0) == datetime(2026, 11, 26, 10, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "yesterday", "2026-13-40T10:00:00Z", None, 12])
def test_bad_timestamps_are_none(text: object) -> None:
    assert cache.parse_timestamp(text) is None


def test_token_file_round_trip_in_cli_order_and_format(tmp_path: Path) -> None:
    paths = resolve_paths({"HOME": str(tmp_path)})
    expires = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    token = Token("AT", expires, CORP.start_url, "us-east-1", "cid", "csec", expires, "RT")
    cache.save_token(paths, CORP, token)
    path = tmp_path / ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json"
    data = json.loads(path.read_text())
    assert list(data) == [
        "startUrl",
        "region",
        "accessToken",
        "expiresAt",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
        "refreshToken",
    ]
    assert data["expiresAt"] == "2030-01-02T03:04:05Z"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert cache.load_token(paths, CORP) == token


@pytest.mark.parametrize(
    "content",
    [b"", b"{", b"[]", b'{"accessToken": "x"}', b'{"expiresAt": "2030-01-01T00:00:00Z"}', b"\x00\xff garbage"],
)
def test_corrupt_token_file_is_absent_and_replaced(tmp_path: Path, content: bytes) -> None:
    paths = resolve_paths({"HOME": str(tmp_path)})
    path = cache.token_path(paths, CORP)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    assert cache.load_token(paths, CORP) is None
    cache.save_token(paths, CORP, Token("AT", datetime(2030, 1, 1, tzinfo=UTC)))
    assert cache.load_token(paths, CORP) is not None


def test_role_credentials_format(tmp_path: Path) -> None:
    paths = resolve_paths({"HOME": str(tmp_path)})
    prof = SsoProfile("dev", "111111111111", "AdministratorAccess", CORP)
    creds = RoleCredentials("ASIA1", "secret", "token", datetime(2030, 1, 1, tzinfo=UTC), "111111111111")
    cache.save_role_credentials(paths, prof, creds)
    path = tmp_path / ".aws/cli/cache/16e5f373157b11b9ca274bd774686b0119407b56.json"
    assert json.loads(path.read_text()) == {
        "ProviderType": "sso",
        "Credentials": {
            "AccessKeyId": "ASIA1",
            "SecretAccessKey": "secret",
            "SessionToken": "token",
            "Expiration": "2030-01-01T00:00:00Z",
            "AccountId": "111111111111",
        },
    }
    assert cache.load_role_credentials(paths, prof) == creds
    path.write_text('{"ProviderType": "sso", "Credentials": {"AccessKeyId": 1}}')
    assert cache.load_role_credentials(paths, prof) is None


def test_registration_reuse_rule() -> None:
    soon = cache.now() + timedelta(minutes=10)
    later = cache.now() + timedelta(days=30)
    pkce = cache.Registration("c", "s", later, ("sso:account:access",), ("authorization_code", "refresh_token"))
    device = cache.Registration("c", "s", later)
    assert pkce.usable_for(pkce=True) and not pkce.usable_for(pkce=False)
    assert device.usable_for(pkce=False) and not device.usable_for(pkce=True)
    assert not cache.Registration("c", "s", soon).usable_for(pkce=False)


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    paths = resolve_paths({"HOME": str(tmp_path)})
    for i in range(5):
        cache.save_token(paths, CORP, Token(f"AT{i}", datetime(2030, 1, 1, tzinfo=UTC)))
    assert sorted(os.listdir(tmp_path / ".aws/sso/cache")) == ["ee0bfd2552fbd840c02cc48b6e823320543c450f.json"]


@settings(max_examples=300, deadline=None)
@given(
    account=st.text(max_size=14),
    role=st.text(max_size=20),
    name=st.one_of(st.none(), st.text(max_size=12)),
    url=st.text(max_size=30),
)
def test_role_key_is_the_cli_s_for_any_text(account: str, role: str, name: str | None, url: str) -> None:
    """The key as the AWS CLI computes it (sha1 of compact sorted JSON), whatever the values
    hold: quotes, backslashes, control characters, non-ASCII (which take the encoder's path)."""
    import hashlib
    import json

    profile = SsoProfile("x", account, role, SsoSession(name, url, "r"))
    args = {"accountId": account, "roleName": role}
    args.update({"startUrl": url} if name is None else {"sessionName": name})
    text = json.dumps(args, sort_keys=True, separators=(",", ":"))
    assert cache.role_cache_key(profile) == hashlib.sha1(text.encode("utf-8")).hexdigest()
