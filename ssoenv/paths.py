"""Every file location ssoenv reads or writes, resolved from an injectable environment.

The AWS CLI and botocore put their caches under ``~/.aws`` (``HOME`` only; no variable moves
them) and read the config from ``AWS_CONFIG_FILE`` / ``AWS_SHARED_CREDENTIALS_FILE``; those rules
are :mod:`ssoenv.envpaths` (plain strings, for TAB completion), made ``Path`` objects here.
ssoenv's own state that is not the AWS CLI's business (the picker's history of uses) lives in the
XDG state directory: ``$XDG_STATE_HOME/ssoenv`` (``~/.local/state/ssoenv`` by default).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from ssoenv import envpaths


class Paths(NamedTuple):
    home: Path
    config_file: Path
    credentials_file: Path

    @property
    def aws_dir(self) -> Path:
        return self.home / ".aws"

    @property
    def sso_cache_dir(self) -> Path:
        """Token and client-registration cache (shared with the AWS CLI)."""
        return self.aws_dir / "sso" / "cache"

    @property
    def cli_cache_dir(self) -> Path:
        """Role-credential cache in AWS CLI v2's format."""
        return self.aws_dir / "cli" / "cache"

    @property
    def lock_dir(self) -> Path:
        """Our own lock files (never inside the AWS CLI's cache folders' namespace of JSON files)."""
        return self.home / envpaths.LOCK_DIR

    @property
    def config_lock(self) -> Path:
        return self.config_file.parent / f".{self.config_file.name}.ssoenv-lock"


def resolve_paths(environ: Mapping[str, str] | None = None) -> Paths:
    env = os.environ if environ is None else environ
    return Paths(
        home=Path(envpaths.home(env)),
        config_file=Path(envpaths.config_file(env)),
        credentials_file=Path(envpaths.credentials_file(env)),
    )


def state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """ssoenv's folder in the XDG state directory: ``$XDG_STATE_HOME/ssoenv``, else
    ``~/.local/state/ssoenv`` (a relative ``XDG_STATE_HOME`` is ignored, as the XDG spec says)."""
    env = os.environ if environ is None else environ
    xdg = env.get("XDG_STATE_HOME", "")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "ssoenv"
    home = env.get("HOME") or os.path.expanduser("~")
    return Path(home) / ".local" / "state" / "ssoenv"


def history_file(environ: Mapping[str, str] | None = None) -> Path:
    """The picker's history of uses (profile names, directories and times; ``ssoenv.ui.frecency``)."""
    return state_dir(environ) / "history"


def data_dir(kind: str) -> Path:
    """Folder of the packaged scripts: ``kind`` is ``shell`` or ``completions``.

    In a wheel they live in ``ssoenv/_data/<kind>``; in a source checkout or an editable install
    they are the top-level folders beside the package.
    """
    here = Path(__file__).resolve().parent
    packaged = here / "_data" / kind
    if packaged.is_dir():
        return packaged
    return here.parent / kind


def xdg_data_home(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_DATA_HOME`` when it is an absolute path, else ``~/.local/share`` (the XDG default)."""
    env = os.environ if environ is None else environ
    value = env.get("XDG_DATA_HOME", "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path(env.get("HOME") or os.path.expanduser("~")) / ".local" / "share"


def dir_trust_file(environ: Mapping[str, str] | None = None) -> Path:
    """The directory profiles you allowed (``ssoenv allow``): each ``.ssoenv`` with its content's
    SHA-256, in ``$XDG_DATA_HOME/ssoenv/allowed.json`` (0600, in a 0700 folder)."""
    return xdg_data_home(environ) / "ssoenv" / "allowed.json"
