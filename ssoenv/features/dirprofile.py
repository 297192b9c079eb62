"""Profiles that follow your directory: the ``.ssoenv`` file, the trust store, and what a switch does.

**The file.** A ``.ssoenv`` file names one profile and, optionally, a region; nothing else::

    # comments and blank lines are ignored
    profile = acme-prod
    region = eu-west-1

Each line is blank, a ``#`` comment, or ``key = value`` with ``key`` one of ``profile`` (once,
required) and ``region`` (at most once). The profile name has no control characters and no
spaces at its ends; the region is a name botocore accepts (``config.profiles.is_region_name``).
The file is UTF-8, at most :data:`MAX_BYTES` bytes. Anything else is refused with one line naming
``file:line``: the file is data, never code, and is never run by ssoenv or by the shell.

**Trust.** A file is acted on only once you ran ``ssoenv allow`` for it: the store
(:func:`ssoenv.paths.dir_trust_file`, 0600) keeps each allowed file's path (its directory's real
path, so a symlinked route to it counts, another directory linking to it does not) with the
SHA-256 of its bytes. A file whose bytes changed since is not acted on until it is allowed again;
``ssoenv deny`` forgets it.

**A switch.** The hook looks for the nearest ``.ssoenv`` upwards from ``$PWD`` itself, with shell
builtins, and only when ``$PWD`` changed; when the nearest file is not the one it already acted
on, it runs ``ssoenv _dir`` (:func:`switch`): never a login, never a browser; credentials from the
cache or a silent refresh within :data:`BUDGET` seconds. The hook keeps a stack of the files of the
trees you are in, each with the code that restores what was there before it switched (the
``use`` variables and ``SSOENV_SAVED*``, exactly); leaving a tree runs that code in the shell, no
process. A ``use`` or ``off`` by hand takes the shell over: leaving the tree then changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final, NamedTuple

from ssoenv.config.profiles import is_region_name
from ssoenv.errors import ConfigError, LoginRequired, MfaRequired, NotConfirmed, SsoenvError, UsageError
from ssoenv.shells.envvars import MANAGED, SAVED, SAVED_PREFIX, Activation, Changes, use_changes

FILE_NAME: Final = ".ssoenv"
MAX_BYTES: Final = 4096
#: seconds a directory switch may spend asking the service (a silent refresh); the cache costs none
BUDGET: Final = 3.0
FORMAT_HINT: Final = "a .ssoenv file holds `profile = NAME` and optionally `region = REGION`"

_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")

# the hook's state, one shell variable each (never exported): see shell/ssoenv.*
STATE: Final = "_ssoenv_dir_st"  # applied, untrusted, pending, refused, failed
RESTORE: Final = "_ssoenv_dir_r"  # code that puts back what the switch displaced
OWNER: Final = "_ssoenv_dir_o"  # the profile the switch put in (a hand `use`/`off` clears it)
WATCH: Final = "_ssoenv_dir_w"  # pending: the folder a login writes to (newer than the stamp: try again)


class DirProfile(NamedTuple):
    file: Path
    profile: str
    region: str | None


class Outcome(NamedTuple):
    """What ``ssoenv _dir`` tells the shell: its state, the changes to apply, and the one line to say."""

    state: str
    changes: Changes
    restore: Changes | None
    owner: str
    message: str | None
    watch: str = ""


def parse(data: bytes, file: Path) -> DirProfile:
    """The profile (and region) a ``.ssoenv`` names; ConfigError (``file:line``) for anything else."""
    if len(data) > MAX_BYTES:
        raise ConfigError(f"{file}: {len(data)} bytes, more than a .ssoenv may hold ({MAX_BYTES})", hint=FORMAT_HINT)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{file}: not UTF-8 text", hint=FORMAT_HINT) from None
    text = text.removeprefix("\ufeff")
    found: dict[str, str] = {}
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.removesuffix("\r").strip(" \t")
        where = f"{file}:{number}"
        if not line or line.startswith("#"):
            continue
        key, eq, value = line.partition("=")
        key, value = key.strip(" \t"), value.strip(" \t")
        if not eq:
            raise ConfigError(f"{where}: not `key = value`: {_shown(line)}", hint=FORMAT_HINT)
        if key not in ("profile", "region"):
            raise ConfigError(f"{where}: unknown key {_shown(key)}", hint=FORMAT_HINT)
        if key in found:
            raise ConfigError(f"{where}: {key} given twice", hint=FORMAT_HINT)
        if not value or _CONTROL.search(value) or len(value) > 256:
            raise ConfigError(f"{where}: {key} must be a plain name, not {_shown(value)}", hint=FORMAT_HINT)
        if key == "region" and not is_region_name(value):
            raise ConfigError(f"{where}: {_shown(value)} is not a region name (like eu-west-1)", hint=FORMAT_HINT)
        found[key] = value
    if "profile" not in found:
        raise ConfigError(f"{file}: no `profile = NAME` line", hint=FORMAT_HINT)
    return DirProfile(file, found["profile"], found.get("region"))


def _shown(text: str) -> str:
    """A piece of the file in a message: quoted, control characters visible, cut short."""
    return repr(text[:60] + ("..." if len(text) > 60 else ""))


def nearest(start: Path) -> Path | None:
    """The nearest ``.ssoenv`` from ``start`` upwards (what the hook finds with builtins)."""
    for folder in (start, *start.parents):
        candidate = folder / FILE_NAME
        if candidate.is_file():
            return candidate
    return None


def target(path: str | None, cwd: Path) -> Path:
    """The file ``allow``/``deny`` mean: PATH (a folder or a .ssoenv file), else the nearest upwards."""
    if path is None:
        found = nearest(cwd)
        if found is None:
            raise UsageError(f"no {FILE_NAME} file in {cwd} or above", hint="write one: profile = NAME")
        return found
    given = (cwd / path) if not os.path.isabs(path) else Path(path)
    if given.is_dir():
        given = given / FILE_NAME
    if given.name != FILE_NAME:
        raise UsageError(f"{path}: not a {FILE_NAME} file or a folder", hint=f"name the folder that holds {FILE_NAME}")
    return Path(os.path.abspath(given))


def key(file: Path) -> str:
    """The store's name for ``file``: its folder's real path, then the file name."""
    return os.path.join(os.path.realpath(file.parent), file.name)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read(file: Path) -> bytes:
    """The file's bytes (at most one more than may be held), or one clear line."""
    try:
        with open(file, "rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise UsageError(f"{file}: no such file") from None
    except OSError as exc:
        raise SsoenvError(f"cannot read {file}: {exc.strerror}") from exc


# --- the trust store -------------------------------------------------------------------------


def _load(store: Path) -> dict[str, str]:
    try:
        data = json.loads(store.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise SsoenvError(
            f"cannot read the allowed .ssoenv files in {store}: {exc}", hint=f"remove {store} and allow them again"
        ) from exc
    allowed = data.get("allowed") if isinstance(data, dict) else None
    if not isinstance(allowed, dict):
        return {}
    return {str(k): str(v) for k, v in allowed.items() if isinstance(v, str)}


def _save(store: Path, allowed: Mapping[str, str]) -> None:
    from ssoenv.fsutil import atomic_write

    body = json.dumps({"version": 1, "allowed": dict(sorted(allowed.items()))}, indent=1) + "\n"
    atomic_write(store, body.encode("utf-8"))


def _locked(store: Path, change: Callable[[dict[str, str]], bool]) -> bool:
    from ssoenv.fsutil import ensure_private_dir, file_lock

    ensure_private_dir(store.parent)
    with file_lock(store.with_name(store.name + ".lock")):
        allowed = _load(store)
        changed = change(allowed)
        if changed:
            _save(store, allowed)
        return changed


def allow(file: Path, data: bytes, environ: Mapping[str, str]) -> None:
    from ssoenv.paths import dir_trust_file

    def add(allowed: dict[str, str]) -> bool:
        allowed[key(file)] = digest(data)
        return True

    _locked(dir_trust_file(environ), add)


def deny(file: Path, environ: Mapping[str, str]) -> bool:
    """Forget ``file``; whether it was allowed."""
    from ssoenv.paths import dir_trust_file

    return _locked(dir_trust_file(environ), lambda allowed: allowed.pop(key(file), None) is not None)


def trust(file: Path, data: bytes, environ: Mapping[str, str]) -> str:
    """``allowed``, ``changed`` (allowed with other bytes) or ``unknown``."""
    from ssoenv.paths import dir_trust_file

    recorded = _load(dir_trust_file(environ)).get(key(file))
    if recorded is None:
        return "unknown"
    return "allowed" if recorded == digest(data) else "changed"


# --- a switch ------------------------------------------------------------------------------


def snapshot(environ: Mapping[str, str]) -> Changes:
    """Code-to-be that puts every variable a switch may touch back as it is in ``environ`` now."""
    names = [*MANAGED, SAVED, *(SAVED_PREFIX + name for name in MANAGED)]
    return {name: environ.get(name) for name in names}


def allow_hint(file: Path, cwd: Path, quote: Callable[[str], str]) -> str:
    if os.path.realpath(file.parent) == os.path.realpath(cwd):
        return "ssoenv allow"
    return f"ssoenv allow {quote(str(file.parent))}"


Confirm = Callable[[str], bool]
Activate = Callable[[DirProfile], Activation]


def switch(
    file: Path,
    environ: Mapping[str, str],
    *,
    cwd: Path,
    quote: Callable[[str], str],
    confirm: Confirm,
    activate: Activate,
    watch: str,
) -> Outcome:
    """What entering the tree of ``file`` does to a shell whose environment is ``environ``.

    ``confirm(profile)`` asks for a guarded profile (NotConfirmed when refused; returns whether
    it is guarded); ``activate(spec)`` gets the credentials without a login (LoginRequired when
    the session needs one). Every refusal is one line and no change.
    """
    folder = file.parent
    try:
        data = read(file)
        spec = parse(data, file)
    except SsoenvError as exc:
        return Outcome("failed", {}, None, "", f"{exc}; not used")
    state = trust(file, data, environ)
    if state != "allowed":
        what = "changed since you allowed it" if state == "changed" else "is not allowed yet"
        return Outcome(
            "untrusted",
            {},
            None,
            "",
            f"{file} {what} (profile {_CONTROL.sub('?', spec.profile)}); "
            f"run `{allow_hint(file, cwd, quote)}` to use it",
        )
    try:
        guarded = confirm(spec.profile)
        act = activate(spec)._replace(guarded=guarded)
    except NotConfirmed as exc:
        by_hand = f"ssoenv use {quote(spec.profile)}"
        return Outcome(
            "refused", {}, None, "", f"{folder}: not switched to {spec.profile}: {exc.message} (`{by_hand}` to switch)"
        )
    except MfaRequired as exc:
        return Outcome("failed", {}, None, "", f"{folder}: not switched to {spec.profile}: {exc}")
    except LoginRequired as exc:
        login = f"ssoenv login {quote(spec.profile)}"
        return Outcome(
            "pending",
            {},
            None,
            "",
            f"{folder} uses {spec.profile}, but {exc.message}; run `{login}` and the shell switches then",
            watch=watch,
        )
    except SsoenvError as exc:
        return Outcome("failed", {}, None, "", f"{folder}: not switched to {spec.profile}: {exc}")
    from ssoenv.ui.status import using_message

    changes = use_changes(environ, act)
    return Outcome("applied", changes, snapshot(environ), act.profile, f"{using_message(act)}, for {folder}")


_ASSIGN: Final = {
    "bash": "{name}={value}",
    "zsh": "{name}={value}",
    "fish": "set -g {name} {value}",
    "pwsh": "$global:{name} = {value}",
}


def render(outcome: Outcome, shell: str) -> str:
    """The code the hook evaluates: the changes, then its state variables (never exported)."""
    from ssoenv.shells import get_dialect

    dialect = get_dialect(shell)
    restore = dialect.render(outcome.restore) if outcome.restore is not None else ""
    state = {STATE: outcome.state, RESTORE: restore, OWNER: outcome.owner, WATCH: outcome.watch}
    lines = [_ASSIGN[dialect.name].format(name=name, value=dialect.quote(value)) for name, value in state.items()]
    return dialect.render(outcome.changes) + "".join(line + "\n" for line in lines)
