"""The PKCE loopback listener (RFC 8252 §8): only the redirect with the login's state counts,
and slow or hostile local connections cannot keep the real one out. Real sockets on 127.0.0.1."""

from __future__ import annotations

import socket
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ssoenv.auth.browser import LoopbackListener
from tests.conftest import Sandbox

STATE = "0b5e8f0e-2f64-4c8e-9d7c-6a1e1d0c2b11"


def get(port: int, query: str) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/oauth/callback?{query}", timeout=5) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


@pytest.mark.parametrize(
    "forged",
    [
        "code=evil&state=wrong",
        "code=evil",
        "error=access_denied",
        "error=access_denied&state=wrong",
        f"code=evil&state={STATE}x",
    ],
)
def test_a_callback_without_the_right_state_is_refused_and_ignored(forged: str) -> None:
    with LoopbackListener(0, STATE) as listener:
        assert get(listener.port, forged) == 400
        assert listener.wait(time.monotonic() + 0.3) is None  # still waiting
        assert get(listener.port, f"code=real&state={STATE}") == 200
        result = listener.wait(time.monotonic() + 5)
    assert result == {"code": "real", "state": STATE}


def test_an_error_with_the_right_state_ends_the_wait() -> None:
    with LoopbackListener(0, STATE) as listener:
        assert get(listener.port, f"error=access_denied&state={STATE}") == 200
        result = listener.wait(time.monotonic() + 5)
    assert result is not None and result["error"] == "access_denied"


def test_slow_connections_do_not_keep_the_redirect_out() -> None:
    with LoopbackListener(0, STATE) as listener:
        slow = []
        for _ in range(3):  # each sends a few bytes of a request line and then nothing
            s = socket.create_connection(("127.0.0.1", listener.port))
            s.sendall(b"GET /oauth/cal")
            slow.append(s)
        try:
            started = time.monotonic()
            assert get(listener.port, f"code=real&state={STATE}") == 200
            assert listener.wait(time.monotonic() + 5) == {"code": "real", "state": STATE}
            assert time.monotonic() - started < 2
        finally:
            for s in slow:
                s.close()


FORGER = textwrap.dedent(
    """
    import subprocess, sys, urllib.error, urllib.request
    from urllib.parse import parse_qs, urlsplit
    url = sys.argv[1]
    redirect = parse_qs(urlsplit(url).query)["redirect_uri"][0]
    codes = []
    for query in ("error=access_denied", "code=forged&state=nope"):
        try:
            urllib.request.urlopen(redirect + "?" + query, timeout=5)
            codes.append(200)
        except urllib.error.HTTPError as exc:
            codes.append(exc.code)
    open(sys.argv[2], "w").write(",".join(map(str, codes)))
    sys.exit(subprocess.call([sys.executable, "-m", "ssoenv.emulator.browser", url]))
    """
)


def test_a_forged_error_callback_does_not_fail_the_login(sandbox: Sandbox, tmp_path: Path) -> None:
    script = tmp_path / "forger.py"
    script.write_text(FORGER)
    seen = tmp_path / "seen"
    proc = sandbox.run(["login", "dev"], env={"BROWSER": f"{sys.executable} {script} %s {seen}"})
    assert proc.returncode == 0, proc.stderr
    assert seen.read_text() == "400,400"
