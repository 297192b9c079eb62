"""Command-line entry point: a lazily loaded click group and the one error boundary.

Each verb lives in ``ssoenv/front/cli/<module>.py`` and exports ``command``; only the module of the
verb being run is imported, so ``ssoenv use`` does not pay for ``ssoenv configure``.
Only this package imports click.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from ssoenv import __version__
from ssoenv.errors import EXIT_ERROR, EXIT_INTERRUPTED, SsoenvError
from ssoenv.front.clispec import VERBS
from ssoenv.stdio import write_stdout
from ssoenv.ui.status import say

if TYPE_CHECKING:
    from ssoenv.clock import Clock

# verb -> (module under ssoenv.front.cli, one-line help shown by `ssoenv --help`): from the one table
COMMANDS: dict[str, tuple[str, str]] = {verb: (spec.module, spec.help) for verb, spec in VERBS.items()}
HIDDEN = frozenset(verb for verb, spec in VERBS.items() if spec.hidden)  # run by the hook, not listed


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module = importlib.import_module(f"ssoenv.front.cli.{entry[0]}")
        cmd = getattr(module, cmd_name.replace("-", "_") + "_command", None) or module.command
        assert isinstance(cmd, click.Command)
        return cmd

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # help texts without importing every module
        rows = [(name, help_) for name, (_, help_) in COMMANDS.items() if name not in HIDDEN]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ssoenv")
def cli() -> None:
    """ssoenv: AWS IAM Identity Center credentials in your current shell.

    \b
    Set up once:   eval "$(ssoenv hook bash)"     (zsh: hook zsh; fish: ssoenv hook fish | source)
    Then:          ssoenv use PROFILE   /   ssoenv off
    """


_pending: list[str] = []


def emit(text: str, *, nl: bool = True) -> None:
    """Code or data for stdout, byte for byte (never ``click.echo``: it strips ANSI sequences when
    stdout is not a terminal). Written by :func:`main` once the command has succeeded."""
    _pending.append(text + "\n" if nl else text)


def report(exc: SsoenvError) -> None:
    """The one place a domain error becomes text: one line on stderr."""
    say(str(exc))


def _quiet_broken_pipe() -> None:
    # the reader went away: nothing more can be said on stdout, and Python must not complain at exit
    import contextlib

    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def main(argv: list[str] | None = None, *, clock: Clock | None = None) -> NoReturn:
    """Run the command line ``argv`` and exit. ``clock`` replaces the real one (tests of login flows)."""
    from ssoenv.front.cli.common import Runtime

    args = sys.argv[1:] if argv is None else argv
    runtime = Runtime() if clock is None else Runtime(clock=clock)
    debug = os.environ.get("SSOENV_DEBUG") == "1"
    if debug:
        from ssoenv.log import enable_debug

        enable_debug()
    _pending.clear()
    try:
        rv: Any = cli.main(args=args, prog_name="ssoenv", standalone_mode=False, obj=runtime)
        # stdout last: only a command that got this far prints anything there
        write_stdout("".join(_pending))
    except SsoenvError as exc:
        if debug:
            import traceback

            traceback.print_exc()
        report(exc)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        say("aborted")
        sys.exit(EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        say("interrupted", prefix="\nssoenv: ")
        sys.exit(EXIT_INTERRUPTED)
    except click.UsageError as exc:  # one line, like every other failure
        command = exc.ctx.command_path if exc.ctx is not None else "ssoenv"
        message = exc.format_message().rstrip(".")
        say(f"{message[:1].lower()}{message[1:]} (see `{command} --help`)")
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        say(exc.format_message())
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        _quiet_broken_pipe()
        sys.exit(EXIT_ERROR)
    except Exception as exc:
        # not a domain error: a library's exception with a meaning (botocore), an OS error, or a bug
        from ssoenv.remote.foreign import translate

        if debug:
            raise
        domain = translate(exc)
        if domain is not None:
            report(domain)
            sys.exit(domain.exit_code)
        if isinstance(exc, OSError):
            say(str(exc))
        else:
            text = " ".join(str(exc).split())[:200]
            say(f"internal error: {type(exc).__name__}: {text} (run with SSOENV_DEBUG=1 and report it)")
        sys.exit(EXIT_ERROR)
    sys.exit(rv if isinstance(rv, int) else 0)
