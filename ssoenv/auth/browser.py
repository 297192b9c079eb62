"""The browser side of a login: can one be opened here, open it, and the loopback listener.

The listener binds 127.0.0.1 only, on an ephemeral port unless one is configured (for SSH port
forwarding), accepts the single redirect that carries ``code``/``error``, answers with a page
telling the user to go back to the terminal, and stops.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ssoenv.errors import LoginFailed

_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>ssoenv</title>
<style>body{{font-family:system-ui,sans-serif;margin:4em auto;max-width:34em;color:#222}}</style></head>
<body><h1>{title}</h1><p>{text}</p></body></html>"""


def _is_wsl(environ: Mapping[str, str]) -> bool:
    if environ.get("WSL_DISTRO_NAME") or environ.get("WSL_INTEROP"):
        return True
    try:
        return "microsoft" in Path("/proc/version").read_text().lower()
    except OSError:
        return False


def browser_usable(environ: Mapping[str, str] | None = None) -> bool:
    """Whether opening a browser on this machine can reach the user.

    ``BROWSER`` set means the user told us how. Over SSH without a forwarded display, in a
    container or on a headless Linux box there is no browser: the device code flow is used.
    """
    env = os.environ if environ is None else environ
    if env.get("BROWSER"):
        return True
    over_ssh = bool(env.get("SSH_CONNECTION") or env.get("SSH_TTY") or env.get("SSH_CLIENT"))
    if sys.platform == "darwin":
        return not over_ssh
    if sys.platform.startswith("win"):
        return True
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return True
    if _is_wsl(env):
        return shutil.which("wslview") is not None
    return False


def open_browser(url: str) -> str | None:
    """Open ``url``; return None on success, else a short reason. Never raises, never blocks long."""
    import webbrowser

    if not os.environ.get("BROWSER") and shutil.which("wslview") and _is_wsl(os.environ):
        webbrowser.register("wslview", None, webbrowser.GenericBrowser("wslview"), preferred=True)
    try:
        # keep the browser's chatter off our stdout: it may be captured by eval "$(...)"
        with _stdout_to_stderr():
            opened = webbrowser.open(url, new=1, autoraise=True)
    except Exception as exc:
        return f"could not open a browser ({exc})"
    return None if opened else "could not open a browser"


@contextlib.contextmanager
def _stdout_to_stderr() -> Any:
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


class _Handler(BaseHTTPRequestHandler):
    """Answers the browser's redirect. Only a request that carries the login's ``state`` counts
    (RFC 8252 §8.1: any local process can reach the port); anything else, an ``error`` callback
    included, is answered 400 and ignored, and the listener keeps waiting for the real one."""

    server: _Server
    timeout = 5  # per-connection socket timeout: a slow or silent client cannot hold the listener

    def do_GET(self) -> None:
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        if "code" not in query and "error" not in query:
            self._reply(404, _PAGE.format(title="Waiting", text="This is ssoenv's login listener."))
            return
        if not hmac.compare_digest(query.get("state", "").encode(), self.server.state.encode()):
            self._reply(400, _PAGE.format(title="Bad request", text="This is not the answer ssoenv is waiting for."))
            return
        with self.server.lock:
            if self.server.result is None:
                self.server.result = query
        ok = "code" in query and not query.get("error")
        title = "Signed in" if ok else "Sign-in failed"
        text = (
            "ssoenv has your login. You can close this tab and return to your terminal."
            if ok
            else "The login was not completed. Return to your terminal for details."
        )
        self._reply(200, _PAGE.format(title=title, text=text))

    def _reply(self, status: int, body: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # every connection in its own thread: slow ones never block the real one
    block_on_close = False
    # a fixed --callback-port must be reusable at once (TIME_WAIT); Linux still refuses a second listener
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: str) -> None:
        self.state = state
        self.result: dict[str, str] | None = None
        self.lock = threading.Lock()
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # a client that went away or timed out is no concern of the login


class LoopbackListener:
    """``with LoopbackListener(port, state) as l: l.port; l.wait(deadline)``.

    Serves from a background thread as soon as it is bound, so a browser command that blocks
    until it exits (a text browser in the same terminal, a test's stand-in) can still complete
    the redirect while ``webbrowser.open`` has not returned. Only a redirect carrying ``state``
    is taken (see :class:`_Handler`).
    """

    def __init__(self, port: int = 0, state: str = "") -> None:
        if not state:
            raise ValueError("the loopback listener needs the login's state")
        try:
            self._server = _Server(("127.0.0.1", port), state)
        except OSError as exc:
            raise LoginFailed(
                f"cannot listen on 127.0.0.1:{port} for the browser's redirect ({exc.strerror})",
                hint="choose another --callback-port, or use --use-device-code",
            ) from exc
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="ssoenv-loopback", daemon=True
        )
        self._thread.start()

    def __enter__(self) -> LoopbackListener:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=2)
        with contextlib.suppress(OSError):
            self._server.server_close()

    def wait(self, deadline: float, tick: Callable[[float], None] | None = None) -> dict[str, str] | None:
        """Wait until the redirect with ``code``/``error`` arrives (its query) or ``deadline``."""
        while self._server.result is None:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            if tick is not None:
                tick(left)
            time.sleep(min(0.1, left))
        return self._server.result
