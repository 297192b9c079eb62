"""Write role credentials into the shared credentials file, for tools that read nothing else.

``ssoenv export P --to-credentials-file [--as NAME]`` puts P's current role credentials into
``~/.aws/credentials`` (``AWS_SHARED_CREDENTIALS_FILE``) as profile NAME, with the config writer's
lossless, locked, atomic editing (``ssoenv.config.writer``): only that section's lines change,
everything else comes back byte for byte. The file is kept 0600 (tightened if it was wider). The
section is marked as written by ssoenv (``ssoenv_written = P``) so a later export may replace it;
a section that exists without the mark (someone's long-term keys) is never overwritten.

In the credentials file a section header is the bare profile name (``[NAME]``; ``[default]``).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import NamedTuple

from ssoenv.config.writer import ConfigDocument, SectionRef, check_section_name, classify_header, edit_config
from ssoenv.credentials.cache import RoleCredentials, format_timestamp
from ssoenv.errors import ConfigError
from ssoenv.fsutil import PRIVATE_FILE_MODE
from ssoenv.paths import Paths

#: marks a section as written by ssoenv; its value is the profile the credentials came from
MARKER_KEY = "ssoenv_written"
#: the expiry, under the name other writers of temporary keys use (botocore ignores it)
EXPIRES_KEY = "x_security_token_expires"


class Written(NamedTuple):
    path: Path
    name: str
    changed: bool
    tightened: bool  # the file was readable by others and is 0600 now


def section_ref(name: str) -> SectionRef:
    """The section of profile ``name`` in the credentials file (header ``[name]``)."""
    check_section_name(name)
    ref = classify_header(name)
    if ref is None or (ref.kind != "other" and ref != SectionRef.profile("default")):
        raise ConfigError(
            f"cannot write a profile named {name!r} to the credentials file",
            hint="choose another name with --as",
        )
    return ref


def _values(creds: RoleCredentials, source: str) -> dict[str, str | None]:
    return {
        "aws_access_key_id": creds.access_key_id,
        "aws_secret_access_key": creds.secret_access_key,
        "aws_session_token": creds.session_token,
        EXPIRES_KEY: format_timestamp(creds.expiration),
        MARKER_KEY: source,
    }


def _tighten(path: Path) -> bool:
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    if mode & 0o077 == 0:
        return False
    try:
        os.chmod(path, PRIVATE_FILE_MODE)
    except OSError as exc:
        raise ConfigError(f"cannot make {path} private (chmod 600): {exc.strerror}") from exc
    return True


def write_profile(paths: Paths, name: str, creds: RoleCredentials, *, source: str) -> Written:
    """Put ``creds`` into the credentials file as profile ``name`` (see the module docstring)."""
    ref = section_ref(name)
    target = paths.credentials_file
    real = Path(os.path.realpath(target))
    tightened = _tighten(real)

    def edit(doc: ConfigDocument) -> None:
        existing = doc.values(ref)
        if existing and MARKER_KEY not in existing:
            raise ConfigError(
                f"profile [{name}] in {target} was not written by ssoenv; not overwriting it",
                hint="choose another name with --as, or remove that section yourself",
            )
        doc.set_values(ref, _values(creds, source))

    # the config writer's machinery, pointed at the credentials file (lock: .credentials.ssoenv-lock);
    # no backup: it would be one more copy of secrets, and the edit is atomic and surgical anyway
    outcome = edit_config(paths._replace(config_file=target), edit, backup=False)
    return Written(target, name, outcome.changed, tightened)
