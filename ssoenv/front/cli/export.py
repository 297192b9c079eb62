"""``ssoenv export PROFILE --format F``."""

from __future__ import annotations

import sys

import click

from ssoenv.auth.loginopts import LoginOptions
from ssoenv.errors import UsageError
from ssoenv.front.cli import emit
from ssoenv.front.cli.common import Context, fetch_credentials, login_options, make_access, say
from ssoenv.shells.exportfmt import FORMATS, render


@click.command("export")
@click.argument("profile")
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="process", show_default=True, help="Output format."
)
@click.option("--no-login", is_flag=True, help="Never start a login; fail with exit code 4 instead.")
@click.option(
    "--to-credentials-file",
    "to_file",
    is_flag=True,
    help="Write them into the shared credentials file (as profile PROFILE, or --as NAME) instead of printing.",
)
@click.option("--as", "as_name", metavar="NAME", help="Profile name for --to-credentials-file.")
@login_options
def export_command(
    profile: str, fmt: str, no_login: bool, to_file: bool, as_name: str | None, login: LoginOptions
) -> None:
    """Print PROFILE's role credentials in a format for another tool.

    `process` serves as a credential_process:  credential_process = ssoenv export PROFILE --no-login
    Secrets are never written to a terminal: pipe or redirect the output, or eval it.
    """
    if as_name is not None and not to_file:
        raise UsageError("--as names the profile written by --to-credentials-file", hint="add --to-credentials-file")
    if to_file:
        _to_credentials_file(profile, as_name or profile, no_login, login)
        return
    if sys.stdout.isatty():
        raise UsageError(
            "refusing to print credentials to a terminal",
            hint=f'use  eval "$(ssoenv export {profile} --format env)", a pipe or a redirect; '
            f"or `ssoenv use {profile}`",
        )
    ctx = Context.load()
    access = make_access(login, profile=profile, no_login=no_login)
    creds = fetch_credentials(ctx, profile, access)
    emit(render(fmt, creds), nl=False)


def _to_credentials_file(profile: str, name: str, no_login: bool, login: LoginOptions) -> None:
    from ssoenv.features.credfile import section_ref, write_profile
    from ssoenv.ui.status import format_duration

    section_ref(name)  # a bad name fails before any network call
    ctx = Context.load()
    access = make_access(login, profile=profile, no_login=no_login)
    creds = fetch_credentials(ctx, profile, access)
    written = write_profile(ctx.paths, name, creds, source=profile)
    if written.tightened:
        say(f"{written.path} was readable by others; it is 0600 now")
    left = format_duration(creds.remaining().total_seconds())
    say(
        f"wrote {profile}'s credentials to {written.path} as [{name}] (valid for {left}; they do not refresh: "
        f"run this again, or use `ssoenv exec --live {profile} -- ...`)"
    )


command = export_command
