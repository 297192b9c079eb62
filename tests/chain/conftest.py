"""A sandbox with role chains on an SSO profile, and the emulator's IAM roles they assume.

``dev-sso`` (SSO) → ``hub-admin`` (role in 111111111111) → ``workload-deploy`` (role in
222222222222) → ``workload-audit`` (role in 333333333333): one, two and three ``AssumeRole`` hops.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ssoenv.emulator import Emulator
from tests.conftest import BROWSER, START_URL, Sandbox, new_sandbox

AWS = str(Path(sys.executable).parent / "aws")
HUB = "arn:aws:iam::111111111111:role/hub-admin"
DEPLOY = "arn:aws:iam::222222222222:role/deploy"
AUDIT = "arn:aws:iam::333333333333:role/audit"
PARTNER = "arn:aws:iam::222222222222:role/partner"
MFA_ROLE = "arn:aws:iam::222222222222:role/break-glass"
MFA_SERIAL = "arn:aws:iam::111111111111:mfa/jane"
MFA_SECRET = "JBSWY3DPEHPK3PXP"

CHAIN_CONFIG = f"""
[profile dev-sso]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = AdministratorAccess
region = eu-west-1

[profile hub-admin]
role_arn = {HUB}
source_profile = dev-sso
role_session_name = jane

[profile workload-deploy]
role_arn = {DEPLOY}
source_profile = hub-admin
region = us-east-2

[profile workload-audit]
role_arn = {AUDIT}
source_profile = workload-deploy
duration_seconds = 1800

[profile partner]
role_arn = {PARTNER}
source_profile = hub-admin
external_id = s3cret-42

[profile break-glass]
role_arn = {MFA_ROLE}
source_profile = dev-sso
mfa_serial = {MFA_SERIAL}

[profile forbidden]
role_arn = arn:aws:iam::222222222222:role/not-trusted
source_profile = dev-sso

[sso-session corp]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""


def setup_iam(emu: Emulator) -> None:
    iam = emu.directory.iam
    iam.add_role(HUB)
    iam.add_role(DEPLOY)
    iam.add_role(AUDIT)
    iam.add_role(PARTNER, external_id="s3cret-42")
    iam.add_role(MFA_ROLE, mfa=True)
    iam.add_mfa_device(MFA_SERIAL, MFA_SECRET)


def chain_sandbox(tmp_path: Path, emulator: Emulator) -> Sandbox:
    """Logged in to ``corp`` (by ssoenv, through the emulator's scripted browser)."""
    emulator.directory.add_account("333333333333", "audit", roles=["ReadOnly"])
    setup_iam(emulator)
    sb = new_sandbox(tmp_path, emulator, textwrap.dedent(CHAIN_CONFIG).lstrip("\n"))
    sb.run(["login", "dev-sso"], env={"BROWSER": BROWSER}, check=True)
    return sb


@pytest.fixture
def chain(tmp_path: Path, emulator: Emulator) -> Sandbox:
    return chain_sandbox(tmp_path, emulator)


def aws(sb: Sandbox, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [AWS, *args, "--output", "json"],
        env={**sb.env, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=sb.home,
    )
