"""What the click commands accept, in the shape of ``ssoenv.front.clispec.VERBS`` (for the drift test).

``python -m tests.shells.clispec`` prints the table to paste into ssoenv/front/clispec.py.
"""

from __future__ import annotations

import importlib
from typing import Any

VALUE_KINDS = {"--shell": "dialect", "--sso-session": "session", "--profile": "profile"}
ARG_KINDS = {"profile": "profile", "shell": "shell", "path": "file"}


def introspect() -> dict[str, tuple[str, tuple[tuple[tuple[str, ...], str | None], ...], tuple[str, ...]]]:
    import click

    from ssoenv.front.cli import COMMANDS, cli

    ctx = click.Context(cli)
    table: dict[str, Any] = {}
    for verb, (_, help_) in COMMANDS.items():
        try:
            cmd = cli.get_command(ctx, verb)
        except ImportError:
            continue
        assert cmd is not None
        options: list[tuple[tuple[str, ...], str | None]] = []
        positionals: list[str] = []
        for param in cmd.params:
            if isinstance(param, click.Option):
                names = tuple(param.opts) + tuple(param.secondary_opts)
                if param.is_flag or param.count:
                    kind: str | None = None
                elif isinstance(param.type, click.Path):
                    kind = "file"
                elif isinstance(param.type, click.Choice):
                    kind = "choice:" + ",".join(str(c) for c in param.type.choices)
                else:
                    kind = VALUE_KINDS.get(param.opts[0], "")
                options.append((names, kind))
            elif isinstance(param, click.Argument):
                if param.nargs == -1:
                    positionals.append("command" if verb == "exec" else "")
                else:
                    positionals.append(ARG_KINDS.get(param.name or "", ""))
        table[verb] = (help_, tuple(options), tuple(positionals))
    return table


def from_completion() -> dict[str, Any]:
    completion = importlib.import_module("ssoenv.front.clispec")
    return {
        verb: (spec.help, tuple((o.names, o.value) for o in spec.options), spec.positionals)
        for verb, spec in completion.VERBS.items()
    }


def render(table: dict[str, Any]) -> str:
    lines = ["VERBS: Final[dict[str, Verb]] = {"]
    for verb, (help_, options, positionals) in table.items():
        opts = ", ".join(f"Opt({names!r}{'' if kind is None else ', ' + repr(kind)})" for names, kind in options)
        lines.append(f"    {verb!r}: Verb(")
        lines.append(f"        {help_!r},")
        lines.append(f"        ({opts}{',' if len(options) == 1 else ''}),")
        lines.append(f"        {positionals!r},")
        lines.append("    ),")
    lines.append("}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(introspect()))
