"""``ssoenv hook SHELL``: the shell integration for an rc file, with this program's path filled in."""

from __future__ import annotations

import click

from ssoenv.errors import UsageError

RC_LINES = {
    "bash": 'eval -- "$(ssoenv hook bash)"          # ~/.bashrc',
    "zsh": 'eval "$(ssoenv hook zsh)"              # ~/.zshrc',
    "fish": "ssoenv hook fish | source             # ~/.config/fish/config.fish",
    "pwsh": "Invoke-Expression (& ssoenv hook pwsh | Out-String)   # $PROFILE",
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
      zsh   eval "$(ssoenv hook zsh)"              in ~/.zshrc
      fish  ssoenv hook fish | source              in ~/.config/fish/config.fish
      pwsh  Invoke-Expression (& ssoenv hook pwsh | Out-String)   in $PROFILE

    Set SSOENV_DISABLE_PROMPT=1 to keep your prompt as it is (starship and powerlevel10k show
    AWS_SSO_PROFILE and AWS_CREDENTIAL_EXPIRATION by themselves).
    """
    from ssoenv.shells import HOOK_SHELLS, complete_argv, detect_shell, get_dialect, self_argv

    dialect = get_dialect(shell) if shell else get_dialect(detect_shell())
    if dialect.hook_script is None:
        raise UsageError(
            f"{dialect.name} is an output format, not a shell with a hook",
            hint="choose one of: " + ", ".join(HOOK_SHELLS),
        )
    script = dialect.hook(self_argv(), complete=complete_argv(), completion=not no_completion)
    click.echo(script, nl=False)


command = hook_command
