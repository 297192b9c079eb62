"""``ssoenv configure``: guided set-up of one SSO profile (the steps live in ssoenv.features.configure)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import click

from ssoenv.auth.loginopts import LoginOptions
from ssoenv.errors import LoginRequired
from ssoenv.front.cli.common import login_options, make_access, region_option

if TYPE_CHECKING:
    from ssoenv.config.profiles import SsoSession
    from ssoenv.credentials.sso import Access, SignedIn
    from ssoenv.features.configure import WizardIO
    from ssoenv.features.populate import AccountLike
    from ssoenv.paths import Paths
    from ssoenv.remote.portal import Portal


class PortalServices:
    """Login and portal reads for the wizard (the re-login policy is ``credentials.SignedIn``)."""

    def __init__(self, paths: Paths, access: Access, io: WizardIO, environ: Mapping[str, str]) -> None:
        self.paths = paths
        self.access = access
        self.io = io
        self.environ = environ
        self._signed_in: SignedIn | None = None
        self._portal: Portal | None = None

    def login(self, session: SsoSession, *, new: bool) -> None:
        from ssoenv.credentials import cache
        from ssoenv.credentials.sso import SignedIn, get_token
        from ssoenv.features.populate import same_start_url

        cached = cache.load_token(self.paths, session)
        stale = cached is not None and cached.start_url is not None
        force = stale and cached is not None and not same_start_url(cached.start_url or "", session.start_url)
        if cached is not None and not force and cached.is_valid(cache.FRESHNESS):
            self.io.say(f"Using the cached SSO session (valid until {cached.expires_at:%Y-%m-%d %H:%M} UTC)")
        try:
            token = get_token(self.paths, session, self.access, force_login=force, environ=self.environ)
        except LoginRequired as exc:
            if not new:
                raise  # `ssoenv login --sso-session NAME` works for a session already in the config
            raise LoginRequired(
                exc.message,
                hint="add --use-device-code to sign in with a code from any device, or run it in a terminal",
            ) from exc
        self._signed_in = SignedIn(self.paths, session, self.access, token, environ=self.environ)

    def _get_portal(self, session: SsoSession) -> Portal:
        from ssoenv.remote.portal import Portal

        if self._portal is None:
            self._portal = Portal(session.region)
        return self._portal

    # each call is retried by the portal's one policy (ssoenv.remote.retry)
    def list_accounts(self, session: SsoSession) -> Sequence[AccountLike]:
        portal = self._get_portal(session)
        assert self._signed_in is not None, "login() first"
        return self._signed_in.call(lambda token: portal.list_accounts(token))

    def list_roles(self, session: SsoSession, account_id: str) -> list[str]:
        portal = self._get_portal(session)
        assert self._signed_in is not None, "login() first"
        return self._signed_in.call(lambda token: portal.list_account_roles(token, account_id))


@click.command("configure")
@click.option("--profile", metavar="NAME", help="Profile to create or update (`default` writes [default]).")
@click.option("--sso-session", "sso_session", metavar="NAME", help='SSO session name ("" for a legacy profile).')
@click.option("--start-url", metavar="URL", help="SSO start URL (https://...).")
@click.option("--sso-region", metavar="REGION", help="Region of the IAM Identity Center instance.")
@click.option(
    "--sso-registration-scopes", "scopes", metavar="SCOPES", help="Registration scopes of a new session (comma list)."
)
@click.option("--account-id", metavar="ID", help="AWS account id (12 digits).")
@click.option("--role-name", metavar="ROLE", help="Role (permission set) name.")
@region_option("Default client region of the profile.")
@click.option("--output", metavar="FORMAT", help="Default output format (json, text, table, yaml, yaml-stream).")
@login_options
def configure_command(
    profile: str | None,
    sso_session: str | None,
    start_url: str | None,
    sso_region: str | None,
    scopes: str | None,
    account_id: str | None,
    role_name: str | None,
    region: str | None,
    output: str | None,
    login: LoginOptions,
) -> None:
    """Set up an SSO profile step by step: session, login, account, role, region, name.

    Each prompt shows the current value in brackets; ENTER keeps it. Every answer can be given
    as an option instead, and with no terminal nothing is asked (a missing answer is an error
    naming its option). An existing profile is shown and confirmed before it is replaced.
    """
    from ssoenv.features.configure import Answers, Wizard
    from ssoenv.paths import resolve_paths
    from ssoenv.ui.wizard import TerminalIO

    paths = resolve_paths(os.environ)
    io = TerminalIO()
    access = make_access(login, profile=None, relogin_hint="run the command again in a terminal to sign in anew")
    answers = Answers(
        sso_session=sso_session,
        start_url=start_url,
        sso_region=sso_region,
        scopes=scopes,
        account_id=account_id,
        role_name=role_name,
        region=region,
        output=output,
        profile=profile,
    )
    services = PortalServices(paths, access, io, os.environ)
    from ssoenv.ui import frecency

    Wizard(paths, io, services, answers, used=frecency.load(os.environ)).run()


command = configure_command
