"""The config validation catalogue (reference §1.3) and the parser's botocore semantics."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ssoenv.config.profiles import load_config, login_session_for_profile, resolve_profile, sso_profiles
from ssoenv.errors import ConfigError, ProfileNotFound
from ssoenv.paths import resolve_paths


def load(tmp_path: Path, text: str, credentials: str | None = None):  # type: ignore[no-untyped-def]
    config = tmp_path / "config"
    config.write_text(textwrap.dedent(text).lstrip())
    env = {
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "creds"),
    }
    if credentials is not None:
        (tmp_path / "creds").write_text(textwrap.dedent(credentials).lstrip())
    return load_config(resolve_paths(env))


SESSION = """
[sso-session corp]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access, ,sso:other
"""


def test_session_profile_resolves(tmp_path: Path) -> None:
    cfg = load(
        tmp_path,
        "[profile dev]\nsso_session = corp\nsso_account_id = 111111111111\n"
        "sso_role_name = Admin\nregion = eu-west-1\n" + SESSION,
    )
    prof = resolve_profile(cfg, "dev")
    assert (prof.account_id, prof.role_name, prof.region) == ("111111111111", "Admin", "eu-west-1")
    assert prof.session.name == "corp"
    assert prof.session.start_url == "https://d-1234567890.awsapps.com/start"
    assert prof.session.scopes == ("sso:account:access", "sso:other")
    assert prof.session.refreshable


def test_legacy_profile_resolves(tmp_path: Path) -> None:
    cfg = load(
        tmp_path,
        """
        [default]
        sso_start_url = https://d-abc123.awsapps.com/start
        sso_region = us-west-2
        sso_account_id = 222222222222
        sso_role_name = ReadOnly
        """,
    )
    prof = resolve_profile(cfg, "default")
    assert prof.session.name is None
    assert prof.session.cache_key_source == "https://d-abc123.awsapps.com/start"
    assert not prof.session.refreshable


def test_legacy_profile_keeps_its_own_region(tmp_path: Path) -> None:
    """``region`` is where the role's calls go, ``sso_region`` where the login is: a legacy
    profile's exported region is its ``region`` (it was its sso_region)."""
    cfg = load(
        tmp_path,
        """
        [profile legacy]
        sso_start_url = https://d-abc123.awsapps.com/start
        sso_region = us-west-2
        sso_account_id = 222222222222
        sso_role_name = ReadOnly
        region = eu-west-3
        """,
    )
    prof = resolve_profile(cfg, "legacy")
    assert (prof.region, prof.session.region) == ("eu-west-3", "us-west-2")
    bare = load(
        tmp_path,
        "[profile b]\nsso_start_url = https://d-abc123.awsapps.com/start\nsso_region = us-west-2\n"
        "sso_account_id = 1\nsso_role_name = R\n",
    )
    assert resolve_profile(bare, "b").region is None


def test_quoted_profile_name(tmp_path: Path) -> None:
    cfg = load(tmp_path, '[profile "my dev"]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n' + SESSION)
    assert resolve_profile(cfg, "my dev").account_id == "1"


def test_missing_keys_named_like_botocore(tmp_path: Path) -> None:
    cfg = load(tmp_path, "[profile p]\nsso_account_id = 111111111111\n")
    with pytest.raises(ConfigError) as err:
        resolve_profile(cfg, "p")
    assert 'The profile "p" is configured to use SSO but is missing required configuration: ' in err.value.message
    assert "sso_start_url, sso_region, sso_role_name" in err.value.message


def test_missing_session(tmp_path: Path) -> None:
    cfg = load(tmp_path, "[profile p]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = R\n")
    with pytest.raises(ConfigError, match='The specified sso-session does not exist: "nope"'):
        resolve_profile(cfg, "p")


def test_inconsistent_profile_and_session(tmp_path: Path) -> None:
    cfg = load(
        tmp_path,
        "[profile p]\nsso_session = corp\nsso_region = eu-central-1\nsso_account_id = 1\nsso_role_name = R\n" + SESSION,
    )
    with pytest.raises(ConfigError) as err:
        resolve_profile(cfg, "p")
    assert err.value.message == (
        "The value for sso_region is inconsistent between profile (eu-central-1) and sso-session (us-east-1).".rstrip(
            "."
        )
    )


def test_equal_values_in_profile_and_session_are_fine(tmp_path: Path) -> None:
    cfg = load(
        tmp_path,
        "[profile p]\nsso_session = corp\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n" + SESSION,
    )
    assert resolve_profile(cfg, "p").session.region == "us-east-1"


