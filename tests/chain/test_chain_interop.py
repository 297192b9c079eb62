"""Role chains end to end against the emulator: ssoenv, boto3 and the real AWS CLI v1, both ways."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from ssoenv.emulator import Emulator
from tests.chain.conftest import AUDIT, BROWSER, DEPLOY, HUB, aws
from tests.conftest import Sandbox


def _emu(sb: Sandbox) -> Emulator:
    assert sb.emulator is not None
    return sb.emulator


def _export(sb: Sandbox, profile: str, *args: str) -> dict[str, str]:
    proc = sb.run(["export", profile, "--format", "process", "--no-login", *args])
    assert proc.returncode == 0, proc.stderr
    data: dict[str, str] = json.loads(proc.stdout)
    return data


def _identity_of(sb: Sandbox, creds: dict[str, str]) -> dict[str, str]:
    code = (
        "import boto3, json, sys; c = json.load(sys.stdin);"
        "s = boto3.Session(aws_access_key_id=c['AccessKeyId'], aws_secret_access_key=c['SecretAccessKey'],"
        " aws_session_token=c['SessionToken']);"
        "print(json.dumps(s.client('sts', region_name='us-east-1').get_caller_identity()))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(creds), env=sb.env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    out: dict[str, str] = json.loads(proc.stdout)
    return out


def _cache_files(sb: Sandbox) -> dict[str, dict[str, object]]:
    return {p.name: json.loads(p.read_text()) for p in sorted(sb.cli_cache.glob("*.json"))}


def test_two_and_three_hops(chain: Sandbox) -> None:
    emu = _emu(chain)
    creds = _export(chain, "workload-deploy")
    assert _identity_of(chain, creds)["Arn"].startswith(
        "arn:aws:sts::222222222222:assumed-role/deploy/botocore-session-"
    )
    assert emu.calls("AssumeRole") == 2 and emu.calls("GetRoleCredentials") == 1
    audit = _export(chain, "workload-audit")
    assert _identity_of(chain, audit)["Arn"].startswith("arn:aws:sts::333333333333:assumed-role/audit/")
    assert emu.calls("AssumeRole") == 3  # hub-admin and deploy came from the cache
    roles = [r.detail.get("roleArn") for r in emu.requests if r.operation == "AssumeRole"]
    assert roles == [HUB, DEPLOY, AUDIT]
    left = datetime.fromisoformat(audit["Expiration"].replace("Z", "+00:00")) - datetime.now(timezone.utc)
    assert 1700 < left.total_seconds() <= 1800  # duration_seconds = 1800
    # a second run of each: zero calls
    before = len(emu.requests)
    assert _export(chain, "workload-audit") == audit
    assert len(emu.requests) == before


def test_cache_is_the_aws_clis_both_ways(chain: Sandbox) -> None:
    emu = _emu(chain)
    # AWS CLI first: it resolves the chain itself and caches each hop in ~/.aws/cli/cache
    cli = aws(chain, "sts", "get-caller-identity", "--profile", "workload-deploy")
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["Arn"].startswith("arn:aws:sts::222222222222:assumed-role/deploy/")
    assert emu.calls("AssumeRole") == 2
    written = _cache_files(chain)
    assert len(written) == 2  # hub-admin and workload-deploy (CLI v1 keeps SSO role creds in memory)
    before = len(emu.requests)
    creds = _export(chain, "workload-deploy")
    assert len(emu.requests) == before  # served from the CLI's file
    by_key = {c["Credentials"]["AccessKeyId"]: c for c in written.values()}  # type: ignore[index]
    assert creds["AccessKeyId"] in by_key
    # ssoenv first (fresh HOME cache), AWS CLI second: the CLI makes no call
    for path in chain.cli_cache.glob("*.json"):
        path.unlink()
    _export(chain, "partner")
    calls = emu.calls("AssumeRole")
    cli = aws(chain, "sts", "get-caller-identity", "--profile", "partner", "--region", "us-east-1")
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["Arn"].startswith("arn:aws:sts::222222222222:assumed-role/partner/")
    assert emu.calls("AssumeRole") == calls
    assert emu.calls("GetCallerIdentity") >= 1
    for path in chain.cli_cache.glob("*.json"):
        assert path.stat().st_mode & 0o777 == 0o600


def test_file_written_like_botocore(chain: Sandbox) -> None:
    """Same keys, same order, same Expiration spelling as botocore's JSONFileCache writes."""
    cli = aws(chain, "sts", "get-caller-identity", "--profile", "hub-admin", "--region", "us-east-1")
    assert cli.returncode == 0, cli.stderr
    (theirs,) = _cache_files(chain).values()
    for path in chain.cli_cache.glob("*.json"):
        name = path.name
        path.unlink()
    _export(chain, "hub-admin")
    ours_files = _cache_files(chain)
    assert name in ours_files  # same file name
    ours = ours_files[name]

    def shape(obj: object) -> object:
        if isinstance(obj, dict):
            return [(k, shape(v)) for k, v in obj.items() if k not in ("HTTPHeaders",)]
        return type(obj).__name__

    assert shape(ours) == shape(theirs)
    ours_exp, theirs_exp = (str(f["Credentials"]["Expiration"]) for f in (ours, theirs))  # type: ignore[index]
    assert len(ours_exp) == len(theirs_exp) and ours_exp.endswith("Z") and theirs_exp.endswith("Z")


