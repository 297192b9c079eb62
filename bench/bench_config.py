"""Cost of reading and editing big ~/.aws/config files (10,000 and 80,000 profiles).

    python bench/bench_config.py [--profiles N ...] [--repeat R] [--no-commands]
    PYTHONPATH=/another/checkout python bench/bench_config.py   # the same bench on another version

For each size, in process (best of R runs): the one reader (``ini.parse`` + check), the full
``load_config`` + resolving every SSO profile (what ``list`` does), the writer's parse,
serialise, one key edit, add/remove a profile, updating 1,500 profiles at once (a populate
re-run), "one parse and one write" (the whole locked/atomic ``edit_config`` cycle on disk), and
Python's configparser reading the same file as the baseline measured in the same run (issue 8,
item 7: one parse and one write of 10 MB well under 2 s; ratios to configparser are what
compare across machines).

Then the commands as a user runs them (median of a few runs, against the bundled emulator):
``ssoenv list`` (the table), ``ssoenv list --json``, a non-interactive ``ssoenv configure`` that
rewrites one profile, and ``ssoenv populate`` re-run on the big file (it edits the profiles it
generated: each run changes their region). Each is one parse and one write (or one parse and
every profile resolved) of the whole file; the target is well under 2 s for 10 MB.

With two sizes or more, the last table is the growth from the smallest to the largest size for
every measurement: linear growth is the ratio of the sizes (x8 from 10,000 to 80,000).
"""

from __future__ import annotations

import argparse
import configparser
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

from ssoenv.config import ini
from ssoenv.config.profiles import load_config, sso_profiles
from ssoenv.config.writer import ConfigDocument, SectionRef, edit_config
from ssoenv.paths import resolve_paths


def make_config(n: int) -> bytes:
    out = ["# big config\n", "[default]\n", "region = us-east-1\n", "\n"]
    out.append("[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n\n")
    for i in range(n):
        if i % 50 == 0:
            out.append(f"# ---- block {i // 50}\n")
        out.append(
            f"[profile acct{i:05d}.Role{i % 3}]\n"
            "sso_session = corp\n"
            f"sso_account_id = {100000000000 + i}\n"
            f"sso_role_name = Role{i % 3}\n"
            "region = eu-west-1\n"
            + ("s3 =\n  max_concurrent_requests = 4\n" if i % 100 == 0 else "")
            + "ssoenv_generated = corp\n\n"
        )
    return "".join(out).encode()


