"""``ssoenv demo``: a tour against the bundled emulator in a temporary HOME.

Never touches the user's ~/.aws: every step runs ssoenv as a child process whose HOME,
AWS_CONFIG_FILE and AWS_ENDPOINT_URL_* point into a temporary folder and at the emulator.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import click

from ssoenv.errors import DemoStepFailed
from ssoenv.ui.confirm import terminal_present, yes_no
from ssoenv.ui.status import say

BOLD, BOLD_CYAN, GREY, GREEN = "1", "1;36", "90", "32"  # SGR codes, used where colours are welcome

DEMO_CONFIG = """\
# written by `ssoenv demo` in a temporary HOME
[profile demo-dev]
sso_session = demo
sso_account_id = 111111111111
sso_role_name = AdministratorAccess
region = eu-west-1

[profile demo-prod]
sso_session = demo
sso_account_id = 222222222222
sso_role_name = ReadOnly
region = us-east-2

[sso-session demo]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""

_SECRET_LINE = re.compile(r"^(export (?:AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|AWS_ACCESS_KEY_ID)=).*$", re.M)


def _tell(text: str, style: str = "") -> None:
    """The tour's text for the person (stderr, through the one channel; no ``ssoenv:`` prefix)."""
    say(text, prefix="", style=style)


def _step(title: str) -> None:
    _tell("")
    _tell(f"▶ {title}", BOLD_CYAN)


def _show_command(args: list[str]) -> None:
    _tell("  $ ssoenv " + " ".join(args), GREY)


def _run(args: list[str], env: dict[str, str], *, capture: bool = False) -> str:
    _show_command(args)
    proc = subprocess.run(
        [sys.executable, "-m", "ssoenv", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE if capture else sys.stderr,
        text=True,
    )
    if proc.returncode != 0:
        raise DemoStepFailed(f"demo step `ssoenv {' '.join(args)}` failed with exit code {proc.returncode}")
    return proc.stdout if capture else ""


def _demo_environment(home: Path, emulator_env: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SSOENV_"))}
    env.update(emulator_env)
    env.update(
        HOME=str(home),
        XDG_STATE_HOME=str(home / ".local" / "state"),  # the picker's history of uses: the demo's, not yours
        AWS_CONFIG_FILE=str(home / ".aws" / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        BROWSER=f"{sys.executable} -m ssoenv.emulator.browser %s",
    )
    return env


def _write_rc_files(home: Path, env: dict[str, str]) -> None:
    """rc files in the demo HOME that load the hook, so `ssoenv use` works in the demo's shell."""
    from ssoenv.shells import complete_argv, get_dialect, self_argv
    from ssoenv.shells.base import runtime_dir

    runtime = str(runtime_dir(env))
    files = {"bash": home / ".bashrc", "zsh": home / ".zshrc", "fish": home / ".config" / "fish" / "config.fish"}
    for name, path in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        hook = get_dialect(name).hook(self_argv(), complete=complete_argv(), runtime=runtime)
        extra = "autoload -Uz compinit && compinit -u -D\n" if name == "zsh" else ""
        path.write_text(f"# written by `ssoenv demo`\n{extra}{hook}")
    env["ZDOTDIR"] = str(home)  # zsh: this .zshrc, not the user's
    env["XDG_CONFIG_HOME"] = str(home / ".config")  # fish: this config.fish


@click.command("demo")
@click.option("--no-shell", is_flag=True, help="Do not offer a shell at the end.")
def demo_command(no_shell: bool) -> None:
    """A tour of ssoenv against the bundled emulator, in a temporary HOME (your ~/.aws is untouched)."""
    from ssoenv.emulator import Emulator, EmulatorConfig

    home = Path(tempfile.mkdtemp(prefix="ssoenv-demo-"))
    emulator = Emulator(EmulatorConfig(port=0, accounts=4, roles_per_account=2, approve="auto"))
    emulator.start()
    try:
        (home / ".aws").mkdir(mode=0o700)
        (home / ".aws" / "config").write_text(DEMO_CONFIG)
        env = _demo_environment(home, emulator.env())
        _tell("ssoenv demo", BOLD)
        _tell(
            textwrap.dedent(f"""\
            An emulator of the AWS SSO endpoints runs on {emulator.url}; a temporary HOME at
            {home} holds the config below. Nothing here touches your own ~/.aws.
            """)
        )
        _tell(textwrap.indent(DEMO_CONFIG, "    "))

        _step("Log in once (the emulator's sign-in page approves it automatically)")
        _run(["login", "demo-dev"], env)

        _step("Every profile and its session's state; demo-prod shares demo-dev's login")
        _run(["list"], env)

        _step("Who am I? (STS GetCallerIdentity with the role's credentials)")
        _run(["whoami", "demo-prod"], env)

        _step("What `ssoenv use demo-dev` puts into your shell (secrets masked here)")
        code = _run(["use", "demo-dev", "--shell", "bash", "--quiet"], env, capture=True)
        _tell(textwrap.indent(_SECRET_LINE.sub(r"\1'…'", code).rstrip(), "    "))

        _step("Run one command with the credentials in its environment only")
        _run(
            [
                "exec",
                "demo-dev",
                "--",
                sys.executable,
                "-c",
                "import os; print('    child sees', os.environ['SSOENV_PROFILE'], os.environ['AWS_REGION'])",
            ],
            env,
        )

        _step("In your shell, after one line in your rc file")
        _tell(
            '    eval "$(ssoenv hook bash)"      # zsh: hook zsh · fish: ssoenv hook fish | source\n'
            "    ssoenv use demo-dev             # prompt shows (aws demo-dev 111111111111/AdministratorAccess 59m)\n"
            "    ssoenv off"
        )
        offer = not no_shell and terminal_present()
        if offer:
            _tell("")
        if offer and yes_no("Start a shell with demo-dev's credentials now? (`exit` ends the demo)", default=False):
            _write_rc_files(home, env)
            _tell("  (the hook is loaded in it: try `ssoenv use demo-prod`, `ssoenv off`, TAB)")
            subprocess.run([sys.executable, "-m", "ssoenv", "shell", "demo-dev"], env=env)
        _tell("")
        _tell("✔ demo finished; the temporary HOME and the emulator are gone.", GREEN)
    finally:
        emulator.stop()
        shutil.rmtree(home, ignore_errors=True)


command = demo_command
