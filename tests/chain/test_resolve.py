"""Resolving role chains: botocore's rules, its cache key, and one clear line for every refusal."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from botocore.credentials import AssumeRoleCredentialFetcher

from ssoenv.config.chain import ChainedProfile, RoleHop, resolve_any, resolve_chain
from ssoenv.config.profiles import AwsConfig, SsoProfile, load_config
from ssoenv.errors import ConfigError
from ssoenv.paths import resolve_paths
from tests.chain.conftest import CHAIN_CONFIG, DEPLOY, HUB


def _cfg(tmp_path: Path, text: str) -> AwsConfig:
    (tmp_path / "config").write_text(textwrap.dedent(text).lstrip("\n"))
    env = {
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
    }
    return load_config(resolve_paths(env))


def test_chain_of_three(tmp_path: Path) -> None:
    cfg = _cfg(tmp_path, CHAIN_CONFIG)
    chained = resolve_chain(cfg, "workload-audit")
    assert isinstance(chained, ChainedProfile)
    assert chained.root.name == "dev-sso" and chained.root.account_id == "111111111111"
    assert [h.profile for h in chained.hops] == ["hub-admin", "workload-deploy", "workload-audit"]
    assert chained.hops[0] == RoleHop("hub-admin", HUB, role_session_name="jane")
    assert chained.hops[2].duration_seconds == 1800
    assert chained.sources == ("workload-deploy", "hub-admin", "dev-sso")
    assert chained.chain_text == "workload-deploy → hub-admin → dev-sso"
    assert (chained.account_id, chained.role_name) == ("333333333333", "audit")
    assert chained.region is None  # botocore does not inherit region from a source profile
    deploy = resolve_any(cfg, "workload-deploy")
    assert isinstance(deploy, ChainedProfile) and deploy.region == "us-east-2" and deploy.hops[-1].role_arn == DEPLOY
    assert isinstance(resolve_any(cfg, "dev-sso"), SsoProfile)


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"RoleSessionName": "jane"},
        {"ExternalId": "s3cret-42", "RoleSessionName": "ci"},
        {"SerialNumber": "arn:aws:iam::111111111111:mfa/jane", "DurationSeconds": 1800},
        {"ExternalId": "x", "SerialNumber": "GAHT12345678", "DurationSeconds": 43200, "RoleSessionName": "é ü"},
    ],
)
def test_cache_key_is_botocores(extra: dict[str, Any]) -> None:
    """The file name botocore's AssumeRoleCredentialFetcher (AWS CLI: JSONFileCache) uses."""
    fetcher = AssumeRoleCredentialFetcher(
        client_creator=None, source_credentials=None, role_arn=DEPLOY, extra_args=dict(extra), cache={}
    )
    hop = RoleHop(
        "p",
        DEPLOY,
        role_session_name=extra.get("RoleSessionName"),
        external_id=extra.get("ExternalId"),
        mfa_serial=extra.get("SerialNumber"),
        duration_seconds=extra.get("DurationSeconds"),
    )
    assert hop.cache_key == fetcher._cache_key


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        (
            """
            [profile a]
            role_arn = arn:aws:iam::111111111111:role/a
            source_profile = b

            [profile b]
            role_arn = arn:aws:iam::111111111111:role/b
            source_profile = a
            """,
            ":7:",
            "loop: a → b → a",
        ),
        (
            """
            [profile a]
            role_arn = arn:aws:iam::111111111111:role/a
            """,
            ":1:",
            "no source_profile",
        ),
        (
            """
            [profile a]
            role_arn = arn:aws:iam::111111111111:role/a
            source_profile = nowhere
            """,
            ":3:",
            "'nowhere' of profile 'a' does not exist",
        ),
        (
            """
            [profile a]
            role_arn = arn:aws:iam::111111111111:role/a
            credential_source = Ec2InstanceMetadata
            """,
            ":3:",
            "credential_source, which ssoenv does not support",
        ),
        (
            """
            [profile a]
            role_arn = arn:aws:iam::111111111111:role/a
            source_profile = keys

            [profile keys]
            region = eu-west-1
            """,
            ":3:",
            "not an SSO role profile",
        ),
        (
            """
            [profile a]
            role_arn = arn:aws:iam::111111111111:role/a
            source_profile = a
            """,
            ":3:",
            "loop: a → a",
        ),
        (
            """
            [profile a]
            role_arn = arn:aws:iam::111111111111:user/a
            source_profile = a
            """,
            ":2:",
            "is not a role ARN",
        ),
    ],
)
def test_refusals_name_file_and_line(tmp_path: Path, text: str, where: str, words: str) -> None:
    cfg = _cfg(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        resolve_any(cfg, "a")
    message = info.value.message
    assert message.startswith(f"{tmp_path / 'config'}{where}"), message
    assert words in message
    assert "\n" not in str(info.value)
