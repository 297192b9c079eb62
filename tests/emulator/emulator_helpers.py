"""Helpers of the emulator tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import base64
import hashlib
import http.client
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import boto3
from botocore.config import Config

from ssoenv.emulator import Emulator

START_URL = "https://d-1234567890.awsapps.com/start"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def raw_get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One GET without following redirects."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def raw_post(url: str, body: bytes, content_type: str) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        conn.request("POST", parts.path or "/", body=body, headers={"Content-Type": content_type})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@dataclass
class Kit:
    """boto3 clients on one emulator, and the login steps a client performs."""

    emu: Emulator
    session: Any = None  # one boto3 session: its clients share exception classes

    def client(self, service: str, *, attempts: int = 1, mode: str = "standard", **kwargs: Any) -> Any:
        if self.session is None:
            self.session = boto3.session.Session(region_name="us-east-1")
        session = self.session
        config = Config(retries={"mode": mode, "total_max_attempts": attempts}, connect_timeout=5, read_timeout=10)
        return session.client(service, endpoint_url=self.emu.url, config=config, **kwargs)

    def register(self, *, pkce: bool = False, scopes: list[str] | None = None) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"clientName": "test-client", "clientType": "public"}
        kwargs["scopes"] = ["sso:account:access"] if scopes is None else scopes
        if not kwargs["scopes"]:
            del kwargs["scopes"]
        if pkce:
            kwargs.update(
                grantTypes=["authorization_code", "refresh_token"],
                redirectUris=["http://127.0.0.1/oauth/callback"],
                issuerUrl=START_URL,
            )
        result: dict[str, Any] = self.client("sso-oidc").register_client(**kwargs)
        return result

    def start_device(self, reg: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self.client("sso-oidc").start_device_authorization(
            clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=START_URL
        )
        return result

    def poll(self, reg: dict[str, Any], dev: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self.client("sso-oidc").create_token(
            clientId=reg["clientId"],
            clientSecret=reg["clientSecret"],
            grantType=DEVICE_GRANT,
            deviceCode=dev["deviceCode"],
        )
        return result

    def device_login(self, *, scopes: list[str] | None = None) -> dict[str, Any]:
        """Register, start, approve by visiting the page (auto mode), get the token."""
        reg = self.register(scopes=scopes)
        dev = self.start_device(reg)
        status, _, _ = raw_get(dev["verificationUriComplete"])
        assert status == 200
        token = self.poll(reg, dev)
        token["_reg"] = reg
        return token

    def authorize_url(self, reg: dict[str, Any], challenge: str, state: str, port: int = 54321) -> str:
        params = {
            "response_type": "code",
            "client_id": reg["clientId"],
            "redirect_uri": f"http://127.0.0.1:{port}/oauth/callback",
            "state": state,
            "code_challenge_method": "S256",
            "scopes": "sso:account:access",
        }
        return f"{self.emu.url}/authorize?{urlencode(params)}&code_challenge={challenge}"

    def pkce_login(self) -> dict[str, Any]:
        reg = self.register(pkce=True)
        verifier = secrets.token_urlsafe(48)
        status, headers, _ = raw_get(self.authorize_url(reg, s256(verifier), "st-1"))
        assert status == 302
        code = query_of(headers["location"])["code"]
        token: dict[str, Any] = self.client("sso-oidc").create_token(
            clientId=reg["clientId"],
            clientSecret=reg["clientSecret"],
            grantType="authorization_code",
            code=code,
            codeVerifier=verifier,
            redirectUri="http://127.0.0.1:54321/oauth/callback",
        )
        token["_reg"] = reg
        return token

    def role_credentials(self, token: str, account: str = "111111111111", role: str = "ReadOnly") -> dict[str, Any]:
        creds: dict[str, Any] = self.client("sso").get_role_credentials(
            accessToken=token, accountId=account, roleName=role
        )["roleCredentials"]
        return creds

    def sts_for(self, creds: dict[str, Any]) -> Any:
        return self.client(
            "sts",
            aws_access_key_id=creds["accessKeyId"],
            aws_secret_access_key=creds["secretAccessKey"],
            aws_session_token=creds["sessionToken"],
        )
