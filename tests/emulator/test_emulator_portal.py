"""SSO portal through real boto3 clients: credentials, listing, pagination, errors, faults."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from emulator_helpers import Kit, raw_get

from ssoenv.emulator import Emulator, EmulatorConfig


def test_default_directory() -> None:
    emu = Emulator(EmulatorConfig(accounts=11, roles_per_account=7))
    accounts = emu.directory.accounts()
    assert [a.account_id for a in accounts[:3]] == ["111111111111", "222222222222", "333333333333"]
    assert accounts[8].account_id == "999999999999" and accounts[8].name == "sandbox"
    assert accounts[9].account_id == "100000000010" and accounts[9].name == "account-0010"
    assert accounts[10].account_id == "100000000011"
    assert [a.name for a in accounts[:4]] == ["dev", "prod", "staging", "shared-services"]
    assert accounts[1].email == "aws+prod@example.com"
    assert accounts[0].roles == [
        "AdministratorAccess",
        "ReadOnly",
        "PowerUserAccess",
        "Billing",
        "ViewOnlyAccess",
        "Role6",
        "Role7",
    ]


def test_get_role_credentials(kit: Kit) -> None:
    token = kit.device_login()["accessToken"]
    before_ms = int(time.time() * 1000)
    creds = kit.role_credentials(token, "222222222222", "AdministratorAccess")
    assert creds["accessKeyId"].startswith("ASIA") and len(creds["accessKeyId"]) == 20
    assert creds["secretAccessKey"] and creds["sessionToken"]
    # epoch milliseconds, role_ttl ahead
    assert abs(creds["expiration"] - (before_ms + 3600 * 1000)) < 5000
    rec = kit.emu.requests[-1]
    assert rec.operation == "GetRoleCredentials" and rec.method == "GET" and rec.path == "/federation/credentials"
    assert rec.query == {"role_name": "AdministratorAccess", "account_id": "222222222222"}


def test_list_accounts_and_roles(kit: Kit) -> None:
    token = kit.device_login()["accessToken"]
    sso = kit.client("sso")
    accounts = sso.list_accounts(accessToken=token)
    assert accounts["accountList"] == [
        {"accountId": "111111111111", "accountName": "dev", "emailAddress": "aws+dev@example.com"},
        {"accountId": "222222222222", "accountName": "prod", "emailAddress": "aws+prod@example.com"},
        {"accountId": "333333333333", "accountName": "staging", "emailAddress": "aws+staging@example.com"},
    ]
    assert "nextToken" not in accounts
    roles = sso.list_account_roles(accessToken=token, accountId="111111111111")
    assert roles["roleList"] == [
        {"roleName": "AdministratorAccess", "accountId": "111111111111"},
        {"roleName": "ReadOnly", "accountId": "111111111111"},
    ]
    page = sso.list_account_roles(accessToken=token, accountId="111111111111", maxResults=1)
    assert len(page["roleList"]) == 1 and page["nextToken"]
    rest = sso.list_account_roles(accessToken=token, accountId="111111111111", nextToken=page["nextToken"])
    assert rest["roleList"] == [{"roleName": "ReadOnly", "accountId": "111111111111"}] and "nextToken" not in rest
    with pytest.raises(sso.exceptions.InvalidRequestException):
        sso.list_accounts(accessToken=token, nextToken="garbage")


def test_paginator_over_250_accounts(make_kit: Callable[..., Kit]) -> None:
    kit = make_kit(accounts=250, roles_per_account=1)
    token = kit.device_login()["accessToken"]
    sso = kit.client("sso")
    ids = [
        a["accountId"]
        for page in sso.get_paginator("list_accounts").paginate(accessToken=token)
        for a in page["accountList"]
    ]
    assert len(ids) == 250 == len(set(ids))
    assert ids[-1] == "100000000250"
    assert kit.emu.calls("ListAccounts") == 13  # default page size 20
    kit.emu.clear_requests()
    pages = list(sso.get_paginator("list_accounts").paginate(accessToken=token, PaginationConfig={"PageSize": 100}))
    assert [len(p["accountList"]) for p in pages] == [100, 100, 50]
    assert [r.query.get("max_result") for r in kit.emu.requests] == ["100"] * 3
    kit.emu.config.page_size = 7
    first = sso.list_accounts(accessToken=token)
    assert len(first["accountList"]) == 7


def test_unauthorized_and_forbidden(kit: Kit) -> None:
    token = kit.device_login()["accessToken"]
    sso = kit.client("sso")
    with pytest.raises(sso.exceptions.UnauthorizedException) as info:
        sso.get_role_credentials(accessToken="bogus", accountId="111111111111", roleName="ReadOnly")
    resp: dict[str, Any] = info.value.response
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 401
    assert resp["Error"]["Message"] == "Session token not found or invalid"

    with pytest.raises(ClientError) as forbidden:
        sso.get_role_credentials(accessToken=token, accountId="111111111111", roleName="Billing")
    err: dict[str, Any] = forbidden.value.response
    assert err["Error"]["Code"] == "ForbiddenException" and err["Error"]["Message"] == "No access"
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert err["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == "ForbiddenException"

    # assignments change at runtime
    assert kit.emu.directory.remove_role("111111111111", "ReadOnly")
    with pytest.raises(ClientError, match="ForbiddenException"):
        kit.role_credentials(token, "111111111111", "ReadOnly")
    kit.emu.directory.add_account("444444444444", "extra", roles=["Billing"])
    assert kit.role_credentials(token, "444444444444", "Billing")["accessKeyId"]
    kit.emu.directory.remove_role("444444444444", "Billing")
    listed = [a["accountId"] for a in sso.list_accounts(accessToken=token)["accountList"]]
    assert "444444444444" not in listed  # no assignment left: not listed

    # expired token (emulator clock) and revoked tokens → 401
    kit.emu.advance(28800)
    with pytest.raises(sso.exceptions.UnauthorizedException):
        sso.list_accounts(accessToken=token)
    fresh = kit.device_login()["accessToken"]
    assert sso.list_accounts(accessToken=fresh)["accountList"]
    assert kit.emu.revoke_all_tokens() >= 1
    with pytest.raises(sso.exceptions.UnauthorizedException):
        sso.list_account_roles(accessToken=fresh, accountId="111111111111")


def test_logout(kit: Kit) -> None:
    token = kit.device_login()["accessToken"]
    sso = kit.client("sso")
    resp = sso.logout(accessToken=token)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(sso.exceptions.UnauthorizedException):
        sso.logout(accessToken=token)
    status, headers, _ = raw_get(f"{kit.emu.url}/assignment/accounts", {"x-amz-sso_bearer_token": token})
    assert status == 401 and headers["x-amzn-errortype"] == "UnauthorizedException"


def test_fault_injection_retried_then_succeeds(kit: Kit) -> None:
    token = kit.device_login()["accessToken"]
    sso = kit.client("sso", attempts=2)
    kit.emu.inject("GetRoleCredentials", status=500, count=1)
    creds = sso.get_role_credentials(accessToken=token, accountId="111111111111", roleName="ReadOnly")
    assert creds["ResponseMetadata"]["RetryAttempts"] == 1
    statuses = [r.status for r in kit.emu.requests if r.operation == "GetRoleCredentials"]
    assert statuses == [500, 200]
    assert kit.emu.requests[-2].error_type == "InternalServerException"


def test_fault_injection_exhausts_retries(kit: Kit) -> None:
    token = kit.device_login()["accessToken"]
    sso = kit.client("sso", attempts=2)
    kit.emu.inject("ListAccounts", status=503, count=2, message="down for maintenance")
    with pytest.raises(ClientError) as info:
        sso.list_accounts(accessToken=token)
    resp: dict[str, Any] = info.value.response
    assert resp["Error"]["Code"] == "ServiceUnavailableException"
    assert resp["Error"]["Message"] == "down for maintenance"
    assert resp["ResponseMetadata"]["RetryAttempts"] == 1
    assert kit.emu.calls("ListAccounts") == 2
    assert sso.list_accounts(accessToken=token)["accountList"]  # the fault is used up


def test_throttling_retried_and_custom_error(kit: Kit) -> None:
    token = kit.device_login()["accessToken"]
    sso = kit.client("sso", attempts=2)
    kit.emu.inject("ListAccountRoles", status=429)
    roles = sso.list_account_roles(accessToken=token, accountId="111111111111")
    assert roles["ResponseMetadata"]["RetryAttempts"] == 1
    assert kit.emu.requests[-2].error_type == "TooManyRequestsException"
    # an injected 401 is the modelled exception, and is not retried
    kit.emu.inject("ListAccountRoles", status=401, count=5)
    with pytest.raises(sso.exceptions.UnauthorizedException):
        sso.list_account_roles(accessToken=token, accountId="111111111111")
    assert kit.emu.requests[-1].status == 401 and kit.emu.calls("ListAccountRoles") == 3
    # OIDC operations fail in the OAuth shape
    kit.emu.inject("CreateToken", status=400, error_type="InvalidGrantException")
    oidc = kit.client("sso-oidc")
    reg = kit.register()
    with pytest.raises(oidc.exceptions.InvalidGrantException) as info:
        oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType="refresh_token")
    assert info.value.response["error"] == "invalid_grant"


def test_latency(kit: Kit) -> None:
    token = kit.device_login()["accessToken"]
    sso = kit.client("sso")
    kit.emu.inject("ListAccounts", status=200, delay=0.3)
    started = time.monotonic()
    assert sso.list_accounts(accessToken=token)["accountList"]
    assert time.monotonic() - started >= 0.3
    kit.emu.set_latency(0.2)
    started = time.monotonic()
    sso.list_accounts(accessToken=token)
    assert 0.2 <= time.monotonic() - started < 5
    kit.emu.set_latency(0)
    with pytest.raises(ValueError):
        kit.emu.inject("NoSuchOperation")