def test_session_missing_its_keys(tmp_path: Path) -> None:
    cfg = load(
        tmp_path,
        "[profile p]\nsso_session = s\nsso_account_id = 1\nsso_role_name = R\n"
        "[sso-session s]\nsso_region = us-east-1\n",
    )
    with pytest.raises(ConfigError, match="missing required configuration"):
        resolve_profile(cfg, "p")


@pytest.mark.parametrize(
    "key",
    [
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "role_arn",
        "credential_process",
        "source_profile",
    ],
)
def test_sso_profile_must_not_hold_credential_keys(tmp_path: Path, key: str) -> None:
    cfg = load(
        tmp_path, f"[profile p]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n{key} = x\n" + SESSION
    )
    with pytest.raises(ConfigError) as err:
        resolve_profile(cfg, "p")
    text = str(err.value)
    assert key in text and "'p'" in text and f"{tmp_path / 'config'}:5" in text


def test_credential_keys_in_credentials_file_are_found_too(tmp_path: Path) -> None:
    cfg = load(
        tmp_path,
        "[profile p]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n" + SESSION,
        credentials="[other]\naws_access_key_id = A\n\n[p]\naws_access_key_id = AKIA\n",
    )
    with pytest.raises(ConfigError) as err:
        resolve_profile(cfg, "p")
    assert f"{tmp_path / 'creds'}:5" in str(err.value)


def test_unknown_profile_names_file_and_suggests(tmp_path: Path) -> None:
    cfg = load(tmp_path, "[profile dev-admin]\nregion = x\n[profile prod-admin]\nregion = y\n")
    with pytest.raises(ProfileNotFound) as err:
        resolve_profile(cfg, "dev-admn")
    assert str(tmp_path / "config") in err.value.message
    assert err.value.hint is not None and "dev-admin" in err.value.hint


def test_not_an_sso_profile(tmp_path: Path) -> None:
    cfg = load(tmp_path, "[profile plain]\nregion = eu-west-1\n")
    with pytest.raises(ConfigError, match="not an SSO role profile"):
        resolve_profile(cfg, "plain")


def test_login_session_rules(tmp_path: Path) -> None:
    cfg = load(
        tmp_path,
        "[profile s]\nsso_session = corp\n[profile legacy]\nsso_start_url = https://x/start\n"
        "sso_region = eu-west-1\n[profile none]\nregion = x\n" + SESSION,
    )
    assert login_session_for_profile(cfg, "s").name == "corp"
    assert login_session_for_profile(cfg, "legacy").start_url == "https://x/start"
    with pytest.raises(ConfigError, match="missing sso_start_url, sso_region"):
        login_session_for_profile(cfg, "none")


def test_parser_semantics(tmp_path: Path) -> None:
    cfg = load(
        tmp_path,
        """
        # comment
        ; another
        [profile p]
        Region = eu-west-1
        s3 =
          max_concurrent_requests = 20
          addressing_style = path
        note = a # not a comment
        [services local]
        sso =
          endpoint_url = http://127.0.0.1:1
        [profile two words extra]
        region = dropped
        [something-else]
        k = v
        """,
    )
    p = cfg.profiles["p"]
    assert p.get("region") == "eu-west-1"
    assert p.values["s3"] == {"max_concurrent_requests": "20", "addressing_style": "path"}
    assert p.get("note") == "a # not a comment"
    assert cfg.services["local"].values["sso"] == {"endpoint_url": "http://127.0.0.1:1"}
    assert "two words extra" not in cfg.profiles and "something-else" not in cfg.profiles


def test_duplicate_section_is_reported_with_lines(tmp_path: Path) -> None:
    # botocore refuses the whole file, so ssoenv refuses it as soon as it is read, whichever
    # profile is asked for
    with pytest.raises(ConfigError, match=r"config:3: duplicate section \[profile a\] \(first at line 1\)"):
        load(tmp_path, "[profile a]\nregion = x\n[profile a]\nregion = y\n[profile b]\nregion = z\n")


def test_crlf_and_unicode(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_bytes(
        "[profile ünï]\r\nsso_session = corp\r\nsso_account_id = 1\r\nsso_role_name = R\r\n".encode()
        + SESSION.replace("\n", "\r\n").encode()
    )
    cfg = load_config(resolve_paths({"HOME": str(tmp_path), "AWS_CONFIG_FILE": str(config)}))
    assert resolve_profile(cfg, "ünï").session.region == "us-east-1"


def test_sso_profiles_lists_errors_instead_of_raising(tmp_path: Path) -> None:
    cfg = load(
        tmp_path,
        "[profile good]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n"
        "[profile bad]\nsso_account_id = 1\n[profile plain]\nregion = x\n" + SESSION,
    )
    got = dict(sso_profiles(cfg))
    assert set(got) == {"good", "bad"}
    assert isinstance(got["bad"], ConfigError)