def test_credential_process_and_aws_cli(chain: Sandbox) -> None:
    exe = f"{sys.executable} -m ssoenv"
    with chain.config_file.open("a") as f:
        f.write(f"\n[profile via-process]\ncredential_process = {exe} export workload-audit --no-login\n")
    cli = aws(chain, "sts", "get-caller-identity", "--profile", "via-process", "--region", "us-east-1")
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["Account"] == "333333333333"


def test_external_id(chain: Sandbox) -> None:
    creds = _export(chain, "partner")
    assert _identity_of(chain, creds)["Account"] == "222222222222"
    text = chain.config_file.read_text().replace("external_id = s3cret-42", "external_id = wrong")
    chain.config_file.write_text(text)
    # another external id is another cache key: a new AssumeRole, refused
    proc = chain.run(["export", "partner", "--no-login"])
    assert proc.returncode == 5, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "AccessDenied" not in lines[0] and "refused" in lines[0], lines


def test_access_denied(chain: Sandbox) -> None:
    proc = chain.run(["export", "forbidden", "--no-login"])
    assert proc.returncode == 5
    assert proc.stdout == ""
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("ssoenv: AssumeRole arn:aws:iam::222222222222:role/not-trusted") and "not authorized" in line


def test_duration_over_the_chaining_limit(chain: Sandbox) -> None:
    text = chain.config_file.read_text().replace("duration_seconds = 1800", "duration_seconds = 7200")
    chain.config_file.write_text(text)
    proc = chain.run(["export", "workload-audit", "--no-login"])
    assert proc.returncode == 3
    (line,) = proc.stderr.strip().splitlines()
    assert "1 hour session limit" in line


def test_expired_source_is_fetched_again(chain: Sandbox) -> None:
    emu = _emu(chain)
    _export(chain, "workload-deploy")
    (chain.cli_cache / next(iter(_names_for(chain, "workload-deploy")))).unlink()
    emu.advance(3700)  # the emulator now sees the cached hub-admin and SSO credentials as expired
    creds = _export(chain, "workload-deploy")
    assert _identity_of(chain, creds)["Account"] == "222222222222"
    assert emu.calls("GetRoleCredentials") == 2
    # deploy from the cached hub-admin: refused; hub-admin from the cached SSO credentials: refused;
    # then new SSO credentials (GetRoleCredentials) and both hops again
    ops = [(r.operation, r.error_type) for r in emu.requests][-6:-1]
    assert ops == [
        ("AssumeRole", "ExpiredToken"),
        ("AssumeRole", "ExpiredToken"),
        ("GetRoleCredentials", None),
        ("AssumeRole", None),
        ("AssumeRole", None),
    ]


def _names_for(sb: Sandbox, profile: str) -> list[str]:
    from ssoenv.config.chain import resolve_chain
    from ssoenv.config.profiles import load_config
    from ssoenv.paths import resolve_paths

    chained = resolve_chain(load_config(resolve_paths(sb.env)), profile)
    return [f"{chained.hops[-1].cache_key}.json"]


def test_not_logged_in(chain: Sandbox) -> None:
    for path in chain.sso_cache.glob("*.json"):
        path.unlink()
    proc = chain.run(["export", "workload-deploy", "--no-login"])
    assert proc.returncode == 4
    (line,) = proc.stderr.strip().splitlines()
    assert "not logged in" in line


