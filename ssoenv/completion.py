"""The fast completion backend behind TAB in every shell: ``ssoenv _complete ...``.

It runs before (and without) click, boto3 and botocore: a TAB press pays for Python's start-up
and one read of the config file by ``ssoenv.ini`` (the one reader), nothing else. The hook scripts call it through
``python -c`` so the CLI package (which imports click) is never loaded, and this module imports
nothing beyond what the interpreter has loaded at start-up (not even ``re`` or ``typing``).

Requests (one candidate per line on stdout; exit 0 even with no candidates)::

    _complete profiles [PREFIX]          profile names in AWS_CONFIG_FILE
    _complete sessions [PREFIX]          [sso-session NAME] names
    _complete verbs [PREFIX]             the verbs
    _complete options VERB [PREFIX]      the options of VERB
    _complete shells [PREFIX]            shell names for `hook` and `--shell`
    _complete words [--shell=S] --cur=CURRENT [--] WORD...
        what fits the word CURRENT, after WORD... (the words typed after `ssoenv`).
        S (bash, zsh, fish, pwsh) selects the output form: fish, zsh and pwsh get
        ``candidate<TAB>description`` lines; bash gets bare, escaped candidates and its
        COMP_WORDBREAKS splitting (``--shell = fi``, ``a : b``) is undone.

The tables below mirror the click commands; ``tests/shells/test_completion.py`` fails when they
drift apart.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from typing import Final

# --- what can be completed -------------------------------------------------------------------

SHELLS: Final = ("bash", "zsh", "fish", "pwsh", "powershell")
DIALECT_NAMES: Final = (*SHELLS, "json")
EXPORT_FORMATS: Final = ("process", "env", "env-no-export", "fish", "powershell", "windows-cmd", "json", "dotenv")

# value kinds: "profile", "session", "shell", "dialect", "command", "choice:a,b", "" (free text)
PROFILE: Final = "profile"


class Opt:
    """An option: its names, and ``value``: None for a flag, else the kind of value it takes."""

    __slots__ = ("names", "value")

    def __init__(self, names: tuple[str, ...], value: str | None = None) -> None:
        self.names = names
        self.value = value


HELP: Final = Opt(("-h", "--help"))
LOGIN_OPTS: Final = (Opt(("--use-device-code",)), Opt(("--no-browser",)), Opt(("--callback-port",), ""))
NO_LOGIN: Final = Opt(("--no-login",))


class Verb:
    """A verb: one-line help, options, and the kinds of its positional arguments in order
    ("command" swallows the rest)."""

    __slots__ = ("help", "options", "positionals")

    def __init__(self, help: str, options: tuple[Opt, ...] = (), positionals: tuple[str, ...] = ()) -> None:
        self.help = help
        self.options = options
        self.positionals = positionals


# `python -m tests.shells.clispec` prints this table from the click commands;
# tests/shells/test_completion.py fails when the two differ.
VERBS: Final[dict[str, Verb]] = {
    "login": Verb(
        "Log in to IAM Identity Center (browser PKCE, or device code).",
        (Opt(("--sso-session",), "session"), Opt(("--force",)), *LOGIN_OPTS),
        (PROFILE,),
    ),
    "logout": Verb("Log out: revoke and delete every cached SSO token and role credential."),
    "use": Verb(
        "Print shell code that puts a profile's credentials in the current shell.",
        (
            Opt(("--shell",), "dialect"),
            NO_LOGIN,
            Opt(("--profile-only",)),
            Opt(("--refresh",)),
            Opt(("--region",), ""),
            Opt(("-q", "--quiet")),
            *LOGIN_OPTS,
        ),
        (PROFILE,),
    ),
    "off": Verb(
        "Print shell code that removes what `use` set and restores what it displaced.",
        (Opt(("--shell",), "dialect"), Opt(("-q", "--quiet"))),
    ),
    "export": Verb(
        "Print a profile's credentials (env, fish, powershell, json, process, ...).",
        (Opt(("--format",), "choice:" + ",".join(EXPORT_FORMATS)), NO_LOGIN, *LOGIN_OPTS),
        (PROFILE,),
    ),
    "whoami": Verb(
        "Show the identity (account, role, user, time left) of a profile or of the env.",
        (Opt(("--json",)), NO_LOGIN, *LOGIN_OPTS),
        (PROFILE,),
    ),
    "list": Verb("List profiles with account, role, region and SSO session state.", (Opt(("--json",)),)),
    "shell": Verb(
        "Start your shell with a profile's credentials.",
        (NO_LOGIN, Opt(("--region",), ""), Opt(("--live",)), Opt(("--min-ttl",), ""), *LOGIN_OPTS),
        (PROFILE,),
    ),
    "exec": Verb(
        "Run a command with a profile's credentials in its environment.",
        (NO_LOGIN, Opt(("--region",), ""), Opt(("--live",)), Opt(("--min-ttl",), ""), *LOGIN_OPTS),
        (PROFILE, "command"),
    ),
    "serve": Verb(
        "Serve a profile's credentials on 127.0.0.1 to everything started from this shell.",
        (
            Opt(("--port",), ""),
            Opt(("--host",), ""),
            Opt(("--shell",), "dialect"),
            Opt(("--foreground",)),
            Opt(("-v", "--verbose")),
            NO_LOGIN,
            *LOGIN_OPTS,
        ),
        (PROFILE,),
    ),
    "console": Verb(
        "Open the AWS console signed in with a profile's role.",
        (Opt(("--service",), ""), Opt(("--region",), ""), Opt(("--print",)), NO_LOGIN, *LOGIN_OPTS),
        (PROFILE,),
    ),
    "hook": Verb(
        "Print the shell integration for your rc file (wrapper, prompt, completion).",
        (Opt(("--no-completion",)),),
        ("shell",),
    ),
    "configure": Verb(
        "Guided set-up of an SSO profile.",
        (
            Opt(("--profile",), PROFILE),
            Opt(("--sso-session",), "session"),
            Opt(("--start-url",), ""),
            Opt(("--sso-region",), ""),
            Opt(("--sso-registration-scopes",), ""),
            Opt(("--account-id",), ""),
            Opt(("--role-name",), ""),
            Opt(("--region",), ""),
            Opt(("--output",), ""),
            *LOGIN_OPTS,
        ),
    ),
    "populate": Verb(
        "Write a profile for every account and role of an SSO session.",
        (
            Opt(("--sso-session",), "session"),
            Opt(("--start-url",), ""),
            Opt(("--sso-region",), ""),
            Opt(("--profile-template",), ""),
            Opt(("--region",), ""),
            Opt(("--dry-run",)),
            Opt(("--prune",)),
            Opt(("--yes", "-y")),
            *LOGIN_OPTS,
        ),
    ),
    "emulator": Verb(
        "Run the bundled local emulator of the AWS SSO endpoints.",
        (
            Opt(("--port",), ""),
            Opt(("--accounts",), ""),
            Opt(("--roles-per-account",), ""),
            Opt(("--approve",), "choice:auto,manual,deny,preapproved"),
            Opt(("--token-ttl",), ""),
            Opt(("--role-ttl",), ""),
            Opt(("--device-interval",), ""),
            Opt(("--page-size",), ""),
            Opt(("--user-name",), ""),
            Opt(("--directory",), ""),
            Opt(("--fault",), ""),
            Opt(("--latency",), ""),
            Opt(("--log",)),
        ),
    ),
    "demo": Verb("A tour of ssoenv against the bundled emulator, in a temporary HOME.", (Opt(("--no-shell",)),)),
}
GLOBAL_OPTS: Final = (HELP, Opt(("--version",)))


def verb_options(verb: str) -> tuple[Opt, ...]:
    spec = VERBS.get(verb)
    return () if spec is None else (*spec.options, HELP)


# --- the config file ---------------------------------------------------------------------------


def config_path(environ: Mapping[str, str]) -> str:
    """``AWS_CONFIG_FILE`` (``~`` and ``$VAR`` expanded against ``environ``) or ``~/.aws/config``."""
    home = environ.get("HOME") or os.path.expanduser("~")
    value = environ.get("AWS_CONFIG_FILE") or "~/.aws/config"
    if value == "~" or value.startswith(("~/", "~" + os.sep)):
        value = home + value[1:]
    if "$" in value:
        for key in sorted(environ, key=len, reverse=True):
            value = value.replace("${" + key + "}", environ[key]).replace("$" + key, environ[key])
    return value


def _has_control(name: str) -> bool:
    return not name.isprintable() and any(c < " " or c == "\x7f" for c in name)


def scan_config(text: str, kind: str = "profile") -> list[str]:
    """Names of the ``[profile NAME]`` (and ``[default]``) or ``[sso-session NAME]`` sections.

    Read by :mod:`ssoenv.ini`, the reader every command uses, so TAB offers exactly the names
    ``use`` and ``list`` know (none when botocore would refuse the file); in file order, without
    names holding control characters (a candidate is one line).
    """
    from ssoenv.ini import section_names

    return [name for name in section_names(text, kind) if not _has_control(name)]


def read_names(environ: Mapping[str, str], kind: str = "profile") -> list[str]:
    try:
        with open(config_path(environ), encoding="utf-8", newline="") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError):
        return []
    return scan_config(text, kind)


# --- completing a command line ----------------------------------------------------------------


class Candidate:
    __slots__ = ("help", "value")

    def __init__(self, value: str, help: str = "") -> None:
        self.value = value
        self.help = help

    def __repr__(self) -> str:
        return f"Candidate({self.value!r}, {self.help!r})"


def _matching(values: Iterable[str], prefix: str, help_: Mapping[str, str] | None = None) -> list[Candidate]:
    return [Candidate(v, (help_ or {}).get(v, "")) for v in values if v.startswith(prefix)]


def _values(kind: str, prefix: str, environ: Mapping[str, str]) -> list[Candidate]:
    if kind == PROFILE:
        return _matching(read_names(environ, "profile"), prefix)
    if kind == "session":
        return _matching(read_names(environ, "sso-session"), prefix)
    if kind == "shell":
        return _matching(SHELLS, prefix)
    if kind == "dialect":
        return _matching(DIALECT_NAMES, prefix)
    if kind.startswith("choice:"):
        return _matching(kind[len("choice:") :].split(","), prefix)
    return []


def _find_option(options: Sequence[Opt], word: str) -> Opt | None:
    for opt in options:
        if word in opt.names:
            return opt
    return None


def complete(words: Sequence[str], cur: str, environ: Mapping[str, str]) -> list[Candidate]:
    """Candidates for the word ``cur``, typed after ``ssoenv`` and the complete ``words``."""
    index = 0
    while index < len(words) and words[index].startswith("-"):
        index += 1  # --help / --version before the verb
    if index == len(words):
        if cur.startswith("-"):
            return _matching([n for o in GLOBAL_OPTS for n in o.names], cur)
        return _matching(VERBS, cur, {k: v.help for k, v in VERBS.items()})
    verb = words[index]
    spec = VERBS.get(verb)
    if spec is None:
        return []
    options = verb_options(verb)
    positional = 0
    only_args = False
    expect: Opt | None = None
    for word in words[index + 1 :]:
        if expect is not None:
            expect = None
            continue
        if not only_args and word == "--":
            only_args = True
            continue
        if not only_args and word.startswith("-") and word != "-":
            opt = _find_option(options, word.split("=", 1)[0])
            if opt is not None and opt.value is not None and "=" not in word:
                expect = opt
            continue
        if positional < len(spec.positionals) and spec.positionals[positional] == "command":
            return []  # `exec PROFILE CMD ...`: the rest belongs to CMD
        positional += 1
    if expect is not None:
        return _values(expect.value or "", cur, environ)
    if not only_args and cur.startswith("-"):
        if cur.startswith("--") and "=" in cur:
            name, _, value = cur.partition("=")
            opt = _find_option(options, name)
            if opt is None or opt.value is None:
                return []
            return [Candidate(f"{name}={c.value}", c.help) for c in _values(opt.value, value, environ)]
        return _matching([n for o in options for n in o.names], cur)
    if positional < len(spec.positionals):
        kind = spec.positionals[positional]
        return [] if kind == "command" else _values(kind, cur, environ)
    return []


# --- shell-specific input and output -------------------------------------------------------------

_BASH_BREAKS: Final = ("=", ":")
_BASH_SPECIAL: Final = frozenset(" \t\n\"'\\$`<>|&;()[]*?{}!#~=:^,")


def _bash_escape(value: str) -> str:
    return "".join("\\" + c if c in _BASH_SPECIAL else c for c in value)


def _bash_unquote(word: str) -> str:
    if word[:1] in ("'", '"'):
        return word[1:].replace(word[0], "")
    out = []
    escaped = False
    for char in word:
        if char == "\\" and not escaped:
            escaped = True
            continue
        out.append(char)
        escaped = False
    return "".join(out)


def bash_words(words: Sequence[str], cur: str) -> tuple[list[str], str, str]:
    """Undo bash's COMP_WORDBREAKS splitting of ``=`` and ``:``.

    Returns the complete words, the whole current word, and the part of it that bash's readline
    keeps (everything up to the last break character), all unquoted.
    """
    merged: list[str] = []
    glue_next = False
    for token in [*words, cur]:
        if token in _BASH_BREAKS and merged:
            merged[-1] += token
            glue_next = True
        elif glue_next:
            merged[-1] += token
            glue_next = False
        else:
            merged.append(token)
    full = merged.pop()
    replaced = "" if cur in _BASH_BREAKS else cur
    keep = full[: len(full) - len(replaced)]
    return [_bash_unquote(w) for w in merged], _bash_unquote(full), _bash_unquote(keep)


def format_candidates(candidates: Sequence[Candidate], shell: str, strip: str = "", quoted: bool = False) -> str:
    lines = []
    for cand in candidates:
        value = cand.value
        if any(ord(c) < 32 for c in value):
            continue
        if shell == "bash":
            value = value[len(strip) :] if strip and value.startswith(strip) else value
            if not quoted:
                value = _bash_escape(value)
            lines.append(value)
        elif cand.help and shell in ("fish", "zsh", "pwsh"):
            lines.append(f"{value}\t{cand.help}")
        else:
            lines.append(value)
    return "".join(line + "\n" for line in lines)


def complete_words(args: Sequence[str], environ: Mapping[str, str]) -> str:
    """``words [--shell=S] [--cur=CURRENT] [--] WORD...`` (the ``--`` is optional: PowerShell may drop it)."""
    shell = ""
    cur = ""
    rest = list(args)
    if rest and rest[0].startswith("--shell="):
        shell = rest.pop(0)[len("--shell=") :]
    if rest and rest[0].startswith("--cur="):
        cur = rest.pop(0)[len("--cur=") :]
    if rest and rest[0] == "--":
        rest.pop(0)
    if shell == "bash":
        words, full, keep = bash_words(rest, cur)
        quoted = cur[:1] in ("'", '"')
        return format_candidates(complete(words, full, environ), shell, keep, quoted)
    return format_candidates(complete(rest, cur, environ), shell)


def complete_main(args: list[str], environ: Mapping[str, str] | None = None) -> int:
    """``ssoenv _complete ARGS``: print candidates; 0 on success, 2 on a malformed request."""
    env = os.environ if environ is None else environ
    what = args[0] if args else ""
    rest = args[1:]
    try:
        if what == "words":
            out = complete_words(rest, env)
        elif what in ("profiles", "sessions") and len(rest) <= 1:
            names = read_names(env, "profile" if what == "profiles" else "sso-session")
            out = format_candidates(_matching(names, rest[0] if rest else ""), "")
        elif what == "verbs" and len(rest) <= 1:
            out = format_candidates(_matching(VERBS, rest[0] if rest else ""), "")
        elif what == "shells" and len(rest) <= 1:
            out = format_candidates(_matching(SHELLS, rest[0] if rest else ""), "")
        elif what == "options" and 1 <= len(rest) <= 2:
            names = [n for o in verb_options(rest[0]) for n in o.names]
            out = format_candidates(_matching(names, rest[1] if len(rest) > 1 else ""), "")
        else:
            raise ValueError("usage: ssoenv _complete profiles|sessions|verbs|shells [PREFIX] | options VERB [PREFIX]")
    except ValueError as exc:
        sys.stderr.write(f"ssoenv: {exc}\n")
        return 2
    try:
        sys.stdout.write(out)
        sys.stdout.flush()
    except BrokenPipeError:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(complete_main(sys.argv[1:]))
