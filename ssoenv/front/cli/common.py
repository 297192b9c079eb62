"""Pieces shared by the commands: context loading, login options, the access policy, messages on stderr."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ssoenv.auth.loginopts import LoginOptions, may_log_in
from ssoenv.clock import SYSTEM_CLOCK, Clock
from ssoenv.config.chain import AnyProfile, resolve_any
from ssoenv.config.profiles import AwsConfig, load_config
from ssoenv.credentials.sso import Access
from ssoenv.paths import Paths, resolve_paths
from ssoenv.ui.status import say

if TYPE_CHECKING:
    from ssoenv.credentials.cache import RoleCredentials

F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "Context",
    "Runtime",
    "confirm_guard",
    "fetch_credentials",
    "login_options",
    "make_access",
    "pick_profile",
    "region_option",
    "say",
    "yes_option",
]


@dataclass
class Runtime:
    """What ``ssoenv.front.cli.main`` is given from outside the command line (tests inject a clock)."""

    clock: Clock = field(default=SYSTEM_CLOCK)


def runtime() -> Runtime:
    ctx = click.get_current_context(silent=True)
    found = ctx.find_object(Runtime) if ctx is not None else None
    return found if found is not None else Runtime()


@dataclass
class Context:
    paths: Paths
    config: AwsConfig

    @classmethod
    def load(cls) -> Context:
        paths = resolve_paths(os.environ)
        return cls(paths=paths, config=load_config(paths))

    def profile(self, name: str) -> AnyProfile:
        """An SSO profile or a role chain rooted at one."""
        return resolve_any(self.config, name)


def login_options(func: F) -> F:
    """``--use-device-code``, ``--no-browser``, ``--callback-port`` for commands that may log in.

    The command receives them once, as ``login: LoginOptions``.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, use_device_code: bool, no_browser: bool, callback_port: int | None, **kwargs: Any) -> Any:
        options = LoginOptions(use_device_code=use_device_code, no_browser=no_browser, callback_port=callback_port)
        return func(*args, login=options, **kwargs)

    decorated: Any = wrapper
    decorated = click.option(
        "--callback-port",
        type=click.IntRange(1, 65535),
        envvar="SSOENV_CALLBACK_PORT",
        help="Fixed 127.0.0.1 port for the browser redirect (for SSH port forwarding).",
    )(decorated)
    decorated = click.option("--no-browser", is_flag=True, help="Do not open a browser; use the device code flow.")(
        decorated
    )
    decorated = click.option(
        "--use-device-code", is_flag=True, help="Use the device code flow (sign in from any device)."
    )(decorated)
    return decorated  # type: ignore[no-any-return]


def make_access(
    login: LoginOptions,
    *,
    profile: str | None,
    no_login: bool = False,
    explicit: bool = False,
    relogin_hint: str | None = None,
) -> Access:
    """The one way a command says how it may obtain a token (see ``ssoenv.auth.loginopts.may_log_in``)."""
    from ssoenv.ui.status import LoginUI

    options = login._replace(profile=profile)
    interactive = may_log_in(options, no_login=no_login, person_present=sys.stderr.isatty(), explicit=explicit)
    return Access(
        interactive=interactive,
        login_options=options,
        profile=profile,
        display=LoginUI() if interactive else None,
        clock=runtime().clock,
        relogin_hint=relogin_hint,
    )


def fetch_credentials(ctx: Context, name: str, access: Access, *, force_refresh: bool = False) -> RoleCredentials:
    from ssoenv.credentials.anyprofile import get_credentials

    return get_credentials(ctx.paths, ctx.profile(name), access, force_refresh=force_refresh, environ=os.environ)


def yes_option(func: F) -> F:
    """``--yes``/``-y``: go into a guarded profile without being asked (scripts, CI)."""
    return click.option(
        "--yes", "-y", "yes", is_flag=True, help="Do not ask before using a guarded profile (ssoenv_guard = confirm)."
    )(func)


def confirm_guard(ctx: Context, name: str, *, yes: bool, verb: str) -> bool:
    """The guarded-profile check of a command (``ssoenv.config.guard.confirm``), before any network call.

    Asks on the terminal when there is one; returns whether the profile is guarded.
    """
    from ssoenv.config import guard
    from ssoenv.errors import ConfigError
    from ssoenv.ui.confirm import ask_line, terminal_present

    if not guard.is_guarded(ctx.config, name):
        return False
    try:
        account_id: str | None = ctx.profile(name).account_id or None
    except ConfigError:
        account_id = ctx.config.value(name, "sso_account_id")
    ask = ask_line if terminal_present() else None
    return guard.confirm(ctx.config, name, os.environ, account_id=account_id, yes=yes, ask=ask, verb=verb)


def pick_profile(ctx: Context, *, verb: str, title: str) -> str:
    """A profile chosen on the terminal (``use``/``console`` without one): every SSO profile and
    role chain, the most frecent first (``ssoenv.ui.frecency``; this directory's boosted), filtered
    over the name, account id, role, account name (``sso_account_name``, written by populate) and
    region; a guarded profile says so in its row."""
    from ssoenv.config import guard
    from ssoenv.config.chain import ChainedProfile, account_names, servable_profiles
    from ssoenv.errors import ConfigError, UsageError
    from ssoenv.ui import frecency
    from ssoenv.ui.picker import Choice, pick

    if not (sys.stdin.isatty() or sys.stderr.isatty()):
        raise UsageError(f"`ssoenv {verb}` needs a profile name", hint="run `ssoenv list` to see them")
    profiles = servable_profiles(ctx.config)
    if not profiles:
        raise UsageError(f"no SSO profiles in {ctx.paths.config_file}", hint="run `ssoenv configure`")
    accounts = account_names(ctx.config)
    choices = []
    for name, resolved in profiles:
        if isinstance(resolved, Exception):
            choices.append(Choice((name,), f"(invalid: {resolved.message})"))
            continue
        via = f"via {resolved.chain_text}" if isinstance(resolved, ChainedProfile) else ""
        try:
            guarded = guard.is_guarded(ctx.config, name)
        except ConfigError:
            guarded = True  # a setting ssoenv cannot read: the command reports it; look twice
        note = "  ".join(part for part in ("! guarded" if guarded else "", via) if part)
        account = resolved.account_id
        fields = (name, account, resolved.role_name, accounts.get(account, ""), resolved.region or "")
        choices.append(Choice(fields, note))
    used = frecency.load(os.environ)
    return profiles[pick(choices, title=title, scores=[used.get(name, 0.0) for name, _ in profiles])][0]


def _region(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from ssoenv.config.profiles import is_region_name

    if value is not None and not is_region_name(value):
        raise click.BadParameter(f"{value!r} is not a region name (like eu-west-1)", ctx, param)
    return value


def region_option(help: str) -> Callable[[F], F]:
    """``--region REGION``, refused at once (exit 2) when botocore would refuse the name."""
    return click.option("--region", metavar="REGION", callback=_region, help=help)
