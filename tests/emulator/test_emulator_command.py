"""`ssoenv emulator` / `python -m ssoenv.emulator` as processes, and the HTTP control plane."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from emulator_helpers import Kit, raw_get

from ssoenv.emulator import Emulator, EmulatorConfig

ENV_NAMES = ["AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_SSO_OIDC", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SIGNIN"]


@pytest.fixture
def spawn() -> Iterator[Callable[..., subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []

    def start(*args: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def read_exports(proc: subprocess.Popen[str]) -> dict[str, str]:
    """All of stdout: it must reach EOF while the emulator keeps running (eval-friendly)."""
    assert proc.stdout is not None
    timer = threading.Timer(20, proc.kill)  # never hang the test run
    timer.start()
    try:
        text = proc.stdout.read()
    finally:
        timer.cancel()
    assert proc.poll() is None, "the emulator exited"
    exports = {}
    for line in text.splitlines():
        assert line.startswith("export "), line
        name, _, value = line[len("export ") :].partition("=")
        exports[name] = value
    return exports


def control(url: str, route: str, body: dict[str, Any] | None = None, method: str | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"{url}/_emulator/{route}", data=data, method=method or ("POST" if data else "GET"))
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_ssoenv_emulator_command(spawn: Callable[..., subprocess.Popen[str]], stop_signal: int) -> None:
    proc = spawn("-m", "ssoenv", "emulator", "--accounts", "2", "--fault", "ListAccounts:500:1", "--log")
    exports = read_exports(proc)
    assert list(exports) == ENV_NAMES
    url = exports["AWS_ENDPOINT_URL_SSO"]
    assert url.startswith("http://127.0.0.1:") and len(set(exports.values())) == 1
    assert control(url, "health")["ok"] is True
    assert [a["id"] for a in control(url, "directory")["accounts"]] == ["111111111111", "222222222222"]
    assert raw_get(f"{url}/assignment/accounts", {"x-amz-sso_bearer_token": "secret-token"})[0] == 500
    assert raw_get(f"{url}/assignment/accounts", {"x-amz-sso_bearer_token": "secret-token"})[0] == 401
    proc.send_signal(stop_signal)
    assert proc.wait(timeout=10) == 0
    assert proc.stderr is not None
    err = proc.stderr.read()
    assert "listening on " + url in err
    assert "500 ListAccounts GET /assignment/accounts InternalServerException" in err
    assert "401 ListAccounts" in err and "secret-token" not in err
    assert "stopped" in err


def test_python_m_emulator_and_shutdown(spawn: Callable[..., subprocess.Popen[str]]) -> None:
    proc = spawn("-m", "ssoenv.emulator", "--approve", "preapproved", "--role-ttl", "900")
    url = read_exports(proc)["AWS_ENDPOINT_URL_STS"]
    cfg = control(url, "config")
    assert (cfg["approve"], cfg["role_ttl"]) == ("preapproved", 900)
    assert control(url, "shutdown", {})["ok"] is True
    assert proc.wait(timeout=10) == 0


def test_command_errors(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ssoenv", "emulator", *args],
            capture_output=True,
            text=True,
            timeout=30,
            stdin=subprocess.DEVNULL,
        )

    bad = run("--fault", "NoSuchOp:500")
    assert bad.returncode == 2 and "unknown operation" in bad.stderr and bad.stdout == ""
    broken = tmp_path / "dir.json"
    broken.write_text('{"accounts": [{"id": "123"}]}')
    proc = run("--directory", str(broken))
    assert proc.returncode == 3 and "12 digits" in proc.stderr and proc.stdout == ""


def test_directory_file(tmp_path: Path, make_kit: Callable[..., Kit]) -> None:
    path = tmp_path / "directory.json"
    path.write_text(
        json.dumps(
            {
                "user_name": "jane@example.com",
                "accounts": [
                    {"id": "123456789012", "name": "alpha", "roles": ["Admin", "Dev"]},
                    {"id": "210987654321", "name": "beta", "email": "beta@corp.example", "roles": ["Dev"]},
                    {"id": "555555555555", "name": "unassigned"},
                ],
            }
        )
    )
    kit = make_kit(directory_file=str(path))
    token = kit.device_login()["accessToken"]
    sso = kit.client("sso")
    accounts = sso.list_accounts(accessToken=token)["accountList"]
    assert accounts == [
        {"accountId": "123456789012", "accountName": "alpha", "emailAddress": "aws+alpha@example.com"},
        {"accountId": "210987654321", "accountName": "beta", "emailAddress": "beta@corp.example"},
    ]
    creds = kit.role_credentials(token, "123456789012", "Dev")
    arn = kit.sts_for(creds).get_caller_identity()["Arn"]
    assert arn.startswith("arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Dev_") and arn.endswith(
        "/jane@example.com"
    )


def test_control_plane(emulator: Emulator) -> None:
    kit = Kit(emulator)
    url = emulator.url
    token = kit.device_login()["accessToken"]
    sso = kit.client("sso", attempts=1)

    fault = control(url, "inject", {"operation": "ListAccounts", "status": 429, "count": 1})["fault"]
    assert fault["error_type"] == "TooManyRequestsException"
    assert control(url, "faults")["faults"][0]["remaining"] == 1
    with pytest.raises(sso.exceptions.TooManyRequestsException):
        sso.list_accounts(accessToken=token)
    assert control(url, "calls?operation=ListAccounts") == {"operation": "ListAccounts", "count": 1}
    log = control(url, "log")
    assert log["count"] == len(log["requests"]) >= 5
    assert log["requests"][-1]["status"] == 429
    assert token not in json.dumps(log)
    assert control(url, "log?since=2")["requests"] == log["requests"][2:]

    assert control(url, "latency", {"seconds": 0.05}) == {"latency": 0.05}
    control(url, "faults", method="DELETE")
    assert control(url, "faults") == {"faults": [], "latency": 0.0}

    assert control(url, "config", {"role_ttl": 120, "approve": "manual"})["role_ttl"] == 120
    assert emulator.config.approve == "manual"
    with pytest.raises(urllib.error.HTTPError) as info:
        control(url, "config", {"approve": "sometimes"})
    assert info.value.code == 400
    with pytest.raises(urllib.error.HTTPError):
        control(url, "config", {"role_ttl": "long"})
    assert emulator.config.role_ttl == 120

    reg = kit.register()
    dev = kit.start_device(reg)
    assert control(url, "pending")["device"][0]["userCode"] == dev["userCode"]
    assert control(url, "approve", {}) == {"count": 1}
    assert kit.poll(reg, dev)["accessToken"]

    assert control(url, "directory/remove-role", {"account_id": "111111111111", "role_name": "ReadOnly"}) == {
        "removed": True
    }
    added = control(url, "directory/add-account", {"account_id": "777777777777", "name": "lucky"})
    assert added["roles"] == ["AdministratorAccess", "ReadOnly"]
    assert emulator.directory.has_role("777777777777", "ReadOnly")
    assert not emulator.directory.has_role("111111111111", "ReadOnly")

    assert control(url, "revoke", {})["revoked"] >= 2
    with pytest.raises(sso.exceptions.UnauthorizedException):
        sso.list_accounts(accessToken=token)
    now = emulator.now()
    assert control(url, "advance", {"seconds": 100})["now"] >= now + 100
    control(url, "log", method="DELETE")
    assert emulator.requests == []
    with pytest.raises(urllib.error.HTTPError) as info:
        control(url, "nothing-here")
    assert info.value.code == 404


def test_emulator_lifecycle() -> None:
    emu = Emulator(EmulatorConfig(port=0))
    with pytest.raises(RuntimeError):
        _ = emu.url  # not started
    with emu:
        url = emu.url
        assert emu.env() == dict.fromkeys(ENV_NAMES, url)
        assert raw_get(url + "/")[0] == 200
        assert raw_get(url + "/no/such/path")[1]["x-amzn-errortype"] == "UnknownOperationException"
    assert emu.wait(0)
    with pytest.raises(OSError):
        raw_get(url + "/")
    with pytest.raises(ValueError):
        EmulatorConfig(approve="sometimes")  # type: ignore[arg-type]


@pytest.mark.parametrize("shell", ["bash", "fish", "pwsh"])
def test_background_prints_exports_for_the_shell_and_returns(shell: str) -> None:
    """`ssoenv emulator --background`: returns once it listens, the exports in the shell's syntax on
    stdout, one line on stderr with the pid and how to stop it; the emulator has the options given."""
    import os
    import re
    import time

    proc = subprocess.run(
        [sys.executable, "-m", "ssoenv", "emulator", "--background", "--shell", shell, "--accounts", "2"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    match = re.fullmatch(r"ssoenv: emulator listening on (\S+) \(pid (\d+)\); stop it with: (.*)\n", proc.stderr)
    assert match, proc.stderr
    url, pid = match.group(1), int(match.group(2))
    try:
        assert match.group(3) == (f"Stop-Process -Id {pid}" if shell == "pwsh" else f"kill {pid}")
        from ssoenv.shells import get_dialect

        assert proc.stdout == get_dialect(shell).render(dict.fromkeys(ENV_NAMES, url))
        assert len(control(url, "directory")["accounts"]) == 2
        assert os.getsid(pid) == pid  # its own session: the terminal's Ctrl-C and hang-up pass it by
    finally:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while True:  # not our child: wait until it is gone
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline
        time.sleep(0.05)
