"""Cached `ssoenv use` and `ssoenv export` against `python -c pass` in the same virtualenv.

Target (issue: shell integration): cached `use` at most 4x the bare interpreter start.
Also: what noting the use in the picker's history costs (against SSOENV_NO_HISTORY=1, interleaved);
the same commands with a 10,000-profile config (core issue: no noticeable slowdown), and
cached `use` of a two-hop role chain on the SSO profile against cached `use` of the SSO profile
itself (issue "every profile": within 1.2x).
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time

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
HUB = "arn:aws:iam::111111111111:role/hub-admin"
DEPLOY = "arn:aws:iam::222222222222:role/deploy"
CHAIN = f"""
[profile hub-admin]
role_arn = {HUB}
source_profile = dev

[profile workload-deploy]
role_arn = {DEPLOY}
source_profile = hub-admin
region = us-east-2
"""


def time_interleaved(
    commands: list[list[str]],
    env: dict[str, str],
    runs: int = 30,
    extra: list[dict[str, str]] | None = None,
    cpu: list[float] | None = None,
) -> list[float]:
    """Median times of ``commands`` run in turn (A B A B ...), so a busy machine weighs on each alike;
    ``extra``: variables added to ``env`` for each command; ``cpu``, if given, receives the median
    CPU time (user + system) of each, which waiting for a busy CPU does not inflate."""
    samples: list[list[float]] = [[] for _ in commands]
    cpu_samples: list[list[float]] = [[] for _ in commands]
    envs = [{**env, **more} for more in extra] if extra else [env] * len(commands)
    for i in range(runs + 3):
        for argv, out, cpu_out, cmd_env in zip(commands, samples, cpu_samples, envs, strict=True):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(argv, env=cmd_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            elapsed = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if i >= 3:
                out.append(elapsed)
                cpu_out.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    if cpu is not None:
        cpu[:] = [statistics.median(s) for s in cpu_samples]
    return [statistics.median(s) for s in samples]


def main() -> None:
    home = temp_home()
    emu = Emulator(EmulatorConfig(port=0, approve="preapproved"))
    emu.start()
    try:
        (home / ".aws" / "config").write_text(CONFIG + CHAIN)
        emu.directory.iam.add_role(HUB)
        emu.directory.iam.add_role(DEPLOY)
        env = isolated_env(home, emu.env())
        exe = ssoenv_cmd()
        subprocess.run(
            [*exe, "login", "dev", "--use-device-code", "--no-browser"], env=env, check=True, stderr=subprocess.DEVNULL
        )
        subprocess.run([*exe, "export", "dev", "--format", "env"], env=env, check=True, stdout=subprocess.DEVNULL)
        # interleaved with the baseline: on a busy machine a ratio of separate batches means little
        cpu: list[float] = []
        base, use, export = time_interleaved(
            [
                [sys.executable, "-c", "pass"],
                [*exe, "use", "dev", "--shell", "bash", "--quiet"],
                [*exe, "export", "dev", "--format", "env"],
            ],
            env,
            cpu=cpu,
        )
        report("cached `ssoenv use dev --shell bash`", use, base, "python -c pass", "<= 4x")
        report("  the same, CPU time", cpu[1], cpu[0], "python -c pass", "<= 4x")
        report("cached `ssoenv export dev --format env`", export, base, "python -c pass", "<= 4x")
        report("  the same, CPU time", cpu[2], cpu[0], "python -c pass", "<= 4x")
        subprocess.run([*exe, "export", "workload-deploy"], env=env, check=True, stdout=subprocess.DEVNULL)
        sso_use, chain_use = time_interleaved(
            [
                [*exe, "use", "dev", "--shell", "bash", "--quiet"],
                [*exe, "use", "workload-deploy", "--shell", "bash", "--quiet"],
            ],
            env,
        )
        report("cached `use` of a 2-hop role chain", chain_use, sso_use, "SSO profile", "<= 1.2x")
        # the picker's history (ssoenv.ui.frecency): what noting the use costs the fast path
        quiet = [*exe, "use", "dev", "--shell", "bash", "--quiet"]
        noted, not_noted = time_interleaved([quiet, quiet], env, extra=[{}, {"SSOENV_NO_HISTORY": "1"}], cpu=cpu)
        report("cached `use`, the use noted in the history", noted, not_noted, "not noted", "<= 1.05x")
        report("  the same, CPU time", cpu[0], cpu[1], "not noted", "<= 1.05x")
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
