"""Run the ``ssoenv`` program inside the test process: the fast tier of the CLI tests.

``run_cli(args, env=..., cwd=...)`` does what ``subprocess.run([python, "-m", "ssoenv", *args])``
does — same entry point (``ssoenv.front.entry.main``: completion, fast path, then click), an environment
that *replaces* ``os.environ`` for the duration, the working directory, stdin from ``input`` (or
empty, as DEVNULL), stdout and stderr captured as bytes and decoded the way ``subprocess.run(...,
text=True)`` decodes them, and the exit status from ``SystemExit`` — without paying for a new
interpreter and the imports of click and botocore on every call (about 0.3–1 s each here).

What it cannot prove, and where a real process is used instead (``Sandbox.run`` decides, see
:func:`needs_a_process`): ``exec``/``shell`` replace the process; ``demo``/``emulator`` run servers
and children; ``SSOENV_DEBUG=1`` installs logging handlers for the whole process; and anything
about signals, terminals (PTY), ``python -m`` itself or start-up cost. Tests of those pass
``process=True`` (or use pexpect).

Process-wide state that a fresh interpreter would not carry over is reset around each call:
``os.environ``, the working directory, ``sys.argv``, the standard streams, ssoenv's debug switch
and ``webbrowser``'s registry (it reads ``$BROWSER`` once per process). Because that state is
process-wide, one call runs at a time: calling it from several threads at once is an error (use
``process=True`` there). ``SSOENV_TESTS_IN_PROCESS=0`` in the environment of pytest makes
``Sandbox.run`` spawn a process for every call (to compare the tiers, or to bisect a doubt).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import traceback
import webbrowser
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import ssoenv

#: commands that replace or outlive the process, or start servers: always run in a real one
PROCESS_COMMANDS = frozenset({"exec", "shell", "serve", "demo", "emulator"})
_MAIN_PY = str(Path(ssoenv.__file__).with_name("__main__.py"))
_ONE_AT_A_TIME = threading.Lock()
#: SSOENV_TESTS_IN_PROCESS=0: every Sandbox.run spawns a process
ENABLED = os.environ.get("SSOENV_TESTS_IN_PROCESS", "1") != "0"


def exit_status(exc: SystemExit, stderr: Any) -> int:
    """The status a process ends with on ``exc``, as the interpreter gives it: 0 for None, the
    number itself, else the value written to ``stderr`` and 1."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    stderr.write(f"{exc.code}\n")
    return 1


def needs_a_process(args: Sequence[str], env: Mapping[str, str]) -> bool:
    """Whether ``ssoenv ARGS`` under ``env`` must run in its own process to mean the same thing."""
    verb = next((a for a in args if not a.startswith("-")), "")
    return not ENABLED or verb in PROCESS_COMMANDS or env.get("SSOENV_DEBUG") == "1"


def _decode(data: bytes) -> str:
    """As ``subprocess.run(..., text=True)``: locale encoding (UTF-8 here), universal newlines."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="strict").read()


def _reset_webbrowser() -> None:
    # the module registers the browsers (and $BROWSER) once per process
    webbrowser._tryorder = None  # type: ignore[attr-defined]
    webbrowser._browsers = {}  # type: ignore[attr-defined]


def run_cli(
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | str | None = None,
    input: str | None = None,
    clock: Any = None,
) -> subprocess.CompletedProcess[str]:
    """``ssoenv ARGS`` in this process; returns what ``subprocess.run(..., text=True)`` would.

    ``clock`` (an ``ssoenv.clock.Clock``) replaces the real one for the login flows.
    """
    from ssoenv import log
    from ssoenv.front import entry

    if not _ONE_AT_A_TIME.acquire(blocking=False):
        raise RuntimeError("run_cli swaps os.environ and the std streams: one call at a time (use process=True)")
    try:
        return _run(args, env=env, cwd=cwd, input=input, clock=clock, entry=entry, log=log)
    finally:
        _ONE_AT_A_TIME.release()


def _run(
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | str | None,
    input: str | None,
    clock: Any,
    entry: Any,
    log: Any,
) -> subprocess.CompletedProcess[str]:
    out, err = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", errors="strict", write_through=True)
    stderr = io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace", write_through=True)
    stdin = io.TextIOWrapper(io.BytesIO((input or "").encode("utf-8")), encoding="utf-8")
    saved_env = dict(os.environ)
    saved_cwd = os.getcwd()
    saved = (sys.argv, sys.stdin, sys.stdout, sys.stderr, log._ENABLED)
    code: int
    try:
        os.environ.clear()
        os.environ.update(env)
        if cwd is not None:
            os.chdir(cwd)
        sys.argv = [_MAIN_PY, *args]
        sys.stdin, sys.stdout, sys.stderr = stdin, stdout, stderr
        log._ENABLED = False
        _reset_webbrowser()
        try:
            entry.main(list(args), clock=clock)
            code = 0
        except SystemExit as exc:
            code = exit_status(exc, stderr)
        except Exception:  # what an uncaught exception does to a real process
            stderr.write(traceback.format_exc())
            code = 1
        for stream in (stdout, stderr):
            stream.flush()
    finally:
        sys.argv, sys.stdin, sys.stdout, sys.stderr, log._ENABLED = saved
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        _reset_webbrowser()
    return subprocess.CompletedProcess(
        [sys.executable, "-m", "ssoenv", *args], code, _decode(out.getvalue()), _decode(err.getvalue())
    )
