"""Role chains in real bash, zsh and fish with the hook: use, switch, off, prompt, auto-refresh."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from ssoenv.emulator import Emulator
from tests.chain.conftest import chain_sandbox

from .conftest import SessionFactory
from .harness import ShellSpec
from .test_interactive import segment_re, settle, shell_env, stable

pytestmark = [pytest.mark.shell, pytest.mark.interactive]


def test_use_switch_off_chained(
    shell: tuple[ShellSpec, str], make_session: SessionFactory, tmp_path: Path, emulator: Emulator
) -> None:
    spec, program = shell
    sb = chain_sandbox(tmp_path, emulator)
    s = make_session(spec, program, env=shell_env(sb), home=sb.home)
    before = s.env()

    assert s.status_of("ssoenv use workload-deploy") == 0
    deploy = s.env()
    assert deploy["SSOENV_PROFILE"] == deploy["AWS_SSO_PROFILE"] == "workload-deploy"
    assert (deploy["SSOENV_ACCOUNT_ID"], deploy["SSOENV_ROLE_NAME"]) == ("222222222222", "deploy")
    assert deploy["AWS_REGION"] == deploy["AWS_DEFAULT_REGION"] == "us-east-2"
    assert "AWS_PROFILE" not in deploy
    assert re.match(segment_re("workload-deploy", "222222222222", "deploy"), s.last_prompt), s.last_prompt
    identity = json.loads(s.run("aws sts get-caller-identity --output json"))
    assert identity["Arn"].startswith("arn:aws:sts::222222222222:assumed-role/deploy/")

    # switch to the middle of the chain, then to the SSO root: nothing of the previous one left
    assert s.status_of("ssoenv use hub-admin") == 0
    hub = s.env()
    assert (hub["SSOENV_ACCOUNT_ID"], hub["SSOENV_ROLE_NAME"]) == ("111111111111", "hub-admin")
    assert hub["AWS_REGION"] == "xx-old-1"  # hub-admin has no region: the shell's own comes back
    assert hub["AWS_ACCESS_KEY_ID"] != deploy["AWS_ACCESS_KEY_ID"]
    assert re.match(segment_re("hub-admin", "111111111111", "hub-admin"), s.last_prompt), s.last_prompt
    assert s.status_of("ssoenv use dev-sso") == 0
    assert s.env()["SSOENV_ROLE_NAME"] == "AdministratorAccess"

    assert s.status_of("ssoenv off") == 0
    assert stable(s.env()) == stable(before)
    assert s.last_prompt == ""


def test_auto_refresh_chained(
    shell: tuple[ShellSpec, str], make_session: SessionFactory, tmp_path: Path, emulator: Emulator
) -> None:
    spec, program = shell
    sb = chain_sandbox(tmp_path, emulator)
    # every link is short-lived: at the refresh, the SSO source and both roles are all fetched anew
    text = sb.config_file.read_text()
    text = text.replace("region = us-east-2", "region = us-east-2\nduration_seconds = 900")
    text = text.replace("role_session_name = jane", "role_session_name = jane\nduration_seconds = 900")
    sb.config_file.write_text(text)
    emulator.config.role_ttl = 240  # the SSO source is short-lived too: it is refreshed first
    env: dict[str, Any] = {**shell_env(sb), "SSOENV_REFRESH_WINDOW": "1000"}
    s = make_session(spec, program, env=env, home=sb.home)
    assumed = emulator.calls("AssumeRole")
    fetched = emulator.calls("GetRoleCredentials")
    logins = emulator.calls("CreateToken")

    out = s.run('ssoenv use workload-deploy; echo "K1=[$AWS_ACCESS_KEY_ID]"')
    first_key = re.search(r"K1=\[(\w+)\]", out).group(1)  # type: ignore[union-attr]
    settle(s)  # the hook refreshes in the background; a later prompt picks the result up
    after = s.env()
    # the prompt after `use` saw them inside the window: source fetched anew, both roles assumed again
    assert after["AWS_ACCESS_KEY_ID"] != first_key
    assert after["SSOENV_PROFILE"] == "workload-deploy"
    assert emulator.calls("AssumeRole") == assumed + 4
    assert emulator.calls("GetRoleCredentials") == fetched + 2
    assert emulator.calls("CreateToken") == logins  # never a login
    assert "ssoenv:" not in s.last_before_prompt
    assert re.match(segment_re("workload-deploy", "222222222222", "deploy", r"1[45]m!?"), s.last_prompt), s.last_prompt
    assert not (sb.home / "BROWSER_OPENED").exists()
