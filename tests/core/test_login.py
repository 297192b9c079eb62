"""Device-code and PKCE logins end to end against the emulator, with a stand-in browser."""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import stat
import sys
import time
from pathlib import Path

import pexpect
import pytest

from tests.conftest import BROWSER, EmulatorClock, Sandbox

CORP_TOKEN = "ee0bfd2552fbd840c02cc48b6e823320543c450f.json"  # sha1("corp")
LEGACY_TOKEN = "40a89917e3175433e361b710a9d43528d7f1890a.json"  # not ours: see test below


def token_file(sandbox: Sandbox, name: str = CORP_TOKEN) -> dict[str, object]:
    return json.loads((sandbox.sso_cache / name).read_text())  # type: ignore[no-any-return]


def test_pkce_login_writes_cli_compatible_files(sandbox: Sandbox) -> None:
    proc = sandbox.run(["login", "dev"], env={"BROWSER": BROWSER})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "/authorize?response_type=code&client_id=" in proc.stderr
    data = token_file(sandbox)
    assert list(data)[:4] == ["startUrl", "region", "accessToken", "expiresAt"]
    assert data["startUrl"] == "https://d-1234567890.awsapps.com/start" and data["region"] == "us-east-1"
    assert isinstance(data["refreshToken"], str) and data["refreshToken"]
    assert str(data["expiresAt"]).endswith("Z")
    path = sandbox.sso_cache / CORP_TOKEN
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # the registration is cached under the AWS CLI's key, marked as a PKCE registration
    reg = json.loads((sandbox.sso_cache / "bc8a1afdb0f5cdc2c789b8a6cd51898e2be3c37c.json").read_text())
    assert reg["grantTypes"] == ["authorization_code", "refresh_token"]
    assert reg["scopes"] == ["sso:account:access"]
    assert sandbox.emulator is not None and sandbox.emulator.calls("RegisterClient") == 1


def test_second_login_reuses_token_and_registration(sandbox: Sandbox) -> None:
    assert sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
    again = sandbox.run(["login", "prod"], env={"BROWSER": BROWSER})  # same sso-session: same login
    assert again.returncode == 0
    assert re.fullmatch(
        r"ssoenv: already logged in to https://d-1234567890\.awsapps\.com/start; valid until "
        r"\d{4}-\d\d-\d\d \d\d:\d\d UTC \((7h59m|8h00m) left\)\. Use --force to log in again\.\n",
        again.stderr,
    ), again.stderr
    forced = sandbox.run(["login", "dev", "--force"], env={"BROWSER": BROWSER})
    assert forced.returncode == 0, forced.stderr
    assert sandbox.emulator is not None and sandbox.emulator.calls("RegisterClient") == 1


def test_device_login_for_legacy_profile(sandbox: Sandbox, clock: EmulatorClock) -> None:
    proc = sandbox.run(["login", "legacy"], env={"BROWSER": BROWSER}, clock=clock)
    assert proc.returncode == 0, proc.stderr
    assert "/device?user_code=" in proc.stderr
    code = proc.stderr.split("check that it shows the code:")[1].split()[0]
    assert len(code) == 9 and code[4] == "-"
    files = [p.name for p in sandbox.sso_cache.iterdir()]
    import hashlib

    legacy_key = hashlib.sha1(b"https://d-1234567890.awsapps.com/start").hexdigest() + ".json"
    assert legacy_key in files
    # a legacy (device-code, no sso-session) token cannot be refreshed by ssoenv or the AWS CLI
    assert "accessToken" in json.loads((sandbox.sso_cache / legacy_key).read_text())
    assert clock.slept and all(0 < s <= 0.5 for s in clock.slept)  # polled on the injected clock
    # device registrations carry no grantTypes
    reg = json.loads((sandbox.sso_cache / "365414a68be7c9bfc776c660981dbdbd942acea4.json").read_text())
    assert "grantTypes" not in reg


def test_no_browser_uses_device_code_for_session_profiles(sandbox: Sandbox) -> None:
    assert sandbox.emulator is not None
    sandbox.emulator.config.approve = "preapproved"
    proc = sandbox.run(["login", "dev", "--no-browser"])
    assert proc.returncode == 0, proc.stderr
    assert sandbox.emulator.calls("StartDeviceAuthorization") == 1
    assert sandbox.emulator.calls("RegisterClient") == 1


def test_without_any_browser_device_code_is_chosen(sandbox: Sandbox) -> None:
    # no BROWSER, no DISPLAY: a headless box / SSH session
    assert sandbox.emulator is not None
    sandbox.emulator.config.approve = "preapproved"
    proc = sandbox.run(["login", "dev"], env={"SSH_CONNECTION": "10.0.0.1 1 10.0.0.2 22"})
    assert proc.returncode == 0, proc.stderr
    assert "device code" in proc.stderr
    assert sandbox.emulator.calls("StartDeviceAuthorization") == 1


