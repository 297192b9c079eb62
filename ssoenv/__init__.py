"""ssoenv: AWS IAM Identity Center credentials in your current shell."""

import time as _time

__version__ = "0.1.0"
STARTED = _time.monotonic()  # when the command started: SSOENV_TIMEOUT counts from here (ssoenv.remote.retry)


def waited_for_person(since: float) -> None:
    """The time since ``since`` (monotonic) was spent waiting for a person's answer (a guarded
    profile's question, the picker, an MFA code): it does not count against SSOENV_TIMEOUT."""
    global STARTED
    STARTED += max(0.0, _time.monotonic() - since)
