"""``ssoenv use`` and ``ssoenv off``: shell code on stdout, for the hook's wrapper or ``eval``."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from ssoenv.auth.loginopts import LoginOptions
from ssoenv.errors import UsageError
from ssoenv.front.cli import emit
from ssoenv.front.cli.common import (
    Context,
    confirm_guard,
    login_options,
    make_access,
    pick_profile,
    region_option,
    say,
    yes_option,
)
from ssoenv.shells.envvars import off_changes, use_changes
from ssoenv.ui.status import using_message

if TYPE_CHECKING:
    from ssoenv.shells import Dialect

SHELL_HELP = "Shell to print code for: bash, zsh, fish, pwsh (powershell), json. Default: detected."


def _dialect(shell: str | None) -> Dialect:
    from ssoenv.shells import detect_shell, get_dialect

    return get_dialect(shell or detect_shell(os.environ))


def _refuse_terminal(verb: str, arg: str) -> None:
    """stdout is a terminal: nobody will eval the output. Print no secret; explain, in the user's shell."""
    if not sys.stdout.isatty():
        return
    from ssoenv.shells import apply_hint, hook_hint

    args = f"{verb}{(' ' + arg) if arg else ''}"
    raise UsageError(
        f"`ssoenv {args}` prints shell code and cannot change this shell by itself",
        hint=f"run  {apply_hint(args, os.environ)}  or install the hook ({hook_hint(os.environ)}) "
        f"and then run  ssoenv {args}",
    )


@click.command("use")
@click.argument("profile", required=False)
@click.option("--shell", "shell", metavar="SHELL", help=SHELL_HELP)
@click.option("--no-login", is_flag=True, help="Never start a login; fail with exit code 4 instead.")
@click.option("--profile-only", is_flag=True, help="Only set AWS_PROFILE (no keys in the environment).")
@click.option("--refresh", is_flag=True, help="Fetch new role credentials even if cached ones are fresh.")
@region_option("Set AWS_REGION and AWS_DEFAULT_REGION to REGION for this use.")
@click.option(
    "--min-ttl", metavar="DURATION", help="Fetch anew unless the cached credentials last this long (e.g. 2h)."
)
@click.option("-q", "--quiet", is_flag=True, help="No message on stderr on success.")
@yes_option
@login_options
def use_command(
    profile: str | None,
    shell: str | None,
    no_login: bool,
    profile_only: bool,
    refresh: bool,
    region: str | None,
    min_ttl: str | None,
    quiet: bool,
    yes: bool,
    login: LoginOptions,
) -> None:
    """Print code that puts PROFILE's role credentials into the current shell.

    With the hook installed (`ssoenv hook SHELL`), `ssoenv use PROFILE` changes the current shell
    directly; without it: eval "$(ssoenv use PROFILE)". Switching profiles leaves nothing of the
    previous one behind; `ssoenv off` undoes it all. A guarded profile (ssoenv_guard = confirm)
    asks for its name or account id first (--yes: never asks).
    """
    _refuse_terminal("use", profile or "")
    dialect = _dialect(shell)  # validate --shell before any network call
    ctx = Context.load()
    name = profile or pick_profile(ctx, verb="use", title="Use which profile?")
    guarded = confirm_guard(ctx, name, yes=yes, verb="use")
    access = make_access(login, profile=name, no_login=no_login)
    from ssoenv.auth.sessionclock import profile_session_end
    from ssoenv.credentials import minttl
    from ssoenv.credentials.anyprofile import activation_for

    ttl = minttl.parse_duration(min_ttl) if min_ttl is not None else None
    if ttl is not None and minttl.served(ctx.config, name):
        prepared = minttl.prepare(ctx.paths, ctx.profile(name), access, ttl, environ=os.environ, cfg=ctx.config)
        refresh = prepared or refresh

    act = activation_for(
        ctx.paths,
        ctx.config,
        name,
        access,
        profile_only=profile_only,
        force_refresh=refresh,
        region=region,
        environ=os.environ,
    )
    act = act._replace(guarded=guarded, session_expires_at=profile_session_end(ctx.paths, ctx.config, name))
    code = dialect.render(use_changes(os.environ, act))
    emit(code, nl=not code.endswith("\n"))
    warning = minttl.short_lived(act.credentials, ttl, name)
    if warning:
        say(warning)
    if not quiet:
        say(using_message(act))
    from ssoenv.ui import frecency

    frecency.record(name)  # for the picker's order (never fails the command)


@click.command("off")
@click.option("--shell", "shell", metavar="SHELL", help=SHELL_HELP)
@click.option("-q", "--quiet", is_flag=True, help="No message on stderr.")
def off_command(shell: str | None, quiet: bool) -> None:
    """Print code that removes what `use` set and restores what it displaced."""
    _refuse_terminal("off", "")
    dialect = _dialect(shell)
    changes = off_changes(os.environ)
    if not changes:
        if not quiet:
            say("no profile is in use")
        return
    code = dialect.render(changes)
    emit(code, nl=not code.endswith("\n"))
    if not quiet:
        say(f"stopped using {os.environ.get('SSOENV_PROFILE', 'the profile')}")


command = use_command
