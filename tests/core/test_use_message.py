"""The `use` message and the prompt count the credentials' time the same way: whole seconds of
SSOENV_EXPIRES_AT minus whole seconds of now (both said "59m" and "1h00m" side by side before)."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from ssoenv.credentials.cache import RoleCredentials
from ssoenv.shells.envvars import Activation, activation_vars
from ssoenv.ui.status import describe


def test_the_message_counts_like_the_prompt() -> None:
    for _ in range(5):  # a second that ticks between the two readings: take another
        start = int(time.time())
        expiration = datetime.fromtimestamp(start + 3600, timezone.utc)  # issued on the second
        creds = RoleCredentials("AKIA", "secret", "token", expiration, "111111111111")
        act = Activation("dev", "111111111111", "Admin", None, creds)
        said = describe(act)
        prompt_left = int(activation_vars(act)["SSOENV_EXPIRES_AT"]) - int(time.time())  # the hook's sum
        if int(time.time()) == start:
            break
    assert prompt_left == 3600
    assert said.endswith("credentials valid for 1h00m"), said
