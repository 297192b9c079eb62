"""The --dry-run diff: the lines both files share at their start and end are left out of the
line-by-line comparison (a big file with a few edits), and the diff still turns the old file into
the new one, with the hunks' line numbers of the whole files."""

from __future__ import annotations

import difflib
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ssoenv.config.writer import ConfigDocument, SectionRef, _compare, unified_diff
from ssoenv.errors import ConfigError

from .test_lazy_vs_eager import OPS, apply, texts

LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def normalised(text: str) -> list[str]:
    """The text's lines as the diff shows them: every ending ``\\n``."""
    return [line.rstrip("\r\n") + "\n" for line in LINES.findall(text)]


def patched(old: list[str], diff: str) -> list[str]:
    """``old`` with the diff applied (each hunk checked against the lines it says it replaces)."""
    out: list[str] = []
    done = 0
    lines = diff.splitlines(keepends=True)[2:]
    at = 0
    while at < len(lines):
        match = HUNK.match(lines[at])
        assert match, lines[at]
        start, count = int(match[1]), 1 if match[2] is None else int(match[2])
        begin = start - 1 if count else start
        out.extend(old[done:begin])
        done = begin
        at += 1
        while at < len(lines) and not lines[at].startswith("@@"):
            tag, body = lines[at][0], lines[at][1:]
            if tag in " -":
                assert old[done] == body, (done, old[done], body)
                done += 1
            if tag in " +":
                out.append(body)
            at += 1
    return out + old[done:]


def check(old: str, new: str) -> str:
    diff = unified_diff(old.encode(), new.encode(), path="config")
    if old == new:
        assert diff == ""
        return diff
    assert diff.startswith("--- a/config\n+++ b/config\n@@ ")
    assert patched(normalised(old), diff) == normalised(new)
    return diff


PIECES = ["[profile a]", "[profile b]", "region = x", "region = y", "", "# c", "k = ü", "s3 =", "  max = 1"]


@st.composite
def pairs(draw: st.DrawFn) -> tuple[str, str]:
    lines = draw(st.lists(st.sampled_from(PIECES), max_size=60))
    edited = list(lines)
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(edited)))
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        if kind == "insert" or at == len(edited):
            edited.insert(at, draw(st.sampled_from(PIECES)))
        elif kind == "delete":
            del edited[at]
        else:
            edited[at] = draw(st.sampled_from(PIECES))
    texts = []
    for chosen in (lines, edited):
        style = draw(st.sampled_from(["\n", "\r\n", "\r"]))
        text = style.join(chosen) + (style if chosen and draw(st.booleans()) else "")
        texts.append(text)
    return texts[0], texts[1]


@settings(max_examples=500, deadline=None)
@given(pairs())
def test_the_diff_turns_the_old_file_into_the_new_one(pair: tuple[str, str]) -> None:
    check(*pair)


def test_a_big_file_with_a_few_edits_has_the_whole_files_line_numbers() -> None:
    sections = [f"[profile p{i}]\nregion = eu-west-1\n\n" for i in range(20000)]
    old = "".join(sections)
    sections[12000] = "[profile p12000]\nregion = ap-south-1\n\n"
    sections.append("[profile added]\nregion = x\n")
    new = "".join(sections)
    diff = check(old, new)
    expected = difflib.unified_diff(normalised(old), normalised(new), fromfile="a/config", tofile="b/config")
    assert diff == "".join(expected)
    assert "@@ -35999,7 +35999,7 @@" in diff  # line 36002 and 3 lines of context before it


def test_endings_and_a_missing_final_newline() -> None:
    assert check("[a]\r\nk = 1\r\n", "[a]\r\nk = 1\r\nj = 2").endswith("+j = 2\n\\ No newline at end of file\n")
    check("[a]\rk = 1\r[b]\r", "[a]\rk = 2\r[b]\r")
    check("", "[a]\n")
    check("[a]\n", "")


@settings(max_examples=300, deadline=None)
@given(texts(), OPS)
def test_the_diff_of_an_edited_document(text: str, ops: list[tuple[object, ...]]) -> None:
    try:
        doc = ConfigDocument.parse(text.encode())
    except ConfigError:
        return
    for op in ops:
        if op[0] != "copy":
            apply(doc, op)
    check(text, doc.to_bytes().decode())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*PIECES, "[profile c]", "[profile d]"]), max_size=40), st.data())
def test_a_big_stretch_is_compared_between_its_unique_lines(old: list[str], data: st.DataObject) -> None:
    new = data.draw(st.permutations(old)) if data.draw(st.booleans()) else list(old)
    new = new[: data.draw(st.integers(0, len(new)))] + data.draw(st.lists(st.sampled_from(PIECES), max_size=5))
    opcodes: list[tuple[str, int, int, int, int]] = []
    _compare(old, new, 0, len(old), 0, len(new), opcodes, big=0)  # every stretch cut at its unique lines
    i = j = 0
    made: list[str] = []
    for tag, i1, i2, j1, j2 in opcodes:
        assert (i1, j1) == (i, j) and (i2 > i1 or j2 > j1)
        if tag == "equal":
            assert old[i1:i2] == new[j1:j2]
        made.extend(new[j1:j2])
        i, j = i2, j2
    assert (i, j) == (len(old), len(new)) and made == new


def test_a_dry_run_that_removes_most_of_a_big_file() -> None:
    # every section but one in 40 removed: the comments between the blocks stay (each line once)
    text = "".join(
        f"# block {i}\n" + "".join(f"[profile p{i}-{k}]\nregion = x\n\n" for k in range(40)) for i in range(100)
    )
    doc = ConfigDocument.parse(text.encode())
    for i in range(100):
        for k in range(40):
            if k != 7:
                doc.remove_section(SectionRef.profile(f"p{i}-{k}"))
    after = doc.to_bytes().decode()
    diff = check(text, after)
    lines = diff.splitlines()
    assert diff.count("\n-[profile ") == 3900 and not any(line.startswith("+") for line in lines[2:])
