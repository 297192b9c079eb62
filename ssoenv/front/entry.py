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
            sys.exit(code)
    from ssoenv.front.cli import main as cli_main

    cli_main(args, clock=clock)
