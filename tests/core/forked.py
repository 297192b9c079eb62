"""Many ``ssoenv`` processes at once, each forked from a warm interpreter.

The in-process tier (``tests/inprocess.py``) runs one command at a time; a test that must run many
commands *concurrently* (to let their waits overlap) needs real processes, and a fresh interpreter
costs 0.3–1 s of CPU each on this machine (the imports of click and botocore), which under
concurrency becomes waiting time of the other commands. Here a small server process imports
ssoenv, click and botocore once and forks one child per command: a real process running the same
entry point as the console script (``ssoenv.front.entry.main``) with its own environment, working
directory, file descriptors 0/1/2 (stdin ``/dev/null``; stdout and stderr to files) and exit status
(an uncaught exception prints its traceback and exits 1, as ``python`` does). The server is
single-threaded, so forking it is safe (the test process, with the emulator's threads, is not).

::

    for result in run_concurrently([Command(args, env, home), ...]):
        result.returncode, result.stdout, result.stderr, result.elapsed
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# imported once by the server (best effort: a module may move)
PRELOAD = (
    "ssoenv.front.entry",
    "ssoenv.front.cli",
    "click",
    "botocore.session",
    "botocore.client",
    "botocore.parsers",
    "botocore.httpsession",
    "botocore.endpoint",
    "ssoenv.remote.client",
    "ssoenv.remote.portal",
    "ssoenv.remote.sts",
    "ssoenv.remote.identity",
    "ssoenv.auth.oidc",
    "ssoenv.auth.browser",
    "ssoenv.credentials.sso",
    "ssoenv.credentials.anyprofile",
    "ssoenv.features.populate",
    "ssoenv.features.console",
)


@dataclass(frozen=True)
class Command:
    args: Sequence[str]
    env: Mapping[str, str]
    cwd: Path


@dataclass(frozen=True)
class Result:
    command: Command
    returncode: int
    stdout: str
    stderr: str
    elapsed: float  # seconds from the fork to the exit
    ended: float  # time.monotonic() at the exit (the same clock in every process)


def run_concurrently(commands: Sequence[Command], *, timeout: float = 60) -> list[Result]:
    """Start every command at once; their results, in the order given."""
    scratch = Path(tempfile.mkdtemp(prefix="ssoenv-forked-"))
    jobs = [
        {
            "args": list(c.args),
            "env": dict(c.env),
            "cwd": str(c.cwd),
            "out": str(scratch / f"{n}.out"),
            "err": str(scratch / f"{n}.err"),
        }
        for n, c in enumerate(commands)
    ]
    server = subprocess.Popen(
        [sys.executable, "-c", "from tests.core.forked import serve; serve()"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its children too: one process group to end on a timeout
    )
    assert server.stdin is not None and server.stdout is not None
    reported: dict[int, tuple[int, float, float]] = {}
    try:
        if server.stdout.readline().strip() != "ready":
            raise RuntimeError("the fork server did not start")
        server.stdin.write(json.dumps(jobs) + "\n")
        server.stdin.flush()
        deadline = time.monotonic() + timeout
        while len(reported) < len(jobs):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([server.stdout], [], [], left)[0]:
                break
            line = server.stdout.readline()
            if not line:
                break
            n, code, elapsed, ended = line.split()
            reported[int(n)] = (int(code), float(elapsed), float(ended))
    finally:
        if len(reported) < len(jobs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
        server.stdin.close()
        server.wait()
        server.stdout.close()
    results = []
    for n, command in enumerate(commands):
        out, err = Path(jobs[n]["out"]), Path(jobs[n]["err"])
        code, elapsed, ended = reported.get(n, (-9, timeout, time.monotonic()))
        results.append(Result(command, code, _read(out), _read(err), elapsed, ended))
        out.unlink(missing_ok=True)
        err.unlink(missing_ok=True)
    scratch.rmdir()
    return results


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="backslashreplace")
    except OSError:
        return ""


# -- the server --------------------------------------------------------------------------------


def serve() -> None:
    """Import once, then fork a child per job of the one request line; report ``n code elapsed ended``."""
    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    print("ready", flush=True)
    jobs: list[dict[str, Any]] = json.loads(sys.stdin.readline())
    running: dict[int, tuple[int, float]] = {}
    for n, job in enumerate(jobs):
        begun = time.monotonic()
        pid = os.fork()
        if pid == 0:
            _child(job)
        running[pid] = (n, begun)
    while running:
        pid, status = os.wait()
        ended = time.monotonic()
        n, begun = running.pop(pid)
        print(n, os.waitstatus_to_exitcode(status), f"{ended - begun:.3f}", f"{ended:.3f}", flush=True)


def _child(job: dict[str, Any]) -> None:
    code = 1
    try:
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        for fd, path in ((1, job["out"]), (2, job["err"])):
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(handle, fd)
            os.close(handle)
        os.environ.clear()
        os.environ.update(job["env"])
        os.chdir(job["cwd"])
        sys.argv = [str(ROOT / "ssoenv" / "__main__.py"), *job["args"]]
        from ssoenv.front import entry

        entry.main(list(job["args"]))
        code = 0
    except SystemExit as exc:
        if exc.code is None:
            code = 0
        elif isinstance(exc.code, int):
            code = exc.code
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)
