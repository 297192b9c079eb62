"""`use` on every profile botocore can resolve: --profile-only for all, static keys, credential_process,
one line for the rest, `off` undoing each exactly, and --region for use/exec/shell."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ssoenv.shells.envvars import apply
from tests.conftest import Sandbox

OTHER_PROFILES = """
[profile keys]
aws_access_key_id = AKIAEXAMPLEKEY000001
aws_secret_access_key = secret/with'quote
region = ap-south-1

[profile proc]
credential_process = {python} {script}

[profile proc-fails]
credential_process = {python} -c "import sys; sys.stderr.write('no way\\\\n'); sys.exit(3)"

[profile web]
role_arn = arn:aws:iam::111111111111:role/web
web_identity_token_file = /nonexistent/token

[profile empty]
region = eu-north-1
"""

PROCESS = """
import json
print(json.dumps({"Version": 1, "AccessKeyId": "ASIAPROCESS000000001", "SecretAccessKey": "s",
                  "SessionToken": "tok", "Expiration": "2099-01-01T00:00:00Z", "AccountId": "444444444444"}))
"""


@pytest.fixture
def sb(chain: Sandbox) -> Sandbox:
    script = chain.home / "proc.py"
    script.write_text(PROCESS)
    with chain.config_file.open("a") as f:
        f.write(OTHER_PROFILES.format(python=sys.executable, script=script))
    return chain


def _use_json(sb: Sandbox, env: dict[str, str], *args: str) -> tuple[int, dict[str, str | None], str]:
    proc = sb.run(["use", "--shell", "json", *args], env=env)
    changes = json.loads(proc.stdout) if proc.stdout.strip() else {}
    return proc.returncode, changes, proc.stderr


def _off(sb: Sandbox, env: dict[str, str]) -> dict[str, str | None]:
    proc = sb.run(["off", "--shell", "json"], env=env)
    assert proc.returncode == 0, proc.stderr
    out: dict[str, str | None] = json.loads(proc.stdout)
    return out


def _start_env(sb: Sandbox) -> dict[str, str]:
    return {**sb.env, "AWS_PROFILE": "before", "AWS_REGION": "xx-old-1", "AWS_ACCESS_KEY_ID": "AKIAOLDOLDOLD0000000"}


@pytest.mark.parametrize("profile", ["dev-sso", "workload-deploy", "keys", "proc", "web", "empty"])
def test_profile_only_any_kind_and_off(sb: Sandbox, profile: str) -> None:
    start = _start_env(sb)
    rc, changes, err = _use_json(sb, start, "--profile-only", profile)
    assert rc == 0, err
    during = apply(start, changes)
    assert during["AWS_PROFILE"] == profile
    assert "AWS_ACCESS_KEY_ID" not in during  # the SDKs resolve the profile themselves
    assert apply(during, _off(sb, during)) == start


def test_static_keys(sb: Sandbox) -> None:
    start = _start_env(sb)
    before = len(sb.emulator.requests)  # type: ignore[union-attr]
    rc, changes, err = _use_json(sb, start, "keys")
    assert rc == 0, err
    during = apply(start, changes)
    assert during["AWS_ACCESS_KEY_ID"] == "AKIAEXAMPLEKEY000001"
    assert during["AWS_SECRET_ACCESS_KEY"] == "secret/with'quote"
    for absent in ("AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "SSOENV_EXPIRES_AT", "AWS_PROFILE"):
        assert absent not in during, absent
    assert during["AWS_REGION"] == during["AWS_DEFAULT_REGION"] == "ap-south-1"
    assert during["SSOENV_PROFILE"] == "keys"
    assert "using keys (ap-south-1, static keys)" in err
    assert len(sb.emulator.requests) == before  # type: ignore[union-attr]  # no network
    assert apply(during, _off(sb, during)) == start


def test_credential_process(sb: Sandbox) -> None:
    start = _start_env(sb)
    rc, changes, err = _use_json(sb, start, "proc")
    assert rc == 0, err
    during = apply(start, changes)
    assert during["AWS_ACCESS_KEY_ID"] == "ASIAPROCESS000000001"
    assert during["AWS_SESSION_TOKEN"] == "tok"
    assert during["AWS_CREDENTIAL_EXPIRATION"] == "2099-01-01T00:00:00Z"
    assert during["SSOENV_ACCOUNT_ID"] == "444444444444"
    assert apply(during, _off(sb, during)) == start


@pytest.mark.parametrize(
    ("profile", "code", "words"),
    [
        ("proc-fails", 6, "credential_process of profile 'proc-fails' failed (exit 3): no way"),
        ("web", 3, "uses web_identity_token_file; `ssoenv use` serves SSO profiles"),
        ("empty", 3, "uses no credentials at all"),
    ],
)
def test_one_line_for_the_rest(sb: Sandbox, profile: str, code: int, words: str) -> None:
    rc, changes, err = _use_json(sb, _start_env(sb), profile)
    assert rc == code
    assert changes == {}
    (line,) = err.strip().splitlines()
    assert words in line


def test_region_option(sb: Sandbox) -> None:
    start = _start_env(sb)
    rc, changes, err = _use_json(sb, start, "--region", "sa-east-1", "workload-deploy")
    assert rc == 0, err
    during = apply(start, changes)
    assert during["AWS_REGION"] == during["AWS_DEFAULT_REGION"] == "sa-east-1"
    assert "sa-east-1" in err
    after = apply(during, _off(sb, during))
    assert after == start and after["AWS_REGION"] == "xx-old-1"
    for verb in ("exec", "shell"):
        argv = [sys.executable, "-m", "ssoenv", verb, "--region", "sa-east-1", "keys"]
        if verb == "exec":
            argv += [
                "--",
                sys.executable,
                "-c",
                "import os; print(os.environ['AWS_REGION'], os.environ['AWS_DEFAULT_REGION'])",
            ]
            proc = subprocess.run(argv, env=sb.env, capture_output=True, text=True, timeout=60)
        else:
            env = {**sb.env, "SHELL": "/bin/sh"}
            proc = subprocess.run(
                argv,
                env=env,
                input='echo "$AWS_REGION $AWS_DEFAULT_REGION"\n',
                capture_output=True,
                text=True,
                timeout=60,
            )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.split() == ["sa-east-1", "sa-east-1"]
