"""Fixtures of the emulator tests: isolated AWS environment, emulator factory, client kit."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

if str(Path(__file__).parent) not in sys.path:  # any --import-mode: the helpers stay importable
    sys.path.insert(0, str(Path(__file__).parent))

from emulator_helpers import Kit

from ssoenv.emulator import Emulator, EmulatorConfig


@pytest.fixture(autouse=True)
def _isolated_aws_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No real ~/.aws, no inherited AWS_* variable reaches the in-process boto3 clients."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def make_emulator() -> Iterator[Callable[..., Emulator]]:
    started: list[Emulator] = []

    def make(**kwargs: Any) -> Emulator:
        emu = Emulator(EmulatorConfig(**kwargs)).start()
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()


@pytest.fixture
def kit(emulator: Emulator) -> Kit:
    return Kit(emulator)


@pytest.fixture
def make_kit(make_emulator: Callable[..., Emulator]) -> Callable[..., Kit]:
    def make(**kwargs: Any) -> Kit:
        return Kit(make_emulator(**kwargs))

    return make
