"""The picker's memory: which profile was used, where and when, and the frecency that earns.

**The score.** Frecency (how often *and* how recently) is a count that decays exponentially, the
continuous form of the bucketed rankings of zoxide and Firefox: every use adds 1, and every
use's weight halves each :data:`HALF_LIFE` (7 days)::

    score(p)     = sum over the uses u of p:  2 ** (-(now - time(u)) / HALF_LIFE)
    here(p)      = the same sum over the uses of p in the current directory
    frecency(p)  = score(p) + DIR_BOOST * here(p)                        (DIR_BOOST = 4)

A use now counts 1, a week ago 0.5, a month ago 0.05; a profile used every day settles near
10.6. The directory boost makes a profile used once in this directory (1 + 4 = 5) come before one
used four times elsewhere (4). The picker orders by frecency, then by how well the filter matches.

**The file** (:func:`ssoenv.paths.history_file`: ``$XDG_STATE_HOME/ssoenv/history``, 0600 in a 0700
folder) holds one record per line, tab-separated: ``time weight directory profile`` (epoch seconds,
the record's weight at that time, the working directory, the profile name; tab, newline, carriage
return and backslash escaped). Profile names and directories only: never a credential, never a
token. A use appends one line with one ``write`` on an ``O_APPEND`` descriptor, so the lines of
shells that use profiles at the same moment never mix.

**Bounded.** Because the decay is exponential, the records of one (profile, directory) pair fold
*exactly* into one: the weight at the latest time is the sum of each weight decayed to that time.
When the file passes :data:`MAX_BYTES`, the use that crossed it compacts the file: under an
exclusive lock on the file it folds the records, forgets pairs whose weight has decayed below
:data:`MIN_WEIGHT` (a single use after about seven weeks), keeps the :data:`KEEP` strongest, and
replaces the file atomically. Appenders hold a shared lock while they write and check that the file
they opened is still the one at the path, so no use is lost to a compaction.

**Never in the way.** A history that cannot be read or written, or lines that make no sense, are
ignored with at most one debug line (``SSOENV_DEBUG=1``): recording never fails a command and a
broken file never hides a profile. ``SSOENV_NO_HISTORY=1`` records nothing (the prompt hook's
background refresh sets it: a refresh is not a use).

Recording is on the fast path of ``use``: only ``os``, ``fcntl`` and ``time`` are imported for it,
and importing this module defines no NamedTuple or dataclass (``bench/bench_use.py`` measures it).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from pathlib import Path

HALF_LIFE = 7 * 86400.0  # seconds
DIR_BOOST = 4.0
MAX_BYTES = 64 * 1024  # compaction threshold
KEEP = 300  # (profile, directory) pairs kept by a compaction
MIN_WEIGHT = 0.01  # a pair weaker than this today is forgotten by a compaction
DISABLE = "SSOENV_NO_HISTORY"
LOCK_WAIT = 0.5  # seconds a use may wait for compactions by others before giving up on recording


class Record(tuple[float, float, str, str]):
    """One line of the history: (time, weight, directory, profile). A plain tuple subclass: a
    NamedTuple would cost the fast path about a millisecond to define."""

    __slots__ = ()

    def __new__(cls, time: float, weight: float, directory: str, profile: str) -> Record:
        return super().__new__(cls, (time, weight, directory, profile))

    @property
    def time(self) -> float:
        """Epoch seconds."""
        return self[0]

    @property
    def weight(self) -> float:
        """The record's weight at :attr:`time`."""
        return self[1]

    @property
    def directory(self) -> str:
        return self[2]

    @property
    def profile(self) -> str:
        return self[3]

    def reweighed(self, weight: float) -> Record:
        return Record(self[0], weight, self[2], self[3])


def decay(age: float) -> float:
    """The weight left after ``age`` seconds of one unit of weight (a future time counts as now)."""
    return float(2.0 ** (-max(age, 0.0) / HALF_LIFE))


# ---- recording (the fast path's part: cheap, never raises)