@pytest.mark.parametrize("profile", ["dev", "legacy"])
def test_denied_login_fails_clearly_and_writes_nothing(sandbox: Sandbox, profile: str, clock: EmulatorClock) -> None:
    assert sandbox.emulator is not None
    sandbox.emulator.config.approve = "deny"
    proc = sandbox.run(["login", profile], env={"BROWSER": BROWSER}, clock=clock)
    assert proc.returncode == 7
    # the flow's own lines, then exactly one line saying what happened and what to do
    last = proc.stderr.splitlines()[-1]
    expected = {
        "dev": "ssoenv: the login was refused in the browser: ",
        "legacy": "ssoenv: the login was denied in the browser (run `ssoenv login` to try again)",
    }[profile]
    assert last.startswith(expected), proc.stderr
    assert "Traceback" not in proc.stderr
    assert not any("accessToken" in p.read_text() for p in sandbox.sso_cache.glob("*.json"))


@pytest.mark.parametrize("expires_in", [2, 120])
def test_device_code_expiry(sandbox: Sandbox, clock: EmulatorClock, expires_in: int) -> None:
    assert sandbox.emulator is not None
    sandbox.emulator.config.approve = "manual"  # nobody clicks
    sandbox.emulator.config.device_expires_in = expires_in
    clock.yield_real = 0  # no browser to wait for: simulated minutes pass at once
    started = time.monotonic()
    proc = sandbox.run(["login", "legacy", "--no-browser"], clock=clock)
    real = time.monotonic() - started
    assert proc.returncode == 7, proc.stderr
    assert "the device code expired before the login was approved" in proc.stderr.splitlines()[-1]
    assert "Traceback" not in proc.stderr
    # it waited as long as the code lived (on the emulator's clock: real + simulated time), not
    # much longer, and polled once per interval (1 s)
    assert expires_in - real - 0.1 <= clock.elapsed <= expires_in + 1.5
    polls = sandbox.emulator.calls("CreateToken")
    assert expires_in - real - 2 <= polls <= expires_in + 2


def test_slow_down_adds_five_seconds(sandbox: Sandbox, clock: EmulatorClock) -> None:
    emu = sandbox.emulator
    assert emu is not None
    emu.config.approve = "manual"
    emu.inject("CreateToken", status=400, error_type="SlowDownException", count=1)
    polled_at: list[float] = []  # on the client's clock
    emu.on_request = lambda record: polled_at.append(clock.now) if record.operation == "CreateToken" else None

    def approve_after_the_third_poll(_: EmulatorClock) -> None:
        if len(polled_at) >= 3:
            emu.approve_pending()

    clock.on_sleep = approve_after_the_third_poll
    clock.yield_real = 0
    proc = sandbox.run(["login", "legacy", "--no-browser"], clock=clock)
    assert proc.returncode == 0, proc.stderr
    # the first attempt was answered slow_down: the next call waited interval (1) + 5 seconds,
    # and so did every one after it (the emulator would answer slow_down again otherwise)
    assert len(polled_at) == 4
    gaps = [b - a for a, b in itertools.pairwise(polled_at)]
    assert all(5.9 <= gap <= 6.6 for gap in gaps), gaps
    assert emu.calls("CreateToken") == 4 and [r.error_type for r in emu.requests if r.operation == "CreateToken"] == [
        "SlowDownException",
        "AuthorizationPendingException",
        "AuthorizationPendingException",
        None,
    ]


def test_ctrl_c_aborts_cleanly(sandbox: Sandbox) -> None:
    assert sandbox.emulator is not None
    sandbox.emulator.config.approve = "manual"
    child = pexpect.spawn(
        sys.executable,
        ["-m", "ssoenv", "login", "dev", "--no-browser"],
        env=sandbox.env,
        encoding="utf-8",
        timeout=20,
        dimensions=(24, 200),
    )
    child.expect("waiting for approval")
    child.expect(r"\d+:\d\d left")  # a live countdown
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130 or child.signalstatus == signal.SIGINT
    assert child.exitstatus == 130
    assert "Traceback" not in (child.before or "")
    assert not (sandbox.sso_cache / CORP_TOKEN).exists()
    assert not list(sandbox.sso_cache.glob(".*.tmp"))


def test_commands_log_in_automatically_on_a_terminal(sandbox: Sandbox) -> None:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "ssoenv", "whoami", "dev"],
        env={**sandbox.env, "BROWSER": BROWSER},
        encoding="utf-8",
        timeout=30,
        dimensions=(24, 200),
    )
    child.expect("logging in to")
    child.expect("account  111111111111")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_without_a_person_login_required_names_the_command(sandbox: Sandbox) -> None:
    proc = sandbox.run(["export", "dev", "--format", "env"])
    assert proc.returncode == 4
    assert proc.stdout == ""
    assert "ssoenv login dev" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_login_errors_are_one_line(sandbox: Sandbox) -> None:
    proc = sandbox.run(["login", "nope"])
    assert proc.returncode == 3 and "profile 'nope' not found" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    proc = sandbox.run(["login", "--sso-session", "nope"])
    assert proc.returncode == 3 and 'sso-session does not exist: "nope"' in proc.stderr


