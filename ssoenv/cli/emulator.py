"""``ssoenv emulator``: run the bundled AWS SSO emulator in the foreground."""

from __future__ import annotations

import click

from ssoenv.errors import ConfigError, UsageError


def _parse_faults(specs: tuple[str, ...]) -> list[tuple[str, int, int]]:
    from ssoenv.emulator.faults import parse_fault

    try:
        return [parse_fault(spec) for spec in specs]
    except ValueError as exc:
        raise UsageError(str(exc)) from None


@click.command(
    "emulator",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True, help="0 = any free port.")
@click.option("--accounts", type=click.IntRange(0), default=3, show_default=True, help="Accounts to generate.")
@click.option("--roles-per-account", type=click.IntRange(0), default=2, show_default=True)
@click.option(
    "--approve",
    type=click.Choice(["auto", "manual", "deny", "preapproved"]),
    default="auto",
    show_default=True,
    help="auto: approve when the page is visited; manual: Allow/Deny buttons; deny: always deny; "
    "preapproved: device codes need no browser at all.",
)
@click.option("--token-ttl", type=click.IntRange(1), default=28800, show_default=True, help="Access token seconds.")
@click.option("--role-ttl", type=click.IntRange(1), default=3600, show_default=True, help="Role credential seconds.")
@click.option("--device-interval", type=click.IntRange(0), default=1, show_default=True, help="Device poll seconds.")
@click.option("--page-size", type=click.IntRange(1, 100), default=None, help="Portal page size (default 20).")
@click.option("--user-name", default="demo.user@example.com", show_default=True, help="The signed-in user.")
@click.option(
    "--directory",
    "directory_file",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="JSON file with accounts and roles (format: see ssoenv/emulator/directory.py).",
)
@click.option("--fault", "faults", multiple=True, metavar="OP:STATUS[:COUNT]", help="Fail the next COUNT calls of OP.")
@click.option("--latency", type=click.FloatRange(0), default=0.0, help="Seconds added to every API call.")
@click.option("--log", "log", is_flag=True, help="Print every request on stderr (secrets redacted).")
def emulator_command(
    port: int,
    accounts: int,
    roles_per_account: int,
    approve: str,
    token_ttl: int,
    role_ttl: int,
    device_interval: int,
    page_size: int | None,
    user_name: str,
    directory_file: str | None,
    faults: tuple[str, ...],
    latency: float,
    log: bool,
) -> int:
    """Run a local AWS IAM Identity Center emulator until Ctrl-C.

    \b
    stdout: the endpoint variables, ready for eval:
        eval "$(ssoenv emulator &)"
    stderr: a banner and, with --log, one line per request.
    """
    from ssoenv.emulator.config import EmulatorConfig
    from ssoenv.emulator.runner import run

    fault_list = _parse_faults(faults)
    try:
        cfg = EmulatorConfig(
            port=port,
            accounts=accounts,
            roles_per_account=roles_per_account,
            approve=approve,  # type: ignore[arg-type]  # validated by click.Choice
            token_ttl=token_ttl,
            role_ttl=role_ttl,
            device_interval=device_interval,
            page_size=page_size,
            user_name=user_name,
            directory_file=directory_file,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:
        return run(cfg, faults=fault_list, latency=latency, log=log)
    except ValueError as exc:  # the directory file
        raise ConfigError(str(exc)) from None
