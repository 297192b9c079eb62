"""The user's side of a login: the pages a browser sees, and approving or denying from the control plane.

* ``GET /authorize`` (PKCE): checks the client and its redirect URI, then — by the configured
  ``approve`` mode — redirects at once with a code (``auto``, ``preapproved``) or an error
  (``deny``), or shows a consent form (``manual``) answered by ``POST /authorize``.
* ``GET /device[?user_code=...]`` (device code): the code entry page, then approval by the same
  modes; ``POST /device`` answers the consent form.
* :func:`decide_pending`: ``emu.approve_pending()`` / ``deny_pending()`` decide every pending
  device code and authorization; the redirect of a PKCE authorization is then delivered by the
  emulator itself, as the user's browser would after a click.
"""

from __future__ import annotations

import re
import secrets
import threading
import urllib.request
from typing import Any, Final
from urllib.parse import urlsplit

from ssoenv.emulator import pages
from ssoenv.emulator.oidc import LOOPBACK_HOSTS, same_redirect_uri
from ssoenv.emulator.state import AuthCode, AuthRequest, DeviceAuth, Handler, State
from ssoenv.emulator.wire import Request, Response, add_query, fail, html_response, redirect


def is_loopback_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    except ValueError:
        return False


def normalize_user_code(raw: str) -> str:
    code = re.sub(r"[\s-]", "", raw).upper()
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code


def _code_params(code: str, state: str | None) -> dict[str, str]:
    params = {"code": code}
    if state is not None:
        params["state"] = state
    return params


def _new_code(state: State, client_id: str, redirect_uri: str, challenge: str, scopes: list[str]) -> str:
    code = secrets.token_urlsafe(32)
    state.codes[code] = AuthCode(
        code, client_id, redirect_uri, challenge, scopes, state.now() + state.config.auth_code_ttl
    )
    return code


def _decide_request(state: State, request: AuthRequest, allow: bool) -> str:
    """Decide a pending PKCE authorization; returns the URL to send the browser to."""
    if allow:
        request.status = "approved"
        code = _new_code(state, request.client_id, request.redirect_uri, request.code_challenge, request.scopes)
        return add_query(request.redirect_uri, _code_params(code, request.state))
    request.status = "denied"
    params = {"error": "access_denied", "error_description": "The user denied the authorization request"}
    if request.state is not None:
        params["state"] = request.state
    return add_query(request.redirect_uri, params)


def _device_by_user_code(state: State, user_code: str) -> DeviceAuth:
    code = normalize_user_code(user_code)
    for device in state.devices.values():
        if device.user_code == code:
            if state.now() >= device.expires_at:
                fail(400, "ExpiredTokenException", "This code has expired. Start the login again.")
            return device
    fail(404, "InvalidRequestException", "This code is not valid. Check the code in your terminal.")


def _device_result(device: DeviceAuth) -> Response:
    if device.status == "denied":
        return html_response(pages.denied())
    return html_response(pages.approved())


# -- pages -----------------------------------------------------------------------------------
def authorize(state: State, req: Request, detail: dict[str, str]) -> Response:
    q = req.query
    client_id = q.get("client_id", "")
    redirect_uri = q.get("redirect_uri", "")
    with state.lock:
        client = state.clients.get(client_id)
        if client is None or state.now() >= client.expires_at:
            fail(400, "InvalidClientException", "Unknown or expired client_id.")
        detail["clientName"] = client.name
        if not redirect_uri or not any(same_redirect_uri(redirect_uri, r) for r in client.redirect_uris):
            fail(400, "InvalidRedirectUriException", "redirect_uri is not registered for this client.")
        oauth_state = q.get("state")

        def error_redirect(error: str, description: str) -> Response:
            params = {"error": error, "error_description": description}
            if oauth_state is not None:
                params["state"] = oauth_state
            detail["result"] = error
            return redirect(add_query(redirect_uri, params))

        if q.get("response_type") != "code":
            return error_redirect("unsupported_response_type", "response_type must be code")
        if client.grant_types is not None and "authorization_code" not in client.grant_types:
            return error_redirect("unauthorized_client", "client is not registered for authorization_code")
        challenge = q.get("code_challenge", "")
        if q.get("code_challenge_method") != "S256" or not re.fullmatch(r"[A-Za-z0-9_-]{43}", challenge):
            return error_redirect("invalid_request", "code_challenge with code_challenge_method=S256 is required")
        scopes = (q.get("scopes") or q.get("scope") or "").split()
        mode = state.config.approve
        if mode == "deny":
            return error_redirect("access_denied", "The user denied the authorization request")
        if mode in ("auto", "preapproved"):
            detail["result"] = "approved"
            code = _new_code(state, client.client_id, redirect_uri, challenge, scopes)
            return redirect(add_query(redirect_uri, _code_params(code, oauth_state)))
        request = AuthRequest(
            request_id=secrets.token_urlsafe(24),
            client_id=client.client_id,
            client_name=client.name,
            redirect_uri=redirect_uri,
            state=oauth_state,
            code_challenge=challenge,
            scopes=scopes,
            expires_at=state.now() + state.config.auth_code_ttl,
        )
        state.auth_requests[request.request_id] = request
        detail["result"] = "consent"
    return html_response(pages.authorize_consent(request.request_id, client.name, " ".join(scopes), state.user_name))


