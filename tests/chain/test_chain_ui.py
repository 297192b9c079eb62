"""Chained profiles where people pick them: TAB completion and the `use` picker."""

from __future__ import annotations

import sys

import pexpect

from tests.conftest import Sandbox, require_program


def test_completion_offers_chained_profiles(chain: Sandbox) -> None:
    proc = chain.run(["_complete", "profiles", "work"])
    assert proc.returncode == 0, proc.stderr
    assert sorted(proc.stdout.split()) == ["workload-audit", "workload-deploy"]


def test_picker_shows_the_chain_and_uses_it(chain: Sandbox) -> None:
    bash = require_program("bash")
    child = pexpect.spawn(
        bash,
        [
            "--norc",
            "--noprofile",
            "-c",
            f"out=$({sys.executable} -m ssoenv use --shell bash --quiet); "
            'echo "rc=$? [$(printf %s "$out" | grep -E "SSOENV_(PROFILE|ROLE_NAME)" | tr "\\n" " ")]"',
        ],
        env=chain.env,
        encoding="utf-8",
        timeout=60,
        dimensions=(30, 200),
    )
    child.expect("Use which profile")
    child.expect(r"workload-deploy +222222222222 +deploy +us-east-2 +via hub-admin → dev-sso")
    child.send("us-east-2")  # the only profile in that region
    child.expect("1 of 7")
    child.send("\r")
    child.expect(r"rc=0 \[export SSOENV_PROFILE=workload-deploy export SSOENV_ROLE_NAME=deploy \]")
    child.expect(pexpect.EOF)
