"""``ssoenv export PROFILE --format F``."""

from __future__ import annotations

import sys

import click

from ssoenv.cli.common import Context, fetch_credentials, login_options, make_access
from ssoenv.errors import UsageError
from ssoenv.exportfmt import FORMATS, render
from ssoenv.loginopts import LoginOptions


@click.command("export")
@click.argument("profile")
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="process", show_default=True, help="Output format."
)
@click.option("--no-login", is_flag=True, help="Never start a login; fail with exit code 4 instead.")
@login_options
def export_command(profile: str, fmt: str, no_login: bool, login: LoginOptions) -> None:
    """Print PROFILE's role credentials in a format for another tool.

    `process` serves as a credential_process:  credential_process = ssoenv export PROFILE --no-login
    Secrets are never written to a terminal: pipe or redirect the output, or eval it.
    """
    if sys.stdout.isatty():
        raise UsageError(
            "refusing to print credentials to a terminal",
            hint=f'use  eval "$(ssoenv export {profile} --format env)", a pipe or a redirect; '
            f"or `ssoenv use {profile}`",
        )
    ctx = Context.load()
    access = make_access(login, profile=profile, no_login=no_login)
    creds = fetch_credentials(ctx, profile, access)
    click.echo(render(fmt, creds), nl=False)


command = export_command