def authorize_decision(state: State, req: Request, detail: dict[str, str]) -> Response:
    form = req.form()
    action = form.get("action", "")
    detail["action"] = action
    with state.lock:
        request = state.auth_requests.get(form.get("request_id", ""))
        if request is None:
            fail(400, "InvalidRequestException", "Unknown authorization request.")
        if state.now() >= request.expires_at:
            fail(400, "ExpiredTokenException", "This authorization request has expired. Start the login again.")
        if request.status != "pending":
            fail(400, "InvalidRequestException", f"This authorization request was already {request.status}.")
        if action not in ("allow", "deny"):
            fail(400, "InvalidRequestException", "action must be allow or deny")
        return redirect(_decide_request(state, request, action == "allow"))


def device_page(state: State, req: Request, detail: dict[str, str]) -> Response:
    raw = req.query.get("user_code", "").strip()
    if not raw:
        return html_response(pages.device_enter_code())
    with state.lock:
        device = _device_by_user_code(state, raw)
        if device.status == "pending":
            mode = state.config.approve
            if mode in ("auto", "preapproved"):
                device.status = "approved"
            elif mode == "deny":
                device.status = "denied"
            else:
                detail["result"] = "consent"
                return html_response(pages.device_consent(device.user_code, device.client_name))
        detail["result"] = device.status
        return _device_result(device)


def device_decision(state: State, req: Request, detail: dict[str, str]) -> Response:
    form = req.form()
    action = form.get("action", "")
    detail["action"] = action
    if action not in ("allow", "deny"):
        fail(400, "InvalidRequestException", "action must be allow or deny")
    with state.lock:
        device = _device_by_user_code(state, form.get("user_code", ""))
        if device.status == "pending":
            device.status = "approved" if action == "allow" else "denied"
        return _device_result(device)


# -- the control plane -----------------------------------------------------------------------
def decide_pending(state: State, allow: bool) -> int:
    """Approve or deny every pending device code and PKCE authorization; the browser redirect of
    a PKCE authorization is delivered by the emulator itself (as the user's browser would after a
    click)."""
    deliveries: list[str] = []
    count = 0
    with state.lock:
        now = state.now()
        for device in state.devices.values():
            if device.status == "pending" and now < device.expires_at:
                device.status = "approved" if allow else "denied"
                count += 1
        for request in state.auth_requests.values():
            if request.status == "pending" and now < request.expires_at:
                deliveries.append(_decide_request(state, request, allow))
                count += 1
    for url in deliveries:
        if is_loopback_url(url):
            threading.Thread(target=_deliver, args=(url,), daemon=True, name="emulator-redirect").start()
    return count


def pending(state: State) -> dict[str, list[dict[str, Any]]]:
    with state.lock:
        now = state.now()
        return {
            "device": [
                {"userCode": d.user_code, "clientName": d.client_name, "expiresIn": int(d.expires_at - now)}
                for d in state.devices.values()
                if d.status == "pending" and now < d.expires_at
            ],
            "authorizations": [
                {"clientName": r.client_name, "expiresIn": int(r.expires_at - now)}
                for r in state.auth_requests.values()
                if r.status == "pending" and now < r.expires_at
            ],
        }


def _deliver(url: str) -> None:
    """GET ``url`` (a loopback redirect target) like a browser would; errors are ignored."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            resp.read()
    except Exception:
        pass


HANDLERS: Final[dict[str, Handler]] = {
    "Authorize": authorize,
    "AuthorizeDecision": authorize_decision,
    "DevicePage": device_page,
    "DeviceDecision": device_decision,
}
