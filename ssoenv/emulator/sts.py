"""STS (query protocol, XML answers): GetCallerIdentity and AssumeRole.

* ``POST /`` ``Action=GetCallerIdentity``: the caller is found through the access key id of the
  SigV4 ``Credential=`` (signatures are not verified).
* ``Action=AssumeRole``: the caller must sign (SigV4, verified) with credentials the emulator
  issued; ``RoleArn`` must name a role of ``directory.iam`` (else AccessDenied), with its
  ``ExternalId`` and MFA (``SerialNumber`` + ``TokenCode``, TOTP) when its trust asks for them;
  ``DurationSeconds`` 900..43200 and at most 3600 when the caller is itself a role (always the
  case here: SSO role credentials are role sessions too), and at most the role's maximum.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import string
import time
import uuid
from typing import Final, NoReturn
from xml.sax.saxutils import escape as xml_escape

from ssoenv.emulator.iam import ROLE_ARN
from ssoenv.emulator.sigv4 import SignatureError, verify
from ssoenv.emulator.state import Handler, RoleCredentials, State, new_access_key_id
from ssoenv.emulator.wire import STS_NS, Request, Response, fail, xml_response

ACTIONS: Final = ("GetCallerIdentity", "AssumeRole")
_CREDENTIAL = re.compile(r"Credential=([A-Za-z0-9]+)/")
_ROLE_SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")


def role_hex(account_id: str, role_name: str) -> str:
    """The deterministic 16-hex suffix of ``AWSReservedSSO_<role>_<hex>``."""
    return hashlib.sha256(f"{account_id}/{role_name}".encode()).hexdigest()[:16]


def role_unique_id(account_id: str, role_name: str) -> str:
    digest = hashlib.sha256(f"role-id/{account_id}/{role_name}".encode()).digest()
    alphabet = string.ascii_uppercase + string.digits
    return "AROA" + "".join(alphabet[b % len(alphabet)] for b in digest[:17])


def identity(creds: RoleCredentials) -> tuple[str, str]:
    """(Arn, UserId) of role credentials, as STS would report them."""
    if creds.assumed_arn is not None:
        arn = f"arn:aws:sts::{creds.account_id}:assumed-role/{creds.role_name}/{creds.user}"
        return arn, f"{role_unique_id(creds.account_id, creds.role_name)}:{creds.user}"
    role = f"AWSReservedSSO_{creds.role_name}_{role_hex(creds.account_id, creds.role_name)}"
    arn = f"arn:aws:sts::{creds.account_id}:assumed-role/{role}/{creds.user}"
    return arn, f"{role_unique_id(creds.account_id, creds.role_name)}:{creds.user}"


def caller(state: State, req: Request, detail: dict[str, str]) -> RoleCredentials:
    """The issued credentials the request is made with (403/400 when unknown or expired)."""
    params = {**req.query, **req.form()}
    auth = req.header("authorization") or ""
    match = _CREDENTIAL.search(auth)
    akid = match.group(1) if match else (params.get("X-Amz-Credential", "").split("/")[0] or None)
    if not akid:
        fail(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
    detail["accessKeyId"] = akid
    with state.lock:
        creds = state.role_credentials.get(akid)
    token = req.header("x-amz-security-token") or params.get("X-Amz-Security-Token")
    if creds is None or token != creds.session_token:
        fail(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
    if state.now() >= creds.expires_at:
        fail(400, "ExpiredToken", "The security token included in the request is expired")
    return creds


def get_caller_identity(state: State, req: Request, detail: dict[str, str]) -> Response:
    creds = caller(state, req, detail)
    arn, user_id = identity(creds)
    return xml_response(
        f'<GetCallerIdentityResponse xmlns="{STS_NS}">\n'
        "  <GetCallerIdentityResult>\n"
        f"    <Arn>{xml_escape(arn)}</Arn>\n"
        f"    <UserId>{xml_escape(user_id)}</UserId>\n"
        f"    <Account>{creds.account_id}</Account>\n"
        "  </GetCallerIdentityResult>\n"
        "  <ResponseMetadata>\n"
        f"    <RequestId>{uuid.uuid4()}</RequestId>\n"
        "  </ResponseMetadata>\n"
        "</GetCallerIdentityResponse>\n"
    )


def _validation(message: str) -> NoReturn:
    fail(400, "ValidationError", message)


def assume_role(state: State, req: Request, detail: dict[str, str]) -> Response:
    source = caller(state, req, detail)
    try:
        verify(
            method=req.method,
            path=req.path,
            query=req.query,
            headers=req.headers,
            body=req.body,
            secret_key=source.secret_access_key,
        )
    except SignatureError as exc:
        fail(403, "SignatureDoesNotMatch", str(exc))
    params = {**req.query, **req.form()}
    arn = params.get("RoleArn", "")
    session_name = params.get("RoleSessionName", "")
    detail["roleArn"] = arn
    if not arn:
        _validation(
            "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null"
        )
    match = ROLE_ARN.match(arn)
    if match is None:
        fail(400, "ValidationError", f"{arn} is invalid")
    if not _ROLE_SESSION_NAME.match(session_name):
        _validation(
            f"1 validation error detected: Value '{session_name}' at 'roleSessionName' "
            "failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
        )
    raw_duration = params.get("DurationSeconds", "3600")
    if not raw_duration.isdigit():
        _validation(f"Value '{raw_duration}' at 'durationSeconds' failed to satisfy constraint")
    duration = int(raw_duration)
    if duration < 900:
        _validation(
            f"1 validation error detected: Value '{duration}' at 'durationSeconds' failed "
            "to satisfy constraint: Member must have value greater than or equal to 900"
        )
    if duration > 43200:
        _validation(
            f"1 validation error detected: Value '{duration}' at 'durationSeconds' failed "
            "to satisfy constraint: Member must have value less than or equal to 43200"
        )
    # every caller here is a role session (SSO or assumed): this is role chaining
    if duration > 3600:
        _validation(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
        )
    caller_arn, _ = identity(source)
    denied = f"User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {arn}"
    iam = state.directory.iam
    role = iam.role(arn)
    if role is None:
        fail(403, "AccessDenied", denied)
    if duration > role.max_session_duration:
        _validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    if role.external_id is not None and params.get("ExternalId") != role.external_id:
        fail(403, "AccessDenied", denied)
    if role.mfa:
        serial, code = params.get("SerialNumber"), params.get("TokenCode")
        if not serial or not code:
            fail(403, "AccessDenied", denied)
        if not iam.mfa_code_ok(serial, code, state.now()):
            fail(403, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code. ")
    creds = RoleCredentials(
        access_key_id=new_access_key_id(),
        secret_access_key=secrets.token_urlsafe(30),
        session_token="FwoGZXIvYXdzE" + base64.b64encode(secrets.token_bytes(300)).decode(),
        account_id=match.group(1),
        role_name=match.group(2),
        user=session_name,
        expires_at=float(int(state.now()) + duration),
        assumed_arn=arn,
    )
    detail["accessKeyId"] = creds.access_key_id
    with state.lock:
        state.role_credentials[creds.access_key_id] = creds
    assumed_arn, assumed_id = identity(creds)
    expiration = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(creds.expires_at))
    return xml_response(
        f'<AssumeRoleResponse xmlns="{STS_NS}">\n'
        "  <AssumeRoleResult>\n"
        "    <AssumedRoleUser>\n"
        f"      <AssumedRoleId>{xml_escape(assumed_id)}</AssumedRoleId>\n"
        f"      <Arn>{xml_escape(assumed_arn)}</Arn>\n"
        "    </AssumedRoleUser>\n"
        "    <Credentials>\n"
        f"      <AccessKeyId>{creds.access_key_id}</AccessKeyId>\n"
        f"      <SecretAccessKey>{xml_escape(creds.secret_access_key)}</SecretAccessKey>\n"
        f"      <SessionToken>{xml_escape(creds.session_token)}</SessionToken>\n"
        f"      <Expiration>{expiration}</Expiration>\n"
        "    </Credentials>\n"
        "  </AssumeRoleResult>\n"
        "  <ResponseMetadata>\n"
        f"    <RequestId>{uuid.uuid4()}</RequestId>\n"
        "  </ResponseMetadata>\n"
        "</AssumeRoleResponse>\n"
    )


HANDLERS: Final[dict[str, Handler]] = {
    "GetCallerIdentity": get_caller_identity,
    "AssumeRole": assume_role,
}
