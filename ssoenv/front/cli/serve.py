"""``ssoenv serve PROFILE``: a live credential endpoint (the container-credentials protocol).

Prints, for the user's shell, the lines to eval (``AWS_CONTAINER_CREDENTIALS_FULL_URI``,
``AWS_CONTAINER_AUTHORIZATION_TOKEN``, region); everything for people goes to stderr. By default
the endpoint then runs in the background until the shell that started it exits
(``eval "$(ssoenv serve P)"``); ``--foreground`` keeps it attached until SIGTERM/SIGINT.
"""

from __future__ import annotations

import os
import sys

import click

from ssoenv.auth.loginopts import LoginOptions
from ssoenv.errors import LoginRequired, UsageError
from ssoenv.front.cli.common import Context, confirm_guard, login_options, make_access, region_option, say, yes_option

SHELL_HELP = "Shell to print code for: bash, zsh, fish, pwsh (powershell), json. Default: detected."


def _refuse_terminal(profile: str) -> None:
    if sys.stdout.isatty():
        raise UsageError(
            "`ssoenv serve` prints shell code holding the endpoint's secret and will not write it to a terminal",
            hint=f'run  eval "$(ssoenv serve {profile})"  (fish: ssoenv serve {profile} | source), '
            f"or redirect it:  ssoenv serve {profile} --foreground > FILE",
        )


@click.command("serve")
@click.argument("profile")
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Port to listen on (default: any free one).")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but loopback lets other machines ask (ssoenv warns).",
)
@click.option("--shell", "shell", metavar="SHELL", help=SHELL_HELP)
@region_option("Set AWS_REGION and AWS_DEFAULT_REGION to REGION.")
@click.option("--foreground", is_flag=True, help="Stay attached until SIGTERM/SIGINT (default: background).")
@click.option("-v", "--verbose", is_flag=True, help="Log each issuance (time, expiry; never a secret) on stderr.")
@click.option("--no-login", is_flag=True, help="Never start a login now (the endpoint itself never does).")
@yes_option
@login_options
def serve_command(
    profile: str,
    port: int,
    host: str,
    shell: str | None,
    region: str | None,
    foreground: bool,
    verbose: bool,
    no_login: bool,
    yes: bool,
    login: LoginOptions,
) -> None:
    """Serve PROFILE's credentials to everything started from this shell, for as long as it lives.

    \b
    eval "$(ssoenv serve PROFILE)"        (fish: ssoenv serve PROFILE | source)
    The SDKs and the AWS CLI then fetch fresh role credentials when they need them; after the SSO
    session ends they get an error saying to run `ssoenv login PROFILE`, and the next request
    after a login (in any terminal) succeeds.
    """
    _refuse_terminal(profile)
    from ssoenv.auth.sessionclock import profile_session_end
    from ssoenv.credentials.anyprofile import get_credentials
    from ssoenv.features import daemon
    from ssoenv.features.serve import CredentialServer, Log, ProfileSource, is_loopback
    from ssoenv.shells import detect_shell, get_dialect
    from ssoenv.shells.envvars import activation, use_changes
    from ssoenv.stdio import write_stdout

    dialect = get_dialect(shell or detect_shell(os.environ))
    ctx = Context.load()
    resolved = ctx.profile(profile)
    guarded = confirm_guard(ctx, profile, yes=yes, verb="serve")
    access = make_access(login, profile=profile, no_login=no_login)
    try:
        get_credentials(ctx.paths, resolved, access, environ=os.environ)  # a login now, while a person is here
    except LoginRequired as exc:
        say(f"{exc}; until then the endpoint answers with this error")
    if not is_loopback(host):
        say(
            f"listening on {host}: other machines can reach this endpoint (anyone with its token gets "
            f"{profile}'s credentials); the SDKs accept plain http from loopback addresses only"
        )
    try:
        server = CredentialServer(host=host, port=port, log=Log(verbose=verbose))
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    endpoint = server.add(ProfileSource(ctx.paths, resolved, make_access(login, profile=profile, no_login=True)))
    act = activation(resolved, None, region=region, endpoint=endpoint)
    act = act._replace(guarded=guarded, session_expires_at=profile_session_end(ctx.paths, ctx.config, profile))
    code = dialect.render(use_changes(os.environ, act))
    # now, not at the end (emit): the endpoint serves from here on, in this process or a fork of it
    write_stdout(code if code.endswith("\n") else code + "\n")
    if foreground:
        say(f"serving {profile} at {endpoint.uri} (pid {os.getpid()}); Ctrl-C or `kill {os.getpid()}` stops it")
        daemon.run_foreground(server)
        return
    pid = daemon.run_background(server, shell_pid=daemon.calling_shell(os.environ))
    say(
        f"serving {profile} at {endpoint.uri} in the background (pid {pid}) until this shell exits; "
        f"stop it sooner with: kill {pid}"
    )


command = serve_command
