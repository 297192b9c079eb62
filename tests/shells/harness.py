"""Driving real shells: a ShellSpec table, non-interactive runs and pexpect sessions.

Every shell runs isolated: a temporary HOME / ZDOTDIR / XDG dirs, bash ``--norc``/``--rcfile``,
zsh ``-f``, fish ``--no-config``; nothing reads the real HOME. Interactive sessions sync on split
markers (``printf '%s%s\\n' __M_ <hex>``: the echoed command line never matches) as described in
the shared guide testing-shells.md.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:  # tests/conftest.py, as pytest imports it (rootdir-relative, or as part of a package)
    from conftest import fish_has_run, require_program
except ImportError:  # pragma: no cover
    from tests.conftest import fish_has_run, require_program

__all__ = ["PROMPT", "SHELLS", "Session", "ShellSpec", "isolated_env", "require_program", "spawn", "write_init"]

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")
PROMPT = "PXP>> "
PYTHON = sys.executable
HOOK_CMD = f"'{PYTHON}' -m ssoenv hook"  # as in the tests' brief: the program run as `python -m ssoenv`

# prints the environment (str keys/values) as JSON: works the same from every shell
ENV_DUMP = "import json,os,sys; sys.stdout.write('__ENV__' + json.dumps(dict(os.environ)) + '__VNE__')"


@dataclass(frozen=True)
class ShellSpec:
    name: str  # dialect name
    program: str
    noninteractive_args: tuple[str, ...]
    status_var: str  # `$?` / `$status`

    def run_code(
        self, program_path: str, code: str, env: Mapping[str, str], cwd: Path
    ) -> subprocess.CompletedProcess[bytes]:
        """Run ``code`` non-interactively; stdin closed."""
        return subprocess.run(
            [program_path, *self.noninteractive_args, code],
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=60,
        )


SHELLS: dict[str, ShellSpec] = {
    "bash": ShellSpec("bash", "bash", ("--norc", "--noprofile", "-c"), "$?"),
    "zsh": ShellSpec("zsh", "zsh", ("-f", "-c"), "$?"),
    "fish": ShellSpec("fish", "fish", ("--no-config", "-c"), "$status"),
    "pwsh": ShellSpec("pwsh", "pwsh", ("-NoProfile", "-NonInteractive", "-Command"), "$LASTEXITCODE"),
}


def isolated_env(home: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (or a minimal environment) with every per-user location inside ``home``."""
    env = dict(base or {})
    env.setdefault("PATH", str(Path(PYTHON).parent) + ":/usr/local/bin:/usr/bin:/bin")
    env.update(
        {
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TERM": "dumb",
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_STATE_HOME": str(home / ".local" / "state"),
            "ZDOTDIR": str(home),
            "INPUTRC": str(home / ".inputrc"),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    home.mkdir(parents=True, exist_ok=True)
    fish_has_run(Path(env["XDG_DATA_HOME"]))
    (home / ".inputrc").write_text("set enable-bracketed-paste off\nset bell-style none\n")
    return env


@dataclass
class Session:
    """One interactive shell in a PTY (pexpect), with the hook loaded."""

    spec: ShellSpec
    child: Any
    transcript: list[str] = field(default_factory=list)
    last_prompt: str = ""  # what was drawn in front of PS1: the ssoenv segment, if any
    last_before_prompt: str = ""  # all output between the command and the prompt (hook messages)

    # --- low level ---
    def _marker(self) -> tuple[str, str]:
        tag = uuid.uuid4().hex[:12]
        return f"printf '%s%s\\n' __M_ {tag}", f"__M_{tag}"

    def send_line(self, line: str) -> None:
        self.child.send(line + "\r")

    def expect_prompt(self, timeout: float = 30) -> str:
        self.child.expect_exact(PROMPT, timeout=timeout)
        self.last_before_prompt = clean(self.child.before)
        # what the prompt drew before our PS1 (fish may first draw its missing-newline mark and \r)
        self.last_prompt = self.last_before_prompt.split("\r")[-1].lstrip("\n")
        return self.last_prompt

    # --- commands ---
    def run(self, command: str, timeout: float = 60) -> str:
        """Run ``command``; its output (stdout+stderr, escapes stripped); waits for the next prompt."""
        begin_cmd, begin = self._marker()
        end_cmd, end = self._marker()
        self.send_line(f"{begin_cmd}; {command}; {end_cmd}")
        self.child.expect(re.escape(begin) + r"\r?\n", timeout=timeout)
        self.child.expect(re.escape(end) + r"\r?\n", timeout=timeout)
        out = clean(self.child.before)
        self.expect_prompt(timeout)
        return out.replace("\r\n", "\n").replace("\r", "")

    def run_keep_status(self, command: str, timeout: float = 60) -> None:
        """Run ``command`` last on the line, so its status is the one the prompt hook sees."""
        end_cmd, end = self._marker()
        self.send_line(f"{end_cmd}; {command}")
        self.child.expect(re.escape(end) + r"\r?\n", timeout=timeout)
        self.expect_prompt(timeout)

    def status_after_prompt(self) -> int:
        """The `$?` the shell holds now (after the prompt hook ran), without changing it first."""
        end_cmd, end = self._marker()
        self.send_line(f'echo "rc=[{self.spec.status_var}]"; {end_cmd}')
        self.child.expect(r"rc=\[(\d+)\]", timeout=30)
        status = int(self.child.match.group(1))
        self.child.expect(re.escape(end) + r"\r?\n", timeout=30)
        self.expect_prompt()
        return status

    def env(self) -> dict[str, str]:
        """The exported environment, as a child process sees it."""
        out = self.run(f"'{PYTHON}' -c \"{ENV_DUMP}\"")
        match = re.search(r"__ENV__(.*)__VNE__", out, re.S)
        assert match, out
        return dict(json.loads(match.group(1)))

    def complete(self, partial: str, tabs: int = 1) -> str:
        """Type ``partial``, press TAB, and return the line as completion left it."""
        begin_cmd, begin = self._marker()
        end_cmd, end = self._marker()
        self.child.send(partial + "\t" * tabs)
        # beginning of line, prefix an echo; end of line, add the end marker; run
        self.child.send("\x01" + f'{begin_cmd}; echo "[" ')
        self.child.send("\x05" + f' "]"; {end_cmd}\r')
        self.child.expect(re.escape(begin) + r"\r?\n", timeout=30)
        self.child.expect(re.escape(end) + r"\r?\n", timeout=30)
        out = clean(self.child.before)
        self.expect_prompt()
        match = re.search(r"\[ (.*?) ?\]", out)
        assert match, out
        return match.group(1)

    def enter(self) -> None:
        """Press Enter on an empty line: one more prompt (the hook runs once more)."""
        self.send_line("")
        self.expect_prompt()

    def set_var(self, name: str, value: str) -> None:
        """Export ``name`` (value quoted by our own dialect) in the shell."""
        from ssoenv.shells import get_dialect

        self.run(get_dialect(self.spec.name).set(name, value))

    def status_of(self, command: str) -> int:
        """Exit status of ``command`` run in this shell (e.g. through the ``ssoenv`` wrapper)."""
        out = self.run(f'{command}; echo "st=[{self.spec.status_var}]"')
        match = re.search(r"st=\[(\d+)\]", out)
        assert match, out
        return int(match.group(1))

    def close(self) -> None:
        try:
            self.child.sendeof()
            self.child.expect(__import__("pexpect").EOF, timeout=5)
        except Exception:
            pass
        self.child.close(force=True)


def clean(text: str) -> str:
    return ANSI.sub("", text or "")


def write_init(spec: ShellSpec, home: Path, hook_lines: Sequence[str], *, compinit: bool = True) -> Path:
    """The rc file of an interactive test shell: a plain, recognisable prompt, then ``hook_lines``."""
    if spec.name == "bash":
        path = home / ".bashrc-test"
        text = "PS1='PXP''>> '; PS2=''; unset PROMPT_COMMAND\n"
    elif spec.name == "zsh":
        path = home / ".zshrc"
        text = "PS1='PXP''>> '; RPROMPT=''; PS2=''; unsetopt PROMPT_SP PROMPT_CR; unset zle_bracketed_paste\n"
        if compinit:
            text += "autoload -Uz compinit && compinit -u -D\n"
    elif spec.name == "fish":
        path = home / "init.fish"
        text = (
            "function fish_prompt; printf 'PXP''>> '; end\n"
            "function fish_right_prompt; end\n"
            "function fish_title; end\n"
            "set -g fish_greeting ''\n"
            "set -g fish_autosuggestion_enabled 0\n"
        )
    else:
        raise ValueError(spec.name)
    path.write_text(text + "".join(line + "\n" for line in hook_lines))
    return path


def hook_line(shell: str) -> str:
    if shell == "fish":
        return f"{HOOK_CMD} fish | source"
    if shell == "bash":
        return f'eval -- "$({HOOK_CMD} bash)"'
    return f'eval "$({HOOK_CMD} {shell})"'


def spawn(spec: ShellSpec, program_path: str, env: Mapping[str, str], home: Path, init: Path) -> Session:
    import pexpect

    if spec.name == "bash":
        args = ["--noprofile", "--rcfile", str(init), "-i"]
    elif spec.name == "zsh":
        args = ["+o", "GLOBAL_RCS", "-i"]  # ZDOTDIR=home: reads home/.zshrc; not /etc/zsh/zshrc
    else:
        args = ["--no-config", "-i", "-C", f"source '{init}'"]
    child = pexpect.spawn(
        program_path, args, env=dict(env), cwd=str(home), encoding="utf-8", dimensions=(40, 250), timeout=30
    )
    child.delaybeforesend = None
    child.delayafterclose = 0
    child.ptyproc.delayafterclose = 0
    child.logfile_read = _Tee()
    session = Session(spec, child)
    session.expect_prompt(timeout=30)
    return session


class _Tee:
    """pexpect log: to stdout, which pytest shows for a failing test."""

    def write(self, data: str) -> None:
        sys.stdout.write(clean(data))

    def flush(self) -> None:
        sys.stdout.flush()
