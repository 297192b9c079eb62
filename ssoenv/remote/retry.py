"""The one retry policy of every remote call: short timeouts, bounded attempts, a time budget.

Every request ssoenv sends (SSO OIDC, the SSO portal, STS, the console federation endpoint) goes
through :func:`attempts`; botocore's own retries are off, so nothing multiplies. A call tries at
most :data:`MAX_ATTEMPTS` times (:data:`MAX_THROTTLED` when throttled) within :data:`CALL_BUDGET`
seconds, with jittered pauses between the attempts, each attempt with a connect
timeout of :data:`CONNECT_TIMEOUT` and a read timeout of :data:`READ_TIMEOUT` (both cut to what
is left of the budget). ``SSOENV_TIMEOUT=S`` (seconds) is a total budget for the command: no
remote call is started, and none goes on, later than S seconds after the command started (the
prompt hook sets it; the command then fails with exit code 6 within about S seconds).
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from typing import Final, TypeVar

from ssoenv.errors import OutOfTime as OutOfTime  # re-exported; defined in errors.py with every error
from ssoenv.log import debug

CONNECT_TIMEOUT: Final = 2.0
READ_TIMEOUT: Final = 4.0
MAX_ATTEMPTS: Final = 3  # for server errors and connection failures (not for read timeouts)
MAX_THROTTLED: Final = 8  # for throttling (429): waiting is what helps
MAX_PAUSE: Final = 2.0
CALL_BUDGET: Final = 6.0
MIN_ATTEMPT: Final = 0.25  # no attempt is started with less time than this left
ENV_TIMEOUT: Final = "SSOENV_TIMEOUT"

T = TypeVar("T")


def total_deadline() -> float | None:
    """The monotonic time by which every remote call must be done (``SSOENV_TIMEOUT``), if any."""
    raw = os.environ.get(ENV_TIMEOUT, "").strip()
    if not raw:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < 1e6:
        from ssoenv.errors import UsageError

        raise UsageError(f"{ENV_TIMEOUT} must be a number of seconds, not {raw!r}")
    import ssoenv

    return ssoenv.STARTED + seconds


def attempts(
    what: str,
    attempt: Callable[[float, float], T],
    *,
    retryable: Callable[[BaseException], bool],
    throttled: Callable[[BaseException], bool] = lambda exc: False,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``attempt(connect_timeout, read_timeout)``, retried while time is left: at most
    :data:`MAX_ATTEMPTS` attempts for a ``retryable`` failure, :data:`MAX_THROTTLED` for throttling.

    The last error is raised as is; the caller translates it (it knows the operation).
    """
    start = time.monotonic()
    end = start + CALL_BUDGET
    overall = total_deadline()
    if overall is not None:
        end = min(end, overall)
    failures = throttles = 0
    while True:
        left = end - time.monotonic()
        if left < MIN_ATTEMPT:
            raise OutOfTime(
                f"{what}: no time left to ask the service ({ENV_TIMEOUT}={os.environ.get(ENV_TIMEOUT, '')})",
                hint="run the command again without a time limit",
            )
        read = min(READ_TIMEOUT, left)
        try:
            return attempt(min(CONNECT_TIMEOUT, read), read)
        except Exception as exc:
            if throttled(exc):
                throttles += 1
                if throttles >= MAX_THROTTLED:
                    raise
            elif retryable(exc):
                failures += 1
                if failures >= MAX_ATTEMPTS:
                    raise
            else:
                raise
            # full jitter, growing with every failed attempt
            pause = random.uniform(0.05, min(MAX_PAUSE, 0.2 * 2 ** (failures + throttles - 1)))
            if time.monotonic() + pause + MIN_ATTEMPT > end:
                raise
            debug("%s: attempt failed (%s); retrying in %.2f s", what, type(exc).__name__, pause)
            sleep(pause)
