"""The ``configure`` wizard's terminal side: :class:`TerminalIO`, the
:class:`ssoenv.features.configure.WizardIO` the command hands the wizard (the feature never builds one).

Its dialogue goes to stderr like every message for people (through :func:`ssoenv.ui.status.say`,
without the ``ssoenv:`` prefix), answers are read from stdin (:mod:`ssoenv.ui.confirm`), menus are
the picker on the controlling terminal.
"""

from __future__ import annotations

from collections.abc import Sequence

from ssoenv.ui.confirm import read_answer, terminal_present, yes_no
from ssoenv.ui.status import say


class TerminalIO:
    """Prompts on stderr, answers from stdin, menus on the controlling terminal."""

    def __init__(self, *, interactive: bool | None = None) -> None:
        self._interactive = terminal_present() if interactive is None else interactive

    @property
    def interactive(self) -> bool:
        return self._interactive

    def say(self, text: str) -> None:
        say(text, prefix="")  # the wizard's dialogue: stderr like every message, without the prefix

    def ask(self, prompt: str, default: str | None) -> str:
        shown = f" [{default}]" if default else ""
        return read_answer(f"{prompt}{shown}: ") or (default or "")

    def choose(self, labels: Sequence[str], *, title: str, initial: int = 0) -> int:
        from ssoenv.ui.picker import pick

        return pick(labels, title=title, initial=initial)

    def confirm(self, prompt: str, *, default: bool) -> bool:
        return yes_no(prompt, default=default)
