"""The fast completion backend behind TAB in every shell: ``ssoenv _complete ...``.

It runs before (and without) click, boto3 and botocore: a TAB press pays for Python's start-up
and one read of the config file by ``ssoenv.config.ini`` (the one reader), nothing else. The hook
scripts call it through ``python -c`` so the CLI package (which imports click) is never loaded, and this module imports
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

The verbs and options come from ``ssoenv.front.clispec`` (the one table, checked against the click
commands by ``tests/shells/test_completion.py``).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from typing import Final

# --- what can be completed: the one table of verbs and options (ssoenv.front.clispec) ---------------

from ssoenv.front.clispec import (  # noqa: E402
    DIALECT_NAMES,
    EXPORT_FORMATS,
    GLOBAL_OPTS,
    HELP,
    PROFILE,
    SHELLS,
    VERBS,
    Opt,
    Verb,
)

__all__ = ["DIALECT_NAMES", "EXPORT_FORMATS", "GLOBAL_OPTS", "HELP", "PROFILE", "SHELLS", "VERBS", "Opt", "Verb"]


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

    Read by :mod:`ssoenv.config.ini`, the reader every command uses, so TAB offers exactly the names
    ``use`` and ``list`` know (none when botocore would refuse the file); in file order, without
    names holding control characters (a candidate is one line).
    """
    from ssoenv.config.ini import section_names

    return [name for name in section_names(text, kind) if not _has_control(name)]


def read_names(environ: Mapping[str, str], kind: str = "profile") -> list[str]:
    """The names in the config file. A big file that ``use``/``list`` noted as read without
    fault (``ini.stamp``) is scanned by its header lines only, else it is read in full."""
    from ssoenv.config import ini

    path = config_path(environ)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    if len(data) >= ini.STAMP_MIN:
        home = environ.get("HOME") or os.path.expanduser("~")
        note = os.path.join(home, ".aws", "sso", "ssoenv-locks", ini.stamp_name(path))
        try:
            with open(note, encoding="utf-8") as fh:
                noted = fh.read() == ini.stamp(data)
        except (OSError, UnicodeDecodeError):
            noted = False
        if noted:
            return [name for name in ini.plain_names(text, kind) if not _has_control(name)]
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


class Delegate(Exception):  # not an error: "let the shell complete this"
    """The word is not ssoenv's to complete: a command line from word ``offset`` of ``words`` on
    (``kind="command"``: `exec PROFILE -- CMD ARGS`), or a file name (``kind="files"``)."""

    def __init__(self, kind: str, offset: int = 0) -> None:
        super().__init__(kind)
        self.kind = kind
        self.offset = offset


#: exit status of ``_complete words`` when the shell should complete a command (stdout: the index
#: of its first word among the words after ``ssoenv``) or file names itself
EXIT_COMMAND = 3
EXIT_FILES = 4


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
    for at, word in enumerate(words[index + 1 :], start=index + 1):
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
            raise Delegate("command", at)  # `exec PROFILE CMD ...`: the rest belongs to CMD
        positional += 1
    if expect is not None:
        if expect.value == "file":
            raise Delegate("files")
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
        if kind == "command":
            raise Delegate("command", len(words))
        return _values(kind, cur, environ)
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
    """``ssoenv _complete ARGS``: print candidates; 0 on success, 2 on a malformed request;
    :data:`EXIT_COMMAND` / :data:`EXIT_FILES` when the shell completes the word itself."""
    env = os.environ if environ is None else environ
    what = args[0] if args else ""
    rest = args[1:]
    try:
        if what == "words":
            try:
                out = complete_words(rest, env)
            except Delegate as delegate:
                if delegate.kind == "files":
                    return EXIT_FILES
                sys.stdout.write(f"{delegate.offset}\n")
                sys.stdout.flush()
                return EXIT_COMMAND
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
