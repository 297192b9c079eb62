"""Run the emulator in the foreground: ``ssoenv emulator`` and ``python -m ssoenv.emulator``.

stdout gets only the ``export AWS_ENDPOINT_URL_...=URL`` lines and is then closed (redirected to
/dev/null when it is not a terminal), so ``eval "$(ssoenv emulator &)"`` returns at once and
leaves the emulator running in the background; everything for people goes to stderr.
Ctrl-C, SIGTERM, SIGHUP and ``POST /_emulator/shutdown`` stop it cleanly with exit status 0.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from types import FrameType
from typing import TextIO

from ssoenv.emulator.config import EmulatorConfig
from ssoenv.emulator.server import Emulator
from ssoenv.emulator.service import RequestRecord


def env_lines(emu: Emulator) -> list[str]:
    return [f"export {name}={value}" for name, value in emu.env().items()]


def banner(emu: Emulator) -> str:
    cfg = emu.config
    accounts = emu.directory.accounts()
    roles = sorted({r for a in accounts for r in a.roles})
    pid = os.getpid()
    return "\n".join(
        [
            f"ssoenv emulator listening on {emu.url} (pid {pid})",
            f"  {len(accounts)} accounts, roles: {', '.join(roles[:6]) or '-'}{' ...' if len(roles) > 6 else ''}",
            f"  user {emu.user_name}, approval mode: {cfg.approve}, token ttl {cfg.token_ttl}s,"
            f" role ttl {cfg.role_ttl}s",
            f"  device page {emu.url}/device   control plane {emu.url}/_emulator/",
            f"  stdout has the AWS_ENDPOINT_URL_* exports; stop with Ctrl-C or: kill {pid}",
        ]
    )


@contextlib.contextmanager
def _stop_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM / SIGHUP set ``stop`` (main thread only; elsewhere this is a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    wanted = [signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {sig: signal.signal(sig, handler) for sig in wanted}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _release_stdout(stdout: TextIO) -> None:
    """Point fd 1 at /dev/null when it is a pipe/file, so command substitution sees EOF."""
    try:
        if stdout.isatty():
            return
        fd = stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def run(
    config: EmulatorConfig,
    *,
    faults: Sequence[tuple[str, int | str, int]] = (),
    latency: float = 0.0,
    log: bool = False,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    release_stdout: bool = True,
) -> int:
    """Serve until interrupted; returns the exit status (0). Raises ValueError / OSError
    when the emulator cannot be built or bound (bad directory file, port in use)."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    emu = Emulator(config)
    for op, status, count in faults:
        if isinstance(status, str):
            emu.inject(op, kind=status, count=count)
        else:
            emu.inject(op, status=status, count=count)
    emu.set_latency(latency)
    if log:

        def print_record(rec: RequestRecord) -> None:
            print(f"emulator: {rec.line()}", file=err, flush=True)

        emu.on_request = print_record
    stop = threading.Event()
    with _stop_signals(stop):
        emu.start()
        try:
            # the banner first: whoever reads stdout to its end may stop us at once
            print(banner(emu), file=err, flush=True)
            print("\n".join(env_lines(emu)), file=out, flush=True)
            if release_stdout:
                _release_stdout(out)
            while not stop.is_set() and not emu.wait(0.25):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            emu.stop()
    print("ssoenv emulator: stopped", file=err, flush=True)
    return 0
