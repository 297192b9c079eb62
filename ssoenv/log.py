"""Debug logging to stderr (``SSOENV_DEBUG=1``), with secrets redacted.

Nothing here prints unless debug is enabled, and ``logging`` is not even imported then (the hot
paths stay lean). Messages for people go through the CLI layer.
"""

from __future__ import annotations

import os
import re
import sys

_ENABLED = os.environ.get("SSOENV_DEBUG") == "1"

# JSON members and header/query values that carry secrets, in the forms they appear in logs
_SECRET_PATTERN = (
    r"(?i)(?P<key>[\"']?(?:accessToken|refreshToken|clientSecret|secretAccessKey|sessionToken|"
    r"SecretAccessKey|SessionToken|deviceCode|code_verifier|codeVerifier|idToken|"
    r"x-amz-sso_bearer_token|x-amz-security-token|aws_secret_access_key|aws_session_token)[\"']?"
    r"\s*[:=]\s*b?[\"']?)(?P<value>[^\"',&\s}]+)"
)


def redact(text: str) -> str:
    """Replace secret values in ``text`` with ``<redacted>``."""
    return re.sub(_SECRET_PATTERN, lambda m: m.group("key") + "<redacted>", text)


def enable_debug() -> None:
    global _ENABLED
    import logging

    class RedactingFormatter(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            return redact(super().format(record))

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("ssoenv[debug] %(asctime)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for noisy in ("urllib3", "botocore.hooks", "botocore.loaders"):
        logging.getLogger(noisy).setLevel(logging.INFO)
    _ENABLED = True


def debug(msg: str, *args: object) -> None:
    if _ENABLED:
        import logging

        logging.getLogger("ssoenv").debug(msg, *args)
