"""``ssoenv shell PROFILE`` and ``ssoenv exec PROFILE -- CMD [ARGS...]``.

Both replace the ssoenv process (``execvpe``) so exit status, stdin/stdout/stderr and signals
belong to the shell or command itself. Credentials travel in the environment only, never argv.
"""

from __future__ import annotations

import os
import shutil
import sys

import click

from ssoenv.cli.common import Context, login_options, make_access, say
from ssoenv.envvars import apply, use_changes
from ssoenv.errors import CommandNotExecutable, CommandNotFound, UsageError
from ssoenv.loginopts import LoginOptions


def _environment(profile: str, no_login: bool, region: str | None, login: LoginOptions) -> tuple[dict[str, str], str]:
    from ssoenv.profilecreds import activation_for
    from ssoenv.ui.status import describe

    ctx = Context.load()
    access = make_access(login, profile=profile, no_login=no_login)
    act = activation_for(ctx.paths, ctx.config, profile, access, region=region, environ=os.environ)
    env = apply(os.environ, use_changes(os.environ, act))
    return env, describe(act)


def user_shell() -> str:
    """The shell the user is in (shellingham), else $SHELL, else /bin/sh."""
    try:
        import shellingham

        _, path = shellingham.detect_shell()
        if path and os.path.isabs(path) and os.access(path, os.X_OK):
            return str(path)
        if path:
            found = shutil.which(str(path))
            if found:
                return found
    except Exception:
        pass
    shell = os.environ.get("SHELL")
    if shell and os.access(shell, os.X_OK):
        return shell
    return "/bin/sh"


def _execvpe(argv: list[str], env: dict[str, str]) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvpe(argv[0], argv, env)
    except FileNotFoundError as exc:
        raise CommandNotFound(f"command not found: {argv[0]}") from exc
    except PermissionError as exc:
        raise CommandNotExecutable(f"cannot execute {argv[0]}: permission denied") from exc
    except OSError as exc:
        raise CommandNotExecutable(f"cannot execute {argv[0]}: {exc.strerror}") from exc


@click.command("exec", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("profile")
@click.argument("argv", nargs=-1, type=click.UNPROCESSED, required=True)
@click.option("--no-login", is_flag=True, help="Never start a login; fail with exit code 4 instead.")
@click.option("--region", metavar="REGION", help="Set AWS_REGION and AWS_DEFAULT_REGION to REGION.")
@login_options
def exec_command(profile: str, argv: tuple[str, ...], no_login: bool, region: str | None, login: LoginOptions) -> None:
    """Run a command with PROFILE's credentials in its environment only.

    ssoenv exec PROFILE -- CMD [ARGS...]   (the command's exit status is ssoenv's)
    """
    args = list(argv)
    if args and args[0] == "--":
        args = args[1:]
    if not args:
        raise UsageError("no command given", hint="ssoenv exec PROFILE -- CMD [ARGS...]")
    env, _ = _environment(profile, no_login, region, login)
    _execvpe(args, env)


@click.command("shell")
@click.argument("profile")
@click.option("--no-login", is_flag=True, help="Never start a login; fail with exit code 4 instead.")
@click.option("--region", metavar="REGION", help="Set AWS_REGION and AWS_DEFAULT_REGION to REGION.")
@login_options
def shell_command(profile: str, no_login: bool, region: str | None, login: LoginOptions) -> None:
    """Start your shell with PROFILE's credentials; `exit` returns to where you were."""
    env, details = _environment(profile, no_login, region, login)
    depth = env.get("SSOENV_SHELL_DEPTH", "0")
    env["SSOENV_SHELL_DEPTH"] = str(int(depth) + 1 if depth.isdigit() else 1)
    shell = user_shell()
    say(f"starting {os.path.basename(shell)} with {profile} ({details}); `exit` to return")
    _execvpe([shell], env)


command = exec_command
