"""`ssoenv console`: the federation steps against the emulator; the URL never reaches a terminal."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pexpect
import pytest

from ssoenv.features.console import destination, federation_base
from tests.conftest import BROWSER, Sandbox


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@pytest.fixture
def logged_in(sandbox: Sandbox) -> Sandbox:
    assert sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
    return sandbox


def test_print_gives_a_working_signin_url(logged_in: Sandbox) -> None:
    proc = logged_in.run(["console", "dev", "--print", "--service", "s3"])
    assert proc.returncode == 0, proc.stderr
    url = proc.stdout.strip()
    emu = logged_in.emulator
    assert emu is not None
    assert url.startswith(f"{emu.url}/federation?Action=login&Issuer=ssoenv&Destination=")
    query = parse_qs(urlsplit(url).query)
    assert query["Destination"] == ["https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1"]
    assert emu.calls("GetSigninToken") == 1
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(url, timeout=10)
    assert answer.value.code == 302
    assert answer.value.headers["Location"] == query["Destination"][0]


def test_console_from_the_environment_and_in_a_browser(logged_in: Sandbox, tmp_path: Path) -> None:
    code = logged_in.run(["use", "prod", "--shell", "json", "--quiet"])
    env = {k: v for k, v in json.loads(code.stdout).items() if v is not None}
    seen = tmp_path / "opened"
    browser = tmp_path / "browser.py"
    browser.write_text(f"import sys; open({str(seen)!r}, 'w').write(sys.argv[1])\n")
    proc = logged_in.run(["console"], env={**env, "BROWSER": f"{sys.executable} {browser} %s"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "opened the AWS console" in proc.stderr
    assert "Destination=https%3A%2F%2Fus-east-2.console.aws.amazon.com%2Fconsole%2Fhome" in seen.read_text()


def test_no_url_on_a_terminal(logged_in: Sandbox) -> None:
    child = pexpect.spawn(
        sys.executable, ["-m", "ssoenv", "console", "dev", "--print"], env=logged_in.env, encoding="utf-8", timeout=30
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert "SigninToken" not in (child.before or "")


def test_expired_or_bad_credentials_are_one_line(logged_in: Sandbox) -> None:
    env = {"AWS_ACCESS_KEY_ID": "ASIAFAKE", "AWS_SECRET_ACCESS_KEY": "x", "AWS_SESSION_TOKEN": "y"}
    proc = logged_in.run(["console", "--print"], env=env)
    assert proc.returncode == 6
    assert "refused the credentials" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_hosts_per_partition() -> None:
    assert federation_base("us-east-1", {}) == "https://signin.aws.amazon.com"
    assert federation_base("eu-west-1", {}) == "https://eu-west-1.signin.aws.amazon.com"
    assert federation_base("us-gov-west-1", {}) == "https://signin.amazonaws-us-gov.com"
    assert federation_base("cn-northwest-1", {}) == "https://cn-northwest-1.signin.amazonaws.cn"
    assert federation_base("eu-west-1", {"AWS_ENDPOINT_URL_SIGNIN": "http://127.0.0.1:9/x"}) == "http://127.0.0.1:9"
    assert destination(None, None) == "https://console.aws.amazon.com/"
    assert destination("cn-north-1", "ec2") == "https://cn-north-1.console.amazonaws.cn/ec2/home?region=cn-north-1"
