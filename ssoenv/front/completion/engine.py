"""What fits the word being completed, after the words typed so far: the engine over the CLI's
one table of verbs and options (:mod:`ssoenv.front.clispec`); profile and session names come
from :mod:`ssoenv.front.completion.names`. Knows nothing of any shell.
"""

from __future__ import annotations

from ssoenv.front.clispec import DIALECT_NAMES, GLOBAL_OPTS, HELP, PROFILE, SHELLS, VERBS, Opt
from ssoenv.front.completion.names import read_names

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence


class Candidate:
    __slots__ = ("help", "value")

    def __init__(self, value: str, help: str = "") -> None:
        self.value = value
        self.help = help

    def __repr__(self) -> str:
        return f"Candidate({self.value!r}, {self.help!r})"


class Delegate(Exception):  # not an error: "let the shell complete this"
    """The word is not ssoenv's to complete: a command line from word ``offset`` of ``words`` on
    (``kind="command"``: `exec PROFILE -- CMD ARGS`), or a file name (``kind="files"``)."""

    def __init__(self, kind: str, offset: int = 0) -> None:
        super().__init__(kind)
        self.kind = kind
        self.offset = offset


def visible_verbs() -> list[str]:
    """The verbs TAB offers (not the hidden ones the hooks call)."""
    return [name for name, spec in VERBS.items() if not spec.hidden]


def verb_options(verb: str) -> tuple[Opt, ...]:
    """The options of ``verb`` (with ``--help``); () for an unknown verb."""
    spec = VERBS.get(verb)
    return () if spec is None else (*spec.options, HELP)


def matching(values: Iterable[str], prefix: str, help_: Mapping[str, str] | None = None) -> list[Candidate]:
    return [Candidate(v, (help_ or {}).get(v, "")) for v in values if v.startswith(prefix)]


def _values(kind: str, prefix: str, environ: Mapping[str, str]) -> list[Candidate]:
    if kind == PROFILE:
        return matching(read_names(environ, "profile"), prefix)
    if kind == "session":
        return matching(read_names(environ, "sso-session"), prefix)
    if kind == "shell":
        return matching(SHELLS, prefix)
    if kind == "dialect":
        return matching(DIALECT_NAMES, prefix)
    if kind.startswith("choice:"):
        return matching(kind[len("choice:") :].split(","), prefix)
    return []


def complete(words: Sequence[str], cur: str, environ: Mapping[str, str]) -> list[Candidate]:
    """Candidates for the word ``cur``, typed after ``ssoenv`` and the complete ``words``;
    raises :class:`Delegate` when the shell completes it itself."""
    index = 0
    while index < len(words) and words[index].startswith("-"):
        index += 1  # --help / --version before the verb
    if index == len(words):
        if cur.startswith("-"):
            return matching([n for o in GLOBAL_OPTS for n in o.names], cur)
        return matching(visible_verbs(), cur, {k: v.help for k, v in VERBS.items()})
    verb = words[index]
    spec = VERBS.get(verb)
    if spec is None:
        return []
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
            opt = spec.option(word.split("=", 1)[0])
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
            opt = spec.option(name)
            if opt is None or opt.value is None:
                return []
            return [Candidate(f"{name}={c.value}", c.help) for c in _values(opt.value, value, environ)]
        return matching([n for o in verb_options(verb) for n in o.names], cur)
    if positional < len(spec.positionals):
        kind = spec.positionals[positional]
        if kind == "command":
            raise Delegate("command", len(words))
        if kind == "file":
            raise Delegate("files")
        return _values(kind, cur, environ)
    return []
