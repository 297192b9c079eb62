"""The console federation endpoint: ``GET /federation?Action=getSigninToken|login``.

``getSigninToken`` takes role credentials the emulator issued (``Session``: JSON with
``sessionId``, ``sessionKey``, ``sessionToken``; ``SessionDuration`` 900..43200) and answers
``{"SigninToken"}``; ``login`` takes a valid sign-in token and redirects (302) to ``Destination``.
Errors are plain text.
"""

from __future__ import annotations

import json
import secrets
from typing import Final
from urllib.parse import urlsplit

from ssoenv.emulator.state import Handler, SigninToken, State
from ssoenv.emulator.wire import Request, Response, fail, json_response, redirect


def get_signin_token(state: State, req: Request, detail: dict[str, str]) -> Response:
    raw = req.query.get("Session")
    if not raw:
        fail(400, "InvalidRequest", "Session is required")
    try:
        session = json.loads(raw)
        akid, key, token = session["sessionId"], session["sessionKey"], session["sessionToken"]
    except (ValueError, KeyError, TypeError):
        fail(400, "InvalidRequest", "Session must be JSON with sessionId, sessionKey and sessionToken")
    duration = req.query.get("SessionDuration")
    if duration is not None and (not duration.isdigit() or not 900 <= int(duration) <= 43200):
        fail(400, "InvalidRequest", "SessionDuration must be between 900 and 43200")
    detail["accessKeyId"] = str(akid)
    with state.lock:
        creds = state.role_credentials.get(str(akid))
        if creds is None or creds.secret_access_key != key or creds.session_token != token:
            fail(400, "InvalidClientTokenId", "The credentials in the session are invalid")
        if state.now() >= creds.expires_at:
            fail(400, "ExpiredToken", "The credentials in the session have expired")
        signin = SigninToken(
            secrets.token_urlsafe(96), creds.access_key_id, state.now() + state.config.signin_token_ttl
        )
        state.signin_tokens[signin.token] = signin
    return json_response({"SigninToken": signin.token})


def login(state: State, req: Request, detail: dict[str, str]) -> Response:
    q = req.query
    with state.lock:
        signin = state.signin_tokens.get(q.get("SigninToken", ""))
        if signin is None or state.now() >= signin.expires_at:
            fail(400, "InvalidSigninToken", "The sign-in token is invalid or has expired")
    destination = q.get("Destination", "")
    parts = urlsplit(destination)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        fail(400, "InvalidRequest", "Destination must be an http(s) URL")
    detail["destination"] = f"{parts.scheme}://{parts.netloc}{parts.path}"
    return redirect(destination)


HANDLERS: Final[dict[str, Handler]] = {
    "GetSigninToken": get_signin_token,
    "Login": login,
}
