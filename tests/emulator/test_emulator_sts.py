"""STS GetCallerIdentity, console federation, and the real AWS CLI v1 against the emulator."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from botocore.exceptions import ClientError
from emulator_helpers import Kit, raw_get

from ssoenv.emulator import Emulator

ARN = re.compile(
    r"^arn:aws:sts::(\d{12}):assumed-role/AWSReservedSSO_([\w+=,.@-]+)_([0-9a-f]{16})/demo\.user@example\.com$"
)


def test_caller_identity_of_issued_credentials(kit: Kit) -> None:
    token = kit.device_login()["accessToken"]
    creds = kit.role_credentials(token, "222222222222", "AdministratorAccess")
    ident = kit.sts_for(creds).get_caller_identity()
    match = ARN.match(ident["Arn"])
    assert match, ident["Arn"]
    assert match.group(1) == "222222222222" and match.group(2) == "AdministratorAccess"
    assert ident["Account"] == "222222222222"
    assert re.fullmatch(r"AROA[A-Z0-9]{17}:demo\.user@example\.com", ident["UserId"])
    assert kit.emu.identity(creds["accessKeyId"]) == {k: ident[k] for k in ("Arn", "UserId", "Account")}
    # deterministic: same account/role → same ARN, another role → another suffix
    again = kit.sts_for(kit.role_credentials(token, "222222222222", "AdministratorAccess")).get_caller_identity()
    other = kit.sts_for(kit.role_credentials(token, "222222222222", "ReadOnly")).get_caller_identity()
    assert again["Arn"] == ident["Arn"] and again["UserId"] == ident["UserId"]
    assert other["Arn"] != ident["Arn"]
    rec = kit.emu.requests[-1]
    assert (rec.operation, rec.method, rec.path, rec.status) == ("GetCallerIdentity", "POST", "/", 200)


def test_expired_and_unknown_credentials(make_kit: Callable[..., Kit]) -> None:
    kit = make_kit(role_ttl=900)
    token = kit.device_login()["accessToken"]
    creds = kit.role_credentials(token)
    sts = kit.sts_for(creds)
    assert sts.get_caller_identity()["Account"] == "111111111111"
    kit.emu.advance(901)
    with pytest.raises(ClientError) as info:
        sts.get_caller_identity()
    assert info.value.response["Error"]["Code"] == "ExpiredToken"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400

    unknown = kit.sts_for({**creds, "accessKeyId": "ASIAUNKNOWNUNKNOWN00"})
    with pytest.raises(ClientError) as info:
        unknown.get_caller_identity()
    assert info.value.response["Error"]["Code"] == "InvalidClientTokenId"
    forged = kit.sts_for({**creds, "sessionToken": "forged"})
    with pytest.raises(ClientError, match="InvalidClientTokenId"):
        forged.get_caller_identity()
    kit.emu.inject("GetCallerIdentity", status=403, error_type="AccessDenied")
    with pytest.raises(ClientError, match="AccessDenied"):
        forged.get_caller_identity()


def test_role_ttl_change_applies_to_new_credentials(kit: Kit) -> None:
    token = kit.device_login()["accessToken"]
    kit.emu.config.role_ttl = 60
    creds = kit.role_credentials(token)
    assert abs(creds["expiration"] / 1000 - (time.time() + 60)) < 5


def test_federation(kit: Kit) -> None:
    token = kit.device_login()["accessToken"]
    creds = kit.role_credentials(token)
    session = json.dumps(
        {
            "sessionId": creds["accessKeyId"],
            "sessionKey": creds["secretAccessKey"],
            "sessionToken": creds["sessionToken"],
        }
    )
    url = f"{kit.emu.url}/federation?Action=getSigninToken&Session={quote(session)}"
    status, headers, body = raw_get(url)
    assert status == 200 and headers["content-type"].startswith("application/json")
    signin = json.loads(body)["SigninToken"]
    assert signin

    destination = "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"
    login = f"{kit.emu.url}/federation?" + urlencode(
        {"Action": "login", "Issuer": "ssoenv", "Destination": destination, "SigninToken": signin}
    )
    status, headers, _ = raw_get(login)
    assert status == 302 and headers["location"] == destination

    wrong_key = quote(session.replace(creds["secretAccessKey"], "x"))
    bad = f"{kit.emu.url}/federation?Action=getSigninToken&Session={wrong_key}"
    assert raw_get(bad)[0] == 400
    assert raw_get(login.replace("SigninToken=", "SigninToken=zz"))[0] == 400
    assert raw_get(url + "&SessionDuration=60")[0] == 400
    assert raw_get(url + "&SessionDuration=3600")[0] == 200
    log = json.dumps([r.to_dict() for r in kit.emu.requests])
    assert creds["secretAccessKey"] not in log and signin not in log
    assert [r.operation for r in kit.emu.requests[-6:]] == [
        "GetSigninToken",
        "Login",
        "GetSigninToken",
        "Login",
        "GetSigninToken",
        "GetSigninToken",
    ]


def _write_token(home: Path, name: str, token: str) -> None:
    cache = home / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    content = {
        "startUrl": "https://d-1234567890.awsapps.com/start",
        "region": "us-east-1",
        "accessToken": token,
        "expiresAt": expires,
    }
    (cache / f"{hashlib.sha1(name.encode()).hexdigest()}.json").write_text(json.dumps(content))


def test_aws_cli_v1_get_caller_identity(sandbox: Any, emulator: Emulator) -> None:
    aws = Path(sys.executable).parent / "aws"
    if not aws.exists():
        pytest.skip("the AWS CLI v1 (pip awscli) is not installed next to this Python")
    home: Path = sandbox.home
    env: dict[str, str] = dict(sandbox.env)
    kit = Kit(emulator)
    token = kit.device_login()["accessToken"]
    _write_token(home, "corp", token)  # sso-session "corp" of the standard config

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(aws), *args, "--output", "json"],
            env=env,
            cwd=home,
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )

    proc = run("sts", "get-caller-identity", "--profile", "dev")
    assert proc.returncode == 0, proc.stderr
    ident = json.loads(proc.stdout)
    assert ident["Account"] == "111111111111"
    assert ARN.match(ident["Arn"]) and "AWSReservedSSO_AdministratorAccess_" in ident["Arn"]
    ops = [r.operation for r in emulator.requests]
    assert ops[-2:] == ["GetRoleCredentials", "GetCallerIdentity"]
    assert emulator.requests[-2].query == {"role_name": "AdministratorAccess", "account_id": "111111111111"}

    # a revoked session: the CLI reports the SSO error and fails
    emulator.revoke_all_tokens()
    proc = run("sts", "get-caller-identity", "--profile", "dev")
    assert proc.returncode != 0
    assert "SSO session" in proc.stderr or "expired" in proc.stderr.lower(), proc.stderr
