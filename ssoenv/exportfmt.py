"""The ``ssoenv export`` formats: the AWS CLI's six (values quoted correctly) plus json and dotenv.

Each formatter turns role credentials into text. Unlike the AWS CLI, values are quoted for
their target, so the output is safe to eval whatever a value holds.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable

from ssoenv.cache import RoleCredentials

FORMATS = ("process", "env", "env-no-export", "fish", "powershell", "windows-cmd", "json", "dotenv")

_SAFE_DOTENV = re.compile(r"^[A-Za-z0-9_./+=:@%-]*$")


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


def _fish_quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _pwsh_quote(value: str) -> str:
    for quote in ("'", "\u2018", "\u2019", "\u201a", "\u201b"):
        value = value.replace(quote, quote + quote)
    return "'" + value + "'"


def _cmd_value(value: str) -> str:
    return value.replace("^", "^^").replace("%", "%%").replace('"', '^"')


def _dotenv_value(value: str) -> str:
    if _SAFE_DOTENV.match(value):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("\n", "\\n")
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


def _lines(template: Callable[[str, str], str]) -> Callable[[RoleCredentials], str]:
    def render(creds: RoleCredentials) -> str:
        return "".join(template(k, v) + "\n" for k, v in variables(creds))

    return render


_RENDERERS: dict[str, Callable[[RoleCredentials], str]] = {
    "process": _process,
    "env": _lines(lambda k, v: f"export {k}={shlex.quote(v)}"),
    "env-no-export": _lines(lambda k, v: f"{k}={shlex.quote(v)}"),
    "fish": _lines(lambda k, v: f"set -gx {k} {_fish_quote(v)}"),
    "powershell": _lines(lambda k, v: f"$Env:{k}={_pwsh_quote(v)}"),
    "windows-cmd": _lines(lambda k, v: f'set "{k}={_cmd_value(v)}"'),
    "dotenv": _lines(lambda k, v: f"{k}={_dotenv_value(v)}"),
    "json": lambda creds: json.dumps(dict(variables(creds)), indent=2) + "\n",
}


def render(fmt: str, creds: RoleCredentials) -> str:
    return _RENDERERS[fmt](creds)
