"""The per-shell dialect interface: quote a value, set, unset, render a change set, render the hook.

A *change set* maps variable names to a value (set and export) or ``None`` (unset). Keys are
validated, never escaped: ssoenv chooses every key, so anything outside
``[A-Za-z_][A-Za-z0-9_]*`` is a programming error. Values may hold anything a process
environment can hold (every character but NUL); each dialect quotes them so that they arrive in
the shell byte for byte and are never expanded or executed.

The hook scripts live in ``shell/ssoenv.<ext>`` and ``completions/ssoenv.<ext>`` (package data;
see :func:`ssoenv.paths.data_dir`). They contain two placeholders, always as whole words and never
inside quotes (a test enforces this):

``__SSOENV_EXE__``
    the command that runs ssoenv (one or more words, each quoted for the dialect);
``__SSOENV_COMPLETE__``
    the command that runs the fast completion backend (``ssoenv.front.completion``), which skips the
    import of click that the full CLI pays for;
``__SSOENV_RUNTIME__``
    the private folder of the background refresh's hand-off files (one word, quoted);
``__SSOENV_ARGV__``
    the program's words, each quoted, separated by ``, `` (a PowerShell array's items).
"""

from __future__ import annotations

import os
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import ClassVar, Final, TypeAlias

from ssoenv.paths import data_dir, resolve_paths

Changes: TypeAlias = Mapping[str, str | None]

KEY_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
EXE_PLACEHOLDER: Final = "__SSOENV_EXE__"
COMPLETE_PLACEHOLDER: Final = "__SSOENV_COMPLETE__"
RUNTIME_PLACEHOLDER: Final = "__SSOENV_RUNTIME__"
ARGV_PLACEHOLDER: Final = "__SSOENV_ARGV__"


def validate_key(key: str) -> str:
    """Return ``key`` if it is a portable variable name, else raise :class:`ValueError`."""
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise ValueError(f"invalid environment variable name: {key!r}")
    return key


def validate_value(value: str) -> str:
    """Return ``value`` if a process environment can hold it (no NUL), else raise :class:`ValueError`."""
    if not isinstance(value, str):
        raise ValueError(f"environment values must be str, not {type(value).__name__}")
    if "\0" in value:
        raise ValueError("environment values cannot contain NUL characters")
    return value


def as_argv(exe: str | Sequence[str]) -> list[str]:
    """``exe`` as a non-empty argv list: a plain string is one program path."""
    argv = [exe] if isinstance(exe, str) else list(exe)
    if not argv or not all(isinstance(a, str) and a for a in argv):
        raise ValueError(f"invalid program: {exe!r}")
    for arg in argv:
        validate_value(arg)
    return argv


class Dialect(ABC):
    """One output format: a shell (bash, zsh, fish, pwsh) or a machine format (json)."""

    name: ClassVar[str]
    #: aliases accepted by :func:`ssoenv.shells.get_dialect` (e.g. ``powershell``)
    aliases: ClassVar[tuple[str, ...]] = ()
    #: file names of the hook and completion scripts (``None``: this dialect has no hook)
    hook_script: ClassVar[str | None] = None
    completion_script: ClassVar[str | None] = None

    @abstractmethod
    def quote(self, value: str) -> str:
        """``value`` as one word of this dialect that evaluates to exactly ``value``."""

    @abstractmethod
    def set(self, key: str, value: str) -> str:
        """One statement that sets and exports ``key`` to ``value``."""

    @abstractmethod
    def unset(self, key: str) -> str:
        """One statement that removes ``key`` from the environment (no error if absent)."""

    def render(self, changes: Changes) -> str:
        """The whole change set as code, keys sorted, one statement per line."""
        lines = []
        for key in sorted(changes):
            value = changes[key]
            lines.append(self.unset(key) if value is None else self.set(key, value))
        return "".join(line + "\n" for line in lines)

    def command(self, argv: Sequence[str]) -> str:
        """A command line running ``argv`` (each word quoted)."""
        return " ".join(self.quote(arg) for arg in as_argv(argv))

    def hook(
        self,
        exe: str | Sequence[str],
        *,
        complete: str | Sequence[str] | None = None,
        completion: bool = True,
        runtime: str | None = None,
    ) -> str:
        """The rc-file script: the hook script, then (unless ``completion=False``) the completion script.

        ``exe`` runs ssoenv (a path, or an argv such as ``[python, "-m", "ssoenv"]``);
        ``complete`` runs the completion backend and defaults to ``exe _complete``; ``runtime`` is
        the hand-off folder of the background refresh (default: :func:`runtime_dir` of this process).
        """
        if self.hook_script is None:
            from ssoenv.errors import UsageError

            raise UsageError(f"{self.name} has no shell hook")
        exe_argv = as_argv(exe)
        complete_argv = [*exe_argv, "_complete"] if complete is None else as_argv(complete)
        texts = [load_script("shell", self.hook_script)]
        if completion and self.completion_script is not None:
            texts.append(load_script("completions", self.completion_script))
        text = "\n".join(t if t.endswith("\n") else t + "\n" for t in texts)
        folder = str(runtime_dir(os.environ)) if runtime is None else runtime
        return (
            text.replace(COMPLETE_PLACEHOLDER, self.command(complete_argv))
            .replace(EXE_PLACEHOLDER, self.command(exe_argv))
            .replace(RUNTIME_PLACEHOLDER, self.quote(validate_value(folder)))
            .replace(ARGV_PLACEHOLDER, ", ".join(self.quote(word) for word in exe_argv))
        )


def runtime_dir(environ: Mapping[str, str]) -> Path:
    """The private folder (0700, created by ``ssoenv _refresh``) of the hook's hand-off files:
    ``$XDG_RUNTIME_DIR/ssoenv`` (per user, in memory, emptied at log-out), else beside our lock files
    under ``~/.aws/sso`` -- never a shared folder such as /tmp, where another user could create it first."""
    xdg = environ.get("XDG_RUNTIME_DIR", "")
    if xdg and os.path.isabs(xdg) and os.path.isdir(xdg):
        return Path(xdg) / "ssoenv"
    return resolve_paths(environ).lock_dir.parent / "ssoenv-run"


def load_script(kind: str, name: str) -> str:
    """The text of a packaged script (``kind`` is ``shell`` or ``completions``)."""
    path = data_dir(kind) / name
    return path.read_text(encoding="utf-8")
