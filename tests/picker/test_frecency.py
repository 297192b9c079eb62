"""The picker's history (ssoenv.ui.frecency): the score, the file, compaction, concurrency, failures."""

from __future__ import annotations

import os
import random
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ssoenv.paths import history_file, state_dir
from ssoenv.ui import frecency
from ssoenv.ui.frecency import DIR_BOOST, HALF_LIFE, Record, compacted, decay, fold, frecencies, parse, record

DAY = 86400.0
NOW = 1_800_000_000.0


def env_for(tmp_path: Path) -> dict[str, str]:
    return {"HOME": str(tmp_path / "home"), "XDG_STATE_HOME": str(tmp_path / "state")}


def test_state_directory_follows_xdg() -> None:
    assert state_dir({"HOME": "/h", "XDG_STATE_HOME": "/x/state"}) == Path("/x/state/ssoenv")
    assert state_dir({"HOME": "/h"}) == Path("/h/.local/state/ssoenv")
    assert state_dir({"HOME": "/h", "XDG_STATE_HOME": "relative/state"}) == Path("/h/.local/state/ssoenv")
    assert history_file({"HOME": "/h", "XDG_STATE_HOME": ""}) == Path("/h/.local/state/ssoenv/history")


def test_decay_halves_every_half_life() -> None:
    assert decay(0) == 1.0
    assert decay(HALF_LIFE) == pytest.approx(0.5)
    assert decay(3 * HALF_LIFE) == pytest.approx(0.125)
    assert decay(-DAY) == 1.0  # a time in the future (a clock set back) counts as now
    assert HALF_LIFE == 7 * DAY


def test_score_counts_uses_and_their_age() -> None:
    uses = [Record(NOW - 14 * DAY, 1, "/a", "old-favourite")] * 6 + [Record(NOW - DAY, 1, "/a", "new")] * 2
    scores = frecencies(uses, now=NOW, cwd="/elsewhere")
    assert scores["old-favourite"] == pytest.approx(6 * 0.25)  # two half-lives ago
    assert scores["new"] == pytest.approx(2 * 2 ** (-1 / 7))
    assert scores["new"] > scores["old-favourite"]
    assert frecencies(uses, now=NOW - 13 * DAY, cwd="")["old-favourite"] > 5  # back then it led


def test_directory_boost() -> None:
    uses = [Record(NOW, 1, "/src/a", "elsewhere")] * 4 + [Record(NOW, 1, "/src/b", "here")]
    in_b = frecencies(uses, now=NOW, cwd="/src/b")
    assert in_b == {"elsewhere": 4.0, "here": 1.0 + DIR_BOOST}
    assert in_b["here"] > in_b["elsewhere"]
    assert frecencies(uses, now=NOW, cwd="/src/a") == {"elsewhere": 4.0 * (1 + DIR_BOOST), "here": 1.0}
    assert frecencies(uses, now=NOW, cwd="/src") == {"elsewhere": 4.0, "here": 1.0}  # not a parent's


def test_folding_is_exact_at_any_later_time() -> None:
    rng = random.Random(7)
    uses = [
        Record(NOW - rng.uniform(0, 60) * DAY, 1.0, rng.choice(["/a", "/b", ""]), rng.choice("pqrs"))
        for _ in range(400)
    ]
    folded = fold(uses)
    assert len(folded) <= 12
    for later in (NOW, NOW + 3 * DAY, NOW + 40 * DAY):
        for cwd in ("/a", "/b", "/c"):
            raw, kept = frecencies(uses, now=later, cwd=cwd), frecencies(folded, now=later, cwd=cwd)
            assert kept.keys() == raw.keys()
            for profile, value in raw.items():
                assert kept[profile] == pytest.approx(value, rel=1e-12)


def test_compaction_forgets_the_faded_and_keeps_the_strongest() -> None:
    uses = [Record(NOW - 60 * DAY, 1, "/a", "faded")]  # 2**(-60/7) < 0.01
    uses += [Record(NOW - i * DAY, 1, "/a", f"p{i:02d}") for i in range(20)]
    kept = compacted(uses, now=NOW, keep=5)
    assert sorted(r.profile for r in kept) == ["p00", "p01", "p02", "p03", "p04"]
    assert [r.time for r in kept] == sorted(r.time for r in kept)  # oldest first
    assert "faded" not in {r.profile for r in compacted(uses, now=NOW)}


