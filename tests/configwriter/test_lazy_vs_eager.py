"""A document read from a file keeps the file's text and makes a section an object only when it is
edited or looked at: after any sequence of edits it is the document built section by section from
the file's lines (every section an object, nothing shared), byte for byte, line for line."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssoenv.config import ini
from ssoenv.config.writer import ConfigDocument, Section, SectionRef, classify_header
from ssoenv.errors import ConfigError

LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def materialised(text: str) -> ConfigDocument:
    """The document made the plain way: the file's lines, cut at the reader's header lines, each
    section a :class:`Section` of lines (no text of the file kept behind them)."""
    lines = LINES.findall(text)
    starts = [block.index for block in ini.parse(text).blocks]
    sections = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(lines)
        header = ini.parse(lines[start]).blocks[0].header
        sections.append(Section(lines[start], header, classify_header(header), list(lines[start + 1 : end])))
    crlf = text.count("\r\n")
    newline = "\r\n" if crlf > text.count("\n") - crlf else "\n"
    return ConfigDocument(lines[: starts[0]] if starts else lines, sections, newline)


NUMBERED = [f"[profile p{i}]" for i in range(12)]  # more sections than the writer searches for one by one
PIECES = [  # any line, in any order
    "[profile a]",
    "[profile b]",
    "[default]",
    "[profile default]",  # the same profile as [default]
    '[profile "a"]',  # the same profile as [profile a]
    "[profile a b]",  # dropped by botocore
    "[DEFAULT]",
    "  [profile c]",  # an indented header
    "[sso-session s]",
    "[services s]",
    "[x] trailing",
    "[x]] longer",
    "region = eu-west-1",
    "key = value",
    "k2: v:2",
    "s3 =",
    "  max = 1",
    "\tnested = 2",
    "ssoenv_generated = s",
    "output = json",
    "name = ünïcødé ✓",
    "name = [bracketed]",
    "[]=v",
    "",
    "   ",
    "# comment [not a header]",
    "; other",
]
NAMES = ["a", "b", "c", "default", "new", "a b", *(f"p{i}" for i in range(12))]
REFS = [
    *(SectionRef.profile(n) for n in NAMES),
    SectionRef.sso_session("s"),
    SectionRef.services("s"),
    SectionRef("other", "DEFAULT"),
    SectionRef("other", "x"),
]
KEYS = ["region", "key", "output", "s3", "new_key", "k2", "ssoenv_generated"]
VALUES = st.one_of(st.none(), st.sampled_from(["v1", "", "eu-north-1", "s", "ünï"]))
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("set"), st.sampled_from(REFS), st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=3)),
        st.tuples(st.just("remove"), st.sampled_from(REFS)),
        st.tuples(st.just("rename"), st.sampled_from(REFS), st.sampled_from(REFS)),
        st.tuples(st.just("add"), st.sampled_from(REFS), st.dictionaries(st.sampled_from(KEYS), st.just("x"))),
        st.tuples(st.just("copy")),
    ),
    max_size=10,
)


HEADERS = [
    "[profile a]",
    "[profile b]",
    "[default]",
    "[profile default]",  # the same profile as [default]
    '[profile "a"]',  # the same profile as [profile a]
    "[profile b ] # b again",  # and [profile b]
    "[profile a b]",  # dropped by botocore
    "[DEFAULT]",
    "  [profile c]",  # an indented header
    "[sso-session s]",
    "[services s]",
    "[x] trailing",
    "[x]] longer",  # starts like [x] (a search for that header must not stop here)
    *NUMBERED,
]
KEY_LINES = [
    ["region = eu-west-1"],
    ["region=v1"],
    ["key = value"],
    ["k2: v:2"],
    ["s3 =", "  max = 1", "\tnested = 2"],
    ["ssoenv_generated = s"],
    ["output = json"],
    ["name = ünïcødé ✓"],
    ["Upper = X"],
    ["[]=v"],
    ["  region = indented"],
]
TRIVIA = ["", "   ", "# comment [not a header]", "; other"]


def _key(lines: list[str]) -> str:
    return re.split("[=:]", lines[0])[0].strip().lower()


@st.composite
def structured(draw: st.DrawFn) -> list[str]:
    """Lines of a file botocore reads: distinct headers, each key once per section."""
    lines = draw(st.lists(st.sampled_from(TRIVIA), max_size=2))
    count = draw(st.sampled_from([0, 1, 2, 4, 9, 14]))
    for header in draw(st.lists(st.sampled_from(HEADERS), unique=True, min_size=count, max_size=count)):
        lines.append(header)
        for key_lines in draw(st.lists(st.sampled_from(KEY_LINES), unique_by=_key, max_size=4)):
            lines.extend(draw(st.lists(st.sampled_from(TRIVIA), max_size=1)))
            lines.extend(key_lines)
        lines.extend(draw(st.lists(st.sampled_from(TRIVIA), max_size=2)))
    return lines


@st.composite
def texts(draw: st.DrawFn) -> str:
    lines = draw(st.one_of(structured(), st.lists(st.sampled_from(PIECES), max_size=20)))
    style = draw(st.sampled_from(["\n", "\n", "\r\n", "\r\n", "\r", "mixed"]))
    if style == "mixed":
        endings = draw(st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=len(lines), max_size=len(lines)))
        text = "".join(line + end for line, end in zip(lines, endings, strict=True))
    else:
        text = style.join(lines) + (style if lines else "")
    if draw(st.booleans()):
        text = text.rstrip("\r\n")  # no final newline
    return text


def apply(doc: ConfigDocument, op: tuple[object, ...]) -> object:
    """One edit; what it returned, or the message it refused with."""
    try:
        if op[0] == "set":
            return doc.set_values(op[1], op[2])  # type: ignore[arg-type]
        if op[0] == "remove":
            return doc.remove_section(op[1])  # type: ignore[arg-type]
        if op[0] == "rename":
            return doc.rename_section(op[1], op[2])  # type: ignore[arg-type]
        if op[0] == "add":
            return doc.add_section(op[1], op[2]).text()  # type: ignore[arg-type]
    except ConfigError as exc:
        return f"refused: {exc}"
    raise AssertionError(op)


def seen(doc: ConfigDocument) -> list[object]:
    """Everything one can read of a document."""
    out: list[object] = [doc.to_bytes(), doc.text(), list(doc.refs()), doc.newline]
    for ref in REFS:
        out.append((ref in doc, doc.where(ref), doc.section_text(ref), doc.values(ref), doc.get(ref, "region")))
        out.extend(doc.where(ref, key) for key in KEYS)
    for key, value in (("ssoenv_generated", "s"), ("region", "eu-west-1"), ("region", "v1"), ("k2", "v:2")):
        with_it = {ref.name: doc.values(ref) for ref in doc.refs() if ref.kind == "profile"}
        expected = {name: values for name, values in with_it.items() if values and values.get(key) == value}
        assert {n: dict(v) for n, v in doc.sections_with("profile", key, value).items()} == expected
        out.append(sorted(expected))
    return out


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts(), OPS, st.booleans())
def test_the_lazy_document_is_the_materialised_one(text: str, ops: list[tuple[object, ...]], as_bytes: bool) -> None:
    try:
        lazy = ConfigDocument.parse(text.encode() if as_bytes else text)
    except ConfigError:
        return  # refused (a duplicate header, a key before any section): nothing to edit
    eager = materialised(text)
    assert seen(lazy) == seen(eager)
    for op in ops:
        if op[0] == "copy":
            # go on with the copies; an edit of the originals does not reach them
            lazy_copy, eager_copy = lazy.copy(), eager.copy()
            before = lazy_copy.to_bytes()
            assert before == eager_copy.to_bytes()
            for doc in (lazy, eager):
                apply(doc, ("set", SectionRef.profile("a"), {"region": "changed"}))
                apply(doc, ("remove", SectionRef.profile("b")))
            assert lazy.to_bytes() == eager.to_bytes()
            assert lazy_copy.to_bytes() == before
            lazy, eager = lazy_copy, eager_copy
            continue
        assert apply(lazy, op) == apply(eager, op), op
        assert seen(lazy) == seen(eager), op
    # the document read back from what it wrote is the same again
    if lazy.to_bytes():
        again = ConfigDocument.parse(lazy.to_bytes())
        assert seen(again)[0] == lazy.to_bytes()


def test_the_document_splits_every_section_on_request() -> None:
    text = "# head\r\n[profile a]\r\nregion = x\r\n\r\n[DEFAULT]\rk = v\r  [profile b]\nregion = y"
    lazy, eager = ConfigDocument.parse(text), materialised(text)
    assert [(s.header_line, s.lines) for s in lazy.sections] == [(s.header_line, s.lines) for s in eager.sections]
    assert lazy.preamble == eager.preamble == ["# head\r\n"]


def big_config(n: int) -> str:
    out = ["# many profiles\n", "[sso-session corp]\n", "sso_start_url = https://corp.awsapps.com/start\n\n"]
    for i in range(n):
        out.append(f"[profile p{i}]\nsso_session = corp\nregion = eu-west-1\nssoenv_generated = corp\n\n")
    return "".join(out)


def test_an_edit_of_a_big_file_makes_only_the_sections_it_touches() -> None:
    text = big_config(3000)
    doc = ConfigDocument.parse(text.encode())
    assert doc.get(SectionRef.profile("p1500"), "region") == "eu-west-1"
    assert doc.where(SectionRef.profile("p1500"), "region") == f"config:{5 + 1500 * 5 + 2}"
    doc.set_values(SectionRef.profile("p1500"), {"region": "ap-south-1"})
    preview = doc.copy()
    preview.remove_section(SectionRef.profile("p2999"))
    preview.set_values(SectionRef.profile("new"), {"region": "x"})
    old, new = (
        "[profile p1500]\nsso_session = corp\nregion = eu-west-1",
        "[profile p1500]\nsso_session = corp\nregion = ap-south-1",
    )
    assert doc.to_bytes() == text.replace(old, new).encode()
    assert preview.to_bytes().endswith(
        b"[profile p2998]\n"
        + b"sso_session = corp\nregion = eu-west-1\nssoenv_generated = corp\n\n[profile new]\nregion = x\n"
    )
    assert len(doc._own) <= 2 and len(preview._own) <= 4  # not one object per section of the file
    generated = doc.sections_with("profile", "ssoenv_generated", "corp")
    assert len(generated) == 3000 and generated["p1500"]["region"] == "ap-south-1"
    assert len(doc._own) <= 2
    assert doc.to_bytes() == materialised_edit(text)


def materialised_edit(text: str) -> bytes:
    eager = materialised(text)
    eager.set_values(SectionRef.profile("p1500"), {"region": "ap-south-1"})
    return eager.to_bytes()


def test_many_edits_of_a_big_file_are_the_materialised_ones() -> None:
    text = big_config(400)
    lazy, eager = ConfigDocument.parse(text.encode()), materialised(text)
    for doc in (lazy, eager):
        for i in range(0, 400, 3):
            doc.set_values(SectionRef.profile(f"p{i}"), {"region": f"r{i}", "output": "json" if i % 2 else None})
        for i in range(1, 400, 7):
            doc.remove_section(SectionRef.profile(f"p{i}"))
        doc.rename_section(SectionRef.profile("p5"), SectionRef.profile("renamed"))
        doc.set_values(SectionRef.profile("added"), {"region": "x"})
    assert lazy.to_bytes() == eager.to_bytes()
    assert seen(lazy) == seen(eager)
    for name in ("p2", "p398", "renamed", "added", "p399"):
        ref = SectionRef.profile(name)
        assert lazy.where(ref, "region") == eager.where(ref, "region")


def test_a_header_found_in_the_text_is_the_whole_header() -> None:
    # [x]] and [x]y] start like [x]: their headers are "x]" and "x]y"
    for text in ("[x]] a\nk = 1\n[x]y]\nk = 2\n[x] b\nk = 3\n", "[x]\nk = 3\n[x]] a\nk = 1\n", "[x] ]\n[x]\nk = 3\n"):
        lazy, eager = ConfigDocument.parse(text), materialised(text)
        assert ini.parse(text).plain  # the sections are searched for in the text
        assert lazy.section_text(SectionRef("other", "x")) == eager.section_text(SectionRef("other", "x"))
        assert lazy.where(SectionRef("other", "x"), "k") == eager.where(SectionRef("other", "x"), "k")
        for doc in (lazy, eager):
            doc.set_values(SectionRef("other", "x"), {"k": "new"})
        assert lazy.to_bytes() == eager.to_bytes()
        assert lazy.get(SectionRef("other", "x"), "k") == "new"


def test_removing_runs_of_sections_is_the_materialised_removal() -> None:
    text = big_config(300).replace("[profile p7]", "# about p7\n[profile p7]")
    lazy, eager = ConfigDocument.parse(text.encode()), materialised(text)
    for doc in (lazy, eager):
        for i in [*range(10, 60), *range(5, 10), *range(200, 300), *range(150, 60, -1)]:  # runs, after and before
            doc.remove_section(SectionRef.profile(f"p{i}"))
        doc.set_values(SectionRef.profile("p4"), {"region": "x"})
        for i in range(4):
            doc.remove_section(SectionRef.profile(f"p{i}"))
    assert lazy.to_bytes() == eager.to_bytes()
    assert seen(lazy) == seen(eager)
    assert lazy.where(SectionRef.profile("p155"), "region") == eager.where(SectionRef.profile("p155"), "region")
