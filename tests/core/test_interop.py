"""Interop both ways with the real boto3 and the real AWS CLI v1, against the emulator."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.conftest import BROWSER, Sandbox

AWS = str(Path(sys.executable).parent / "aws")


def run_python(sandbox: Sandbox, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], env=sandbox.env, capture_output=True, text=True, timeout=60)


def test_after_ssoenv_login_boto3_and_aws_cli_need_no_login(sandbox: Sandbox) -> None:
    assert sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
    assert sandbox.run(["login", "legacy"], env={"BROWSER": BROWSER}).returncode == 0
    emu = sandbox.emulator
    assert emu is not None
    logins = emu.calls("CreateToken")
    proc = run_python(
        sandbox,
        "import boto3, json; s = boto3.Session(profile_name='dev');"
        "print(json.dumps(s.client('sts', region_name='us-east-1').get_caller_identity()))",
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["Account"] == "111111111111"
    for profile, account in (("dev", "111111111111"), ("prod", "222222222222"), ("legacy", "111111111111")):
        cli = subprocess.run(
            [AWS, "sts", "get-caller-identity", "--profile", profile, "--output", "json", "--region", "us-east-1"],
            env=sandbox.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert cli.returncode == 0, cli.stderr
        ident = json.loads(cli.stdout)
        assert ident["Account"] == account
    assert emu.calls("CreateToken") == logins  # nobody logged in again


def test_token_written_like_the_aws_cli_serves_ssoenv(sandbox: Sandbox) -> None:
    """A token file with only the fields the AWS CLI requires; no registration; no browser."""
    emu = sandbox.emulator
    assert emu is not None
    # obtain a real token through boto3's own device flow against the emulator
    emu.config.approve = "preapproved"
    if True:
        proc = run_python(
            sandbox,
            "import boto3;c=boto3.client('sso-oidc',region_name='us-east-1');"
            "r=c.register_client(clientName='x',clientType='public');"
            "d=c.start_device_authorization(clientId=r['clientId'],clientSecret=r['clientSecret'],"
            "startUrl='https://d-1234567890.awsapps.com/start');"
            "t=c.create_token(grantType='urn:ietf:params:oauth:grant-type:device_code',clientId=r['clientId'],"
            "clientSecret=r['clientSecret'],deviceCode=d['deviceCode']);print(t['accessToken'])",
        )
        assert proc.returncode == 0, proc.stderr
        access_token = proc.stdout.strip()
    expires = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SUTC")  # old CLI spelling
    sandbox.sso_cache.mkdir(parents=True, exist_ok=True)
    (sandbox.sso_cache / "ee0bfd2552fbd840c02cc48b6e823320543c450f.json").write_text(
        json.dumps(
            {
                "startUrl": "https://d-1234567890.awsapps.com/start",
                "region": "us-east-1",
                "accessToken": access_token,
                "expiresAt": expires,
            }
        )
    )
    calls = emu.calls("CreateToken")
    proc = sandbox.run(["use", "dev", "--shell", "bash", "--no-login"])
    assert proc.returncode == 0, proc.stderr
    assert "export AWS_ACCESS_KEY_ID=ASIA" in proc.stdout
    assert emu.calls("CreateToken") == calls
    # and the role credentials landed in AWS CLI v2's cache, which CLI v2 reuses
    cached = json.loads((sandbox.cli_cache / "16e5f373157b11b9ca274bd774686b0119407b56.json").read_text())
    assert cached["ProviderType"] == "sso"
    assert set(cached["Credentials"]) == {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration", "AccountId"}


def test_cached_export_imports_no_boto(sandbox: Sandbox) -> None:
    assert sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
    first = sandbox.run(["export", "dev", "--format", "env"])
    assert first.returncode == 0, first.stderr
    emu = sandbox.emulator
    assert emu is not None
    calls = emu.calls("GetRoleCredentials")
    code = (
        "import sys; sys.argv = ['ssoenv', 'export', 'dev', '--format', 'env'];"
        "from ssoenv.front.cli import main\n"
        "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'shellingham'))\n"
        "print('IMPORTED', bad, file=sys.stderr); sys.exit(code)"
    )
    proc = run_python(sandbox, code)
    assert proc.returncode == 0, proc.stderr
    assert "IMPORTED []" in proc.stderr
    assert proc.stdout == first.stdout
    assert emu.calls("GetRoleCredentials") == calls
    proc = run_python(sandbox, code.replace("'export', 'dev', '--format', 'env'", "'use', 'dev', '--shell', 'bash'"))
    assert proc.returncode == 0 and "IMPORTED []" in proc.stderr, proc.stderr
    proc = run_python(sandbox, code.replace("'export', 'dev', '--format', 'env'", "'list'"))
    assert proc.returncode == 0 and "IMPORTED []" in proc.stderr, proc.stderr


def test_fast_path_and_full_command_print_the_same(sandbox: Sandbox) -> None:
    assert sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}).returncode == 0
    assert sandbox.run(["export", "dev", "--format", "env"]).returncode == 0  # fills the cache
    env = {"AWS_PROFILE": "x", "AWS_REGION": "ap-south-1"}
    cases = [["use", "dev", "--shell", s] for s in ("bash", "zsh", "fish", "pwsh", "json")]
    cases += [["use", "--quiet", "--no-login", "--shell", "bash", "--", "dev"]]
    cases += [["export", "dev", "--format", f] for f in ("process", "env", "fish", "powershell", "json", "dotenv")]
    for args in cases:
        fast = sandbox.run(args, env=env)
        full = sandbox.run(args, env={**env, "SSOENV_NO_FASTPATH": "1"})
        assert fast.returncode == full.returncode == 0, (args, full.stderr)
        assert fast.stdout == full.stdout, args
        assert fast.stderr == full.stderr, args
