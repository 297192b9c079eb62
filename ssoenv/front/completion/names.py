"""The names TAB offers from the config file: profiles and sso-sessions.

Read by :mod:`ssoenv.config.ini`, the reader every command uses, so TAB offers exactly the names
``use`` and ``list`` know (none when botocore would refuse the file). The file is the one
:mod:`ssoenv.envpaths` names; a big file that ``use``/``list`` noted as read without fault
(:func:`ssoenv.config.ini.noted`) is scanned by its header lines only. A candidate is one line:
names holding control characters are left out.
"""

from __future__ import annotations

import os

from ssoenv import envpaths
from ssoenv.config import ini

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


def _one_line(names: Iterable[str]) -> list[str]:
    return [name for name in names if name.isprintable() or not any(c < " " or c == "\x7f" for c in name)]


def scan_config(text: str, kind: str = "profile") -> list[str]:
    """Names of the ``[profile NAME]`` (and ``[default]``) or ``[sso-session NAME]`` sections, in file order."""
    return _one_line(ini.section_names(text, kind))


def read_names(environ: Mapping[str, str], kind: str = "profile") -> list[str]:
    """The names of one kind in the config file; [] when it cannot be read."""
    path = envpaths.config_file(environ)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    if ini.noted(data, os.path.join(envpaths.lock_dir(environ), ini.stamp_name(path))):
        return _one_line(ini.plain_names(text, kind))
    return scan_config(text, kind)
