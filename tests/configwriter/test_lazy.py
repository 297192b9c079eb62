"""The writer keeps untouched sections as text (with the reader's block for them): that document
is the one the file's lines give, section by section, key by key, and it edits the same way."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssoenv.config import ini
from ssoenv.config.writer import ConfigDocument, SectionRef, _block_offsets
from ssoenv.errors import ConfigError

from .corpus import CORPUS

LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def by_lines(text: str) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The preamble and each section's (header line, body lines), cut at the reader's header lines."""
    lines = LINES.findall(text)
    starts = [block.index for block in ini.parse(text).blocks]
    sections = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(lines)
        sections.append((lines[start], lines[start + 1 : end]))
    return lines[: starts[0]] if starts else lines, sections


def check_same(text: str) -> bool:
    """Assert the document equals the line-by-line cut; whether it kept sections as text."""
    doc = ConfigDocument.parse(text)
    lazy = _block_offsets(text, ini.parse(text).blocks) is not None
    eager = ConfigDocument.parse(text)
    for section in eager.sections:
        section.lines  # noqa: B018 - split every section now (and drop the reader's blocks)
    preamble, sections = by_lines(text)
    assert doc.preamble == preamble
    assert [(s.header_line, s.lines) for s in eager.sections] == sections
    assert doc.text() == text and eager.text() == text
    line = len(preamble) + 1
    for ours, split in zip(doc.sections, eager.sections, strict=True):
        assert ours.line_count() == len(split.lines)
        assert ours.spans() == split.spans()
        assert ours.values() == split.values()
        assert ours.content_end() == split.content_end()
        line += 1 + len(split.lines)
    for ref in eager.refs():
        assert doc.values(ref) == eager.values(ref)
        assert doc.section_text(ref) == eager.section_text(ref)
        for key in eager.values(ref) or {}:
            assert doc.where(ref, key) == eager.where(ref, key)
    return lazy


def edits_alike(text: str) -> None:
    """The same edits on the document and on its fully split copy give the same bytes."""
    doc = ConfigDocument.parse(text)
    eager = ConfigDocument.parse(text)
    for section in eager.sections:
        section.lines  # noqa: B018
    for target in (doc, eager):
        for ref in list(target.refs()):
            if ref.kind == "profile":
                target.set_values(ref, {"region": "eu-north-1", "output": None})
        target.set_values(SectionRef.profile("added-here"), {"region": "us-west-2"})
        first = next((ref for ref in target.refs() if ref.kind == "profile" and ref.name != "added-here"), None)
        if first is not None:
            target.remove_section(first)
    assert doc.to_bytes() == eager.to_bytes()
    assert doc.copy().to_bytes() == doc.to_bytes()


def test_corpus_documents_are_the_files_lines() -> None:
    kept = [name for name, data in CORPUS.items() if check_same(data.decode("utf-8"))]
    assert len(kept) >= len(CORPUS) // 2  # most files keep their sections as text


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_edits_alike(name: str) -> None:
    edits_alike(CORPUS[name].decode("utf-8"))


def test_when_sections_are_not_kept_as_text() -> None:
    blocks = ini.parse("[a]\nk = v\n").blocks
    assert _block_offsets("[a]\nk = v\n", blocks) == [0]
    for text in ("  [a]\nk = v\n", "[a]\rk = v\r", "# x\n\t[a]\n[b]\n"):
        assert _block_offsets(text, ini.parse(text).blocks) is None, text
        check_same(text)
    assert _block_offsets("[a]\r\nk = v\r\n[b]\r\n", ini.parse("[a]\r\nk = v\r\n[b]\r\n").blocks) == [0, 12]


PIECES = [
    "[profile a]",
    "[profile b]",
    "[default]",
    "[sso-session s]",
    "[x] trailing",
    "  [profile c]",
    "key = value",
    "region = eu-west-1",
    "k2: v:2",
    "s3 =",
    "  max = 1",
    "\tnested = 2",
    "",
    "   ",
    "# comment [not a header]",
    "; other",
    "name = [bracketed]",
    "Upper = X",
]


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(st.sampled_from(PIECES), max_size=14),
    newline=st.sampled_from(["\n", "\r\n"]),
    final=st.booleans(),
)
def test_generated_documents_are_the_files_lines(lines: list[str], newline: str, final: bool) -> None:
    text = newline.join(lines) + (newline if final and lines else "")
    try:
        ConfigDocument.parse(text)
    except ConfigError:
        return  # refused (a duplicate, a key before any section): nothing to edit
    check_same(text)
    edits_alike(text)
