"""The wheel ships the hook and completion scripts, and the installed program finds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = [
    f"ssoenv/_data/{kind}/ssoenv.{ext}" for kind in ("shell", "completions") for ext in ("bash", "zsh", "fish", "ps1")
]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return next(out.glob("ssoenv-*.whl"))


def test_wheel_contains_scripts(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [s for s in SCRIPTS if s not in names]
    assert not missing, f"not in the wheel: {missing}"
    assert "ssoenv/emulator/server.py" in names


def test_installed_wheel_prints_hooks(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        timeout=300,
    )
    for shell in ("bash", "zsh", "fish", "pwsh"):
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; sys.argv = ['ssoenv', 'hook', sys.argv[1]];from ssoenv.front.entry import main; main()",
                shell,
            ],
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
            cwd=tmp_path,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        assert "ssoenv" in proc.stdout and "__SSOENV_EXE__" not in proc.stdout
