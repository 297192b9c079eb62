"""``ssoenv allow`` / ``ssoenv deny`` (trust a ``.ssoenv`` file, or forget it) and ``ssoenv _dir``,
what the hook runs when you enter a tree whose ``.ssoenv`` it has not acted on yet
(``ssoenv.features.dirprofile``)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ssoenv.features import dirprofile
from ssoenv.front.cli import emit
from ssoenv.front.cli.common import say


@click.command("allow")
@click.argument("path", required=False)
def allow_command(path: str | None) -> None:
    """Let ssoenv act on the .ssoenv file in PATH (a folder or the file; default: the nearest one
    from here upwards). With the hook, the shell switches to the profile it names at once, and
    whenever you enter that folder; a change to the file needs a new `ssoenv allow`."""
    from ssoenv.config.profiles import load_config
    from ssoenv.paths import resolve_paths

    file = dirprofile.target(path, Path.cwd())
    data = dirprofile.read(file)
    spec = dirprofile.parse(data, file)  # never allow a file that would be refused
    dirprofile.allow(file, data, os.environ)
    region = f", region {spec.region}" if spec.region else ""
    say(f"allowed {file} (profile {spec.profile}{region})")
    try:
        cfg = load_config(resolve_paths(os.environ))
    except Exception:
        return  # the switch will say what is wrong with the config
    if spec.profile not in cfg.profiles and spec.profile not in cfg.credentials:
        say(f"note: there is no profile {spec.profile} in your config yet; the switch will fail until there is")


@click.command("deny")
@click.argument("path", required=False)
def deny_command(path: str | None) -> None:
    """Forget the .ssoenv file in PATH (a folder or the file; default: the nearest one from here
    upwards): ssoenv no longer acts on it. With the hook, the shell leaves its profile at once."""
    file = dirprofile.target(path, Path.cwd())
    if dirprofile.deny(file, os.environ):
        say(f"denied {file}: ssoenv will not act on it (`ssoenv allow` to trust it again)")
    else:
        say(f"{file} was not allowed; nothing to forget")


@click.command("_dir", hidden=True)
@click.argument("shell")
@click.argument("file")
@click.argument("stamp")
@click.argument("retry", required=False)
def dir_command(shell: str, file: str, stamp: str, retry: str | None) -> None:
    """For the hook: enter the tree of FILE (a .ssoenv) and print the code that does it.

    Never a login, never a browser; credentials from the cache or a silent refresh within
    ssoenv.features.dirprofile.BUDGET seconds. A guarded profile asks on the terminal (no
    terminal: no switch). STAMP (in the hook's private folder) is given the time of the token
    cache folder first, so that the hook can see a login that happens later without a process.
    RETRY (`retry`): the hook tries again after a possible login; still no session says nothing more.
    """
    from ssoenv.auth.loginopts import LoginOptions
    from ssoenv.credentials.anyprofile import activation_for
    from ssoenv.remote.retry import ENV_TIMEOUT
    from ssoenv.shells import get_dialect, shell_word
    from ssoenv.shells.envvars import Activation

    from .common import Context, confirm_guard, make_access

    dialect = get_dialect(shell)
    watch = _stamp(Path(stamp))
    try:
        limit = float(os.environ.get(ENV_TIMEOUT, "") or dirprofile.BUDGET)
    except ValueError:
        limit = dirprofile.BUDGET
    os.environ[ENV_TIMEOUT] = f"{min(max(limit, 0.1), dirprofile.BUDGET):.3f}"
    contexts: list[Context] = []

    def context() -> Context:
        if not contexts:
            contexts.append(Context.load())
        return contexts[0]

    def confirm(name: str) -> bool:
        return confirm_guard(context(), name, yes=False, verb="use")

    def activate(spec: dirprofile.DirProfile) -> Activation:
        from ssoenv.auth.sessionclock import profile_session_end

        ctx = context()
        access = make_access(LoginOptions(), profile=spec.profile, no_login=True)
        act = activation_for(ctx.paths, ctx.config, spec.profile, access, region=spec.region, environ=os.environ)
        return act._replace(session_expires_at=profile_session_end(ctx.paths, ctx.config, spec.profile))

    outcome = dirprofile.switch(
        Path(os.path.abspath(file)),
        os.environ,
        cwd=Path.cwd(),
        quote=lambda word: shell_word(word),
        confirm=confirm,
        activate=activate,
        watch=watch,
    )
    emit(dirprofile.render(outcome, dialect.name), nl=False)
    if outcome.message and not (retry == "retry" and outcome.state == "pending"):
        say(outcome.message)


def _stamp(stamp: Path) -> str:
    """Give STAMP the modification time of the token cache folder (made if missing); return that
    folder ('' when STAMP is not a ``dir-*`` file of the hook's private folder)."""
    import contextlib

    from ssoenv.fsutil import ensure_private_dir
    from ssoenv.paths import resolve_paths
    from ssoenv.shells.base import runtime_dir

    if stamp.parent != runtime_dir(os.environ) or not stamp.name.startswith("dir-"):
        return ""
    cache = resolve_paths(os.environ).sso_cache_dir
    with contextlib.suppress(OSError, Exception):
        ensure_private_dir(cache)
        ensure_private_dir(stamp.parent)
        seen = os.stat(cache).st_mtime_ns
        fd = os.open(stamp, os.O_WRONLY | os.O_CREAT, 0o600)
        os.close(fd)
        os.utime(stamp, ns=(seen, seen))
        from .hook import _forget_dead_shells

        _forget_dead_shells(stamp, prefix="dir-")
        return str(cache)
    return ""


_dir_command = dir_command
command = allow_command
