"""What each shell's completion script sends and expects: bash's word splitting undone on the way
in; on the way out one candidate a line, ``candidate<TAB>description`` for fish, zsh and pwsh, bare
and escaped for bash (the scripts in ``completions/`` read exactly this).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Final

    from ssoenv.front.completion.engine import Candidate

_BASH_BREAKS: Final = ("=", ":")
_BASH_SPECIAL: Final = frozenset(" \t\n\"'\\$`<>|&;()[]*?{}!#~=:^,")
DESCRIBED: Final = ("fish", "zsh", "pwsh")  # the shells that show a description beside a candidate


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
    """The lines for ``shell`` ("" for the plain requests: bare values). For bash, ``strip`` is the
    part of the word readline keeps (see :func:`bash_words`) and ``quoted`` says the word was opened
    with a quote (no escaping then)."""
    lines = []
    for cand in candidates:
        value = cand.value
        if shell == "bash":
            value = value[len(strip) :] if strip and value.startswith(strip) else value
            if not quoted:
                value = _bash_escape(value)
            lines.append(value)
        elif cand.help and shell in DESCRIBED:
            lines.append(f"{value}\t{cand.help}")
        else:
            lines.append(value)
    return "".join(line + "\n" for line in lines)
