"""SSO OIDC through real boto3 clients: registration, device flow, PKCE, refresh rotation."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from botocore.exceptions import ClientError
from emulator_helpers import DEVICE_GRANT, Kit, query_of, raw_get, raw_post, s256


def error_of(exc: ClientError) -> tuple[str, int, dict[str, Any]]:
    resp: dict[str, Any] = exc.response
    return resp["Error"]["Code"], resp["ResponseMetadata"]["HTTPStatusCode"], resp


def test_register_client_shapes(kit: Kit) -> None:
    before = int(time.time())
    reg = kit.register()
    assert reg["clientId"] and reg["clientSecret"]
    assert isinstance(reg["clientIdIssuedAt"], int) and abs(reg["clientIdIssuedAt"] - before) <= 2
    assert reg["clientSecretExpiresAt"] - reg["clientIdIssuedAt"] == 7776000
    assert kit.emu.requests[-1].detail["clientName"] == "test-client"


def test_register_client_validation(kit: Kit) -> None:
    oidc = kit.client("sso-oidc")
    with pytest.raises(oidc.exceptions.InvalidClientMetadataException):
        oidc.register_client(clientName="x", clientType="confidential")
    with pytest.raises(oidc.exceptions.UnsupportedGrantTypeException):
        oidc.register_client(clientName="x", clientType="public", grantTypes=["password"])
    with pytest.raises(oidc.exceptions.InvalidRedirectUriException):
        oidc.register_client(
            clientName="x",
            clientType="public",
            grantTypes=["authorization_code"],
            redirectUris=["http://evil.example.com/cb"],
        )


def test_device_flow_pending_then_success(kit: Kit) -> None:
    oidc = kit.client("sso-oidc")
    reg = kit.register()
    dev = kit.start_device(reg)
    assert dev["verificationUri"] == f"{kit.emu.url}/device"
    assert dev["verificationUriComplete"] == f"{kit.emu.url}/device?user_code={dev['userCode']}"
    assert len(dev["userCode"]) == 9 and dev["userCode"][4] == "-" and dev["userCode"].replace("-", "").isalpha()
    assert (dev["interval"], dev["expiresIn"]) == (1, 600)  # the config defaults

    with pytest.raises(oidc.exceptions.AuthorizationPendingException) as info:
        kit.poll(reg, dev)
    _, status, resp = error_of(info.value)
    assert status == 400
    assert resp["error"] == "authorization_pending" and resp["error_description"]
    assert resp["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == "AuthorizationPendingException"

    status, _, page = raw_get(dev["verificationUriComplete"])
    assert status == 200 and b'data-state="approved"' in page
    token = kit.poll(reg, dev)
    assert token["tokenType"] == "Bearer" and token["expiresIn"] == 28800
    assert token["accessToken"] and token["refreshToken"]
    # the device code is single use
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        kit.poll(reg, dev)
    assert kit.client("sso").list_accounts(accessToken=token["accessToken"])["accountList"]


def test_device_flow_slow_down(make_kit: Callable[..., Kit]) -> None:
    kit = make_kit(device_interval=5)
    oidc = kit.client("sso-oidc")
    reg = kit.register()
    dev = kit.start_device(reg)
    with pytest.raises(oidc.exceptions.AuthorizationPendingException):
        kit.poll(reg, dev)
    with pytest.raises(oidc.exceptions.SlowDownException) as info:
        kit.poll(reg, dev)  # immediately again: faster than the interval
    assert error_of(info.value)[2]["error"] == "slow_down"
    kit.emu.approve_pending()
    assert kit.poll(reg, dev)["accessToken"]  # approved codes answer at once


def test_device_flow_expired_and_denied(make_kit: Callable[..., Kit]) -> None:
    kit = make_kit(approve="deny", device_expires_in=60)
    oidc = kit.client("sso-oidc")
    reg = kit.register()
    dev = kit.start_device(reg)
    _, _, page = raw_get(dev["verificationUriComplete"])
    assert b'data-state="denied"' in page
    with pytest.raises(oidc.exceptions.AccessDeniedException) as info:
        kit.poll(reg, dev)
    assert error_of(info.value)[2]["error"] == "access_denied"

    dev2 = kit.start_device(reg)
    kit.emu.advance(61)
    with pytest.raises(oidc.exceptions.ExpiredTokenException) as info:
        kit.poll(reg, dev2)
    assert error_of(info.value)[2]["error"] == "expired_token"


def test_device_flow_preapproved_and_manual(make_kit: Callable[..., Kit]) -> None:
    kit = make_kit(approve="preapproved")
    reg = kit.register()
    assert kit.poll(reg, kit.start_device(reg))["accessToken"]  # no browser at all

    kit.emu.config.approve = "manual"
    oidc = kit.client("sso-oidc")
    dev = kit.start_device(reg)
    status, _, page = raw_get(dev["verificationUriComplete"])
    assert status == 200 and b'data-state="consent"' in page and b'value="allow"' in page
    with pytest.raises(oidc.exceptions.AuthorizationPendingException):
        kit.poll(reg, dev)
    form = urlencode({"user_code": dev["userCode"], "action": "allow"}).encode()
    status, _, page = raw_post(f"{kit.emu.url}/device", form, "application/x-www-form-urlencoded")
    assert status == 200 and b'data-state="approved"' in page
    assert kit.poll(reg, dev)["accessToken"]

    dev = kit.start_device(reg)
    assert kit.emu.pending()["device"][0]["userCode"] == dev["userCode"]
    assert kit.emu.deny_pending() == 1
    with pytest.raises(oidc.exceptions.AccessDeniedException):
        kit.poll(reg, dev)


def test_invalid_client(kit: Kit) -> None:
    oidc = kit.client("sso-oidc")
    reg = kit.register()
    with pytest.raises(oidc.exceptions.InvalidClientException) as info:
        oidc.start_device_authorization(clientId=reg["clientId"], clientSecret="wrong", startUrl="https://x/start")
    _, status, resp = error_of(info.value)
    assert status == 401 and resp["error"] == "invalid_client"
    kit.emu.advance(7776000 + 1)  # registration expired
    with pytest.raises(oidc.exceptions.InvalidClientException):
        kit.start_device(reg)


def test_no_refresh_token_without_scopes(kit: Kit) -> None:
    token = kit.device_login(scopes=[])
    assert "refreshToken" not in token


def test_refresh_rotates_and_old_token_is_rejected(kit: Kit) -> None:
    oidc = kit.client("sso-oidc")
    first = kit.device_login()
    reg = first["_reg"]

    def refresh(rt: str) -> dict[str, Any]:
        result: dict[str, Any] = oidc.create_token(
            clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType="refresh_token", refreshToken=rt
        )
        return result

    second = refresh(first["refreshToken"])
    assert second["refreshToken"] != first["refreshToken"]
    assert second["accessToken"] != first["accessToken"]
    with pytest.raises(oidc.exceptions.InvalidGrantException) as info:
        refresh(first["refreshToken"])
    assert error_of(info.value)[2]["error"] == "invalid_grant"
    third = refresh(second["refreshToken"])
    sso = kit.client("sso")
    assert sso.list_accounts(accessToken=third["accessToken"])["accountList"]
    # logout ends the session: its tokens and its refresh token die
    sso.logout(accessToken=third["accessToken"])
    with pytest.raises(sso.exceptions.UnauthorizedException):
        sso.list_accounts(accessToken=third["accessToken"])
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        refresh(third["refreshToken"])
    assert [r.detail["grantType"] for r in kit.emu.requests if r.operation == "CreateToken"][-4:] == [
        "refresh_token"
    ] * 4


def test_pkce_auto(kit: Kit) -> None:
    token = kit.pkce_login()
    assert token["accessToken"] and token["refreshToken"]
    reg = token["_reg"]
    authz = [r for r in kit.emu.requests if r.operation == "Authorize"][-1]
    assert authz.status == 302
    assert authz.query["code_challenge_method"] == "S256"
    # request log never holds the secrets
    log = json.dumps([r.to_dict() for r in kit.emu.requests])
    assert token["accessToken"] not in log and token["refreshToken"] not in log
    assert reg["clientSecret"] not in log


def test_pkce_checks(kit: Kit) -> None:
    oidc = kit.client("sso-oidc")
    reg = kit.register(pkce=True)
    verifier = secrets.token_urlsafe(48)

    def new_code(port: int = 54321) -> str:
        status, headers, _ = raw_get(kit.authorize_url(reg, s256(verifier), "s-42", port=port))
        assert status == 302
        target = headers["location"]
        assert target.startswith(f"http://127.0.0.1:{port}/oauth/callback?code=")
        assert query_of(target)["state"] == "s-42"
        return query_of(target)["code"]

    def exchange(code: str, verifier: str = verifier, port: int = 54321) -> dict[str, Any]:
        result: dict[str, Any] = oidc.create_token(
            clientId=reg["clientId"],
            clientSecret=reg["clientSecret"],
            grantType="authorization_code",
            code=code,
            codeVerifier=verifier,
            redirectUri=f"http://127.0.0.1:{port}/oauth/callback",
        )
        return result

    with pytest.raises(oidc.exceptions.InvalidGrantException):
        exchange(new_code(), verifier="x" * 64)  # wrong verifier
    code = new_code(port=40000)
    assert exchange(code, port=40000)["accessToken"]
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        exchange(code, port=40000)  # single use
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        exchange("made-up-code")

    # authorize errors: unknown client / unregistered redirect are pages, the rest redirects
    status, _, page = raw_get(f"{kit.emu.url}/authorize?client_id=nope&redirect_uri=http://127.0.0.1:1/oauth/callback")
    assert status == 400 and b'data-state="error"' in page
    bad_redirect = kit.authorize_url(reg, s256(verifier), "s").replace("oauth%2Fcallback", "other")
    assert raw_get(bad_redirect)[0] == 400
    no_s256 = kit.authorize_url(reg, s256(verifier), "s").replace("S256", "plain")
    status, headers, _ = raw_get(no_s256)
    assert status == 302 and query_of(headers["location"])["error"] == "invalid_request"


def test_pkce_manual_and_deny(make_kit: Callable[..., Kit]) -> None:
    kit = make_kit(approve="manual")
    reg = kit.register(pkce=True)
    verifier = secrets.token_urlsafe(48)
    status, _, page = raw_get(kit.authorize_url(reg, s256(verifier), "st"))
    assert status == 200 and b'data-state="consent"' in page
    request_id = page.split(b'name="request_id" value="')[1].split(b'"')[0].decode()
    form = urlencode({"request_id": request_id, "action": "deny"}).encode()
    status, headers, _ = raw_post(f"{kit.emu.url}/authorize", form, "application/x-www-form-urlencoded")
    assert status == 302
    q = query_of(headers["location"])
    assert q["error"] == "access_denied" and q["error_description"] and q["state"] == "st"
    # deciding twice is refused
    status, _, _ = raw_post(f"{kit.emu.url}/authorize", form, "application/x-www-form-urlencoded")
    assert status == 400

    kit.emu.config.approve = "deny"
    status, headers, _ = raw_get(kit.authorize_url(reg, s256(verifier), "st2"))
    assert status == 302 and query_of(headers["location"])["error"] == "access_denied"


def test_unknown_grant_type_and_bad_json(kit: Kit) -> None:
    reg = kit.register()
    oidc = kit.client("sso-oidc")
    with pytest.raises(oidc.exceptions.UnsupportedGrantTypeException):
        oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"], grantType="password")
    status, headers, body = raw_post(f"{kit.emu.url}/token", b"{not json", "application/json")
    assert status == 400 and headers["x-amzn-errortype"] == "InvalidRequestException"
    assert json.loads(body)["error"] == "invalid_request"


def test_device_token_polling_is_unaffected_by_other_clients(kit: Kit) -> None:
    reg_a, reg_b = kit.register(), kit.register()
    dev = kit.start_device(reg_a)
    raw_get(dev["verificationUriComplete"])
    with pytest.raises(ClientError) as info:
        kit.client("sso-oidc").create_token(
            clientId=reg_b["clientId"],
            clientSecret=reg_b["clientSecret"],
            grantType=DEVICE_GRANT,
            deviceCode=dev["deviceCode"],
        )
    assert error_of(info.value)[0] == "InvalidGrantException"
    assert kit.poll(reg_a, dev)["accessToken"]
