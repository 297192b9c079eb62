"""ssoenv: AWS IAM Identity Center credentials in your current shell."""

import time as _time

__version__ = "0.1.0"
STARTED = _time.monotonic()  # when the command started: SSOENV_TIMEOUT counts from here (ssoenv.remote.retry)
