"""C: export --format sts-json and --to-credentials-file, read back by botocore itself."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap

from tests.conftest import Sandbox

EXISTING = (
    "# my keys, hand-written\r\n"
    "[default]\r\n"
    "aws_access_key_id = AKIAEXAMPLEDEFAULT\r\n"
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG\r\n"
    "\r\n"
    "; a comment about ci\r\n"
    "[ci]\r\n"
    "aws_access_key_id=AKIACI\r\n"
    "aws_secret_access_key=secretci"
)

# botocore is the oracle: what does it load for a profile, and does STS accept it?
ORACLE = textwrap.dedent(
    """
    import json, sys, botocore.session
    s = botocore.session.Session(profile=sys.argv[1])
    c = s.get_credentials().get_frozen_credentials()
    ident = s.create_client("sts", region_name="us-east-1").get_caller_identity()
    print(json.dumps({"key": c.access_key, "token": c.token, "account": ident["Account"],
                      "method": s.get_credentials().method}))
    """
)


def oracle(sb: Sandbox, profile: str) -> dict[str, str]:
    proc = subprocess.run(
        [sys.executable, "-c", ORACLE, profile], capture_output=True, text=True, env=sb.env, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def test_sts_json_is_what_assume_role_prints(logged_in: Sandbox) -> None:
    proc = logged_in.run(["export", "prod", "--format", "sts-json"])
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert list(data) == ["Credentials"]
    creds = data["Credentials"]
    assert list(creds) == ["AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"]
    assert creds["Expiration"].endswith("+00:00")
    env = {
        "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
        "AWS_SESSION_TOKEN": creds["SessionToken"],
    }
    code = "import boto3; print(boto3.client('sts', region_name='us-east-1').get_caller_identity()['Account'])"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**logged_in.env, **env}, timeout=60
    )
    assert out.stdout.strip() == "222222222222", out.stderr


def test_to_credentials_file_is_surgical_private_and_read_by_botocore(logged_in: Sandbox) -> None:
    path = logged_in.home / ".aws" / "credentials"
    path.write_bytes(EXISTING.encode())
    os.chmod(path, 0o644)
    proc = logged_in.run(["export", "prod", "--to-credentials-file", "--as", "prod-keys"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""  # nothing on stdout, no secret on the terminal
    assert "is 0600 now" in proc.stderr and "as [prod-keys]" in proc.stderr
    after = path.read_bytes()
    assert after.startswith(EXISTING.encode())  # everything that was there, byte for byte
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # the file's CRLF style; like the missing final newline it had, kept
    assert b"\r\n[prod-keys]\r\n" in after and after.endswith(b"\r\nssoenv_written = prod")
    seen = oracle(logged_in, "prod-keys")
    assert seen["method"] == "shared-credentials-file" and seen["account"] == "222222222222"
    assert seen["key"].startswith("ASIA") and seen["token"]
    # again, with new credentials: the section is updated in place, nothing else changes
    first_key = seen["key"]
    assert logged_in.run(["use", "prod", "--refresh", "--shell", "bash", "-q"]).returncode == 0
    again = logged_in.run(["export", "prod", "--to-credentials-file", "--as", "prod-keys"])
    assert again.returncode == 0, again.stderr
    text = path.read_bytes()
    assert text.startswith(EXISTING.encode()) and text.count(b"[prod-keys]") == 1
    assert oracle(logged_in, "prod-keys")["key"] != first_key
    assert not [p.name for p in path.parent.iterdir() if p.name.endswith((".tmp", ".bak"))]


def test_a_section_not_written_by_ssoenv_is_never_overwritten(logged_in: Sandbox) -> None:
    path = logged_in.home / ".aws" / "credentials"
    path.write_bytes(EXISTING.encode())
    proc = logged_in.run(["export", "dev", "--to-credentials-file", "--as", "default"])
    assert proc.returncode == 3
    assert proc.stderr.count("\n") == 1 and "was not written by ssoenv; not overwriting it" in proc.stderr
    assert path.read_bytes() == EXISTING.encode()


def test_default_name_and_usage(logged_in: Sandbox) -> None:
    assert logged_in.run(["export", "dev", "--to-credentials-file"]).returncode == 0
    path = logged_in.home / ".aws" / "credentials"
    assert path.read_text().startswith("[dev]\n") and stat.S_IMODE(path.stat().st_mode) == 0o600
    bad = logged_in.run(["export", "dev", "--as", "x"])
    assert bad.returncode == 2 and "--to-credentials-file" in bad.stderr
    weird = logged_in.run(["export", "dev", "--to-credentials-file", "--as", "profile x"])
    assert weird.returncode == 3 and "choose another name" in weird.stderr
