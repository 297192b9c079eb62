"""PowerShell syntax without PowerShell: the tree-sitter grammar (tree-sitter-powershell).

It catches syntax errors (an unclosed quote, a stray brace, a broken here-string), not semantics:
what a script *does* in pwsh is verified only by reading (see the README).
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _parser() -> Any:
    import tree_sitter
    import tree_sitter_powershell

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def syntax_errors(code: str) -> list[str]:
    """Every ERROR or MISSING node of ``code``, with its line and text (empty: it parses)."""
    data = code.encode("utf-8")
    tree = _parser().parse(data)
    found: list[str] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            text = data[node.start_byte : node.end_byte][:80].decode("utf-8", "replace")
            found.append(
                f"line {node.start_point[0] + 1}: {'MISSING ' + node.type if node.is_missing else 'ERROR'} {text!r}"
            )
        stack.extend(node.children)
    return found


def assert_parses(code: str) -> None:
    errors = syntax_errors(code)
    assert not errors, "PowerShell syntax errors:\n" + "\n".join(errors) + "\n--- code ---\n" + code[:2000]
