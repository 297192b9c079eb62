"""`ssoenv list` stage by stage on a big config (issue 8, item 7: 80,000 profiles well under 2 s).

    python bench/bench_list.py [--profiles N ...] [--repeat R]

The config is bench_config's (``make_config``), logged in to its session (a token file written
here, valid for hours); each size runs three times: with no role credentials cached, with one
profile's cached and expired (a morning's first ``list``), and with one profile's cached and
valid (then ``list`` computes every profile's cache key to look for its file).

In process, CPU time, the least of R runs (garbage collection paused, as the command does):

- read: ``Context.load`` and every profile's section looked up (the reader's share);
- rows: ``listing._rows`` (guard, chain check, resolve_profile, the clocks, the session state);
- table: ``listing._table`` at 80 and 40 columns and with colour, beside its baseline measured in
  the same run: the same cells through ``ui.table.render``, the cell-by-cell definition;
- json: ``listing._json`` (what a pipe gets), beside ``json.dumps`` of the same rows as objects;
- configparser reading the same file: a yardstick of this machine's speed.
"""

from __future__ import annotations

import argparse
import configparser
import gc
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from bench_config import make_config

from ssoenv.config import ini
from ssoenv.config.profiles import load_config, resolve_profile, session_by_name
from ssoenv.credentials import cache
from ssoenv.front.cli import listing
from ssoenv.front.cli.common import Context
from ssoenv.paths import resolve_paths
from ssoenv.ui.table import render


def best(repeat: int, fn: Callable[[], object]) -> float:
    """The least CPU time of ``repeat`` runs, the collector paused (as ``list`` runs)."""
    times = []
    for _ in range(repeat):
        ini.forget()
        gc.disable()
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
        gc.enable()
    return min(times)


def home_with(n: int, cached: str) -> Path:
    """A HOME with the config of ``n`` profiles, logged in; ``cached``: "", "expired" or "valid"
    role credentials of one profile."""
    home = Path(tempfile.mkdtemp(prefix="ssoenv-bench-list-"))
    (home / ".aws").mkdir()
    (home / ".aws" / "config").write_bytes(make_config(n))
    os.environ.update(
        HOME=str(home),
        AWS_CONFIG_FILE=str(home / ".aws" / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
    )
    paths = resolve_paths(os.environ)
    cfg = load_config(paths)
    at = cache.now()
    token = cache.Token("token", at + timedelta(hours=8), region="us-east-1")
    cache.save_token(paths, session_by_name(cfg, "corp"), token)
    if cached:
        profile = resolve_profile(cfg, "acct00001.Role1")
        expires = at + timedelta(minutes=50 if cached == "valid" else -10)
        creds = cache.RoleCredentials("ASIA", "secret", "session", expires, profile.account_id)
        cache.save_role_credentials(paths, profile, creds)
    return home


def measure(n: int, cached: str, repeat: int) -> dict[str, float]:
    home = home_with(n, cached)
    text = (home / ".aws" / "config").read_text()

    def read() -> Context:
        ctx = Context.load()
        for name in ctx.config.profile_names():
            ctx.config.profile(name)
        return ctx

    ctx = read()
    rows = listing._rows(ctx)
    cells = [list(row) for row in zip(*listing._cells(list(zip(*rows, strict=True)), None), strict=True)]

    def configparser_read() -> None:
        configparser.RawConfigParser().read_string(text)

    results = {
        "read (Context.load + every section)": best(repeat, read),
        "rows (listing._rows)": best(repeat, lambda: listing._rows(ctx)),
        "table, 80 columns": best(repeat, lambda: listing._table(rows, None, 80, colour=False)),
        "  baseline: ui.table.render, cell by cell": best(repeat, lambda: render(listing.COLUMNS, cells, 80)),
        "table, 40 columns": best(repeat, lambda: listing._table(rows, None, 40, colour=False)),
        "  baseline: ui.table.render, cell by cell ": best(repeat, lambda: render(listing.COLUMNS, cells, 40)),
        "table, 80 columns, colour": best(repeat, lambda: listing._table(rows, None, 80, colour=True)),
        "json (listing._json)": best(repeat, lambda: listing._json(rows, None)),
        "  baseline: json.dumps of the rows as objects": best(
            repeat, lambda: json.dumps([listing._object(row, None) for row in rows])
        ),
        "configparser read (yardstick)": best(repeat, configparser_read),
    }
    what = f"one profile's role credentials cached, {cached}" if cached else "no role credentials cached"
    print(f"{n} profiles, {what} (least of {repeat}, CPU time)")
    width = max(map(len, results))
    for name, seconds in results.items():
        print(f"  {name:<{width}}  {seconds * 1000:8.1f} ms")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, nargs="+", default=[10_000, 80_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    for n in args.profiles:
        for cached in ("", "expired", "valid"):
            measure(n, cached, args.repeat)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