def test_debug_shows_traceback_and_redacts(sandbox: Sandbox) -> None:
    proc = sandbox.run(["login", "dev"], env={"BROWSER": BROWSER, "SSOENV_DEBUG": "1"})
    assert proc.returncode == 0
    token = token_file(sandbox)["accessToken"]
    assert isinstance(token, str) and token not in proc.stderr
    assert "ssoenv[debug]" in proc.stderr
    proc = sandbox.run(["export", "dev", "--format", "json"], env={"SSOENV_DEBUG": "1"})
    assert proc.returncode == 0
    secrets = [token, *json.loads(proc.stdout).values()]
    assert "x-amz-sso_bearer_token" in proc.stderr  # the request was logged...
    assert not [s for s in secrets if s[:20] in proc.stderr and "ASIA" not in s]  # ...without its secrets
    proc = sandbox.run(["use", "nope", "--shell", "bash"], env={"SSOENV_DEBUG": "1"})
    assert "Traceback" in proc.stderr
    assert os.environ.get("SSOENV_DEBUG") != "1"


def test_no_text_browser_takes_over_the_terminal(sandbox: Sandbox, tmp_path: Path, clock: EmulatorClock) -> None:
    """Without a display, Python's webbrowser would start lynx/w3m in the terminal: never do that."""
    emu = sandbox.emulator
    assert emu is not None
    emu.config.approve = "manual"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    marker = tmp_path / "text-browser-ran"
    for name in ("w3m", "lynx", "www-browser", "links", "elinks"):
        fake = bin_dir / name
        fake.write_text(f"#!/bin/sh\ntouch {marker}\n")
        fake.chmod(0o755)
    env = {"PATH": f"{bin_dir}:{sandbox.env['PATH']}"}
    for args in (["login", "legacy"], ["login", "dev", "--use-device-code"], ["login", "dev", "--force"]):
        # approve only once the client is polling (so it has shown the code and decided on a browser)
        polls = emu.calls("CreateToken") + 2
        clock.on_sleep = lambda _, polls=polls: emu.approve_pending() if emu.calls("CreateToken") >= polls else None
        proc = sandbox.run(args, env=env, clock=clock)
        assert proc.returncode == 0, proc.stderr
        assert "/device?user_code=" in proc.stderr
    assert not marker.exists()


TAMPERING_BROWSER = """
import sys, urllib.request, urllib.error
from urllib.parse import urlsplit, parse_qs, urlencode

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

opener = urllib.request.build_opener(NoRedirect)
try:
    opener.open(sys.argv[1], timeout=10)
    raise SystemExit("expected a redirect")
except urllib.error.HTTPError as exc:
    location = exc.headers["Location"]
parts = urlsplit(location)
query = {k: v[0] for k, v in parse_qs(parts.query).items()}
forged = dict(query, state="forged-" + query["state"])
try:
    urllib.request.urlopen(f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(forged)}", timeout=10).read()
    raise SystemExit("the forged redirect was accepted")
except urllib.error.HTTPError as exc:
    assert exc.code == 400, exc.code
open(sys.argv[2], "w").write("refused")
urllib.request.urlopen(location, timeout=10).read()  # the genuine redirect still gets through
"""


def test_pkce_state_mismatch_is_refused(sandbox: Sandbox, tmp_path: Path) -> None:
    """A redirect with a forged state is answered 400 and ignored (RFC 8252); the real one is taken."""
    script = tmp_path / "tamper.py"
    script.write_text(TAMPERING_BROWSER)
    seen = tmp_path / "seen"
    proc = sandbox.run(["login", "dev"], env={"BROWSER": f"{sys.executable} {script} %s {seen}"}, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert seen.read_text() == "refused"
    assert (sandbox.sso_cache / CORP_TOKEN).exists()


def test_fixed_callback_port(sandbox: Sandbox) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = sandbox.run(["login", "dev", "--callback-port", str(port)], env={"BROWSER": BROWSER})
    assert proc.returncode == 0, proc.stderr
    assert f"redirect_uri=http%3A%2F%2F127.0.0.1%3A{port}%2Foauth%2Fcallback" in proc.stderr
    # the same from the sso-session's config key
    text = sandbox.config_file.read_text().replace(
        "[sso-session corp]\n", f"[sso-session corp]\nssoenv_callback_port = {port}\n"
    )
    sandbox.config_file.write_text(text)
    proc = sandbox.run(["login", "dev", "--force"], env={"BROWSER": BROWSER})
    assert proc.returncode == 0, proc.stderr
    assert f"127.0.0.1%3A{port}%2Foauth" in proc.stderr
