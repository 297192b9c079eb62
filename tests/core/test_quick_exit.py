"""After reading a big config, the program ends without the interpreter's teardown
(``ssoenv.front.entry._leave``): the output, the exit code and the one error line are the same as
with a normal exit."""

from __future__ import annotations

from pathlib import Path

from ssoenv.config import ini
from tests.conftest import Sandbox

PROFILES = 1200  # over ini.STAMP_MIN: a "big" file


def big_config(count: int = PROFILES) -> str:
    out = ["[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"]
    for i in range(count):
        out.append(
            f"\n[profile p{i:05d}]\nsso_session = corp\nsso_account_id = {100000000000 + i}\n"
            f"sso_role_name = Role{i % 3}\nregion = eu-west-1\n"
        )
    return "".join(out)


def test_the_whole_output_and_the_code_after_a_big_read(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.write_config(big_config())
    assert sandbox.config_file.stat().st_size >= ini.STAMP_MIN
    proc = sandbox.run(["list"], process=True, env={"COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == PROFILES + 1  # the header, then every profile
    assert lines[-1].split()[:2] == [f"p{PROFILES - 1:05d}", str(100000000000 + PROFILES - 1)]
    assert proc.stdout.endswith("\n")
    listing = sandbox.run(["list", "--json"], process=True)
    assert listing.returncode == 0 and listing.stdout.rstrip().endswith("}]")


def test_a_failure_after_a_big_read_keeps_its_code_and_line(sandbox: Sandbox) -> None:
    sandbox.write_config(big_config())
    proc = sandbox.run(["login", "no-such-profile"], process=True)
    assert proc.returncode == 3
    assert proc.stdout == ""
    assert proc.stderr.count("ssoenv:") == 1 and "no-such-profile" in proc.stderr


SCRIPT = """
import atexit, sys
class Witness:
    def __del__(self):
        sys.stderr.write("freed\\n")
witness = Witness()  # freed by the interpreter's teardown only
atexit.register(lambda: sys.stderr.write("atexit ran\\n"))
sys.argv = ["ssoenv", *sys.argv[1:]]
from ssoenv.front.entry import main
main()
"""


def test_the_teardown_is_skipped_only_after_a_big_read(sandbox: Sandbox) -> None:
    import subprocess
    import sys

    def run(config: str) -> subprocess.CompletedProcess[str]:
        sandbox.write_config(config)
        return subprocess.run(
            [sys.executable, "-c", SCRIPT, "list"], capture_output=True, text=True, env=sandbox.env, timeout=60
        )

    big = run(big_config())
    assert big.returncode == 0 and len(big.stdout.splitlines()) == PROFILES + 1
    assert "atexit ran" in big.stderr and "freed" not in big.stderr
    small = run(big_config(3))
    assert small.returncode == 0 and len(small.stdout.splitlines()) == 4
    assert "atexit ran" in small.stderr and "freed" in small.stderr
