"""Pieces shared by the commands: context loading, login options, messages on stderr."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ssoenv.chain import AnyProfile, resolve_any
from ssoenv.config import AwsConfig, load_config
from ssoenv.credentials import Access
from ssoenv.loginopts import LoginOptions
from ssoenv.paths import Paths, resolve_paths

if TYPE_CHECKING:
    from ssoenv.cache import RoleCredentials

F = TypeVar("F", bound=Callable[..., Any])


def say(text: str) -> None:
    """A message for the person: stderr, prefixed."""
    click.echo(f"ssoenv: {text}", err=True)


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
    """``--use-device-code``, ``--no-browser``, ``--callback-port`` for commands that may log in."""
    func = click.option(
        "--callback-port",
        type=click.IntRange(1, 65535),
        envvar="SSOENV_CALLBACK_PORT",
        help="Fixed 127.0.0.1 port for the browser redirect (for SSH port forwarding).",
    )(func)
    func = click.option("--no-browser", is_flag=True, help="Do not open a browser; use the device code flow.")(func)
    func = click.option("--use-device-code", is_flag=True, help="Use the device code flow (sign in from any device).")(
        func
    )
    return func


def make_access(
    *,
    profile: str | None,
    no_login: bool = False,
    use_device_code: bool = False,
    no_browser: bool = False,
    callback_port: int | None = None,
) -> Access:
    options = LoginOptions(
        use_device_code=use_device_code, no_browser=no_browser, callback_port=callback_port, profile=profile
    )
    return Access(interactive=(not no_login) and sys.stderr.isatty(), login_options=options, profile=profile)


def fetch_credentials(ctx: Context, name: str, access: Access, *, force_refresh: bool = False) -> RoleCredentials:
    from ssoenv.profilecreds import get_credentials

    return get_credentials(ctx.paths, ctx.profile(name), access, force_refresh=force_refresh, environ=os.environ)
