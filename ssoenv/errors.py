"""The one domain error type of ssoenv, its subclasses and the exit codes.

Every failure a user can cause or meet is raised as a :class:`SsoenvError` subclass and turned
into one line on stderr plus the class's exit code at a single boundary (``ssoenv.front.cli``).
"""

from __future__ import annotations

from typing import ClassVar, Final

EXIT_OK: Final = 0
EXIT_ERROR: Final = 1
EXIT_USAGE: Final = 2  # click's own code for bad usage
EXIT_CONFIG: Final = 3  # the config file or a profile in it is wrong or missing
EXIT_LOGIN_REQUIRED: Final = 4  # no valid SSO session and nobody to log in
EXIT_ACCESS_DENIED: Final = 5  # the portal refused (not assigned, user denied)
EXIT_SERVICE: Final = 6  # the SSO/STS service failed or could not be reached
EXIT_LOGIN_FAILED: Final = 7  # a login was attempted and did not complete
EXIT_NOT_CONFIRMED: Final = 8  # a guarded profile was not confirmed (wrong answer, no terminal, no --yes)
EXIT_NOT_EXECUTABLE: Final = 126  # `exec`: the command exists but cannot be run (as the shells say)
EXIT_NOT_FOUND: Final = 127  # `exec`: no such command (as the shells say)
EXIT_INTERRUPTED: Final = 130


class SsoenvError(Exception):
    """Base class: ``message`` says what is wrong, ``hint`` what to do about it."""

    exit_code: ClassVar[int] = EXIT_ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


class ConfigError(SsoenvError):
    """The config file is invalid, or a profile/session in it is incomplete or inconsistent."""

    exit_code = EXIT_CONFIG


class ProfileNotFound(ConfigError):
    """The named profile does not exist in the config file."""


class ConfigChanged(ConfigError):
    """The file changed in a way that invalidates what the user confirmed; nothing was written."""


class UsageError(SsoenvError):
    """A command was called in a way that cannot work (bad option value, no terminal, ...)."""

    exit_code = EXIT_USAGE


class UnknownShellError(UsageError):
    """A shell name that no dialect serves."""


class LoginRequired(SsoenvError):
    """There is no valid token and ssoenv may not (or cannot) start a login."""

    exit_code = EXIT_LOGIN_REQUIRED


class MfaRequired(LoginRequired):
    """A role-chain hop needs an MFA code and nobody is there to type it."""


class LoginFailed(SsoenvError):
    """A login was started and failed: denied, expired, bad state, timeout."""

    exit_code = EXIT_LOGIN_FAILED


class AccessDenied(SsoenvError):
    """The portal says the user has no access to the account/role."""

    exit_code = EXIT_ACCESS_DENIED


class ServiceError(SsoenvError):
    """An SSO/OIDC/STS call failed for a reason other than the ones above."""

    exit_code = EXIT_SERVICE


class OutOfTime(ServiceError):
    """The time budget was spent before a call could be attempted."""


class MalformedAnswer(ServiceError):
    """The service (or something in the way) answered with something that is not its answer."""

    def __init__(self, operation: str, status: int, what: str) -> None:
        super().__init__(
            f"{operation} failed: HTTP {status}, {what}",
            hint="try again; if it persists, check your network and proxy",
        )
        self.operation = operation
        self.status = status


class NotConfirmed(SsoenvError):
    """A guarded profile (``ssoenv_guard = confirm``) was not confirmed: nothing was done."""

    exit_code = EXIT_NOT_CONFIRMED


class CommandNotFound(SsoenvError):
    """``ssoenv exec``: the command to run is not on PATH."""

    exit_code = EXIT_NOT_FOUND


class CommandNotExecutable(SsoenvError):
    """``ssoenv exec``: the command exists but cannot be executed (permissions, format)."""

    exit_code = EXIT_NOT_EXECUTABLE


class StdoutClosed(SsoenvError):
    """There is output and nowhere to put it (stdout was closed)."""


class DemoStepFailed(SsoenvError):
    """A step of ``ssoenv demo`` did not do what the tour shows."""


class Interrupted(SsoenvError):
    """The user pressed Ctrl-C."""

    exit_code = EXIT_INTERRUPTED
