"""STS AssumeRole in the emulator, driven by real boto3: signatures, limits, trust, errors."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError
from emulator_helpers import Kit

from ssoenv.emulator.iam import totp

HUB = "arn:aws:iam::111111111111:role/hub-admin"
DEPLOY = "arn:aws:iam::222222222222:role/path/deploy"
MFA_SERIAL = "arn:aws:iam::111111111111:mfa/jane"
SECRET = "JBSWY3DPEHPK3PXP"


def _sso_sts(kit: Kit) -> Any:
    token = kit.device_login()["accessToken"]
    return kit.sts_for(kit.role_credentials(token, "111111111111", "AdministratorAccess"))


def _as_creds(response: dict[str, Any]) -> dict[str, Any]:
    c = response["Credentials"]
    return {"accessKeyId": c["AccessKeyId"], "secretAccessKey": c["SecretAccessKey"], "sessionToken": c["SessionToken"]}


def _code(info: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    r = info.value.response
    return r["Error"]["Code"], r["ResponseMetadata"]["HTTPStatusCode"]


def test_two_hops_and_identity(kit: Kit) -> None:
    kit.emu.directory.iam.add_role(HUB)
    kit.emu.directory.iam.add_role(DEPLOY)
    first = _sso_sts(kit).assume_role(RoleArn=HUB, RoleSessionName="jane")
    assert first["AssumedRoleUser"]["Arn"] == "arn:aws:sts::111111111111:assumed-role/hub-admin/jane"
    assert re.fullmatch(r"AROA[A-Z0-9]{17}:jane", first["AssumedRoleUser"]["AssumedRoleId"])
    left = first["Credentials"]["Expiration"].timestamp() - kit.emu.now()
    assert 3590 < left <= 3600
    second = kit.sts_for(_as_creds(first)).assume_role(RoleArn=DEPLOY, RoleSessionName="ci", DurationSeconds=900)
    ident = kit.sts_for(_as_creds(second)).get_caller_identity()
    assert ident["Account"] == "222222222222"
    assert ident["Arn"] == "arn:aws:sts::222222222222:assumed-role/deploy/ci"
    assert kit.emu.calls("AssumeRole") == 2
    assert [r.detail.get("roleArn") for r in kit.emu.requests if r.operation == "AssumeRole"] == [HUB, DEPLOY]


def test_signature_is_verified(kit: Kit) -> None:
    kit.emu.directory.iam.add_role(HUB)
    token = kit.device_login()["accessToken"]
    creds = kit.role_credentials(token, "111111111111", "AdministratorAccess")
    forged = kit.sts_for({**creds, "secretAccessKey": "not-the-secret"})
    with pytest.raises(ClientError) as info:
        forged.assume_role(RoleArn=HUB, RoleSessionName="x1")
    assert _code(info) == ("SignatureDoesNotMatch", 403)
    unknown = kit.sts_for({**creds, "accessKeyId": "ASIAUNKNOWNUNKNOWN00"})
    with pytest.raises(ClientError) as info:
        unknown.assume_role(RoleArn=HUB, RoleSessionName="x1")
    assert _code(info) == ("InvalidClientTokenId", 403)


@pytest.mark.parametrize(
    ("arn", "duration", "code"),
    [
        ("arn:aws:iam::111111111111:user/hub-admin", 3600, "ValidationError"),
        ("arn:aws:iam::111111111111:hub-admin", 3600, "ValidationError"),
        (HUB, 43201, "ValidationError"),
        (HUB, 7200, "ValidationError"),  # role chaining: at most one hour
        ("arn:aws:iam::111111111111:role/not-trusted", 3600, "AccessDenied"),
    ],
)
def test_refusals(kit: Kit, arn: str, duration: int, code: str) -> None:
    kit.emu.directory.iam.add_role(HUB, max_session_duration=43200)
    with pytest.raises(ClientError) as info:
        _sso_sts(kit).assume_role(RoleArn=arn, RoleSessionName="jane", DurationSeconds=duration)
    assert _code(info) == (code, 403 if code == "AccessDenied" else 400)


def test_external_id(kit: Kit) -> None:
    kit.emu.directory.iam.add_role(HUB, external_id="s3cret")
    sts = _sso_sts(kit)
    for kwargs in ({}, {"ExternalId": "wrong-one"}):
        with pytest.raises(ClientError) as info:
            sts.assume_role(RoleArn=HUB, RoleSessionName="jane", **kwargs)
        assert _code(info) == ("AccessDenied", 403)
    assert sts.assume_role(RoleArn=HUB, RoleSessionName="jane", ExternalId="s3cret")["Credentials"]


def test_mfa(kit: Kit) -> None:
    kit.emu.directory.iam.add_role(HUB, mfa=True)
    kit.emu.directory.iam.add_mfa_device(MFA_SERIAL, SECRET)
    sts = _sso_sts(kit)
    with pytest.raises(ClientError) as info:
        sts.assume_role(RoleArn=HUB, RoleSessionName="jane")
    assert _code(info) == ("AccessDenied", 403)
    wrong = "000000" if totp(SECRET, kit.emu.now()) != "000000" else "111111"
    with pytest.raises(ClientError) as info:
        sts.assume_role(RoleArn=HUB, RoleSessionName="jane", SerialNumber=MFA_SERIAL, TokenCode=wrong)
    assert "MultiFactorAuthentication failed" in info.value.response["Error"]["Message"]
    ok = sts.assume_role(RoleArn=HUB, RoleSessionName="jane", SerialNumber=MFA_SERIAL, TokenCode=totp(SECRET))
    assert ok["Credentials"]["AccessKeyId"].startswith("ASIA")


def test_expired_caller(make_kit: Any) -> None:
    kit = make_kit(role_ttl=900)
    kit.emu.directory.iam.add_role(HUB)
    sts = _sso_sts(kit)
    kit.emu.advance(901)
    with pytest.raises(ClientError) as info:
        sts.assume_role(RoleArn=HUB, RoleSessionName="jane")
    assert _code(info) == ("ExpiredToken", 400)


def test_totp_rfc6238_vector() -> None:
    # RFC 6238 appendix B, SHA-1, T = 59 s, key "12345678901234567890" (8 digits: 94287082)
    import base64

    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp(secret, 59, digits=8) == "94287082"
    assert totp(secret, 1111111109, digits=8) == "07081804"
