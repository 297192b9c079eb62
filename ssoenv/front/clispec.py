"""The command line's verbs and options, once: what ``ssoenv --help`` lists, what TAB completes
and what the fast path recognises all come from here.

The click commands in ``ssoenv/front/cli/`` are the executable definition; ``tests/core/test_clispec.py``
fails when this table and click's real commands differ (reading click at run time would cost the
hot paths ~50 ms: completion and the fast path must not import it). ``python -m tests.shells.clispec``
prints the table from the click commands. Importing this module costs nothing measurable: no
``typing``, no ``re``, nothing beyond what the interpreter loads at start-up.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final

SHELLS: Final = ("bash", "zsh", "fish", "pwsh", "powershell")
DIALECT_NAMES: Final = (*SHELLS, "json")
EXPORT_FORMATS: Final = (
    "process",
    "env",
    "env-no-export",
    "fish",
    "powershell",
    "windows-cmd",
    "json",
    "dotenv",
    "sts-json",
)

# value kinds: "profile", "session", "shell", "dialect", "command", "file", "choice:a,b", "" (free text)
PROFILE: Final = "profile"


class Opt:
    """An option: its names, and ``value``: None for a flag, else the kind of value it takes."""

    __slots__ = ("names", "value")

    def __init__(self, names: tuple[str, ...], value: str | None = None) -> None:
        self.names = names
        self.value = value


HELP: Final = Opt(("-h", "--help"))
LOGIN_OPTS: Final = (Opt(("--use-device-code",)), Opt(("--no-browser",)), Opt(("--callback-port",), ""))
NO_LOGIN: Final = Opt(("--no-login",))
YES: Final = Opt(("--yes", "-y"))  # go into a guarded profile without being asked


class Verb:
    """A verb: one-line help, options, the kinds of its positional arguments in order ("command"
    swallows the rest), and the module under ``ssoenv.front.cli`` that defines it. ``hidden``: run
    by the hook, not by people (left out of ``--help`` and TAB)."""

    __slots__ = ("help", "hidden", "module", "options", "positionals")

    def __init__(
        self,
        help: str,
        options: tuple[Opt, ...] = (),
        positionals: tuple[str, ...] = (),
        *,
        module: str,
        hidden: bool = False,
    ) -> None:
        self.help = help
        self.options = options
        self.positionals = positionals
        self.module = module
        self.hidden = hidden

    def option(self, name: str) -> Opt | None:
        """The option called ``name`` (any of its spellings)."""
        for opt in self.options:
            if name in opt.names:
                return opt
        return None


# `python -m tests.shells.clispec` prints this table from the click commands;
# tests/core/test_clispec.py fails when the two differ.
VERBS: Final[dict[str, Verb]] = {
    "login": Verb(
        "Log in to IAM Identity Center (browser PKCE, or device code).",
        (Opt(("--sso-session",), "session"), Opt(("--force",)), *LOGIN_OPTS),
        (PROFILE,),
        module="login",
    ),
    "logout": Verb("Log out: revoke and delete every cached SSO token and role credential.", module="login"),
    "use": Verb(
        "Print shell code that puts a profile's credentials in the current shell.",
        (
            Opt(("--shell",), "dialect"),
            NO_LOGIN,
            Opt(("--profile-only",)),
            Opt(("--refresh",)),
            Opt(("--region",), ""),
            Opt(("--min-ttl",), ""),
            Opt(("-q", "--quiet")),
            YES,
            *LOGIN_OPTS,
        ),
        (PROFILE,),
        module="use",
    ),
    "off": Verb(
        "Print shell code that removes what `use` set and restores what it displaced.",
        (Opt(("--shell",), "dialect"), Opt(("-q", "--quiet"))),
        module="use",
    ),
    "export": Verb(
        "Print a profile's credentials (env, fish, powershell, json, process, ...).",
        (
            Opt(("--format",), "choice:" + ",".join(EXPORT_FORMATS)),
            NO_LOGIN,
            Opt(("--to-credentials-file",)),
            Opt(("--as",), ""),
            *LOGIN_OPTS,
        ),
        (PROFILE,),
        module="export",
    ),
    "whoami": Verb(
        "Show the identity (account, role, user, time left) of a profile or of the env.",
        (Opt(("--json",)), NO_LOGIN, *LOGIN_OPTS),
        (PROFILE,),
        module="whoami",
    ),
    "list": Verb(
        "List profiles with account, role, region and SSO session state.", (Opt(("--json",)),), module="listing"
    ),
    "shell": Verb(
        "Start your shell with a profile's credentials.",
        (NO_LOGIN, Opt(("--region",), ""), Opt(("--live",)), Opt(("--min-ttl",), ""), YES, *LOGIN_OPTS),
        (PROFILE,),
        module="run",
    ),
    "exec": Verb(
        "Run a command with a profile's credentials in its environment.",
        (NO_LOGIN, Opt(("--region",), ""), Opt(("--live",)), Opt(("--min-ttl",), ""), YES, *LOGIN_OPTS),
        (PROFILE, "command"),
        module="run",
    ),
    "serve": Verb(
        "Serve a profile's credentials on 127.0.0.1 to everything started from this shell.",
        (
            Opt(("--port",), ""),
            Opt(("--host",), ""),
            Opt(("--shell",), "dialect"),
            Opt(("--region",), ""),
            Opt(("--foreground",)),
            Opt(("-v", "--verbose")),
            NO_LOGIN,
            YES,
            *LOGIN_OPTS,
        ),
        (PROFILE,),
        module="serve",
    ),
    "console": Verb(
        "Open the AWS console signed in with a profile's role.",
        (Opt(("--service",), ""), Opt(("--region",), ""), Opt(("--print",)), NO_LOGIN, YES, *LOGIN_OPTS),
        (PROFILE,),
        module="console",
    ),
    "hook": Verb(
        "Print the shell integration for your rc file (wrapper, prompt, completion).",
        (Opt(("--no-completion",)),),
        ("shell",),
        module="hook",
    ),
    "allow": Verb(
        "Let ssoenv act on the .ssoenv file here (the shell then follows it into this folder).",
        positionals=("file",),
        module="dirprofile",
    ),
    "deny": Verb(
        "Forget the .ssoenv file here: ssoenv no longer acts on it.", positionals=("file",), module="dirprofile"
    ),
    "_dir": Verb(
        "For the hook: enter the tree of a .ssoenv file.",
        positionals=("shell", "", "", ""),
        module="dirprofile",
        hidden=True,
    ),
    "configure": Verb(
        "Guided set-up of an SSO profile.",
        (
            Opt(("--profile",), PROFILE),
            Opt(("--sso-session",), "session"),
            Opt(("--start-url",), ""),
            Opt(("--sso-region",), ""),
            Opt(("--sso-registration-scopes",), ""),
            Opt(("--account-id",), ""),
            Opt(("--role-name",), ""),
            Opt(("--region",), ""),
            Opt(("--output",), ""),
            *LOGIN_OPTS,
        ),
        module="configure",
    ),
    "populate": Verb(
        "Write a profile for every account and role of an SSO session.",
        (
            Opt(("--sso-session",), "session"),
            Opt(("--start-url",), ""),
            Opt(("--sso-region",), ""),
            Opt(("--profile-template",), ""),
            Opt(("--region",), ""),
            Opt(("--dry-run",)),
            Opt(("--prune",)),
            Opt(("--yes", "-y")),
            Opt(("--guard",), ""),
            *LOGIN_OPTS,
        ),
        module="populate",
    ),
    "emulator": Verb(
        "Run the bundled local emulator of the AWS SSO endpoints.",
        (
            Opt(("--port",), ""),
            Opt(("--accounts",), ""),
            Opt(("--roles-per-account",), ""),
            Opt(("--approve",), "choice:auto,manual,deny,preapproved"),
            Opt(("--token-ttl",), ""),
            Opt(("--role-ttl",), ""),
            Opt(("--device-interval",), ""),
            Opt(("--page-size",), ""),
            Opt(("--user-name",), ""),
            Opt(("--directory",), "file"),
            Opt(("--fault",), ""),
            Opt(("--latency",), ""),
            Opt(("--log",)),
            Opt(("--background",)),
            Opt(("--shell",), "dialect"),
        ),
        module="emulator",
    ),
    "demo": Verb(
        "A tour of ssoenv against the bundled emulator, in a temporary HOME.", (Opt(("--no-shell",)),), module="demo"
    ),
}
GLOBAL_OPTS: Final = (HELP, Opt(("--version",)))
