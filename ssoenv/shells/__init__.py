"""Per-shell dialects (bash, zsh, fish, pwsh, json), shell detection and the program's own command.

Importing this package is cheap: no shellingham (imported lazily by :func:`detect_shell`), no
click, no botocore.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from ssoenv.errors import UnknownShellError
from ssoenv.shells.base import Changes, Dialect, validate_key, validate_value
from ssoenv.shells.fish import Fish
from ssoenv.shells.jsonfmt import Json
from ssoenv.shells.posix import Bash, Zsh
from ssoenv.shells.pwsh import Pwsh

__all__ = [
    "DIALECTS",
    "HOOK_SHELLS",
    "Changes",
    "Dialect",
    "apply_hint",
    "complete_argv",
    "detect_shell",
    "get_dialect",
    "hook_hint",
    "self_argv",
    "shell_names",
    "validate_key",
    "validate_value",
]

DIALECTS: Final[dict[str, Dialect]] = {d.name: d for d in (Bash(), Zsh(), Fish(), Pwsh(), Json())}
_ALIASES: Final[dict[str, str]] = {alias: d.name for d in DIALECTS.values() for alias in d.aliases}
#: the dialects that are interactive shells (have a hook)
HOOK_SHELLS: Final[tuple[str, ...]] = tuple(n for n, d in DIALECTS.items() if d.hook_script)

# shells that read POSIX `export K='v'` / `unset -v K` correctly: served by the bash dialect
_POSIX_FAMILY: Final = frozenset({"sh", "dash", "ash", "ksh", "ksh93", "mksh", "oksh", "pdksh", "yash", "busybox"})


def shell_names() -> list[str]:
    """Every accepted name (dialects and aliases), for help texts and errors."""
    return [*DIALECTS, *_ALIASES]


def get_dialect(name: str) -> Dialect:
    """The dialect called ``name`` (case-insensitive; ``powershell`` is ``pwsh``)."""
    key = (name or "").strip().lower()
    key = _ALIASES.get(key, key)
    dialect = DIALECTS.get(key)
    if dialect is None:
        raise UnknownShellError(
            f"unknown shell {name!r}",
            hint="choose one of: " + ", ".join(shell_names()),
        )
    return dialect


def normalize_shell_name(value: str) -> str | None:
    """A dialect name for a shell program name or path (``-zsh``, ``/usr/bin/fish``, ``pwsh.exe``)."""
    base = os.path.basename(value.strip().replace("\\", "/")).lower()
    base = base.lstrip("-")
    if base.endswith(".exe"):
        base = base[:-4]
    if base in DIALECTS and DIALECTS[base].hook_script:
        return base
    if base in _ALIASES or base.startswith(("pwsh", "powershell")):
        return "pwsh"
    if base in _POSIX_FAMILY:
        return "bash"
    # versioned names: bash5.2, zsh-5.9
    for name in ("bash", "zsh", "fish"):
        if base.startswith(name) and not base[len(name) :].strip("-.0123456789"):
            return name
    return None


def detect_shell(environ: Mapping[str, str] | None = None) -> str:
    """The dialect of the shell that runs us: shellingham (parent processes), then ``$SHELL``, then bash."""
    env = os.environ if environ is None else environ
    try:
        import shellingham

        found = shellingham.detect_shell()
    except Exception:
        found = None
    if found:
        name = normalize_shell_name(str(found[0])) or normalize_shell_name(str(found[1]))
        if name:
            return name
    name = normalize_shell_name(env.get("SHELL", "")) if env.get("SHELL") else None
    return name or "bash"


# --- hints that name a command that works in the user's shell -------------------------------

_HOOK_LINES: Final = {
    "bash": 'eval "$(ssoenv hook bash)"  to ~/.bashrc',
    "zsh": 'eval "$(ssoenv hook zsh)"  to ~/.zshrc',
    "fish": "ssoenv hook fish | source  to ~/.config/fish/config.fish",
    "pwsh": "Invoke-Expression (& ssoenv hook pwsh | Out-String)  to $PROFILE",
}


def _user_shell(environ: Mapping[str, str]) -> str:
    hooked = environ.get("SSOENV_HOOK", "")  # set by the hook's wrapper for the program it runs
    return hooked if hooked in _HOOK_LINES else detect_shell(environ)


def shell_word(value: str, environ: Mapping[str, str] | None = None) -> str:
    """``value`` quoted as one word for the user's shell, for hints that name a command to paste
    (a profile called ``it's a\\b`` must still be one argument)."""
    return get_dialect(_user_shell(os.environ if environ is None else environ)).quote(value)


def apply_hint(args: str, environ: Mapping[str, str]) -> str:
    """How to run ``ssoenv ARGS`` (``use P``, ``off``) so that it changes the user's shell: the plain
    command where the hook is loaded, else the eval form of that shell."""
    command = f"ssoenv {args}"
    if environ.get("SSOENV_HOOK") in _HOOK_LINES:
        return command
    shell = _user_shell(environ)
    if shell == "fish":
        return f"{command} | source"
    if shell == "pwsh":
        return f"{command} | Out-String | Invoke-Expression"
    return f'eval "$({command})"'


def hook_hint(environ: Mapping[str, str]) -> str:
    """The rc line that installs the hook, for the user's shell."""
    return "add  " + _HOOK_LINES[_user_shell(environ)]


# --- the program's own command line ---------------------------------------------------------


def _console_script(directory: Path) -> Path | None:
    for name in ("ssoenv", "ssoenv.exe"):
        candidate = directory / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _runs_this_python(script: Path, executable: str) -> bool:
    """Whether ``script`` is a console script for the interpreter ``executable`` (its shebang)."""
    if script.suffix.lower() == ".exe":
        return True  # Windows launchers: the one in this interpreter's Scripts folder is ours
    try:
        with script.open("rb") as fh:
            first = fh.readline(4096).decode("utf-8", "replace").strip()
    except OSError:
        return False
    if not first.startswith("#!"):
        return False
    words = first[2:].split()
    if not words:
        return False
    interp = words[-1] if os.path.basename(words[0]) == "env" else words[0]
    try:
        return os.path.samefile(interp, executable) or Path(interp).resolve() == Path(executable).resolve()
    except OSError:
        return False


def _package_root() -> Path:
    return Path(__file__).resolve().parent.parent.parent


def _importable_anywhere() -> bool:
    """Whether ``import ssoenv`` works from any working directory, not only thanks to the cwd."""
    root = _package_root()
    try:
        if Path.cwd().resolve() != root:
            return True  # then the cwd is not what provides the package
    except OSError:
        return True
    for entry in sys.path[1:]:
        try:
            if entry and Path(entry).resolve() == root:
                return True
        except OSError:
            continue
    return False


def _python_code_argv(executable: str, code: str) -> list[str]:
    if _importable_anywhere():
        return [executable, "-c", code]
    root = str(_package_root())
    return [executable, "-c", f"import sys; sys.path.insert(0, {root!r}); {code}"]


def self_argv(argv0: str | None = None, executable: str | None = None) -> list[str]:
    """A command line that runs this ssoenv from anywhere, for the hook scripts.

    The console script when we were started through it; when started as ``python -m ssoenv``
    (tests, development), the console script beside the interpreter if its shebang names this
    interpreter, else ``python -m ssoenv`` (with the source tree put on ``sys.path`` if only the
    current directory provided it).
    """
    arg0 = sys.argv[0] if argv0 is None else argv0
    python = sys.executable if executable is None else executable
    if arg0:
        path = Path(arg0)
        stem = path.name.lower()
        for suffix in (".exe", "-script.py", "-script.pyw"):
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
        if stem == "ssoenv":
            for candidate in (path, path.with_name(path.name + ".exe")):
                if candidate.is_file():
                    return [os.path.abspath(candidate)]
    if python:
        script = _console_script(Path(python).parent)
        if script is not None and _runs_this_python(script, python):
            return [str(script)]
        if _importable_anywhere():
            return [python, "-m", "ssoenv"]
        return _python_code_argv(python, "from ssoenv.front.cli import main; main()")
    return ["ssoenv"]


#: the completion backend without the CLI (and without importing click)
_COMPLETE_CODE: Final = (
    "import sys; from ssoenv.front.completion import complete_main; sys.exit(complete_main(sys.argv[1:]))"
)


def complete_argv(executable: str | None = None) -> list[str]:
    """A command line that runs the fast completion backend: ``... words --shell=S --cur=C -- W...``."""
    python = sys.executable if executable is None else executable
    if not python:
        return [*self_argv(), "_complete"]
    return _python_code_argv(python, _COMPLETE_CODE)
