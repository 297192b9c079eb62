"""Cost of reading and editing big ~/.aws/config files (10,000 and 80,000 profiles).

    python bench/bench_config.py [--profiles N ...] [--repeat R] [--no-commands]
    PYTHONPATH=/another/checkout python bench/bench_config.py   # the same bench on another version

For each size, in process (best of R runs): the one reader (``ini.parse`` + check), the full
``load_config`` + resolving every SSO profile (what ``list`` does), the writer's parse,
serialise, one key edit, add/remove a profile, updating 1,500 profiles at once (a populate
re-run), the same again with the text already read by the reader (what the writer adds to a
command that has read the config with ``load_config``: it should follow what is edited, not the
size of the file), "one parse and one write" (the whole locked/atomic ``edit_config`` cycle on disk), and
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


def best(repeat: int, fn: Callable[[], object], *, read: str | None = None) -> float:
    """The least CPU time (this process) of ``repeat`` runs: on a busy machine the wall time
    mostly measures the other processes. Each run reads the text anew (no memo of the last file
    read), unless ``read`` is given: that text is then read by the reader before the clock
    starts, as a command's ``load_config`` does before it edits (the writer's own work)."""
    times = []
    for _ in range(repeat):
        ini.forget()
        if read is not None:
            ini.profile_map(ini.parse(read))
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def run_timed(argv: list[str], env: dict[str, str], *, timeout: float | None = None) -> tuple[float, float]:
    """Wall and CPU time (user + system of the child) of one run; ``inf`` past ``timeout``."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        subprocess.run(argv, env=env, check=True, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return float("inf"), float("inf")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_run(runs: int, fn: Callable[[], tuple[float, float]]) -> tuple[float, float]:
    """The median wall and the median CPU time of ``runs`` runs."""
    import statistics

    samples = [fn() for _ in range(runs)]
    return statistics.median(w for w, _ in samples), statistics.median(c for _, c in samples)


def measure(n: int, repeat: int) -> dict[str, float]:
    data = make_config(n)
    lines = data.count(b"\n")
    print(f"config: {n} profiles, {lines} lines, {len(data) / 1024:.0f} KiB")
    doc = ConfigDocument.parse(data)
    assert doc.to_bytes() == data
    middle = SectionRef.profile(f"acct{n // 2:05d}.Role{(n // 2) % 3}")
    edited = doc.copy()
    edited.set_values(middle, {"region": "ap-south-1"})
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

    def preview() -> None:
        d = ConfigDocument.parse(data)
        d.set_values(middle, {"region": "ap-south-1"})
        p = d.copy()
        p.set_values(middle, {"region": "ap-south-2"})
        p.section_text(middle)
        d.to_bytes()

    def configparser_read() -> None:
        cp = configparser.RawConfigParser()
        cp.read_string(text)

    baseline = best(repeat, configparser_read)
    results = [
        ("ini.parse + check (the one reader)", best(repeat, read_checked)),
        ("writer parse", best(repeat, lambda: ConfigDocument.parse(data))),
        ("serialise (1 section edited)", best(repeat, edited.to_bytes)),
        ("parse + 1 key edit + serialise", best(repeat, one_edit)),
        ("parse + add 1 + remove 1 + serialise", best(repeat, add_remove)),
        ("parse + update 1,500 profiles + serialise", best(repeat, update_many)),
        # the writer's own work: the reader has read the same text already (load_config)
        ("writer parse, text read by the reader", best(repeat, lambda: ConfigDocument.parse(data), read=text)),
        ("  + 1 key edit + serialise", best(repeat, one_edit, read=text)),
        ("  + 1 key edit + a preview copy + serialise", best(repeat, preview, read=text)),
        ("  + update 1,500 profiles + serialise", best(repeat, update_many, read=text)),
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
            with ini.GcPaused():  # as `list` reads its rows (many objects, no cycles)
                sso_profiles(load_config(paths, check=True))

        results.append(("one parse and one write: edit_config on disk", best(repeat, cycle)))
        results.append(("load_config + resolve every profile (list)", best(repeat, listing)))
    results.append(("configparser read (baseline)", baseline))
    width = max(len(name) for name, _ in results)
    print(f"  {'in process (least of ' + str(repeat) + ', CPU time)':<{width}}")
    for name, seconds in results:
        print(f"  {name:<{width}}  {seconds * 1000:8.1f} ms   {seconds / baseline:5.2f}x configparser")
    return dict(results)


POPULATE_LIMIT = 180.0  # seconds; "inf" in the report past it


def commands(n: int) -> dict[str, float]:
    """``list``, ``list --json``, a non-interactive ``configure`` and a ``populate`` re-run with N
    profiles, as a user runs them."""
    from _util import isolated_env, ssoenv_cmd, temp_home

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
        flip = iter(range(10**9))

        def command(argv: list[str], extra: dict[str, str] | None = None) -> Callable[[], tuple[float, float]]:
            return lambda: run_timed(argv, env | (extra or {}))

        def configure() -> tuple[float, float]:
            argv = [*exe, "configure", "--profile", "bench-new", "--sso-session", "corp"]
            argv += ["--account-id", "111111111111", "--role-name", "AdministratorAccess"]
            argv += ["--region", f"eu-west-{next(flip) % 3 + 1}", "--output", "json"]
            return run_timed(argv, env)

        def populate() -> tuple[float, float]:
            argv = [*exe, "populate", "--sso-session", "corp", "--region", f"ap-south-{next(flip) % 2 + 1}"]
            return run_timed(argv, env, timeout=POPULATE_LIMIT)  # inf: planning quadratic in the profiles

        base = median_run(5, command([sys.executable, "-c", "pass"]))
        command([*exe, "list"])()  # warm the file cache (and note the checked file)
        out = {
            "`ssoenv list` (table, 80 columns)": median_run(3, command([*exe, "list"], {"COLUMNS": "80"})),
            "`ssoenv list --json`": median_run(3, command([*exe, "list", "--json"])),
        }
        configure()  # the first run creates the profile
        out["`ssoenv configure` (one profile rewritten)"] = median_run(3, configure)
        first = populate()  # the first run adds the emulator's profiles
        out["`ssoenv populate` (re-run, its profiles edited)"] = (
            first if first[0] == float("inf") else median_run(3, populate)
        )
        width = max(len(name) for name in out)
        print(f"  {'command (median of 3)':<{width}}      wall         CPU")
        for name, (wall, cpu) in out.items():
            print(f"  {name:<{width}}  {wall * 1000:8.1f} ms {cpu * 1000:8.1f} ms")
        print(f"  {'(python -c pass)':<{width}}  {base[0] * 1000:8.1f} ms {base[1] * 1000:8.1f} ms")
        return {name: cpu for name, (_, cpu) in out.items()}
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
        print(f"growth of the CPU time from {small} to {large} profiles (linear: x{large / small:.1f})")
        width = max(len(name) for name in sizes[small])
        for name, seconds in sizes[small].items():
            if name in sizes[large] and seconds > 0:
                print(f"  {name:<{width}}  x{sizes[large][name] / seconds:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
