"""``ssoenv shell PROFILE`` and ``ssoenv exec PROFILE -- CMD [ARGS...]``.

Both replace the ssoenv process (``execvpe``) so exit status, stdin/stdout/stderr and signals
belong to the shell or command itself. Credentials travel in the environment only, never argv.
With ``--live`` ssoenv stays as the command's parent and serves it a live credential endpoint
(``ssoenv.features.serve``) for its lifetime, passing status, stdio and signals through (``ssoenv.features.supervise``).
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import click

from ssoenv.auth.loginopts import LoginOptions
from ssoenv.errors import CommandNotExecutable, CommandNotFound, SsoenvError, UsageError
from ssoenv.front.cli.common import Context, confirm_guard, login_options, make_access, region_option, say, yes_option
from ssoenv.shells import shell_word
from ssoenv.shells.envvars import apply, use_changes

if TYPE_CHECKING:
    from ssoenv.features.serve import CredentialServer

LIVE_HELP = "Serve the credentials from a live endpoint for the command's lifetime (no static keys, no expiry mid-run)."
F = TypeVar("F", bound=Callable[..., Any])
MIN_TTL_HELP = "Make sure what the run needs lasts this long (e.g. 2h): fresh role credentials, a long enough session."


class RunChoices(NamedTuple):
    """The options of a run with a profile's credentials, the same for `exec` and `shell`."""

    no_login: bool
    region: str | None
    live: bool
    min_ttl: str | None
    yes: bool
    login: LoginOptions


def _run_options(func: F) -> F:
    """Adds the options of :class:`RunChoices`; the command receives them once, as ``run``."""

    @functools.wraps(func)
    def wrapper(
        *args: Any,
        no_login: bool,
        region: str | None,
        live: bool,
        min_ttl: str | None,
        yes: bool,
        login: LoginOptions,
        **kwargs: Any,
    ) -> Any:
        return func(*args, run=RunChoices(no_login, region, live, min_ttl, yes, login), **kwargs)

    decorated: Any = yes_option(login_options(wrapper))
    decorated = click.option("--min-ttl", metavar="DURATION", help=MIN_TTL_HELP)(decorated)
    decorated = click.option("--live", is_flag=True, help=LIVE_HELP)(decorated)
    decorated = region_option("Set AWS_REGION and AWS_DEFAULT_REGION to REGION.")(decorated)
    decorated = click.option("--no-login", is_flag=True, help="Never start a login; fail with exit code 4 instead.")(
        decorated
    )
    return decorated  # type: ignore[no-any-return]


class _Prepared(NamedTuple):
    """What the command gets: its environment and, with --live, the endpoint serving it."""

    env: dict[str, str]
    details: str
    server: CredentialServer | None = None


def _prepare(profile: str, run: RunChoices, *, verb: str) -> _Prepared:
    from ssoenv.auth.sessionclock import profile_session_end
    from ssoenv.credentials import minttl
    from ssoenv.credentials.anyprofile import activation_for, get_credentials
    from ssoenv.shells.envvars import activation
    from ssoenv.ui.status import describe

    no_login, region, live, min_ttl, yes, login = run

    ttl = minttl.parse_duration(min_ttl) if min_ttl is not None else None
    ctx = Context.load()
    guarded = confirm_guard(ctx, profile, yes=yes, verb=verb)
    access = make_access(login, profile=profile, no_login=no_login)
    force = False
    if live and not minttl.served(ctx.config, profile):
        raise UsageError(
            f"--live serves SSO profiles and role chains; {profile!r} is neither",
            hint=f"run `ssoenv exec {shell_word(profile)} -- ...` without --live",
        )
    if (ttl is not None or live) and minttl.served(ctx.config, profile):
        resolved = ctx.profile(profile)  # an SSO profile or a role chain
        force = minttl.prepare(ctx.paths, resolved, access, ttl, live=live, environ=os.environ, cfg=ctx.config)
    if not live:
        act = activation_for(
            ctx.paths, ctx.config, profile, access, force_refresh=force, region=region, environ=os.environ
        )
        warning = minttl.short_lived(act.credentials, ttl, profile)
        if warning:
            say(warning)
        act = act._replace(guarded=guarded, session_expires_at=profile_session_end(ctx.paths, ctx.config, profile))
        return _Prepared(apply(os.environ, use_changes(os.environ, act)), describe(act))
    from ssoenv.features.serve import CredentialServer, ProfileSource

    get_credentials(ctx.paths, resolved, access, environ=os.environ)  # a login now, while the terminal is ours
    server = CredentialServer()
    endpoint = server.add(ProfileSource(ctx.paths, resolved, make_access(login, profile=profile, no_login=True)))
    act = activation(resolved, None, region=region, endpoint=endpoint)
    act = act._replace(guarded=guarded, session_expires_at=profile_session_end(ctx.paths, ctx.config, profile))
    return _Prepared(apply(os.environ, use_changes(os.environ, act)), describe(act), server)


