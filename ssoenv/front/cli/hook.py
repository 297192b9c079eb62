"""``ssoenv hook SHELL``: the shell integration for an rc file, with this program's path filled in;
and ``ssoenv _refresh``, the hook's background refresh."""

from __future__ import annotations

from pathlib import Path

import click

from ssoenv.errors import UsageError
from ssoenv.front.cli import emit

#: seconds the whole background refresh may take, network included; then it gives up (exit 124)
REFRESH_BUDGET = 20.0
#: how the hand-off file tells the shell the exit status of the refresh
_STATUS_LINE = {
    "bash": "_ssoenv_bg_rc={}\n",
    "zsh": "_ssoenv_bg_rc={}\n",
    "fish": "set -g _ssoenv_bg_rc {}\n",
    "pwsh": "$global:_ssoenv_bg_rc = {}\n",
}


@click.command("hook")
@click.argument("shell", required=False, metavar="[SHELL]")
@click.option("--no-completion", is_flag=True, help="Leave out the TAB completion script.")
def hook_command(shell: str | None, no_completion: bool) -> None:
    """Print the shell integration for your rc file: the `ssoenv` wrapper function (so that
    `ssoenv use PROFILE` and `ssoenv off` change the current shell), the prompt segment,
    auto-refresh of expiring credentials and TAB completion.

    SHELL is bash, zsh, fish or pwsh (powershell); default: the shell running ssoenv.

    \b
      bash  eval -- "$(ssoenv hook bash)"          in ~/.bashrc
      zsh   eval "$(ssoenv hook zsh)"              in ~/.zshrc (after compinit, for TAB)
      fish  ssoenv hook fish | source              in ~/.config/fish/config.fish
      pwsh  Invoke-Expression (& ssoenv hook pwsh | Out-String)   in $PROFILE

    The segment is left out when starship or powerlevel10k draws the prompt (they show
    AWS_SSO_PROFILE and AWS_CREDENTIAL_EXPIRATION by themselves) or SSOENV_DISABLE_PROMPT=1.
    """
    from ssoenv.shells import HOOK_SHELLS, complete_argv, detect_shell, get_dialect, self_argv

    dialect = get_dialect(shell) if shell else get_dialect(detect_shell())
    if dialect.hook_script is None:
        raise UsageError(
            f"{dialect.name} is an output format, not a shell with a hook",
            hint="choose one of: " + ", ".join(HOOK_SHELLS),
        )
    script = dialect.hook(self_argv(), complete=complete_argv(), completion=not no_completion)
    emit(script, nl=False)


command = hook_command


def refresh_main(args: list[str]) -> int:
    """``ssoenv _refresh SHELL FILE PROFILE``, started in the background by the hook.

    Runs ``ssoenv use --no-login --quiet --shell SHELL -- PROFILE`` (never a login, never a
    browser) within :data:`REFRESH_BUDGET` seconds (less with ``SSOENV_REFRESH_BUDGET``), then
    writes its code and exit status to FILE atomically (0600, in the private hand-off folder); the
    hook picks it up at a later prompt.
    FILE must be ``refresh-*`` in that folder. Nothing on stdout or stderr.
    """
    import contextlib
    import io
    import os
    import signal
    import threading

    from ssoenv.fsutil import atomic_write
    from ssoenv.shells.base import runtime_dir

    # not the terminal's business: no Ctrl-C from the prompt, survives nothing it should not
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.setsid()
    if len(args) != 3 or args[0] not in _STATUS_LINE:
        return 2
    shell, target, profile = args
    path = Path(target)
    if path.parent != runtime_dir(os.environ) or not path.name.startswith("refresh-"):
        return 2
    result: dict[str, object] = {}

    def work() -> None:
        from ssoenv.front.entry import main

        out = io.StringIO()
        rc: object = 1
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
                main(["use", "--no-login", "--quiet", "--shell", shell, "--", profile])
        except SystemExit as exc:
            rc = 0 if exc.code is None else exc.code
        except BaseException:
            rc = 1
        result["code"] = out.getvalue()
        result["rc"] = rc

    budget = REFRESH_BUDGET
    with contextlib.suppress(ValueError):
        budget = min(float(os.environ.get("SSOENV_REFRESH_BUDGET", budget)), REFRESH_BUDGET)
    budget = max(budget, 0.1)
    # the network layer's own total budget (ssoenv.remote.retry), so that a stalled call ends cleanly
    # (exit 6) a little before the hard stop below
    os.environ["SSOENV_TIMEOUT"] = f"{max(budget - 1.0, budget / 2):.3f}"
    os.environ["SSOENV_NO_HISTORY"] = "1"  # a refresh is not a use: the picker's history stays as it was
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(budget)
    rc = result.get("rc", 124)
    status = rc if isinstance(rc, int) else 1
    code = str(result.get("code", "")) if status == 0 else ""
    atomic_write(path, (code + _STATUS_LINE[shell].format(status)).encode("utf-8"))
    _forget_dead_shells(path)
    if worker.is_alive():
        os._exit(0)  # a stalled request must not keep the process alive
    return 0


def _forget_dead_shells(written: Path, prefix: str = "refresh-") -> None:
    """Remove the hand-off files (``prefix``PID...) of shells that are gone (they may hold
    credentials nobody reads; the directory switch's stamps are left empty by them)."""
    import os

    for entry in written.parent.glob(prefix + "*"):
        pid = entry.name.removeprefix(prefix).split(".", 1)[0]
        if entry == written or not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            entry.unlink(missing_ok=True)
        except OSError:
            continue  # alive (another user's pid cannot be here: the folder is ours)
