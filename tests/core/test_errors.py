"""Every domain error has a documented exit code, and the boundary turns it into one line."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import ssoenv
from ssoenv import errors
from ssoenv.errors import SsoenvError

ROOT = Path(__file__).resolve().parents[2]


def _all_subclasses(cls: type[SsoenvError]) -> set[type[SsoenvError]]:
    out = set()
    for sub in cls.__subclasses__():
        out |= {sub, *_all_subclasses(sub)}
    return out


def _documented(text: str, heading: str) -> set[int]:
    start = text.index(heading)
    block = text[start : start + 600]
    return {int(n) for n in re.findall(r"(?<![\w.])(\d{1,3}) [`a-z]", block)}


def test_every_error_class_has_its_exit_code_in_readme_and_hacking() -> None:
    for info in pkgutil.walk_packages(ssoenv.__path__, "ssoenv."):
        if ".emulator" not in info.name and info.name != "ssoenv.__main__":
            importlib.import_module(info.name)
    classes = _all_subclasses(SsoenvError) | {SsoenvError}
    elsewhere = sorted(f"{c.__module__}.{c.__name__}" for c in classes if c.__module__ != "ssoenv.errors")
    assert not elsewhere, "define every error class in ssoenv/errors.py"
    codes = {cls.exit_code for cls in classes}
    assert {126, 127} <= codes  # exec's, since they moved into errors.py
    readme = _documented((ROOT / "README.md").read_text(), "**Exit codes:**")
    hacking = _documented((ROOT / "HACKING.md").read_text(), "## Exit codes")
    assert codes <= readme, sorted(codes - readme)
    assert codes <= hacking, sorted(codes - hacking)
    constants = {v for k, v in vars(errors).items() if k.startswith("EXIT_")}
    assert codes <= constants  # every code is named in errors.py