def _record(profile: str) -> None:
    """A use, for the picker's order (``ssoenv.ui.frecency``; never fails the command)."""
    from ssoenv.ui import frecency

    frecency.record(profile)


def _start_error(exc: OSError, program: str) -> SsoenvError:
    if isinstance(exc, FileNotFoundError):
        return CommandNotFound(f"command not found: {program}")
    if isinstance(exc, PermissionError):
        return CommandNotExecutable(f"cannot execute {program}: permission denied")
    return CommandNotExecutable(f"cannot execute {program}: {exc.strerror}")


def _run(argv: list[str], prepared: _Prepared) -> int:
    """exec (plain) or run as a child served by the live endpoint (--live)."""
    if prepared.server is None:
        _execvpe(argv, prepared.env)
        return 0  # not reached
    from ssoenv.features import supervise

    prepared.server.start()
    try:
        status = supervise.run(argv, prepared.env)
    except OSError as exc:
        raise _start_error(exc, argv[0]) from exc
    finally:
        prepared.server.stop()
    return supervise.exit_like(status)


def _hookable(path: str) -> bool:
    """A shell ssoenv has a hook for (not a plain ``sh``, which ``make`` and scripts run)."""
    base = os.path.basename(path).lstrip("-").lower()
    return base.startswith(("bash", "zsh", "fish", "pwsh", "powershell"))


def user_shell() -> str:
    """The shell the user is in (shellingham), else $SHELL, else /bin/sh. A plain ``sh`` between
    the user and us (``make demo``, ``sh -c``) gives way to a $SHELL that ssoenv has a hook for."""
    found: str | None = None
    try:
        import shellingham

        _, path = shellingham.detect_shell()
        if path and os.path.isabs(path) and os.access(path, os.X_OK):
            found = str(path)
        elif path:
            found = shutil.which(str(path))
    except Exception:
        pass
    shell = os.environ.get("SHELL")
    usable = shell if shell and os.access(shell, os.X_OK) else None
    for candidate in (found, usable):
        if candidate and _hookable(candidate):
            return candidate
    return found or usable or "/bin/sh"


def _execvpe(argv: list[str], env: dict[str, str]) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvpe(argv[0], argv, env)
    except OSError as exc:
        raise _start_error(exc, argv[0]) from exc


@click.command("exec", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("profile")
@click.argument("argv", nargs=-1, type=click.UNPROCESSED, required=True)
@_run_options
def exec_command(profile: str, argv: tuple[str, ...], run: RunChoices) -> int:
    """Run a command with PROFILE's credentials in its environment only.

    ssoenv exec [--live] PROFILE -- CMD [ARGS...]   (the command's exit status is ssoenv's)
    """
    args = list(argv)
    if args and args[0] == "--":
        args = args[1:]
    if not args:
        raise UsageError("no command given", hint="ssoenv exec PROFILE -- CMD [ARGS...]")
    prepared = _prepare(profile, run, verb="exec")
    _record(profile)
    return _run(args, prepared)


@click.command("shell")
@click.argument("profile")
@_run_options
def shell_command(profile: str, run: RunChoices) -> int:
    """Start your shell with PROFILE's credentials; `exit` returns to where you were."""
    prepared = _prepare(profile, run, verb="shell")
    _record(profile)
    env, details = prepared.env, prepared.details
    depth = env.get("SSOENV_SHELL_DEPTH", "0")
    env["SSOENV_SHELL_DEPTH"] = str(int(depth) + 1 if depth.isdigit() else 1)
    shell = user_shell()
    say(f"starting {os.path.basename(shell)} with {profile} ({details}); `exit` to return")
    return _run([shell], prepared)


command = exec_command