def best(repeat: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        ini.forget()  # each run reads the text anew (no memo of the last file read)
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(n: int, repeat: int) -> dict[str, float]:
    data = make_config(n)
    lines = data.count(b"\n")
    print(f"config: {n} profiles, {lines} lines, {len(data) / 1024:.0f} KiB")
    doc = ConfigDocument.parse(data)
    assert doc.to_bytes() == data
    middle = SectionRef.profile(f"acct{n // 2:05d}.Role{(n // 2) % 3}")
    text = data.decode()

    def read_checked() -> None:
        ini.parse(text).check()

    def one_edit() -> None:
        d = ConfigDocument.parse(data)
        d.set_values(middle, {"region": "ap-south-1"})
        d.to_bytes()

    def add_remove() -> None:
        d = ConfigDocument.parse(data)
        d.set_values(SectionRef.profile("brand-new"), {"sso_session": "corp", "region": "x-y-1"})
        d.remove_section(middle)
        d.to_bytes()

    def update_many() -> None:
        d = ConfigDocument.parse(data)
        for i in range(0, min(n, 1500)):
            d.set_values(SectionRef.profile(f"acct{i:05d}.Role{i % 3}"), {"region": "eu-central-1"})
        d.to_bytes()

    def configparser_read() -> None:
        cp = configparser.RawConfigParser()
        cp.read_string(text)

    baseline = best(repeat, configparser_read)
    results = [
        ("ini.parse + check (the one reader)", best(repeat, read_checked)),
        ("writer parse", best(repeat, lambda: ConfigDocument.parse(data))),
        ("serialise", best(repeat, doc.to_bytes)),
        ("parse + 1 key edit + serialise", best(repeat, one_edit)),
        ("parse + add 1 + remove 1 + serialise", best(repeat, add_remove)),
        ("parse + update 1,500 profiles + serialise", best(repeat, update_many)),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        paths = resolve_paths({"HOME": tmp})
        paths.config_file.parent.mkdir(parents=True)
        paths.config_file.write_bytes(data)
        flip = iter(range(10**9))

        def cycle() -> None:
            value = f"r{next(flip)}-x-1"
            edit_config(paths, lambda d: d.set_values(middle, {"region": value}))

        def listing() -> None:
            sso_profiles(load_config(paths, check=True))

        results.append(("one parse and one write: edit_config on disk", best(repeat, cycle)))
        results.append(("load_config + resolve every profile (list)", best(repeat, listing)))
    results.append(("configparser read (baseline)", baseline))
    width = max(len(name) for name, _ in results)
    for name, seconds in results:
        print(f"  {name:<{width}}  {seconds * 1000:8.1f} ms   {seconds / baseline:5.2f}x configparser")
    return dict(results)


POPULATE_LIMIT = 180.0  # seconds; "inf" in the report past it


def commands(n: int) -> dict[str, float]:
    """``list``, ``list --json``, a non-interactive ``configure`` and a ``populate`` re-run with N
    profiles, as a user runs them."""
    from _util import isolated_env, ssoenv_cmd, temp_home, time_command

    from ssoenv.emulator import Emulator, EmulatorConfig

    home = temp_home()
    emu = Emulator(EmulatorConfig(port=0, approve="preapproved"))
    emu.start()
    try:
        config = home / ".aws" / "config"
        config.write_bytes(make_config(n))
        env = isolated_env(home, emu.env())
        if os.environ.get("PYTHONPATH"):  # time another checkout: PYTHONPATH=/that/checkout
            env["PYTHONPATH"] = os.environ["PYTHONPATH"]
        exe = ssoenv_cmd()
        subprocess.run(
            [*exe, "login", "--sso-session", "corp", "--use-device-code", "--no-browser"],
            env=env,
            check=True,
            stderr=subprocess.DEVNULL,
        )
        base = time_command([sys.executable, "-c", "pass"], env, runs=5, warmup=1)
        table_s = time_command([*exe, "list"], env | {"COLUMNS": "80"}, runs=3, warmup=1)
        list_s = time_command([*exe, "list", "--json"], env, runs=3, warmup=1)
        flip = iter(range(10**9))

        def configure() -> float:
            argv = [*exe, "configure", "--profile", "bench-new", "--sso-session", "corp"]
            argv += ["--account-id", "111111111111", "--role-name", "AdministratorAccess"]
            argv += ["--region", f"eu-west-{next(flip) % 3 + 1}", "--output", "json"]
            start = time.perf_counter()
            subprocess.run(argv, env=env, check=True, stdin=subprocess.DEVNULL, capture_output=True)
            return time.perf_counter() - start

        configure()  # first run creates the profile (and notes the checked file)
        configure_s = sorted(configure() for _ in range(3))[1]

        def populate() -> float:
            argv = [*exe, "populate", "--sso-session", "corp", "--region", f"ap-south-{next(flip) % 2 + 1}"]
            start = time.perf_counter()
            try:
                subprocess.run(
                    argv, env=env, check=True, stdin=subprocess.DEVNULL, capture_output=True, timeout=POPULATE_LIMIT
                )
            except subprocess.TimeoutExpired:
                return float("inf")  # a version whose planning is quadratic in the profiles
            return time.perf_counter() - start

        first = populate()  # the first run adds the emulator's profiles
        populate_s = first if first == float("inf") else sorted(populate() for _ in range(3))[1]
        out = {
            "`ssoenv list` (table, 80 columns)": table_s,
            "`ssoenv list --json`": list_s,
            "`ssoenv configure` (one profile rewritten)": configure_s,
            "`ssoenv populate` (re-run, its profiles edited)": populate_s,
        }
        width = max(len(name) for name in out)
        for name, seconds in out.items():
            print(f"  {name:<{width}}  {seconds * 1000:8.1f} ms")
        print(f"  {'(python -c pass)':<{width}}  {base * 1000:8.1f} ms")
        return out
    finally:
        emu.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, nargs="+", default=[10_000, 80_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-commands", action="store_true", help="only the in-process measurements")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    sizes: dict[int, dict[str, float]] = {}
    for n in args.profiles:
        sizes[n] = measure(n, args.repeat)
        if not args.no_commands:
            sizes[n].update(commands(n))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if len(sizes) >= 2:
        small, large = min(sizes), max(sizes)
        print(f"growth from {small} to {large} profiles (linear: x{large / small:.1f})")
        width = max(len(name) for name in sizes[small])
        for name, seconds in sizes[small].items():
            if name in sizes[large] and seconds > 0:
                print(f"  {name:<{width}}  x{sizes[large][name] / seconds:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
