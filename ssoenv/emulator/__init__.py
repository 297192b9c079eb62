"""A local, faithful emulator of AWS IAM Identity Center for tests, demos and CI.

One 127.0.0.1 port serves SSO OIDC (RegisterClient, StartDeviceAuthorization, CreateToken,
the browser pages ``/authorize`` and ``/device``), the SSO portal (GetRoleCredentials,
ListAccounts, ListAccountRoles, Logout), STS GetCallerIdentity and AssumeRole, and the console federation
endpoint, with the wire formats real botocore/boto3 and AWS CLI clients expect, plus a JSON
control plane under ``/_emulator/``. Standard library only; the core of ssoenv never imports it.

::

    from ssoenv.emulator import Emulator, EmulatorConfig
    emu = Emulator(EmulatorConfig(port=0, accounts=3, approve="auto")).start()
    os.environ.update(emu.env())     # AWS_ENDPOINT_URL_SSO / _SSO_OIDC / _STS / _SIGNIN
    emu.inject("GetRoleCredentials", status=500, count=2)
    ...
    emu.stop()

Modules (HACKING.md's map says the same): ``server`` (HTTP, :class:`Emulator`, the control
plane), ``service`` (request in, response out: routing, faults, the request log), ``wire``
(requests, answers, each service's error format), ``state`` (what the services remember), one
module per service — ``oidc``, ``approval`` (the browser's side of a login), ``portal``, ``sts``,
``federation`` — and ``iam``/``sigv4`` (the roles STS assumes, signature checks), ``config``,
``directory``, ``faults``, ``gate`` (a door that refuses connections from a given request on),
``pages``, ``browser`` (a scriptable stand-in for a web browser), ``runner`` (``ssoenv emulator``).
"""

from __future__ import annotations

from ssoenv.emulator.config import APPROVE_MODES, OPERATIONS, ApproveMode, EmulatorConfig
from ssoenv.emulator.directory import Account, Directory
from ssoenv.emulator.faults import Fault
from ssoenv.emulator.server import Emulator
from ssoenv.emulator.service import RequestRecord

__all__ = [
    "APPROVE_MODES",
    "OPERATIONS",
    "Account",
    "ApproveMode",
    "Directory",
    "Emulator",
    "EmulatorConfig",
    "Fault",
    "RequestRecord",
]
