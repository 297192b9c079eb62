"""Serve the hot commands without click or botocore, or step aside.

``ssoenv use PROFILE`` and ``ssoenv export PROFILE`` are run at every profile switch, by the
hook's auto-refresh and as a ``credential_process`` by other tools; when role credentials are
cached they should cost little more than starting Python. This module understands just the
simple forms of those two commands (a profile and a few options). When anything is out of the
ordinary — another option, ``--help``, a terminal on stdout, no fresh cached credentials, any
error — it returns None and the full click command runs instead, which owns every message and
exit code. Both paths use the same core functions, so their output is identical.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ssoenv.config.chain import AnyProfile
    from ssoenv.config.profiles import AwsConfig
    from ssoenv.credentials.cache import RoleCredentials
    from ssoenv.paths import Paths

# the options served here, by one of their names -> the key in the parsed options; every spelling,
# and whether it is a flag, comes from the CLI's one table (ssoenv.front.clispec)
SERVED = {
    "use": {"--no-login": "no_login", "--quiet": "quiet", "--shell": "shell"},
    "export": {"--no-login": "no_login", "--format": "format"},
}


def _tables() -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    from ssoenv.front.clispec import VERBS

    flags: dict[str, dict[str, str]] = {}
    valued: dict[str, dict[str, str]] = {}
    for verb, served in SERVED.items():
        flags[verb], valued[verb] = {}, {}
        for name, key in served.items():
            opt = VERBS[verb].option(name)
            assert opt is not None, f"{verb} {name}: not in ssoenv.front.clispec"
            for spelling in opt.names:
                (flags if opt.value is None else valued)[verb][spelling] = key
    return flags, valued


_FLAGS, _VALUED = _tables()


def _parse(verb: str, args: list[str]) -> dict[str, str | bool] | None:
    opts: dict[str, str | bool] = {}
    positional: list[str] = []
    it = iter(args)
    for arg in it:
        if arg == "--":
            positional.extend(it)
            break
        if arg.startswith("-") and arg != "-":
            name, eq, value = arg.partition("=")
            if name in _VALUED[verb]:
                if not eq:
                    value = next(it, "")
                if not value:
                    return None
                opts[_VALUED[verb][name]] = value
            elif name in _FLAGS[verb] and not eq:
                opts[_FLAGS[verb][name]] = True
            else:
                return None
        else:
            positional.append(arg)
    if len(positional) != 1:
        return None
    opts["profile"] = positional[0]
    return opts


def run(verb: str, args: list[str]) -> int | None:
    """The exit code when served here; None to let the full command run."""
    if verb not in _FLAGS or os.environ.get("SSOENV_DEBUG") == "1" or os.environ.get("SSOENV_NO_FASTPATH"):
        return None
    opts = _parse(verb, args)
    if opts is None:
        return None
    try:
        if sys.stdout.isatty():
            return None
        return _use(opts) if verb == "use" else _export(opts)
    except Exception:
        return None  # the full command will say what is wrong


def _cached(profile_name: str) -> tuple[Paths, AwsConfig, AnyProfile, RoleCredentials | None]:
    """The files, the profile (SSO or a role chain) and its fresh cached credentials, if any."""
    from ssoenv.config.chain import resolve_any
    from ssoenv.config.profiles import load_config
    from ssoenv.credentials.anyprofile import cached_credentials
    from ssoenv.paths import resolve_paths

    paths = resolve_paths(os.environ)
    cfg = load_config(paths)
    profile = resolve_any(cfg, profile_name)
    return paths, cfg, profile, cached_credentials(paths, profile)


def _use(opts: dict[str, str | bool]) -> int | None:
    shell = opts.get("shell")
    if not isinstance(shell, str):
        return None  # detection needs shellingham: the full path does it
    from ssoenv.shells import get_dialect

    dialect = get_dialect(shell)
    paths, cfg, profile, creds = _cached(str(opts["profile"]))
    if creds is None:
        return None
    from ssoenv.config import guard

    if guard.needs_confirmation(cfg, profile.name, os.environ):
        return None  # the full command asks (or refuses)
    from ssoenv.auth.sessionclock import session_end
    from ssoenv.shells.envvars import activation, use_changes

    act = activation(profile, creds)._replace(
        guarded=guard.is_guarded(cfg, profile.name), session_expires_at=session_end(paths, cfg, profile.session)
    )
    code = dialect.render(use_changes(os.environ, act))
    if not opts.get("quiet"):
        from ssoenv.ui.status import say, using_message

        say(using_message(act))
    from ssoenv.stdio import write_stdout

    write_stdout(code if code.endswith("\n") else code + "\n")  # a failure before leaves stdout empty
    try:  # after the output: nothing may fail now (the full command would print it again)
        from ssoenv.ui.frecency import record

        record(profile.name)  # for the picker's order; never raises
    except Exception:  # pragma: no cover - record() swallows its own errors
        pass
    return 0


def _export(opts: dict[str, str | bool]) -> int | None:
    from ssoenv.shells.exportfmt import FORMATS, render

    fmt = opts.get("format", "process")
    if fmt not in FORMATS:
        return None
    creds = _cached(str(opts["profile"]))[3]
    if creds is None:
        return None
    from ssoenv.stdio import write_stdout

    write_stdout(render(str(fmt), creds))
    return 0
