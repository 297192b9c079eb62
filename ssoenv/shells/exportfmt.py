"""The ``ssoenv export`` formats: the AWS CLI's six (values quoted correctly) plus json, dotenv and
sts-json (the shape ``aws sts assume-role`` prints).

Each formatter turns role credentials into text. Unlike the AWS CLI, values are quoted for
their target, so the output is safe to eval whatever a value holds: ``env``, ``fish`` and
``powershell`` use the shell dialects' own quoting (``ssoenv.shells``: one quoting function per
shell); only ``windows-cmd`` and ``dotenv``, which no dialect serves, are quoted here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from ssoenv.credentials.cache import RoleCredentials
from ssoenv.errors import UsageError
from ssoenv.front.clispec import EXPORT_FORMATS
from ssoenv.shells.fish import fish_quote
from ssoenv.shells.posix import posix_quote
from ssoenv.shells.pwsh import pwsh_quote

FORMATS = EXPORT_FORMATS  # the names live in the CLI's one table; _RENDERERS must serve each

_SAFE_DOTENV = re.compile(r"[A-Za-z0-9_./+=:@%-]*\Z")  # \Z: "$" would let a final newline through
# inside double quotes, the escapes dotenv readers agree on (python-dotenv, node's dotenv, compose)
_DOTENV_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_DOTENV_SPECIAL = re.compile(r'[\\"\n\r\t]')
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # C0, DEL and C1


def iso_expiration(creds: RoleCredentials) -> str:
    """``2026-11-26T07:35:34+00:00``: what ``aws configure export-credentials`` prints."""
    return creds.expiration.replace(microsecond=0).isoformat()


def variables(creds: RoleCredentials) -> list[tuple[str, str]]:
    return [
        ("AWS_ACCESS_KEY_ID", creds.access_key_id),
        ("AWS_SECRET_ACCESS_KEY", creds.secret_access_key),
        ("AWS_SESSION_TOKEN", creds.session_token),
        ("AWS_CREDENTIAL_EXPIRATION", iso_expiration(creds)),
    ]


def _cmd_value(value: str) -> str:
    return value.replace("^", "^^").replace("%", "%%").replace('"', '^"')


def _dotenv_value(value: str) -> str:
    """Bare when plain; in single quotes (literal for every reader) when it holds no ``'`` and no
    control character; else in double quotes with ``\\ \" \n \r \t`` escaped. What has no escape
    that readers agree on (other control characters; ``$``, which some expand, inside double quotes)
    is refused with one line rather than written raw."""
    if _SAFE_DOTENV.match(value):
        return value
    bad = _CONTROL.search(value)
    if bad is None and "'" not in value and "\\" not in value:
        return f"'{value}'"
    escaped = _DOTENV_SPECIAL.sub(lambda m: _DOTENV_ESCAPES[m.group()], value)
    bad = _CONTROL.search(escaped) or re.search(r"\$", escaped)
    if bad:
        char = bad.group()
        raise UsageError(
            f"a credential value holds {char!r}, which a dotenv file cannot carry here",
            hint="use --format json or process",
        )
    return f'"{escaped}"'


def _process(creds: RoleCredentials) -> str:
    data = {
        "Version": 1,
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_access_key,
        "SessionToken": creds.session_token,
        "Expiration": iso_expiration(creds),
    }
    return json.dumps(data, indent=2) + "\n"


def _sts_json(creds: RoleCredentials) -> str:
    """What ``aws sts assume-role`` prints (tools such as Claude Code's ``awsCredentialExport`` read it)."""
    data = {
        "Credentials": {
            "AccessKeyId": creds.access_key_id,
            "SecretAccessKey": creds.secret_access_key,
            "SessionToken": creds.session_token,
            "Expiration": iso_expiration(creds),
        }
    }
    return json.dumps(data, indent=2) + "\n"


def _lines(template: Callable[[str, str], str]) -> Callable[[RoleCredentials], str]:
    def render(creds: RoleCredentials) -> str:
        return "".join(template(k, v) + "\n" for k, v in variables(creds))

    return render


_RENDERERS: dict[str, Callable[[RoleCredentials], str]] = {
    "process": _process,
    "env": _lines(lambda k, v: f"export {k}={posix_quote(v)}"),
    "env-no-export": _lines(lambda k, v: f"{k}={posix_quote(v)}"),
    "fish": _lines(lambda k, v: f"set -gx {k} {fish_quote(v)}"),
    "powershell": _lines(lambda k, v: f"$Env:{k}={pwsh_quote(v)}"),
    "windows-cmd": _lines(lambda k, v: f'set "{k}={_cmd_value(v)}"'),
    "dotenv": _lines(lambda k, v: f"{k}={_dotenv_value(v)}"),
    "json": lambda creds: json.dumps(dict(variables(creds)), indent=2) + "\n",
    "sts-json": _sts_json,
}


def render(fmt: str, creds: RoleCredentials) -> str:
    return _RENDERERS[fmt](creds)
