"""The ``ssoenv`` program: completion and the cached fast paths first, then the click CLI.

Kept free of heavy imports (not even ``typing``): nothing here loads click unless the full CLI is needed.
"""

from __future__ import annotations

import sys
import time

import ssoenv
from ssoenv.clock import Clock


def main(argv: list[str] | None = None, clock: Clock | None = None) -> None:
    """``clock`` (an ``ssoenv.clock.Clock``) replaces the real one; tests of the login flows pass one."""
    ssoenv.STARTED = time.monotonic()  # the command's start: SSOENV_TIMEOUT counts from here (ssoenv.remote.retry)
    from ssoenv.stdio import guard

    guard()  # closed stdin/stdout/stderr: /dev/null in their place, remembered
    args = sys.argv[1:] if argv is None else argv
    if sys.platform == "win32":
        # the core locks files with fcntl and the picker drives the terminal with termios
        from ssoenv.ui.status import say

        say("Windows is not supported; run it on Linux, macOS or in WSL")
        sys.exit(1)
    if args and args[0] == "_complete":
        from ssoenv.front.completion import complete_main

        sys.exit(complete_main(args[1:]))
    if args and args[0] == "_refresh":
        from ssoenv.front.cli.hook import refresh_main

        sys.exit(refresh_main(args[1:]))
    if args and args[0] in ("use", "export"):
        from ssoenv.front import fastpath

        code = fastpath.run(args[0], args[1:])
        if code is not None:
            if argv is None:
                _leave(SystemExit(code))
            sys.exit(code)
    from ssoenv.front.cli import main as cli_main

    if argv is not None:  # called in process (tests): a plain SystemExit
        cli_main(args, clock=clock)
    try:
        cli_main(args, clock=clock)
    except SystemExit as exc:
        _leave(exc)


def _leave(exc: SystemExit) -> None:
    """Exit with ``exc``'s code. After a big config file was read, skip the interpreter's
    teardown, which frees every object one by one (for 80,000 profiles, a quarter of a second
    of CPU after the work is done): the standard streams are flushed and the ``atexit``
    handlers run, as at any exit, then the process ends (``os._exit``). Anything unusual (a
    flush that fails, a thread still running, a code that is not a number) exits as usual."""
    from ssoenv.config import ini

    code = exc.code
    if not ini.holding_big() or not (code is None or isinstance(code, int)):
        raise exc
    threading = sys.modules.get("threading")
    if threading is not None and any(
        t.is_alive() and not t.daemon and t is not threading.main_thread() for t in threading.enumerate()
    ):
        raise exc
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        raise exc from None
    import atexit
    import os

    atexit._run_exitfuncs()
    os._exit(code or 0)
