"""A token the service rejected (401 while its file still says valid) is unusable everywhere:
`use` does not offer it again, `list` says so, `login` logs in without --force; `logout` says when
the current shell still holds credentials."""

from __future__ import annotations

import json
import re
from typing import Any


def _token_file(sandbox: Any) -> Any:
    files = [p for p in (sandbox.home / ".aws" / "sso" / "cache").iterdir() if "accessToken" in p.read_text()]
    assert len(files) == 1
    return files[0]


def test_a_rejected_token_is_unusable_everywhere(sandbox: Any) -> None:
    emu = sandbox.emulator
    emu.config.approve = "preapproved"
    assert sandbox.run(["login", "dev", "--use-device-code", "--no-browser"]).returncode == 0
    assert "valid " in sandbox.run(["list"]).stdout + sandbox.run(["list"]).stderr
    token_file = _token_file(sandbox)
    before = token_file.read_bytes()

    emu.revoke_all_tokens()  # server side: the local file still says valid for hours
    out = sandbox.run(["use", "dev", "--no-login", "--refresh", "--shell", "bash"])
    assert out.returncode == 4 and out.stdout == ""
    assert len(out.stderr.splitlines()) == 1 and re.search(r"run `ssoenv login (--force )?dev`", out.stderr), out.stderr
    assert token_file.read_bytes() == before  # the AWS CLI's file is left as the AWS CLI wrote it
    assert not any(p.name.endswith(".rejected") for p in token_file.parent.iterdir())

    listing = sandbox.run(["list", "--json"])
    states = {row["profile"]: row["state"] for row in json.loads(listing.stdout)}
    assert states["dev"] == states["prod"] == "rejected"  # prod shares dev's session
    assert "rejected: log in again" in sandbox.run(["list"]).stdout

    calls = emu.calls("GetRoleCredentials")
    again = sandbox.run(["use", "prod", "--no-login", "--refresh", "--shell", "bash"])
    assert again.returncode == 4 and "revoked or rejected" in again.stderr and "`ssoenv login prod`" in again.stderr
    assert emu.calls("GetRoleCredentials") == calls  # not offered to the service again

    relog = sandbox.run(["login", "dev", "--use-device-code", "--no-browser"])  # no --force needed
    assert relog.returncode == 0, relog.stderr
    assert "already logged in" not in relog.stderr and "logged in to" in relog.stderr
    assert {r["profile"]: r["state"] for r in json.loads(sandbox.run(["list", "--json"]).stdout)}["dev"] == "valid"
    assert sandbox.run(["use", "dev", "--no-login", "--refresh", "--shell", "bash"]).returncode == 0


def test_logout_says_the_shell_still_holds_credentials(sandbox: Any) -> None:
    env = {
        **sandbox.env,
        "SSOENV_PROFILE": "dev",
        "AWS_ACCESS_KEY_ID": "ASIAEXAMPLE",
        "AWS_CREDENTIAL_EXPIRATION": "2031-01-02T03:04:05Z",
    }
    out = sandbox.run(["logout"], env={**env, "SSOENV_HOOK": "fish"})
    assert out.returncode == 0
    assert (
        "ssoenv: this shell still holds the role credentials of dev until 2031-01-02 03:04 UTC "
        "(a logout does not revoke them); run `ssoenv off` to drop them"
    ) in out.stderr
    no_hook = sandbox.run(["logout"], env={**env, "SHELL": "/usr/bin/fish"})
    assert "run `ssoenv off | source` to drop them" in no_hook.stderr or 'eval "$(ssoenv off)"' in no_hook.stderr
    quiet = sandbox.run(["logout"])
    assert "still holds" not in quiet.stderr
