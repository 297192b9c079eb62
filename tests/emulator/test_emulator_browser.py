"""The browser helper: device approval, PKCE redirect to a loopback listener, consent clicks."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from emulator_helpers import Kit, query_of, raw_get, s256

from ssoenv.emulator.browser import main as browser_main
from ssoenv.emulator.browser import visit

BROWSER = [sys.executable, "-m", "ssoenv.emulator.browser"]


class Listener:
    """A loopback listener like the CLI's PKCE callback server: records request paths."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.got = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.paths.append(self.path)
                body = b"<html>You can close this page.</html>"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                outer.got.set()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def wait(self, timeout: float = 10) -> dict[str, str]:
        assert self.got.wait(timeout), "the loopback listener got no request"
        return query_of("http://x" + self.paths[-1])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.close()


def run_browser(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    started = time.monotonic()
    proc = subprocess.run(
        [*BROWSER, *args], capture_output=True, text=True, timeout=30, env=env, stdin=subprocess.DEVNULL
    )
    assert time.monotonic() - started < 15
    return proc


def exchange(kit: Kit, reg: dict[str, Any], code: str, verifier: str, port: int) -> dict[str, Any]:
    result: dict[str, Any] = kit.client("sso-oidc").create_token(
        clientId=reg["clientId"],
        clientSecret=reg["clientSecret"],
        grantType="authorization_code",
        code=code,
        codeVerifier=verifier,
        redirectUri=f"http://127.0.0.1:{port}/oauth/callback",
    )
    return result


def test_helper_approves_device_code(kit: Kit) -> None:
    reg = kit.register()
    dev = kit.start_device(reg)
    proc = run_browser("--wait", dev["verificationUriComplete"])
    assert proc.returncode == 0, proc.stderr
    assert "Request approved" in proc.stderr
    assert kit.poll(reg, dev)["accessToken"]


def test_helper_completes_pkce_redirect(kit: Kit, listener: Listener) -> None:
    reg = kit.register(pkce=True)
    verifier = secrets.token_urlsafe(48)
    url = kit.authorize_url(reg, s256(verifier), "state-9", port=listener.port)
    proc = run_browser(url)  # default: the hop to the listener runs detached
    assert proc.returncode == 0, proc.stderr
    query = listener.wait()
    assert query["state"] == "state-9"
    assert "code=***" in proc.stderr or "background" in proc.stderr
    assert query["code"] not in proc.stderr  # the helper redacts codes
    assert exchange(kit, reg, query["code"], verifier, listener.port)["accessToken"]


def test_helper_as_webbrowser_browser(kit: Kit, listener: Listener) -> None:
    """BROWSER set to the helper: Python's webbrowser module drives the whole PKCE redirect."""
    reg = kit.register(pkce=True)
    verifier = secrets.token_urlsafe(48)
    url = kit.authorize_url(reg, s256(verifier), "wb", port=listener.port)
    env = {**os.environ, "BROWSER": f"{sys.executable} -m ssoenv.emulator.browser %s"}
    env.pop("DISPLAY", None)
    code = "import sys, webbrowser; sys.exit(0 if webbrowser.open(sys.argv[1]) else 3)"
    proc = subprocess.run([sys.executable, "-c", code, url], env=env, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert listener.wait()["state"] == "wb"


def test_click_allow_and_deny_in_manual_mode(make_kit: Callable[..., Kit], listener: Listener) -> None:
    kit = make_kit(approve="manual")
    reg = kit.register()
    dev = kit.start_device(reg)
    result = visit(dev["verificationUriComplete"], click="allow")
    assert result.clicked == "allow" and result.state == "approved"
    assert kit.poll(reg, dev)["accessToken"]

    pkce = kit.register(pkce=True)
    verifier = secrets.token_urlsafe(48)
    result = visit(kit.authorize_url(pkce, s256(verifier), "d", port=listener.port), click="deny")
    assert result.clicked == "deny" and result.status == 200
    query = listener.wait()
    assert query["error"] == "access_denied" and query["state"] == "d"

    # without --click the helper stops at the consent page and exits 0
    dev = kit.start_device(reg)
    proc = run_browser("--wait", dev["verificationUriComplete"])
    assert proc.returncode == 0 and "Authorize request" in proc.stderr
    assert kit.emu.pending()["device"]


def test_programmatic_approval_delivers_pkce_redirect(make_kit: Callable[..., Kit], listener: Listener) -> None:
    kit = make_kit(approve="manual")
    reg = kit.register(pkce=True)
    verifier = secrets.token_urlsafe(48)
    result = visit(kit.authorize_url(reg, s256(verifier), "p", port=listener.port))
    assert result.state == "consent" and not listener.got.is_set()
    assert len(kit.emu.pending()["authorizations"]) == 1
    assert kit.emu.approve_pending() == 1
    query = listener.wait()
    assert exchange(kit, reg, query["code"], verifier, listener.port)["refreshToken"]


def test_helper_never_leaves_loopback_and_never_fails(kit: Kit) -> None:
    result = visit(f"{kit.emu.url}/federation?Action=login&SigninToken=x&Destination=https://example.com/")
    assert result.status == 400  # invalid sign-in token: an error page, not a redirect
    token = kit.device_login()["accessToken"]
    creds = kit.role_credentials(token)
    session = json.dumps(
        {
            "sessionId": creds["accessKeyId"],
            "sessionKey": creds["secretAccessKey"],
            "sessionToken": creds["sessionToken"],
        }
    )
    signin = json.loads(raw_get(f"{kit.emu.url}/federation?Action=getSigninToken&Session={quote(session)}")[2])
    login = f"{kit.emu.url}/federation?" + urlencode(
        {"Action": "login", "Destination": "https://console.aws.amazon.com/", "SigninToken": signin["SigninToken"]}
    )
    result = visit(login)
    assert result.stopped_at_external and result.url == "https://console.aws.amazon.com/"
    # unreachable URL, bad arguments for the page: still exit status 0, quickly
    started = time.monotonic()
    assert browser_main(["--wait", "--timeout", "1", "-q", "http://127.0.0.1:1/device"]) == 0
    assert time.monotonic() - started < 5