def test_record_writes_one_private_line(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    old = os.umask(0o022)
    try:
        record("dev", environ=env, now=NOW, cwd="/src/a")
        record("prod", environ=env, now=NOW + 5, cwd="/odd\tdir\nname\\x")
    finally:
        os.umask(old)
    path = history_file(env)
    assert path.read_bytes() == (b"1800000000\t1\t/src/a\tdev\n" + b"1800000005\t1\t/odd\\tdir\\nname\\\\x\tprod\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    records, bad = parse(path.read_bytes())
    assert bad == 0 and records[1] == Record(NOW + 5, 1.0, "/odd\tdir\nname\\x", "prod")


def test_an_existing_file_open_to_others_is_made_private(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    path = history_file(env)
    path.parent.mkdir(parents=True)
    path.write_text("")
    path.chmod(0o644)
    record("dev", environ=env, now=NOW, cwd="/")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_nothing_recorded_when_disabled(tmp_path: Path) -> None:
    env = {**env_for(tmp_path), "SSOENV_NO_HISTORY": "1"}
    record("dev", environ=env, now=NOW, cwd="/")
    assert not history_file(env).exists()


def test_lines_that_make_no_sense_are_skipped() -> None:
    data = (
        b"1800000000\t1\t/a\tdev\n"
        b"garbage\n"
        b"nan\t1\t/a\tdev\n"
        b"1800000000\tinf\t/a\tdev\n"
        b"1800000000\t-1\t/a\tdev\n"
        b"1800000000\t1\t/a\t\n"
        b"1800000000\t1\t/a\\q\tdev\n"
        b"\xff\xfe\x00\x01\n"
        b"1800000000\t1\t/a\tprod\textra\n"
        b"1800000000\t2.5\t\tprod\n"
    )
    records, bad = parse(data)
    assert bad == 8
    assert records == [Record(NOW, 1.0, "/a", "dev"), Record(NOW, 2.5, "", "prod")]


def test_growth_is_bounded(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    for i in range(3000):
        record(f"profile-{i % 40}", environ=env, now=NOW + i, cwd=f"/src/{i % 7}")
    path = history_file(env)
    assert path.stat().st_size <= frecency.MAX_BYTES
    records, bad = parse(path.read_bytes())
    assert bad == 0
    scores = frecencies(records, now=NOW + 3000, cwd="")
    expected = sum(decay(3000 - i) for i in range(3000))
    assert sum(scores.values()) == pytest.approx(expected, rel=1e-5)  # nothing lost, only folded
    assert not list(path.parent.glob(".history.*"))  # no temporary file left


CONCURRENT = textwrap.dedent(
    """
    import sys
    from ssoenv.ui import frecency
    frecency.MAX_BYTES = 1500  # compact often, while the others append
    env = {"HOME": sys.argv[1], "XDG_STATE_HOME": sys.argv[2]}
    for i in range(int(sys.argv[4])):
        frecency.record(sys.argv[3], environ=env, now=1800000000.0, cwd="/w/" + str(i % 3))
    """
)


def test_concurrent_shells_lose_no_use(tmp_path: Path) -> None:
    """Four processes record at once while compactions replace the file: every use is still counted."""
    env = env_for(tmp_path)
    per_process = 300
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT, env["HOME"], env["XDG_STATE_HOME"], f"p{n}", str(per_process)]
        )
        for n in range(4)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    records, bad = parse(history_file(env).read_bytes())
    assert bad == 0
    scores = frecencies(records, now=NOW, cwd="")
    assert scores == {f"p{n}": pytest.approx(per_process, abs=1e-6) for n in range(4)}


def test_a_broken_history_never_breaks_anything(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    path = history_file(env)
    path.mkdir(parents=True)  # a directory where the file should be: unreadable and unwritable
    record("dev", environ=env, now=NOW, cwd="/")
    assert frecency.load(env, now=NOW, cwd="/") == {}
    blocked = env_for(tmp_path / "other")
    Path(blocked["XDG_STATE_HOME"]).parent.mkdir(parents=True)
    Path(blocked["XDG_STATE_HOME"]).write_text("a file where the state folder should be")
    record("dev", environ=blocked, now=NOW, cwd="/")
    assert frecency.load(blocked, now=NOW, cwd="/") == {}


def test_a_corrupt_history_is_one_debug_line(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    path = history_file(env)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"1800000000\t1\t/a\tdev\nnot a record\n\x00\x01\x02\n")
    code = (
        "from ssoenv.log import enable_debug; enable_debug()\n"
        "from ssoenv.ui import frecency; print(frecency.load(now=1800000000.0, cwd='/b'))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env, "SSOENV_DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert proc.stdout == "{'dev': 1.0}\n"
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "2 line(s) that make no sense ignored" in lines[0], proc.stderr