def _escape(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out, it = [], iter(text)
    for c in it:
        if c == "\\":
            plain = _ESCAPES.get(next(it, ""))
            if plain is None:
                raise ValueError("bad escape")
            c = plain
        out.append(c)
    return "".join(out)


def _line(record: Record) -> bytes:
    weight = "1" if record.weight == 1.0 else f"{record.weight:.6g}"
    text = f"{int(record.time)}\t{weight}\t{_escape(record.directory)}\t{_escape(record.profile)}\n"
    return text.encode("utf-8", "surrogateescape")


def _cwd() -> str:
    try:
        return os.getcwd()
    except OSError:
        return ""  # a removed directory: the use still counts, without a place


def record(
    profile: str, *, environ: Mapping[str, str] | None = None, now: float | None = None, cwd: str | None = None
) -> None:
    """Note one use of ``profile`` in the current directory. Never raises: history is a
    convenience, and a failure to keep it is one debug line."""
    env = os.environ if environ is None else environ
    if env.get(DISABLE) == "1" or not profile:
        return
    import time

    from ssoenv.paths import history_file

    when = time.time() if now is None else now
    try:
        path = history_file(env)
        size = _append(path, _line(Record(when, 1.0, _cwd() if cwd is None else cwd, profile)))
        if size > MAX_BYTES:
            compact(path, now=when)
    except Exception as exc:  # a history problem must never fail the command
        _debug(f"could not record the use of {profile} in the history: {exc}")


def _append(path: Path, data: bytes) -> int:
    """Append ``data`` in one write under a shared lock; the file's size afterwards. Gives up
    (OSError) after :data:`LOCK_WAIT` seconds of compactions by other processes."""
    import fcntl
    import time

    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except FileNotFoundError:
            from ssoenv.fsutil import ensure_private_dir

            ensure_private_dir(path.parent)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            _lock(fd, fcntl.LOCK_SH, deadline)
            st = os.fstat(fd)
            try:
                there = os.stat(path)
            except FileNotFoundError:
                there = None
            if there is not None and (there.st_ino, there.st_dev) == (st.st_ino, st.st_dev):
                if st.st_mode & 0o077:
                    os.fchmod(fd, 0o600)
                written = os.write(fd, data)
                if written != len(data):
                    raise OSError(f"short write ({written} of {len(data)} bytes)")
                return st.st_size + written
        finally:
            os.close(fd)
        # a compaction replaced the file between our open and our lock: append to the new one
        if time.monotonic() >= deadline:
            raise OSError("the history file keeps being replaced")


def _lock(fd: int, kind: int, deadline: float) -> None:
    """Take a lock on ``fd`` by ``deadline`` (a stuck holder never blocks a command)."""
    import fcntl
    import time

    while True:
        try:
            fcntl.flock(fd, kind | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise OSError("the history file is locked by another process") from None
            time.sleep(0.002)


def _debug(message: str) -> None:
    from ssoenv.log import debug

    debug("%s", message)


# ---- reading, scoring, compacting


def parse(data: bytes) -> tuple[list[Record], int]:
    """The records of a history file and the number of lines that made no sense (skipped)."""
    records: list[Record] = []
    bad = 0
    for raw in data.split(b"\n"):
        if not raw:
            continue
        try:
            fields = raw.decode("utf-8", "surrogateescape").split("\t")
            if len(fields) != 4:
                raise ValueError("not four fields")
            when, weight = float(fields[0]), float(fields[1])
            if not (0.0 <= when < 1e11 and 0.0 < weight < 1e9):  # also refuses nan and inf
                raise ValueError("out of range")
            profile = _unescape(fields[3])
            if not profile:
                raise ValueError("no profile")
            records.append(Record(when, weight, _unescape(fields[2]), profile))
        except ValueError:
            bad += 1
    return records, bad


def read(path: Path) -> list[Record]:
    """The records in ``path``; nothing (and one debug line) when it cannot be read or makes no sense."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        _debug(f"history {path} ignored: {exc.strerror or exc}")
        return []
    records, bad = parse(data)
    if bad:
        _debug(f"history {path}: {bad} line(s) that make no sense ignored")
    return records


def frecencies(records: Iterable[Record], *, now: float, cwd: str) -> dict[str, float]:
    """Every profile's frecency (see the module's text) at ``now`` in directory ``cwd``."""
    out: dict[str, float] = {}
    for rec in records:
        value = rec.weight * decay(now - rec.time)
        if cwd and rec.directory == cwd:
            value *= 1.0 + DIR_BOOST
        out[rec.profile] = out.get(rec.profile, 0.0) + value
    return out


def load(
    environ: Mapping[str, str] | None = None, *, now: float | None = None, cwd: str | None = None
) -> dict[str, float]:
    """The frecency of every profile in the history (profiles never used are absent: 0)."""
    import time

    from ssoenv.paths import history_file

    return frecencies(
        read(history_file(environ)), now=time.time() if now is None else now, cwd=_cwd() if cwd is None else cwd
    )


def fold(records: Iterable[Record]) -> list[Record]:
    """One record per (profile, directory) carrying exactly the same decayed weight at any later time."""
    pairs: dict[tuple[str, str], Record] = {}
    for rec in records:
        key = (rec.profile, rec.directory)
        seen = pairs.get(key)
        if seen is None:
            pairs[key] = rec
        elif rec.time >= seen.time:
            pairs[key] = rec.reweighed(rec.weight + seen.weight * decay(rec.time - seen.time))
        else:
            pairs[key] = seen.reweighed(seen.weight + rec.weight * decay(seen.time - rec.time))
    return list(pairs.values())


def compacted(
    records: Iterable[Record], *, now: float, keep: int = KEEP, min_weight: float = MIN_WEIGHT
) -> list[Record]:
    """What a compaction keeps: the folded pairs still weighing ``min_weight`` today, the ``keep``
    strongest of them, oldest first."""
    alive = [(rec.weight * decay(now - rec.time), rec) for rec in fold(records)]
    strongest = sorted((pair for pair in alive if pair[0] >= min_weight), key=lambda pair: -pair[0])[:keep]
    return sorted((rec for _, rec in strongest), key=lambda rec: (rec.time, rec.profile, rec.directory))


def compact(path: Path, *, now: float) -> None:
    """Rewrite ``path`` compacted (see the module's text), unless another process is doing it."""
    import fcntl

    from ssoenv.fsutil import atomic_write

    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # another process compacts (or appends): it will do
        st, there = os.fstat(fd), os.stat(path)
        if (st.st_ino, st.st_dev) != (there.st_ino, there.st_dev):
            return  # already replaced by another compaction
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        records, _ = parse(b"".join(chunks))
        atomic_write(path, b"".join(_line(rec) for rec in compacted(records, now=now)))
    finally:
        os.close(fd)