def test_second_use_makes_no_call(chain: Sandbox) -> None:
    emu = _emu(chain)
    first = chain.run(["use", "--shell", "bash", "workload-deploy"])
    assert first.returncode == 0, first.stderr
    assert "export SSOENV_ACCOUNT_ID=222222222222" in first.stdout
    assert "export SSOENV_ROLE_NAME=deploy" in first.stdout
    assert "using workload-deploy (222222222222/deploy, us-east-2" in first.stderr
    before = len(emu.requests)
    for fast in ("", "1"):
        again = chain.run(["use", "--shell", "bash", "workload-deploy"], env={"SSOENV_NO_FASTPATH": fast})
        assert again.returncode == 0, again.stderr
        assert again.stdout.replace("SSOENV_SAVED", "").count("AWS_ACCESS_KEY_ID") == 1
    assert len(emu.requests) == before


@pytest.mark.parametrize("fmt", ["env", "fish", "powershell", "json", "dotenv", "process"])
def test_every_export_format(chain: Sandbox, fmt: str) -> None:
    proc = chain.run(["export", "hub-admin", "--format", fmt, "--no-login"])
    assert proc.returncode == 0, proc.stderr
    assert "ASIA" in proc.stdout


def test_list_shows_the_chain(chain: Sandbox) -> None:
    proc = chain.run(["list", "--json"])
    assert proc.returncode == 0, proc.stderr
    rows = {r["profile"]: r for r in json.loads(proc.stdout)}
    assert rows["workload-audit"]["chain"] == ["workload-deploy", "hub-admin", "dev-sso"]
    assert rows["workload-deploy"]["account_id"] == "222222222222" and rows["workload-deploy"]["role_name"] == "deploy"
    assert rows["workload-deploy"]["state"] == "valid"
    table = chain.run(["list"], env={"COLUMNS": "200"}).stdout  # room for the whole chain
    assert "hub-admin → dev-sso" in table


def test_whoami_and_exec(chain: Sandbox) -> None:
    proc = chain.run(["whoami", "workload-deploy", "--json", "--no-login"])
    assert proc.returncode == 0, proc.stderr
    who = json.loads(proc.stdout)
    assert who["Account"] == "222222222222" and who["Role"] == "deploy"
    proc = chain.run(
        [
            "exec",
            "--no-login",
            "workload-audit",
            "--",
            sys.executable,
            "-c",
            "import os; print(os.environ['SSOENV_ACCOUNT_ID'], os.environ['AWS_ACCESS_KEY_ID'][:4])",
        ]
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["333333333333", "ASIA"]


def test_console_with_chained_credentials(chain: Sandbox) -> None:
    proc = chain.run(["console", "partner", "--print", "--no-login"])
    assert proc.returncode == 0, proc.stderr
    assert "SigninToken=" in proc.stdout


def test_login_by_a_chained_profile_logs_in_to_its_root(chain: Sandbox) -> None:
    for path in chain.sso_cache.glob("*.json"):
        path.unlink()
    hint = chain.run(["use", "--shell", "bash", "--no-login", "workload-deploy"])
    assert hint.returncode == 4 and "ssoenv login workload-deploy" in hint.stderr
    proc = chain.run(["login", "workload-deploy"], env={"BROWSER": BROWSER})
    assert proc.returncode == 0, proc.stderr
    assert "(sso-session corp)" in proc.stderr
    assert chain.run(["export", "workload-deploy", "--no-login"]).returncode == 0


def test_cached_chain_served_without_botocore_and_like_the_full_command(chain: Sandbox) -> None:
    assert chain.run(["export", "workload-deploy", "--no-login"]).returncode == 0  # fills the caches
    emu = _emu(chain)
    before = len(emu.requests)
    for args in (["use", "workload-deploy", "--shell", "bash"], ["export", "workload-deploy", "--format", "env"]):
        code = (
            f"import sys; sys.argv = ['ssoenv', *{args!r}]\n"
            "from ssoenv.front.entry import main\n"
            "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'click'))\n"
            "print('IMPORTED', bad, file=sys.stderr); sys.exit(code)"
        )
        proc = subprocess.run(
            [sys.executable, "-c", code], env=chain.env, capture_output=True, text=True, timeout=60, cwd=chain.home
        )
        assert proc.returncode == 0, proc.stderr
        assert "IMPORTED []" in proc.stderr
        full = chain.run(args, env={"SSOENV_NO_FASTPATH": "1"})
        assert full.stdout == proc.stdout
        assert full.stderr == proc.stderr.replace("IMPORTED []\n", "")
    assert len(emu.requests) == before
