"""Fixtures for the shell tests: which shells, isolated homes, interactive sessions."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from .harness import SHELLS, Session, ShellSpec, hook_line, isolated_env, require_program, spawn, write_init

INTERACTIVE_SHELLS = ("bash", "zsh", "fish")


@pytest.fixture(params=INTERACTIVE_SHELLS)
def shell(request: pytest.FixtureRequest) -> tuple[ShellSpec, str]:
    """(spec, path) of bash, zsh and fish in turn; skipped when missing (failing under CI)."""
    spec = SHELLS[request.param]
    return spec, require_program(spec.program)


SessionFactory = Callable[..., Session]


@pytest.fixture
def make_session(tmp_path: Path) -> Iterator[SessionFactory]:
    """Start an interactive shell with the hook loaded (``hooks`` times) in an isolated home."""
    sessions: list[Session] = []

    def factory(
        spec: ShellSpec,
        program_path: str,
        *,
        env: Mapping[str, str] | None = None,
        home: Path | None = None,
        hooks: int = 1,
        before: Sequence[str] = (),
        after: Sequence[str] = (),
        hook: Sequence[str] | None = None,
        compinit: bool = True,
    ) -> Session:
        h = home or tmp_path / "home"
        full_env = isolated_env(h, env)
        lines = [hook_line(spec.name)] * hooks if hook is None else list(hook)
        init = write_init(spec, h, [*before, *lines, *after], compinit=compinit)
        session = spawn(spec, program_path, full_env, h, init)
        sessions.append(session)
        return session

    yield factory
    for session in sessions:
        session.close()
