"""Bad command lines: one line on stderr naming what is wrong and where help is, exit 2, nothing on stdout."""

from __future__ import annotations

import pytest

from tests.conftest import Sandbox

CASES = [
    (["use", "dev", "--bogus"], "ssoenv: no such option '--bogus' (see `ssoenv use --help`)"),
    (["bogusverb"], "ssoenv: no such command 'bogusverb' (see `ssoenv --help`)"),
    (["exec"], "ssoenv: missing argument 'PROFILE' (see `ssoenv exec --help`)"),
    (["use", "a", "b"], "ssoenv: got unexpected extra argument (b) (see `ssoenv use --help`)"),
]
REGION = "'nope!' is not a region name (like eu-west-1)"
REGION_VERBS = [
    ["use", "--region", "nope!", "dev"],
    ["exec", "--region", "nope!", "dev", "--", "true"],
    ["shell", "--region", "nope!", "dev"],
    ["console", "--region", "nope!", "dev"],
    ["serve", "--region", "nope!", "dev"],
    ["configure", "--region", "nope!"],
    ["populate", "--region", "nope!"],
]


@pytest.mark.parametrize(("argv", "line"), CASES)
def test_one_line_and_exit_2(sandbox: Sandbox, argv: list[str], line: str) -> None:
    out = sandbox.run(argv)
    assert (out.returncode, out.stdout, out.stderr) == (2, "", line + "\n")


@pytest.mark.parametrize("argv", REGION_VERBS, ids=lambda argv: argv[0])
def test_a_region_botocore_would_refuse_is_refused_before_anything(sandbox: Sandbox, argv: list[str]) -> None:
    before = sandbox.emulator.requests[:] if sandbox.emulator else []
    out = sandbox.run(argv)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr == f"ssoenv: invalid value for '--region': {REGION} (see `ssoenv {argv[0]} --help`)\n"
    assert (sandbox.emulator.requests if sandbox.emulator else []) == before  # no call was made
