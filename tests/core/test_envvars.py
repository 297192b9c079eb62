"""use/off change sets: exactly the variables of the style guide, nothing of a previous profile left."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ssoenv.credentials.cache import RoleCredentials
from ssoenv.errors import UsageError
from ssoenv.shells.envvars import Activation, apply, off_changes, use_changes

UTC = timezone.utc


def act(name: str, account: str, region: str | None, key: str) -> Activation:
    creds = RoleCredentials(key, "secret-" + key, "token-" + key, datetime(2030, 1, 1, tzinfo=UTC), account)
    return Activation(name, account, "Admin", region, creds)


def test_use_sets_the_documented_variables() -> None:
    env = apply(
        {"AWS_PROFILE": "old", "AWS_DEFAULT_PROFILE": "older", "PATH": "/bin"},
        use_changes(
            {"AWS_PROFILE": "old", "AWS_DEFAULT_PROFILE": "older", "PATH": "/bin"},
            act("dev", "111111111111", "eu-west-1", "ASIA1"),
        ),
    )
    assert env["AWS_ACCESS_KEY_ID"] == "ASIA1"
    assert env["AWS_SECRET_ACCESS_KEY"] == "secret-ASIA1"
    assert env["AWS_SESSION_TOKEN"] == "token-ASIA1"
    assert env["AWS_CREDENTIAL_EXPIRATION"] == "2030-01-01T00:00:00Z"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert env["AWS_SSO_PROFILE"] == env["SSOENV_PROFILE"] == "dev"
    assert env["SSOENV_ACCOUNT_ID"] == "111111111111" and env["SSOENV_ROLE_NAME"] == "Admin"
    assert env["SSOENV_EXPIRES_AT"] == str(int(datetime(2030, 1, 1, tzinfo=UTC).timestamp()))
    assert "AWS_PROFILE" not in env and "AWS_DEFAULT_PROFILE" not in env
    assert env["PATH"] == "/bin"


def test_switch_leaves_nothing_behind_and_off_restores_everything() -> None:
    start = {"AWS_PROFILE": "old", "AWS_REGION": "ap-south-1", "PATH": "/bin", "AWS_SECURITY_TOKEN": "legacy"}
    a = apply(start, use_changes(start, act("a", "111111111111", "eu-west-1", "ASIAA")))
    b = apply(a, use_changes(a, act("b", "222222222222", None, "ASIAB")))
    # b has no region: the region is the original one, not a's
    assert b["AWS_REGION"] == "ap-south-1" and "AWS_DEFAULT_REGION" not in b
    assert b["AWS_ACCESS_KEY_ID"] == "ASIAB" and b["SSOENV_ACCOUNT_ID"] == "222222222222"
    assert "AWS_SECURITY_TOKEN" not in b
    assert all("ASIAA" not in v for v in b.values())
    off = apply(b, off_changes(b))
    assert off == start


def test_off_with_nothing_active_changes_nothing() -> None:
    assert off_changes({"PATH": "/bin", "AWS_PROFILE": "x"}) == {}


def test_profile_only_sets_aws_profile_and_no_keys() -> None:
    start = {"AWS_ACCESS_KEY_ID": "AKIAOLD", "AWS_SECRET_ACCESS_KEY": "s"}
    env = apply(start, use_changes(start, Activation("dev", "1", "R", None, None)))
    assert env["AWS_PROFILE"] == "dev"
    assert "AWS_ACCESS_KEY_ID" not in env and "SSOENV_EXPIRES_AT" not in env
    assert apply(env, off_changes(env)) == start


def test_displaced_values_are_kept_one_variable_each_and_restored_exactly() -> None:
    """Big displaced values (together far over 128 KiB) stay below the kernel's limit per string."""
    start = {
        "AWS_SESSION_TOKEN": "t" * 100_000,
        "AWS_SECRET_ACCESS_KEY": "s" * 60_000,
        "AWS_ACCESS_KEY_ID": "AKIA-old",
        "AWS_PROFILE": "a,b'c\n$(x)",
        "PATH": "/bin",
    }
    a = apply(start, use_changes(start, act("a", "111111111111", "eu-west-1", "ASIAA")))
    assert all(len(f"{k}={v}".encode()) < 128 * 1024 for k, v in a.items())
    assert a["SSOENV_SAVED_AWS_SESSION_TOKEN"] == start["AWS_SESSION_TOKEN"]
    assert set(a["SSOENV_SAVED"].split(",")) == {
        "AWS_SESSION_TOKEN",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_PROFILE",
    }
    b = apply(a, use_changes(a, act("b", "222222222222", None, "ASIAB")))
    assert {k: v for k, v in b.items() if k.startswith("SSOENV_SAVED")} == {
        k: v for k, v in a.items() if k.startswith("SSOENV_SAVED")
    }
    assert apply(b, off_changes(b)) == start


def test_a_value_too_big_to_remember_is_refused() -> None:
    start = {"AWS_SESSION_TOKEN": "t" * (128 * 1024 - len("AWS_SESSION_TOKEN=") - 1)}  # fits itself, barely
    with pytest.raises(UsageError, match="too big to be remembered"):
        use_changes(start, act("a", "111111111111", None, "ASIAA"))


def test_the_old_one_variable_form_is_still_restored() -> None:
    old = {
        "SSOENV_PROFILE": "a",
        "AWS_ACCESS_KEY_ID": "ASIAA",
        "SSOENV_SAVED": '{"AWS_PROFILE":"before","AWS_REGION":"ap-south-1"}',
        "PATH": "/bin",
    }
    assert apply(old, off_changes(old)) == {"AWS_PROFILE": "before", "AWS_REGION": "ap-south-1", "PATH": "/bin"}
