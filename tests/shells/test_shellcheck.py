"""Every bash script of the repo is shellcheck-clean: the hook and completion scripts as shipped
and as `ssoenv hook bash` fills them in, and the CI entry point. shellcheck is required under CI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ssoenv.paths import data_dir
from ssoenv.shells import get_dialect

from .harness import require_program

ROOT = Path(__file__).resolve().parents[2]


def _shellcheck(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require_program("shellcheck"), "--shell=bash", "--severity=style", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_bash_scripts_are_clean(tmp_path: Path) -> None:
    filled = tmp_path / "hook.bash"
    filled.write_text(get_dialect("bash").hook([sys.executable, "-m", "ssoenv"], runtime=str(tmp_path / "run")))
    scripts = [data_dir("shell") / "ssoenv.bash", data_dir("completions") / "ssoenv.bash", filled]
    scripts += [p for p in (ROOT / ".ci").glob("*") if p.is_file() and p.read_text().startswith("#!/usr/bin/env bash")]
    out = _shellcheck(scripts)
    assert out.returncode == 0, out.stdout + out.stderr


def test_shellcheck_finds_problems(tmp_path: Path) -> None:
    """The check can fail."""
    bad = tmp_path / "bad.bash"
    bad.write_text("f() { local x=$1; echo $x; }\nA=( $(ls) )\n")
    out = _shellcheck([bad])
    assert out.returncode != 0 and "SC2086" in out.stdout


@pytest.mark.parametrize("name", ["ssoenv.bash"])
def test_only_explained_exceptions(name: str) -> None:
    """Every `shellcheck disable` in the scripts says why, on the same or the line before."""
    for kind in ("shell", "completions"):
        lines = (data_dir(kind) / name).read_text().splitlines()
        for i, line in enumerate(lines):
            if "shellcheck disable" in line:
                assert "#" in line.split("disable", 1)[1] or lines[i - 1].lstrip().startswith("#"), line
