"""edit_config: lock, re-read/compare, backup, atomic rename, mode, symlinks, concurrency."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ssoenv.config.writer import (
    ConfigChanged,
    ConfigDocument,
    SectionRef,
    backup_path,
    edit_config,
    unified_diff,
)
from ssoenv.errors import ConfigError
from ssoenv.paths import Paths, resolve_paths

from .oracle import parse_ini

P = SectionRef.profile


def paths_for(home: Path) -> Paths:
    return resolve_paths({"HOME": str(home), "AWS_CONFIG_FILE": str(home / ".aws" / "config")})


def test_creates_file_and_folder_private(tmp_path: Path) -> None:
    paths = paths_for(tmp_path / "home")
    out = edit_config(paths, lambda doc: doc.set_values(P("dev"), {"region": "eu-west-1"}))
    assert out.changed and out.before is None
    assert paths.config_file.read_bytes() == b"[profile dev]\nregion = eu-west-1\n"
    assert stat.S_IMODE(paths.config_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(paths.config_file.parent.stat().st_mode) == 0o700
    assert not backup_path(paths.config_file).exists()


def test_keeps_mode_and_writes_one_backup(tmp_path: Path) -> None:
    paths = paths_for(tmp_path)
    paths.config_file.parent.mkdir()
    paths.config_file.write_bytes(b"# mine\r\n[profile dev]\r\nregion = us-east-1")
    os.chmod(paths.config_file, 0o640)
    edit_config(paths, lambda doc: doc.set_values(P("dev"), {"region": "eu-west-1"}))
    assert paths.config_file.read_bytes() == b"# mine\r\n[profile dev]\r\nregion = eu-west-1"
    assert stat.S_IMODE(paths.config_file.stat().st_mode) == 0o640
    backup = backup_path(paths.config_file)
    assert backup.name == "config.ssoenv.bak"
    assert backup.read_bytes() == b"# mine\r\n[profile dev]\r\nregion = us-east-1"
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    edit_config(paths, lambda doc: doc.set_values(P("dev"), {"region": "eu-west-2"}))
    assert backup.read_bytes() == b"# mine\r\n[profile dev]\r\nregion = eu-west-1"  # one backup, the previous
    assert sorted(p.name for p in paths.config_file.parent.iterdir() if not p.name.startswith(".")) == [
        "config",
        "config.ssoenv.bak",
    ]


def test_no_change_no_write(tmp_path: Path) -> None:
    paths = paths_for(tmp_path)
    paths.config_file.parent.mkdir()
    paths.config_file.write_bytes(b"[profile dev]\nregion = eu-west-1\n")
    inode = paths.config_file.stat().st_ino
    out = edit_config(paths, lambda doc: doc.set_values(P("dev"), {"region": "eu-west-1"}))
    assert not out.changed
    assert paths.config_file.stat().st_ino == inode
    assert not backup_path(paths.config_file).exists()


def test_writes_through_a_symlink(tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "aws-config"
    real.write_bytes(b"[profile dev]\nregion = x\n")
    os.chmod(real, 0o644)
    paths = paths_for(tmp_path)
    paths.config_file.parent.mkdir()
    paths.config_file.symlink_to(real)
    edit_config(paths, lambda doc: doc.set_values(P("dev"), {"region": "y"}))
    assert paths.config_file.is_symlink()
    assert real.read_bytes() == b"[profile dev]\nregion = y\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o644
    assert backup_path(paths.config_file).read_bytes() == b"[profile dev]\nregion = x\n"


def test_a_writer_that_ignores_the_lock_is_not_lost(tmp_path: Path) -> None:
    """Another tool rewrites the file while we compute: the edit is applied to its version."""
    paths = paths_for(tmp_path)
    paths.config_file.parent.mkdir()
    paths.config_file.write_bytes(b"[profile dev]\nregion = x\n")
    calls = []

    def edit(doc: ConfigDocument) -> None:
        calls.append(doc.text())
        if len(calls) == 1:  # e.g. `aws configure set` writes meanwhile
            paths.config_file.write_bytes(b"[profile dev]\nregion = x\noutput = json\n")
        doc.set_values(P("mine"), {"region": "eu-west-1"})

    edit_config(paths, edit)
    assert len(calls) == 2
    assert parse_ini(paths.config_file.read_bytes()) == {
        "profile dev": {"region": "x", "output": "json"},
        "profile mine": {"region": "eu-west-1"},
    }


def test_precondition_failure_writes_nothing(tmp_path: Path) -> None:
    paths = paths_for(tmp_path)
    paths.config_file.parent.mkdir()
    paths.config_file.write_bytes(b"[profile dev]\nregion = x\n")

    def edit(doc: ConfigDocument) -> None:
        raise ConfigChanged("profile dev changed meanwhile")

    with pytest.raises(ConfigError):
        edit_config(paths, edit)
    assert paths.config_file.read_bytes() == b"[profile dev]\nregion = x\n"


def test_unwritable_folder_is_one_clear_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores permissions")
    paths = paths_for(tmp_path)
    paths.config_file.parent.mkdir()
    paths.config_file.write_bytes(b"[profile dev]\n")
    paths.config_lock.touch()
    os.chmod(paths.config_file.parent, 0o500)
    try:
        with pytest.raises(ConfigError, match="cannot write"):
            edit_config(paths, lambda doc: doc.set_values(P("dev"), {"region": "y"}))
    finally:
        os.chmod(paths.config_file.parent, 0o700)


WORKER = textwrap.dedent(
    """
    import sys
    from ssoenv.config.writer import ConfigDocument, SectionRef, edit_config
    from ssoenv.paths import resolve_paths

    home, worker, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    paths = resolve_paths({"HOME": home})

    def bump(doc: ConfigDocument) -> None:
        ref = SectionRef.profile("counter")
        n = int(doc.get(ref, "n") or "0")
        doc.set_values(ref, {"n": str(n + 1)})
        doc.set_values(SectionRef.profile(f"w{worker}-{n}"), {"region": "eu-west-1"})

    for _ in range(rounds):
        edit_config(paths, bump)
    """
)


def test_concurrent_writers_lose_no_update(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    config = home / ".aws" / "config"
    config.write_bytes(b"# keep me\n[default]\nregion = us-east-1\n")
    workers, rounds = 6, 15
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(home), str(w), str(rounds)]) for w in range(workers)]
    for proc in procs:
        assert proc.wait(timeout=120) == 0
    data = config.read_bytes()
    parsed = parse_ini(data)
    assert parsed["profile counter"] == {"n": str(workers * rounds)}
    generated = [name for name in parsed if name.startswith("profile w")]
    assert len(generated) == workers * rounds
    assert data.startswith(b"# keep me\n[default]\nregion = us-east-1\n")


def test_unified_diff_for_dry_run() -> None:
    diff = unified_diff(b"[profile a]\r\nx = 1", b"[profile a]\r\nx = 2", path="~/.aws/config")
    assert diff.splitlines() == [
        "--- a/~/.aws/config",
        "+++ b/~/.aws/config",
        "@@ -1,2 +1,2 @@",
        " [profile a]",
        "-x = 1",
        "\\ No newline at end of file",
        "+x = 2",
        "\\ No newline at end of file",
    ]
