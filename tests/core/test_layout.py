"""HACKING.md's map of ``ssoenv/`` is the tree: every module is listed, every listed path exists."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "ssoenv"
EXEMPT = {"__init__.py", "__main__.py"}


def _map_paths() -> set[str]:
    """The paths the map in HACKING.md names, relative to ``ssoenv/`` (directories end in ``/``)."""
    text = (ROOT / "HACKING.md").read_text()
    block = text.split("## Layout", 1)[1].split("```", 2)[1]
    stack: list[tuple[int, str]] = []
    paths: set[str] = set()
    for line in block.splitlines()[1:]:
        if not line.strip() or not line.startswith("  "):
            continue
        indent = len(line) - len(line.lstrip())
        head = line.strip().split("  ")[0]
        if not head.endswith((".py", "/")):
            continue  # a continuation line of a description
        while stack and stack[-1][0] >= indent:
            stack.pop()
        prefix = "".join(name for _, name in stack)
        for name in (n.strip() for n in head.split(",")):
            paths.add(prefix + name)
        if head.endswith("/"):
            stack.append((indent, head))
    return paths


def _tree() -> tuple[set[str], set[str]]:
    modules = {
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*.py")
        if "__pycache__" not in p.parts and p.name not in EXEMPT
    }
    packages = {
        p.relative_to(PACKAGE).as_posix() + "/"
        for p in PACKAGE.rglob("*")
        if p.is_dir() and "__pycache__" not in p.parts and (p / "__init__.py").exists()
    }
    return modules, packages


def test_every_listed_path_exists() -> None:
    listed = _map_paths()
    assert len(listed) > 40, listed  # the parser found the map
    missing = sorted(p for p in listed if not (PACKAGE / p).exists())
    assert not missing, f"HACKING.md names paths that do not exist: {missing}"


def test_every_module_and_package_is_listed() -> None:
    listed = _map_paths()
    modules, packages = _tree()
    leaves = {p for p in listed if p.endswith("/") and not any(q != p and q.startswith(p) for q in listed)}
    unlisted = sorted(
        m for m in modules | packages if m not in listed and not any(m.startswith(leaf) for leaf in leaves)
    )
    assert not unlisted, f"HACKING.md's map does not list: {unlisted}"
