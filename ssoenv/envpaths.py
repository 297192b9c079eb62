"""Where the AWS files are, from an environment, as plain strings: botocore's rules, written once.

``AWS_CONFIG_FILE`` / ``AWS_SHARED_CREDENTIALS_FILE`` (``~`` and ``$VAR`` expanded against the
given environment, not the process's), else ``~/.aws/config`` / ``~/.aws/credentials``; the caches
live under ``~/.aws`` (``HOME`` only). It imports nothing beyond ``os`` so that TAB completion can
read it without ``pathlib`` or ``typing``; :mod:`ssoenv.paths` builds its ``Paths`` on it.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

CONFIG_DEFAULT = "~/.aws/config"
CREDENTIALS_DEFAULT = "~/.aws/credentials"
#: our own notes and lock files, relative to HOME (never among the AWS CLI's cache files)
LOCK_DIR = os.path.join(".aws", "sso", "ssoenv-locks")


def home(environ: Mapping[str, str]) -> str:
    return environ.get("HOME") or os.path.expanduser("~")


def expand(value: str, environ: Mapping[str, str]) -> str:
    """``~`` and ``$VAR`` / ``${VAR}`` expansion as botocore does it, but against ``environ``."""
    if value == "~" or value.startswith(("~/", "~" + os.sep)):
        value = home(environ) + value[1:]
    if "$" in value:
        for key in sorted(environ, key=len, reverse=True):
            value = value.replace("${" + key + "}", environ[key]).replace("$" + key, environ[key])
    return value


def config_file(environ: Mapping[str, str]) -> str:
    return expand(environ.get("AWS_CONFIG_FILE") or CONFIG_DEFAULT, environ)


def credentials_file(environ: Mapping[str, str]) -> str:
    return expand(environ.get("AWS_SHARED_CREDENTIALS_FILE") or CREDENTIALS_DEFAULT, environ)


def lock_dir(environ: Mapping[str, str]) -> str:
    return os.path.join(home(environ), LOCK_DIR)
