"""SSO OIDC (rest-json): RegisterClient, StartDeviceAuthorization, CreateToken.

``POST /client/register``, ``POST /device_authorization``, ``POST /token`` (grants: device code,
authorization code + PKCE, refresh token). What the browser sees of a login (``/authorize``,
``/device``) is :mod:`ssoenv.emulator.approval`.

Behaviour worth knowing (the real service's, where it is known):

* Refresh tokens are issued only to registrations that have scopes (as the real service does:
  legacy registrations without ``scopes`` get none) and, when ``grantTypes`` were registered,
  include ``refresh_token``. Every refresh rotates: new access + refresh token, the old refresh
  token becomes ``InvalidGrantException``.
* Device polling: a pending code polled faster than its interval (less than 80% of it since the
  previous poll) answers ``SlowDownException`` and adds 5 s to the interval the code expects
  (RFC 8628). An approved code answers the token at once, however fast the poll.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlsplit

from ssoenv.emulator.state import AccessToken, Client, DeviceAuth, Handler, RefreshToken, Session, State
from ssoenv.emulator.wire import Request, Response, fail, json_response

DEVICE_GRANT: Final = "urn:ietf:params:oauth:grant-type:device_code"
KNOWN_GRANTS: Final = frozenset({"authorization_code", "refresh_token", DEVICE_GRANT})
USER_CODE_ALPHABET: Final = "BCDFGHJKLMNPQRSTVWXZ"
LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


def same_redirect_uri(a: str, b: str) -> bool:
    """Equal ignoring the port (the real service accepts any loopback port)."""
    try:
        x, y = urlsplit(a), urlsplit(b)
        return (x.scheme, x.hostname, x.path or "/", x.query) == (y.scheme, y.hostname, y.path or "/", y.query)
    except ValueError:
        return False


# -- the JSON body of a request --------------------------------------------------------------
def json_body(req: Request) -> dict[str, Any]:
    if not req.body.strip():
        return {}
    try:
        data = json.loads(req.body)
    except (ValueError, UnicodeDecodeError):
        fail(400, "InvalidRequestException", "Request body is not valid JSON")
    if not isinstance(data, dict):
        fail(400, "InvalidRequestException", "Request body must be a JSON object")
    return data


def str_member(body: Mapping[str, Any], key: str, *, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        if required:
            fail(400, "InvalidRequestException", f"{key} is required")
        return None
    if not isinstance(value, str):
        fail(400, "InvalidRequestException", f"{key} must be a string")
    return value


def str_list_member(body: Mapping[str, Any], key: str) -> list[str] | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        fail(400, "InvalidRequestException", f"{key} must be a list of strings")
    return list(value)


# -- clients and tokens ----------------------------------------------------------------------
def authenticated_client(state: State, body: Mapping[str, Any]) -> Client:
    client_id = str_member(body, "clientId")
    secret = str_member(body, "clientSecret")
    assert client_id is not None and secret is not None
    client = state.clients.get(client_id)
    if client is None or not secrets.compare_digest(client.client_secret, secret):
        fail(401, "InvalidClientException", "Invalid client provided")
    if state.now() >= client.expires_at:
        fail(401, "InvalidClientException", "Client registration has expired")
    return client


def new_user_code(state: State) -> str:
    while True:
        raw = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(8))
        code = f"{raw[:4]}-{raw[4:]}"
        if all(d.user_code != code for d in state.devices.values()):
            return code


def issue_tokens(state: State, client: Client, scopes: list[str], session: Session | None = None) -> dict[str, Any]:
    """A new access token (and refresh token when the session may refresh), in a new SSO session
    unless ``session`` is given (a refresh)."""
    now = state.now()
    if session is None:
        session = Session(
            session_id=str(uuid.uuid4()),
            user=state.user_name,
            client_id=client.client_id,
            scopes=scopes,
            refreshable=client.refreshable,
        )
        state.sessions[session.session_id] = session
    ttl = int(state.config.token_ttl)
    access = AccessToken("aoa" + secrets.token_urlsafe(96), session.session_id, now + ttl)
    state.access_tokens[access.token] = access
    out: dict[str, Any] = {"accessToken": access.token, "tokenType": "Bearer", "expiresIn": ttl}
    if session.refreshable:
        refresh = RefreshToken("aor" + secrets.token_urlsafe(96), session.session_id, client.client_id)
        state.refresh_tokens[refresh.token] = refresh
        out["refreshToken"] = refresh.token
    return out


def revoke_all_tokens(state: State, include_refresh: bool = True) -> int:
    """Revoke every access token; with ``include_refresh`` end every SSO session too."""
    with state.lock:
        count = 0
        for access in state.access_tokens.values():
            if not access.revoked:
                access.revoked = True
                count += 1
        if include_refresh:
            for session in state.sessions.values():
                session.ended = True
        return count


# -- operations ------------------------------------------------------------------------------
def register_client(state: State, req: Request, detail: dict[str, str]) -> Response:
    body = json_body(req)
    name = str_member(body, "clientName")
    ctype = str_member(body, "clientType")
    assert name is not None
    detail["clientName"] = name
    scopes = str_list_member(body, "scopes") or []
    grants = str_list_member(body, "grantTypes")
    redirect_uris = str_list_member(body, "redirectUris") or []
    str_member(body, "issuerUrl", required=False)
    if grants is not None:
        detail["grantTypes"] = ",".join(grants)
    if ctype != "public":
        fail(400, "InvalidClientMetadataException", "Only clientType=public is supported")
    if grants is not None:
        bad = [g for g in grants if g not in KNOWN_GRANTS]
        if bad:
            fail(400, "UnsupportedGrantTypeException", f"Unsupported grant type: {bad[0]}")
        if "authorization_code" in grants and not redirect_uris:
            fail(400, "InvalidRedirectUriException", "redirectUris is required for authorization_code")
    for uri in redirect_uris:
        try:
            parts = urlsplit(uri)
        except ValueError:
            fail(400, "InvalidRedirectUriException", f"Invalid redirect URI: {uri}")
        if parts.scheme == "https" and parts.hostname:
            continue
        if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
            continue
        fail(400, "InvalidRedirectUriException", f"Redirect URI must be https or http loopback: {uri}")
    now = int(state.now())
    client = Client(
        client_id=secrets.token_urlsafe(16),
        client_secret="eyJraWQiOiJrZXktZW11bGF0b3IifQ." + secrets.token_urlsafe(64),
        name=name,
        scopes=scopes,
        grant_types=grants,
        redirect_uris=redirect_uris,
        issued_at=now,
        expires_at=now + int(state.config.registration_ttl),
    )
    with state.lock:
        state.clients[client.client_id] = client
    return json_response(
        {
            "clientId": client.client_id,
            "clientSecret": client.client_secret,
            "clientIdIssuedAt": client.issued_at,
            "clientSecretExpiresAt": client.expires_at,
        }
    )


def start_device_authorization(state: State, req: Request, detail: dict[str, str]) -> Response:
    body = json_body(req)
    config = state.config
    with state.lock:
        client = authenticated_client(state, body)
        start_url = str_member(body, "startUrl")
        assert start_url is not None
        detail["startUrl"] = start_url
        device = DeviceAuth(
            device_code=secrets.token_urlsafe(48),
            user_code=new_user_code(state),
            client_id=client.client_id,
            client_name=client.name,
            scopes=list(client.scopes),
            expires_at=state.now() + config.device_expires_in,
            interval=float(config.device_interval),
        )
        if config.approve == "preapproved":
            device.status = "approved"
        state.devices[device.device_code] = device
    base = state.base_url(req)
    return json_response(
        {
            "deviceCode": device.device_code,
            "userCode": device.user_code,
            "verificationUri": f"{base}/device",
            "verificationUriComplete": f"{base}/device?user_code={device.user_code}",
            "expiresIn": int(config.device_expires_in),
            "interval": int(config.device_interval),
        }
    )


def create_token(state: State, req: Request, detail: dict[str, str]) -> Response:
    body = json_body(req)
    grant = str_member(body, "grantType")
    assert grant is not None
    detail["grantType"] = grant
    with state.lock:
        client = authenticated_client(state, body)
        if client.grant_types is not None and grant not in client.grant_types and grant != DEVICE_GRANT:
            fail(400, "UnauthorizedClientException", f"Client is not authorized for grant type {grant}")
        if grant == DEVICE_GRANT:
            result = _grant_device(state, client, body)
        elif grant == "authorization_code":
            result = _grant_code(state, client, body)
        elif grant == "refresh_token":
            result = _grant_refresh(state, client, body)
        else:
            fail(400, "UnsupportedGrantTypeException", f"Unsupported grant type: {grant}")
    return json_response(result)


def _grant_device(state: State, client: Client, body: Mapping[str, Any]) -> dict[str, Any]:
    code = str_member(body, "deviceCode")
    device = state.devices.get(code or "")
    if device is None or device.client_id != client.client_id:
        fail(400, "InvalidGrantException", "Invalid device code provided")
    now = state.now()
    if device.status == "consumed":
        fail(400, "InvalidGrantException", "Device code has already been used")
    if now >= device.expires_at:
        fail(400, "ExpiredTokenException", "Device code has expired")
    if device.status == "denied":
        fail(400, "AccessDeniedException", "Authorization request was denied by the user")
    if device.status == "pending":
        too_fast = device.last_poll is not None and now - device.last_poll < device.interval * 0.8
        device.last_poll = now
        if too_fast:
            device.interval += 5
            fail(400, "SlowDownException", "Client is polling too quickly")
        fail(400, "AuthorizationPendingException", "Authorization is still pending")
    device.status = "consumed"
    return issue_tokens(state, client, device.scopes)


def _grant_code(state: State, client: Client, body: Mapping[str, Any]) -> dict[str, Any]:
    code = str_member(body, "code")
    auth = state.codes.get(code or "")
    if auth is None or auth.client_id != client.client_id:
        fail(400, "InvalidGrantException", "Invalid authorization code provided")
    if auth.used:
        fail(400, "InvalidGrantException", "Authorization code has already been used")
    auth.used = True  # single use, even when the checks below fail
    if state.now() >= auth.expires_at:
        fail(400, "ExpiredTokenException", "Authorization code has expired")
    verifier = str_member(body, "codeVerifier")
    assert verifier is not None
    try:
        matches = secrets.compare_digest(s256(verifier), auth.code_challenge)
    except (UnicodeEncodeError, TypeError):
        matches = False
    if not matches:
        fail(400, "InvalidGrantException", "Code verifier does not match the code challenge")
    redirect_uri = str_member(body, "redirectUri")
    assert redirect_uri is not None
    if not same_redirect_uri(redirect_uri, auth.redirect_uri):
        fail(400, "InvalidGrantException", "Redirect URI does not match the authorization request")
    return issue_tokens(state, client, auth.scopes)


def _grant_refresh(state: State, client: Client, body: Mapping[str, Any]) -> dict[str, Any]:
    token = str_member(body, "refreshToken")
    refresh = state.refresh_tokens.get(token or "")
    session = state.sessions.get(refresh.session_id) if refresh else None
    if refresh is None or session is None or refresh.client_id != client.client_id:
        fail(400, "InvalidGrantException", "Invalid refresh token provided")
    if not refresh.valid or session.ended:
        fail(400, "InvalidGrantException", "Refresh token has been revoked or already used")
    refresh.valid = False  # always rotate
    return issue_tokens(state, client, session.scopes, session)


HANDLERS: Final[dict[str, Handler]] = {
    "RegisterClient": register_client,
    "StartDeviceAuthorization": start_device_authorization,
    "CreateToken": create_token,
}
