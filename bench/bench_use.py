"""Cached `ssoenv use` and `ssoenv export` against `python -c pass` in the same virtualenv.

Target (issue: shell integration): cached `use` at most 4x the bare interpreter start.
Also: the same commands with a 10,000-profile config (core issue: no noticeable slowdown).
"""

from __future__ import annotations

import subprocess
import sys

from _util import isolated_env, report, ssoenv_cmd, temp_home, time_command

from ssoenv.emulator import Emulator, EmulatorConfig

CONFIG = """[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = AdministratorAccess
region = eu-west-1

[sso-session corp]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = us-east-1
"""


def main() -> None:
    home = temp_home()
    emu = Emulator(EmulatorConfig(port=0, approve="preapproved"))
    emu.start()
    try:
        (home / ".aws" / "config").write_text(CONFIG)
        env = isolated_env(home, emu.env())
        exe = ssoenv_cmd()
        subprocess.run(
            [*exe, "login", "dev", "--use-device-code", "--no-browser"], env=env, check=True, stderr=subprocess.DEVNULL
        )
        subprocess.run([*exe, "export", "dev", "--format", "env"], env=env, check=True, stdout=subprocess.DEVNULL)
        base = time_command([sys.executable, "-c", "pass"], env)
        use = time_command([*exe, "use", "dev", "--shell", "bash", "--quiet"], env)
        export = time_command([*exe, "export", "dev", "--format", "env"], env)
        report("cached `ssoenv use dev --shell bash`", use, base, "python -c pass", "<= 4x")
        report("cached `ssoenv export dev --format env`", export, base, "python -c pass", "<= 4x")
        big = CONFIG + "".join(
            f"\n[profile p{i:05d}]\nsso_session = corp\nsso_account_id = {100000000000 + i}\n"
            f"sso_role_name = ReadOnly\nregion = us-east-1\n"
            for i in range(10_000)
        )
        (home / ".aws" / "config").write_text(big)
        use_big = time_command([*exe, "use", "dev", "--shell", "bash", "--quiet"], env, runs=10)
        list_big = time_command([*exe, "list", "--json"], env, runs=5, warmup=1)
        report("cached `use` with 10,000 profiles", use_big, use, "with 1 profile", "no noticeable slowdown")
        report("`list --json` with 10,000 profiles", list_big, base, "python -c pass", "informational")
    finally:
        emu.stop()


if __name__ == "__main__":
    main()
