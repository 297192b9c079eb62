"""The SSO portal (rest-json, bearer token in ``x-amz-sso_bearer_token``).

``GET /federation/credentials`` (GetRoleCredentials), ``GET /assignment/accounts`` (ListAccounts),
``GET /assignment/roles`` (ListAccountRoles), ``POST /logout`` (Logout). Listings are paged
(``max_result``, ``next_token``; the page size of :class:`~ssoenv.emulator.config.EmulatorConfig`
when the client sends none). An access token that is unknown, revoked, expired or of an ended
SSO session answers 401 ``UnauthorizedException``.
"""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any, Final

from ssoenv.emulator.config import MAX_PAGE_SIZE
from ssoenv.emulator.state import Handler, RoleCredentials, Session, State, new_access_key_id
from ssoenv.emulator.wire import Request, Response, fail, json_response

BEARER_HEADER: Final = "x-amz-sso_bearer_token"
UNAUTHORIZED_MESSAGE: Final = "Session token not found or invalid"


def authenticate(state: State, req: Request) -> Session:
    token = req.header(BEARER_HEADER)
    with state.lock:
        access = state.access_tokens.get(token or "")
        session = state.sessions.get(access.session_id) if access else None
        if access is None or session is None or access.revoked or session.ended or state.now() >= access.expires_at:
            fail(401, "UnauthorizedException", UNAUTHORIZED_MESSAGE)
        return session


def page(state: State, req: Request, items: list[Any], kind: str, scope: str = "") -> tuple[list[Any], str | None]:
    """The page of ``items`` the request asks for, and the token of the next one (None: the last)."""
    raw = req.query.get("max_result")
    if raw is None or raw == "":
        size = state.config.effective_page_size
    else:
        try:
            size = int(raw)
        except ValueError:
            fail(400, "InvalidRequestException", "max_result must be an integer")
        if not 1 <= size <= MAX_PAGE_SIZE:
            fail(400, "InvalidRequestException", f"max_result must be between 1 and {MAX_PAGE_SIZE}")
    offset = 0
    token = req.query.get("next_token")
    if token:
        try:
            padded = token + "=" * (-len(token) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded))
            assert data["k"] == kind and data["s"] == scope
            offset = int(data["o"])
            assert offset >= 0
        except Exception:
            fail(400, "InvalidRequestException", "Invalid next token")
    chunk = items[offset : offset + size]
    next_token = None
    if offset + size < len(items):
        payload = json.dumps({"k": kind, "s": scope, "o": offset + size, "n": secrets.token_hex(4)})
        next_token = base64.urlsafe_b64encode(payload.encode()).rstrip(b"=").decode()
    return chunk, next_token


def get_role_credentials(state: State, req: Request, detail: dict[str, str]) -> Response:
    session = authenticate(state, req)
    role = req.query.get("role_name", "")
    account = req.query.get("account_id", "")
    if not role or not account:
        fail(400, "InvalidRequestException", "role_name and account_id are required")
    if not state.directory.has_role(account, role):
        fail(403, "ForbiddenException", "No access")
    creds = RoleCredentials(
        access_key_id=new_access_key_id(),
        secret_access_key=secrets.token_urlsafe(30),
        session_token="IQoJb3JpZ2luX2VjE" + base64.b64encode(secrets.token_bytes(300)).decode(),
        account_id=account,
        role_name=role,
        user=session.user,
        expires_at=float(int(state.now()) + int(state.config.role_ttl)),
    )
    detail["accessKeyId"] = creds.access_key_id
    with state.lock:
        state.role_credentials[creds.access_key_id] = creds
    return json_response(
        {
            "roleCredentials": {
                "accessKeyId": creds.access_key_id,
                "secretAccessKey": creds.secret_access_key,
                "sessionToken": creds.session_token,
                "expiration": int(creds.expires_at * 1000),
            }
        }
    )


def list_accounts(state: State, req: Request, detail: dict[str, str]) -> Response:
    authenticate(state, req)
    accounts = state.directory.assigned_accounts()
    chunk, next_token = page(state, req, accounts, "accounts")
    out: dict[str, Any] = {
        "accountList": [{"accountId": a.account_id, "accountName": a.name, "emailAddress": a.email} for a in chunk]
    }
    if next_token:
        out["nextToken"] = next_token
    return json_response(out)


def list_account_roles(state: State, req: Request, detail: dict[str, str]) -> Response:
    authenticate(state, req)
    account = req.query.get("account_id", "")
    if not account:
        fail(400, "InvalidRequestException", "account_id is required")
    roles = state.directory.roles(account)
    chunk, next_token = page(state, req, roles, "roles", account)
    out: dict[str, Any] = {"roleList": [{"roleName": r, "accountId": account} for r in chunk]}
    if next_token:
        out["nextToken"] = next_token
    return json_response(out)


def logout(state: State, req: Request, detail: dict[str, str]) -> Response:
    session = authenticate(state, req)
    with state.lock:
        session.ended = True
    return Response(200, b"", "application/json")


HANDLERS: Final[dict[str, Handler]] = {
    "GetRoleCredentials": get_role_credentials,
    "ListAccounts": list_accounts,
    "ListAccountRoles": list_account_roles,
    "Logout": logout,
}
