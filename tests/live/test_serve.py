"""The endpoint itself, in-process against the emulator: protocol, tokens, single flight, errors."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from ssoenv.config.profiles import load_config, resolve_profile
from ssoenv.credentials.sso import Access
from ssoenv.features.serve import CredentialServer, Log, ProfileSource, is_loopback, new_token
from ssoenv.paths import resolve_paths
from ssoenv.shells.envvars import LiveEndpoint
from tests.conftest import Sandbox
from tests.live.conftest import BROWSER


class Served:
    def __init__(self, server: CredentialServer, endpoints: dict[str, LiveEndpoint]) -> None:
        self.server = server
        self.endpoints = endpoints


@pytest.fixture
def served(logged_in: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    for key, value in logged_in.env.items():  # boto3 in this process talks to the emulator
        monkeypatch.setenv(key, value)
    paths = resolve_paths(logged_in.env)
    config = load_config(paths)
    server = CredentialServer(log=Log(verbose=True))
    endpoints = {
        name: server.add(ProfileSource(paths, resolve_profile(config, name), Access(interactive=False, profile=name)))
        for name in ("dev", "prod")
    }
    server.start()
    try:
        yield Served(server, endpoints)
    finally:
        server.stop()


def get(url: str, token: str | None, method: str = "GET") -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, method=method)
    if token is not None:
        request.add_header("Authorization", token)
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_answers_what_the_sdks_read(served: Served, logged_in: Sandbox) -> None:
    ep = served.endpoints["dev"]
    assert ep.uri.startswith("http://127.0.0.1:") and ep.uri.endswith("/credentials/dev")
    status, body = get(ep.uri, ep.token)
    assert status == 200
    assert set(body) == {"AccessKeyId", "SecretAccessKey", "Token", "Expiration", "AccountId"}
    assert body["AccessKeyId"].startswith("ASIA") and body["AccountId"] == "111111111111"
    expiration = datetime.strptime(body["Expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert 3000 < (expiration - datetime.now(timezone.utc)).total_seconds() <= 3600
    # served from the shared cache: a second request makes no upstream call
    assert get(ep.uri, ep.token) == (200, body)
    assert logged_in.emulator is not None and logged_in.emulator.calls("GetRoleCredentials") == 1


def test_wrong_or_missing_token_gets_401_and_nothing_else(served: Served, logged_in: Sandbox) -> None:
    dev, prod = served.endpoints["dev"], served.endpoints["prod"]
    for token in (None, "", dev.token[:-1], dev.token + "x", prod.token, dev.token.upper()):
        status, body = get(dev.uri, token)
        assert status == 401
        assert set(body) == {"code", "message"} and body["code"] == "Unauthorized"
    assert get(dev.uri.rsplit("/", 1)[0] + "/other", dev.token)[0] == 404
    assert get(dev.uri, dev.token, method="POST")[0] == 405
    assert logged_in.emulator is not None and logged_in.emulator.calls("GetRoleCredentials") == 0


def test_fifty_concurrent_requests_make_one_upstream_call(served: Served, logged_in: Sandbox) -> None:
    emu = logged_in.emulator
    assert emu is not None
    emu.set_latency(0.3)
    ep = served.endpoints["dev"]
    with ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(lambda _: get(ep.uri, ep.token), range(50)))
    assert {status for status, _ in answers} == {200}
    assert len({body["AccessKeyId"] for _, body in answers}) == 1
    assert emu.calls("GetRoleCredentials") == 1


def test_a_slow_upstream_does_not_block_other_profiles(served: Served, logged_in: Sandbox) -> None:
    emu = logged_in.emulator
    assert emu is not None
    dev, prod = served.endpoints["dev"], served.endpoints["prod"]
    assert get(prod.uri, prod.token)[0] == 200  # prod is cached
    emu.inject("GetRoleCredentials", status=200, delay=3, count=1)  # dev's fetch will hang 3 s
    slow: list[int] = []
    thread = threading.Thread(target=lambda: slow.append(get(dev.uri, dev.token)[0]))
    thread.start()
    time.sleep(0.3)  # let dev's request reach the emulator
    started = time.monotonic()
    assert get(prod.uri, prod.token)[0] == 200
    assert get(dev.uri, "wrong")[0] == 401
    assert time.monotonic() - started < 1.5
    thread.join(10)
    assert slow == [200]


def test_session_ended_then_login_elsewhere_heals_the_next_request(served: Served, logged_in: Sandbox) -> None:
    emu = logged_in.emulator
    assert emu is not None
    ep = served.endpoints["dev"]
    emu.revoke_all_tokens()
    status, body = get(ep.uri, ep.token)
    assert status == 403 and body["code"] == "LoginRequired"
    # the token is marked as rejected: a plain login replaces it
    assert "\n" not in body["message"] and "run `ssoenv login dev`" in body["message"]
    assert logged_in.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
    status, body = get(ep.uri, ep.token)
    assert status == 200 and body["AccessKeyId"].startswith("ASIA")


def test_tokens_and_loopback() -> None:
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100 and all(len(t) >= 43 for t in tokens)
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.2")


def test_an_endpoint_never_gets_an_access_that_may_log_in(tmp_path: Path) -> None:
    """The endpoint answers programs, not people: its access comes from the one policy with no_login."""
    from ssoenv.auth.loginopts import LoginOptions, may_log_in
    from ssoenv.config.chain import resolve_any

    cfg = tmp_path / "config"
    cfg.write_text(
        "[profile p]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\n"
        "sso_account_id = 111111111111\nsso_role_name = R\n"
    )
    env = {"HOME": str(tmp_path), "AWS_CONFIG_FILE": str(cfg)}
    paths = resolve_paths(env)
    profile = resolve_any(load_config(paths), "p")
    with pytest.raises(ValueError, match="never starts a login"):
        ProfileSource(paths, profile, Access(interactive=True, profile="p"))
    assert not may_log_in(LoginOptions(use_device_code=True), no_login=True, person_present=True)
    ProfileSource(paths, profile, Access(interactive=False, profile="p"), environ=env)
