"""``ssoenv console [PROFILE]``: open the AWS console signed in with a role."""

from __future__ import annotations

import os
import sys

import click

from ssoenv.auth.loginopts import LoginOptions
from ssoenv.credentials.cache import RoleCredentials, now, parse_timestamp
from ssoenv.errors import UsageError
from ssoenv.front.cli import emit
from ssoenv.front.cli.common import (
    Context,
    confirm_guard,
    fetch_credentials,
    login_options,
    make_access,
    pick_profile,
    region_option,
    say,
    yes_option,
)


def _environment_credentials() -> tuple[RoleCredentials, str | None]:
    env = os.environ
    if not _in_environment():
        raise UsageError(
            "no temporary AWS credentials in the environment",
            hint="run `ssoenv use PROFILE` first, or `ssoenv console PROFILE`",
        )
    # the expiry does not matter to federation; the endpoint itself refuses expired credentials
    expiration = parse_timestamp(env.get("AWS_CREDENTIAL_EXPIRATION")) or now()
    creds = RoleCredentials(
        env["AWS_ACCESS_KEY_ID"],
        env["AWS_SECRET_ACCESS_KEY"],
        env["AWS_SESSION_TOKEN"],
        expiration,
        env.get("SSOENV_ACCOUNT_ID", ""),
    )
    return creds, env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")


def _in_environment() -> bool:
    """Temporary credentials are in the environment (what `ssoenv use` sets)."""
    return all(os.environ.get(key) for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"))


@click.command("console")
@click.argument("profile", required=False)
@click.option("--service", metavar="NAME", help="Land on this service's page (s3, ec2, cloudwatch, ...).")
@region_option("Console region (default: the profile's region).")
@click.option("--print", "print_url", is_flag=True, help="Print the sign-in URL on stdout instead of opening it.")
@click.option("--no-login", is_flag=True, help="Never start a login; fail with exit code 4 instead.")
@yes_option
@login_options
def console_command(
    profile: str | None,
    service: str | None,
    region: str | None,
    print_url: bool,
    no_login: bool,
    yes: bool,
    login: LoginOptions,
) -> None:
    """Open the AWS console signed in with PROFILE's role (or the credentials `ssoenv use` set;
    with neither, on a terminal: choose the profile in a menu).

    The sign-in URL is a credential for about 15 minutes: --print writes it only to a pipe or file
    (e.g. `ssoenv console P --print | pbcopy`), never to a terminal.
    """
    from ssoenv.auth.browser import browser_usable, open_browser
    from ssoenv.features.console import login_url

    if print_url and sys.stdout.isatty():
        raise UsageError(
            "refusing to print a sign-in URL to a terminal", hint="pipe it, e.g. `| pbcopy`, or drop --print"
        )
    in_use = os.environ.get("SSOENV_PROFILE")
    ctx: Context | None = None
    if not profile and not _in_environment() and (sys.stdin.isatty() or sys.stderr.isatty()):
        ctx = Context.load()
        profile = pick_profile(ctx, verb="console", title="Open the console as which profile?")
    if profile:
        ctx = ctx or Context.load()
        resolved = ctx.profile(profile)
        confirm_guard(ctx, profile, yes=yes, verb="console")
        creds = fetch_credentials(ctx, profile, make_access(login, profile=profile, no_login=no_login))
        default_region = resolved.region
    else:
        creds, default_region = _environment_credentials()
        if in_use:  # the profile `use` put there: confirmed then, or asked now
            confirm_guard(Context.load(), in_use, yes=yes, verb="console")
    url = login_url(creds, region=region or default_region, service=service)
    from ssoenv.ui import frecency

    used = profile or in_use
    if print_url:
        emit(url)
        if used:
            frecency.record(used)
        return
    if not browser_usable():
        raise UsageError(
            "no browser can be opened here",
            hint="run it with --print and open the URL on your machine (pipe it; it is a credential)",
        )
    problem = open_browser(url)
    if problem:
        raise UsageError(problem, hint="use --print and open the URL yourself")
    say(f"opened the AWS console{' for ' + service if service else ''} in your browser")
    if used:
        frecency.record(used)


command = console_command
