"""The logout sweep (like ``aws sso logout``): revoke and delete every cached SSO token and every
cached SSO role credential; client registrations are kept. The command layer prints the result."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from ssoenv.credentials import cache
from ssoenv.paths import Paths


class LoggedOut(NamedTuple):
    sessions: list[tuple[str, Path]]  # (start URL, or the file name when the file has none; removed file)
    role_files: list[Path]


def logout_everything(paths: Paths) -> LoggedOut:
    """Tell the portal (briefly, errors ignored) and delete the files; never raises for one bad file."""
    from ssoenv.remote.portal import logout_quietly

    sessions: list[tuple[str, Path]] = []
    for path, data in cache.cached_tokens(paths):
        region, access = data.get("region"), data.get("accessToken")
        if isinstance(region, str) and isinstance(access, str) and region:
            logout_quietly(region, access)
        path.unlink(missing_ok=True)
        sessions.append((str(data.get("startUrl") or path.name), path))
    role_files = cache.sso_role_credential_files(paths)
    for path in role_files:
        path.unlink(missing_ok=True)
    return LoggedOut(sessions, role_files)
