"""`ssoenv populate` against aws-sso-util's `configure populate`, same emulator, same run.

    python bench/bench_populate.py [--accounts 500] [--roles 3] [--latency 0.025]
                                   [--aws-sso-util PATH] [--repeat 1]

Starts the bundled emulator (every call delayed by --latency seconds), logs both tools in
without timing that (aws-sso-util reads the AWS CLI's legacy token cache, ssoenv its
sso-session token), then times each tool writing a profile for every account and role into
its own empty config, checks that both wrote the same set of profiles, and prints the ratio.
aws-sso-util is installed into a throwaway virtualenv (it pins its own boto3) unless
--aws-sso-util names an existing executable. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import configparser
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ssoenv.emulator import Emulator, EmulatorConfig

START_URL = "https://d-1234567890.awsapps.com/start"
SSO_REGION = "us-east-1"


def base_env(home: Path, emu: Emulator) -> dict[str, str]:
    env = {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "BROWSER": "true",  # never open anything
    }
    env.update(emu.env())
    return env


def run(cmd: list[str], env: dict[str, str], *, check: bool = True) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=3600)
    elapsed = time.perf_counter() - start
    if check and proc.returncode != 0:
        raise SystemExit(f"{shlex.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return elapsed, proc


def install_aws_sso_util(where: Path) -> Path:
    print("installing aws-sso-util into a throwaway virtualenv ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    pip = where / "bin" / "pip"
    subprocess.run([str(pip), "install", "-q", "aws-sso-util"], check=True)
    return where / "bin" / "aws-sso-util"


def assignments(config: Path) -> dict[tuple[str, str], str]:
    """(account id, role) -> profile name, for every profile with an SSO role."""
    cp = configparser.RawConfigParser()
    cp.read(config)
    out: dict[tuple[str, str], str] = {}
    for section in cp.sections():
        if not section.startswith("profile "):
            continue
        values = dict(cp.items(section))
        if "sso_account_id" in values and "sso_role_name" in values:
            out[(values["sso_account_id"], values["sso_role_name"])] = shlex.split(section)[1]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--roles", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.025, help="seconds added to every emulator call")
    parser.add_argument("--aws-sso-util", dest="asu", help="an existing aws-sso-util executable")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each tool (best is kept)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ssoenv-bench-") as tmp_name:
        tmp = Path(tmp_name)
        asu = Path(args.asu) if args.asu else install_aws_sso_util(tmp / "asu-venv")
        emu = Emulator(
            EmulatorConfig(port=0, accounts=args.accounts, roles_per_account=args.roles, approve="preapproved")
        ).start()
        try:
            ours_home, theirs_home = tmp / "ssoenv", tmp / "aws-sso-util"
            for home in (ours_home, theirs_home):
                (home / ".aws").mkdir(parents=True)
            ours_env, theirs_env = base_env(ours_home, emu), base_env(theirs_home, emu)
            ssoenv = [sys.executable, "-m", "ssoenv"]
            # log in, untimed: an sso-session for ssoenv; the legacy start-URL token for aws-sso-util
            (ours_home / ".aws" / "config").write_text(
                f"[sso-session corp]\nsso_start_url = {START_URL}\nsso_region = {SSO_REGION}\n"
            )
            run([*ssoenv, "login", "--sso-session", "corp", "--use-device-code", "--no-browser"], ours_env)
            theirs_config = theirs_home / ".aws" / "config"
            theirs_config.write_text(f"[profile boot]\nsso_start_url = {START_URL}\nsso_region = {SSO_REGION}\n")
            run([*ssoenv, "login", "boot", "--use-device-code", "--no-browser"], theirs_env)
            theirs_config.write_text("")
            seed = (ours_home / ".aws" / "config").read_bytes()

            emu.set_latency(args.latency)
            ours_times, theirs_times = [], []
            ours_calls = theirs_calls = 0
            for _ in range(args.repeat):
                (ours_home / ".aws" / "config").write_bytes(seed)
                theirs_config.write_text("")
                emu.clear_requests()
                elapsed, _proc = run([*ssoenv, "populate", "--region", "eu-west-1"], ours_env)
                ours_times.append(elapsed)
                ours_calls = len(emu.requests)
                emu.clear_requests()
                elapsed, _ = run(
                    [
                        str(asu),
                        "configure",
                        "populate",
                        "--sso-start-url",
                        START_URL,
                        "--sso-region",
                        SSO_REGION,
                        "--region",
                        "eu-west-1",
                        "--no-credential-process",
                    ],
                    theirs_env,
                )
                theirs_times.append(elapsed)
                theirs_calls = len(emu.requests)
            emu.set_latency(0)
            # second ssoenv run: nothing to change
            second, _proc = run([*ssoenv, "populate", "--region", "eu-west-1"], ours_env)
        finally:
            emu.stop()

        ours = assignments(ours_home / ".aws" / "config")
        theirs = assignments(theirs_config)
        expected = args.accounts * args.roles
        same_set = set(ours) == set(theirs)
        same_names = same_set and all(ours[k] == theirs[k] for k in ours)
        ours_best, theirs_best = min(ours_times), min(theirs_times)
        print(f"directory: {args.accounts} accounts x {args.roles} roles, {args.latency * 1000:.0f} ms per call")
        print(f"  ssoenv populate               {ours_best:7.2f} s  ({len(ours)} profiles, {ours_calls} calls)")
        print(f"  aws-sso-util configure populate {theirs_best:5.2f} s  ({len(theirs)} profiles, {theirs_calls} calls)")
        print(f"  ssoenv re-run (no change, no latency) {second:5.2f} s")
        print(f"  same (account, role) set: {same_set}; same names: {same_names}; expected {expected}")
        ratio = theirs_best / ours_best
        print(f"  ssoenv is {ratio:.1f}x faster (target >= 5x): {'OK' if ratio >= 5 else 'BELOW TARGET'}")
        ok = same_set and len(ours) == expected
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
