"""``ssoenv emulator``: run the bundled AWS SSO emulator in the foreground."""

from __future__ import annotations

import click

from ssoenv.errors import ConfigError, UsageError


def _background(shell: str | None) -> int:
    """Start ``ssoenv emulator`` with the same options (not --background/--shell) in a new session,
    wait until it listens (its stdout ends), print its exports for ``shell`` and how to stop it."""
    import os
    import subprocess
    import sys
    import threading

    from ssoenv.shells import detect_shell, get_dialect

    dialect = get_dialect(shell or detect_shell(os.environ))
    ctx = click.get_current_context()
    args: list[str] = []
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if not isinstance(param, click.Option) or param.name in ("background", "shell") or value is None:
            continue
        flag = param.opts[0]
        if param.is_flag:
            args += [flag] if value else []
        elif param.multiple:
            for item in value:
                args += [flag, str(item)]
        else:
            args += [flag, str(value)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "ssoenv", "emulator", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # not in this terminal's process group: Ctrl-C and hang-ups pass it by
        text=True,
    )
    assert proc.stdout is not None
    timer = threading.Timer(30, proc.kill)  # a bounded wait
    timer.start()
    try:
        text = proc.stdout.read()
    finally:
        timer.cancel()
        proc.stdout.close()
    env: dict[str, str | None] = {}
    for line in text.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        if name.startswith("AWS_ENDPOINT_URL_") and value:
            env[name] = value
    if proc.poll() is not None or not env:
        raise UsageError("the emulator did not start (run it without --background to see why)")
    from ssoenv.front.cli import emit
    from ssoenv.ui.status import say

    emit(dialect.render(env), nl=False)
    url = next(iter(env.values()))
    stop = f"Stop-Process -Id {proc.pid}" if dialect.name == "pwsh" else f"kill {proc.pid}"
    say(f"emulator listening on {url} (pid {proc.pid}); stop it with: {stop}")
    return 0


def _parse_faults(specs: tuple[str, ...]) -> list[tuple[str, int | str, int]]:
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
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="OP:STATUS|KIND[:COUNT]",
    help="Fail the next COUNT calls of OP with an HTTP status, or a KIND: not-json, empty, invalid-utf8, "
    "html, truncated, reset, hang, hang-body.",
)
@click.option("--latency", type=click.FloatRange(0), default=0.0, help="Seconds added to every API call.")
@click.option("--log", "log", is_flag=True, help="Print every request on stderr (secrets redacted).")
@click.option(
    "--background",
    is_flag=True,
    help="Start it detached: print the exports for this shell once it listens, and how to stop it; return.",
)
@click.option("--shell", "shell", metavar="SHELL", help="With --background: the shell to print the exports for.")
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
    background: bool,
    shell: str | None,
) -> int:
    """Run a local AWS IAM Identity Center emulator until Ctrl-C.

    \b
    stdout: the endpoint variables, ready for eval:
        eval "$(ssoenv emulator --background)"       (fish: ssoenv emulator --background | source)
    stderr: a banner and, with --log, one line per request. With --background the emulator runs
    detached (its messages are dropped) and the last line on stderr says how to stop it.
    """
    if background:
        return _background(shell)
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
