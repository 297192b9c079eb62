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

    with ForkServer() as server:              # batches started while others run
        first = server.start([...]); ...; second = server.start([...])
        results = server.results(first + second)
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


class ForkServer:
    """A server process that forks one child per command; batches can be started while earlier
    ones run (``start``), and their results collected as they end (``results``)."""

    def __init__(self) -> None:
        self._scratch = Path(tempfile.mkdtemp(prefix="ssoenv-forked-"))
        self._proc = subprocess.Popen(
            [sys.executable, "-c", "from tests.core.forked import serve; serve()"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its children too: one process group to end on a timeout
        )
        self._ready = False
        self._closed = False
        self._jobs: list[tuple[Command, Path, Path]] = []
        self.ended: dict[int, tuple[int, float, float]] = {}  # job -> (exit status, elapsed, ended)

    def __enter__(self) -> ForkServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self, commands: Sequence[Command]) -> list[int]:
        """Fork one process per command now; their job numbers."""
        assert self._proc.stdin is not None and self._proc.stdout is not None
        if not self._ready:  # the server imports while the caller prepares: wait only now
            if self._proc.stdout.readline().strip() != "ready":
                raise RuntimeError("the fork server did not start")
            self._ready = True
        batch = []
        for command in commands:
            n = len(self._jobs)
            out, err = self._scratch / f"{n}.out", self._scratch / f"{n}.err"
            self._jobs.append((command, out, err))
            batch.append(
                {
                    "n": n,
                    "args": list(command.args),
                    "env": dict(command.env),
                    "cwd": str(command.cwd),
                    "out": str(out),
                    "err": str(err),
                }
            )
        self._proc.stdin.write(json.dumps(batch) + "\n")
        self._proc.stdin.flush()
        return [job["n"] for job in batch]

    def poll(self, timeout: float = 0.0) -> None:
        """Note the exits reported within ``timeout`` seconds."""
        assert self._proc.stdout is not None
        deadline = time.monotonic() + timeout
        while True:
            left = max(0.0, deadline - time.monotonic())
            if not select.select([self._proc.stdout], [], [], left)[0]:
                return
            line = self._proc.stdout.readline()
            if not line:
                return
            n, code, elapsed, ended = line.split()
            self.ended[int(n)] = (int(code), float(elapsed), float(ended))
            if time.monotonic() >= deadline:
                return

    def results(self, jobs: Sequence[int], *, timeout: float = 60) -> list[Result]:
        """Wait for ``jobs`` to end (at most ``timeout`` seconds); a job still running then is
        killed with the whole server and reported with status -9."""
        deadline = time.monotonic() + timeout
        while not all(n in self.ended for n in jobs) and time.monotonic() < deadline:
            self.poll(min(0.5, max(0.0, deadline - time.monotonic())))
        if not all(n in self.ended for n in jobs):
            self._stop()
        out = []
        for n in jobs:
            command, stdout, stderr = self._jobs[n]
            code, elapsed, ended = self.ended.get(n, (-9, timeout, time.monotonic()))
            out.append(Result(command, code, _read(stdout), _read(stderr), elapsed, ended))
        return out

    def _stop(self) -> None:
        """End of input: the server ends once its children have; past 5 s (at once when a job did
        not end in time) the server's process group is killed."""
        with contextlib.suppress(OSError):
            if self._proc.stdin is not None:
                self._proc.stdin.close()
        running = any(n not in self.ended for n in range(len(self._jobs)))
        try:
            self._proc.wait(timeout=0 if running else 5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait()
        with contextlib.suppress(OSError):
            if self._proc.stdout is not None:
                self._proc.stdout.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._stop()
        for path in self._scratch.iterdir():
            path.unlink()
        self._scratch.rmdir()


def run_concurrently(commands: Sequence[Command], *, timeout: float = 60) -> list[Result]:
    """Start every command at once; their results, in the order given."""
    with ForkServer() as server:
        return server.results(server.start(commands), timeout=timeout)


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="backslashreplace")
    except OSError:
        return ""


# -- the server --------------------------------------------------------------------------------


def serve() -> None:
    """Import once; then, for every request line (a JSON list of jobs), fork a child per job, and
    report every exit as it happens: ``n code elapsed ended``. Ends when its input ends and no child runs."""
    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake_w)  # a child's exit wakes the select below
    print("ready", flush=True)
    running: dict[int, tuple[int, float]] = {}
    pending = b""
    reading = True
    while reading or running:
        ready = select.select([0, wake_r] if reading else [wake_r], [], [])[0]
        if wake_r in ready:
            with contextlib.suppress(BlockingIOError):
                os.read(wake_r, 4096)
        while running:  # reap every child that ended
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            ended = time.monotonic()
            n, begun = running.pop(pid)
            print(n, os.waitstatus_to_exitcode(status), f"{ended - begun:.3f}", f"{ended:.3f}", flush=True)
        if 0 in ready:
            chunk = os.read(0, 1 << 20)
            reading = bool(chunk)
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                for job in json.loads(line):
                    begun = time.monotonic()
                    pid = os.fork()
                    if pid == 0:
                        signal.set_wakeup_fd(-1)
                        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                        os.close(wake_r)
                        os.close(wake_w)
                        _child(job)
                    running[pid] = (int(job["n"]), begun)


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
        from tests.inprocess import exit_status

        code = exit_status(exc, sys.stderr)
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)
