"""Start URLs as people have them: vanity hosts resolved like AWS CLI v2 (≥ 2.35.13), http only on loopback."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from ssoenv.config.starturl import check, is_aws_owned, needs_resolving, region_from_host, resolve
from ssoenv.emulator import Emulator
from ssoenv.errors import UsageError
from tests.conftest import Sandbox, new_sandbox

LOGIN = ["--use-device-code", "--no-browser"]


@pytest.mark.parametrize(
    ("host", "owned", "region"),
    [
        ("d-1234567890.awsapps.com", True, None),
        ("my-company.awsapps.com", True, None),
        ("d-1234567890.portal.eu-west-2.app.aws", True, "eu-west-2"),
        ("ssoins-1234.ap-southeast-2.portal.amazonaws.com", True, "ap-southeast-2"),
        ("ssoins-1234.cn-north-1.portal.amazonaws.com.cn", True, "cn-north-1"),
        ("identitycenter.amazonaws.com", True, None),
        ("sso.example.com", False, None),
        ("awsapps.com.evil.example", False, None),
    ],
)
def test_hosts(host: str, owned: bool, region: str | None) -> None:
    assert is_aws_owned(host) is owned
    assert region_from_host(host) == region


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://sso.example.com/start", True),
        ("http://127.0.0.1:8080/start", True),
        ("http://localhost/start", True),
        ("http://sso.example.com/start", False),
        ("ftp://127.0.0.1/start", False),
        ("https:///start", False),
    ],
)
def test_http_only_on_loopback(url: str, ok: bool) -> None:
    if ok:
        assert check(url) == url
    else:
        with pytest.raises(UsageError):
            check(url)


def test_resolve_follows_one_redirect(emulator: Emulator) -> None:
    emulator.config.region = "eu-west-2"
    vanity = f"{emulator.url}/start"
    assert needs_resolving(vanity)
    resolved = resolve(vanity)
    assert resolved == ("https://d-1234567890.portal.eu-west-2.app.aws/start", "eu-west-2")
    assert [r.method for r in emulator.requests if r.operation == "PortalStart"] == ["HEAD"]
    assert resolve("https://d-1234567890.awsapps.com/start") == ("https://d-1234567890.awsapps.com/start", None)


def test_configure_derives_the_region(tmp_path: Path, emulator: Emulator) -> None:
    emulator.config.region = "eu-west-2"
    emulator.config.approve = "preapproved"
    sb = new_sandbox(tmp_path, emulator, "")
    vanity = f"{emulator.url}/start"
    proc = sb.run(
        ["configure", "--sso-session", "acme", "--start-url", vanity, "--account-id", "111111111111",
         "--role-name", "ReadOnly", "--profile", "acme-ro", *LOGIN]
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    text = sb.config_file.read_text()
    assert f"[sso-session acme]\nsso_start_url = {vanity}\nsso_region = eu-west-2\n" in text
    assert "SSO region: eu-west-2" in proc.stderr


def test_login_derives_a_missing_region(tmp_path: Path, emulator: Emulator) -> None:
    emulator.config.region = "eu-west-2"
    emulator.config.approve = "preapproved"
    vanity = f"{emulator.url}/start"
    config = f"""
    [profile acme]
    sso_session = acme
    sso_account_id = 111111111111
    sso_role_name = ReadOnly

    [sso-session acme]
    sso_start_url = {vanity}
    """
    sb: Sandbox = new_sandbox(tmp_path, emulator, textwrap.dedent(config).lstrip("\n"))
    proc = sb.run(["login", "acme", *LOGIN])
    assert proc.returncode == 0, proc.stderr
    token = next(json.loads(p.read_text()) for p in sb.sso_cache.glob("*.json") if "accessToken" in p.read_text())
    assert token["region"] == "eu-west-2" and token["startUrl"] == vanity  # the configured URL
    # the service is told where the vanity URL leads, like AWS CLI v2 does
    (device,) = [r for r in emulator.requests if r.operation == "StartDeviceAuthorization"]
    assert device.detail["startUrl"] == "https://d-1234567890.portal.eu-west-2.app.aws/start"
    resolutions = emulator.calls("PortalStart")
    proc = sb.run(["export", "acme", "--no-login"])
    assert proc.returncode == 0, proc.stderr
    assert emulator.calls("PortalStart") == resolutions  # the region now comes from the token file
