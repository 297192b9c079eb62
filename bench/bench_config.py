"""Cost of parsing and editing a 10,000-profile ~/.aws/config with ssoenv.configwriter.

    python bench/bench_config.py [--profiles N] [--repeat R]

Prints the best of R runs for: parse, serialise, one key edit, add/remove a profile, updating
1,500 profiles at once (a populate re-run), the whole locked/atomic edit_config cycle on disk,
and Python's configparser reading the same file, for scale.
"""

from __future__ import annotations

import argparse
import configparser
import sys
import tempfile
import time
from collections.abc import Callable

from ssoenv.configwriter import ConfigDocument, SectionRef, edit_config
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
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    data = make_config(args.profiles)
    lines = data.count(b"\n")
    print(f"config: {args.profiles} profiles, {lines} lines, {len(data) / 1024:.0f} KiB")
    doc = ConfigDocument.parse(data)
    assert doc.to_bytes() == data
    middle = SectionRef.profile(f"acct{args.profiles // 2:05d}.Role{(args.profiles // 2) % 3}")

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
        for i in range(0, min(args.profiles, 1500)):
            d.set_values(SectionRef.profile(f"acct{i:05d}.Role{i % 3}"), {"region": "eu-central-1"})
        d.to_bytes()

    def configparser_read() -> None:
        cp = configparser.RawConfigParser()
        cp.read_string(data.decode())

    results = [
        ("parse", best(args.repeat, lambda: ConfigDocument.parse(data))),
        ("serialise", best(args.repeat, doc.to_bytes)),
        ("parse + 1 key edit + serialise", best(args.repeat, one_edit)),
        ("parse + add 1 + remove 1 + serialise", best(args.repeat, add_remove)),
        ("parse + update 1,500 profiles + serialise", best(args.repeat, update_many)),
        ("configparser read (reference)", best(args.repeat, configparser_read)),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        paths = resolve_paths({"HOME": tmp})
        paths.config_file.parent.mkdir(parents=True)
        paths.config_file.write_bytes(data)
        flip = iter(range(10**9))

        def cycle() -> None:
            value = f"r{next(flip)}-x-1"
            edit_config(paths, lambda d: d.set_values(middle, {"region": value}))

        results.append(("edit_config on disk (lock, read, edit, backup, fsync, rename)", best(args.repeat, cycle)))
    width = max(len(name) for name, _ in results)
    for name, seconds in results:
        print(f"  {name:<{width}}  {seconds * 1000:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
