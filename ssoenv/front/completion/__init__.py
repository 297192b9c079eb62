"""The fast completion backend behind TAB in every shell: ``ssoenv _complete ...``.

It runs before (and without) click, boto3 and botocore: a TAB press pays for Python's start-up
and one read of the config file by ``ssoenv.config.ini`` (the one reader), nothing else. The hook
scripts call :func:`complete_main` through ``python -c`` (``ssoenv.shells._COMPLETE_CODE``) so the
CLI package (which imports click) is never loaded, and this package imports nothing beyond what
the interpreter has loaded at start-up (not even ``re`` or ``typing``;
``tests/shells/test_completion.py`` checks it).

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

The package, one concept a module: this protocol (requests in, lines and exit status out);
:mod:`.engine` (what fits where, over the one table of verbs and options,
:mod:`ssoenv.front.clispec`); :mod:`.names` (profile and session names, read through
:mod:`ssoenv.config.ini`); :mod:`.shells` (each shell's input and output forms).
"""

from __future__ import annotations

import os
import sys

from ssoenv.front.clispec import SHELLS
from ssoenv.front.completion.engine import Delegate, complete, matching, verb_options, visible_verbs
from ssoenv.front.completion.names import read_names
from ssoenv.front.completion.shells import bash_words, format_candidates
from ssoenv.ui.status import say

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["EXIT_COMMAND", "EXIT_FILES", "complete_main", "complete_words"]

#: exit status of ``_complete words`` when the shell should complete a command (stdout: the index
#: of its first word among the words after ``ssoenv``) or file names itself
EXIT_COMMAND = 3
EXIT_FILES = 4
USAGE = "usage: ssoenv _complete profiles|sessions|verbs|shells [PREFIX] | options VERB [PREFIX] | words ..."


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


def _listing(what: str, rest: Sequence[str], environ: Mapping[str, str]) -> str | None:
    """The plain requests (``profiles``, ``sessions``, ``verbs``, ``shells``, ``options VERB``): bare
    names, one a line; None for a malformed request."""
    if what == "options" and 1 <= len(rest) <= 2:
        names = [n for o in verb_options(rest[0]) for n in o.names]
        return format_candidates(matching(names, rest[1] if len(rest) > 1 else ""), "")
    if len(rest) > 1:
        return None
    prefix = rest[0] if rest else ""
    if what in ("profiles", "sessions"):
        values = read_names(environ, "profile" if what == "profiles" else "sso-session")
    elif what == "verbs":
        values = visible_verbs()
    elif what == "shells":
        values = list(SHELLS)
    else:
        return None
    return format_candidates(matching(values, prefix), "")


def complete_main(args: list[str], environ: Mapping[str, str] | None = None) -> int:
    """``ssoenv _complete ARGS``: print candidates; 0 on success, 2 on a malformed request;
    :data:`EXIT_COMMAND` / :data:`EXIT_FILES` when the shell completes the word itself."""
    env = os.environ if environ is None else environ
    what = args[0] if args else ""
    if what == "words":
        try:
            out = complete_words(args[1:], env)
        except Delegate as delegate:
            if delegate.kind == "files":
                return EXIT_FILES
            out, status = f"{delegate.offset}\n", EXIT_COMMAND
        else:
            status = 0
    else:
        listed = _listing(what, args[1:], env)
        if listed is None:
            say(USAGE)  # a message for people: the malformed request's one line
            return 2
        out, status = listed, 0
    try:
        sys.stdout.write(out)
        sys.stdout.flush()
    except BrokenPipeError:
        return 0
    return status


if __name__ == "__main__":
    sys.exit(complete_main(sys.argv[1:]))
