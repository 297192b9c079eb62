"""Every edit on every corpus file changes only the intended lines, byte for byte."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ssoenv.config.writer import ConfigDocument, SectionRef, classify_header

from .corpus import CORPUS
from .oracle import changed_line_ranges, lines_of, newline_of, parse_ini


@dataclass(frozen=True)
class SectionSpan:
    raw: str
    ref: SectionRef
    start: int  # header line index
    stop: int  # index of the next header (or len)


def spans_of(data: bytes) -> list[SectionSpan]:
    """Independent section scan: in the corpus every header starts at column 0."""
    lines = lines_of(data)
    starts = [i for i, line in enumerate(lines) if line.startswith(b"[")]
    out = []
    for pos, start in enumerate(starts):
        stop = starts[pos + 1] if pos + 1 < len(starts) else len(lines)
        raw = lines[start].decode("utf-8", "surrogateescape").strip()
        raw = raw[1 : raw.rindex("]")]
        ref = classify_header(raw)
        assert ref is not None
        out.append(SectionSpan(raw, ref, start, stop))
    return out


SECTION_CASES = [(name, span) for name, data in CORPUS.items() for span in spans_of(data)]
SECTION_IDS = [f"{name}:{span.raw}" for name, span in SECTION_CASES]


def _cut(lines: list[bytes], x: int, y: int, *, final_newline: bool) -> bytes:
    kept = lines[:x] + lines[y:]
    if not final_newline and y == len(lines) and kept:
        kept[-1] = kept[-1].rstrip(b"\r\n")
    return b"".join(kept)


def is_trivia(line: bytes) -> bool:
    stripped = line.strip()
    return not stripped or stripped[:1] in (b"#", b";")


def test_corpus_is_big_enough() -> None:
    assert len(CORPUS) >= 20
    assert any(b"\r\n" in data for data in CORPUS.values())
    assert any(data and not data.endswith(b"\n") for data in CORPUS.values())
    assert len(SECTION_CASES) >= 60


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_roundtrip_is_byte_exact(name: str) -> None:
    data = CORPUS[name]
    assert ConfigDocument.parse(data).to_bytes() == data


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_sections_match_configparser(name: str) -> None:
    data = CORPUS[name]
    doc = ConfigDocument.parse(data)
    parsed = parse_ini(data)
    assert [s.raw_name for s in doc.sections] == list(parsed)
    for section in doc.sections:
        values = section.values()
        assert values == parsed[section.raw_name], section.raw_name


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_add_section_appends_only(name: str) -> None:
    data = CORPUS[name]
    doc = ConfigDocument.parse(data)
    doc.add_section(SectionRef.profile("ssoenv new"), {"sso_session": "corp", "sso_account_id": "123456789012"})
    nl = newline_of(data)
    section = b'[profile "ssoenv new"]' + nl + b"sso_session = corp" + nl + b"sso_account_id = 123456789012"
    if not data:
        expected = section + nl
    else:
        last = lines_of(data)[-1]
        sep = b"" if not last.strip() else nl
        # a missing final newline stays missing
        expected = data + sep + section + nl if data.endswith(b"\n") else data + nl + sep + section
    after = doc.to_bytes()
    assert after == expected
    assert parse_ini(after) == {
        **parse_ini(data),
        'profile "ssoenv new"': {"sso_session": "corp", "sso_account_id": "123456789012"},
    }
    # and it goes away again without a trace (a file that ended in blank lines keeps all but
    # the one before the section, which cannot be told apart from a separator we wrote)
    doc.remove_section(SectionRef.profile("ssoenv new"))
    if data and not lines_of(data)[-1].strip():
        assert doc.to_bytes() == b"".join(lines_of(data)[:-1])
    else:
        assert doc.to_bytes() == data


@pytest.mark.parametrize(("name", "span"), SECTION_CASES, ids=SECTION_IDS)
def test_set_existing_value_changes_one_line(name: str, span: SectionSpan) -> None:
    data = CORPUS[name]
    before = parse_ini(data)[span.raw]
    simple = [k for k, v in before.items() if v and "\n" not in v]
    if not simple:
        pytest.skip("no plain key in this section")
    key = simple[-1]
    doc = ConfigDocument.parse(data)
    assert doc.set_values(span.ref, {key: "NEW-VALUE"})
    after = doc.to_bytes()
    ops = changed_line_ranges(data, after)
    assert len(ops) == 1
    tag, i1, i2, new = ops[0]
    assert tag == "replace" and i2 == i1 + 1 and len(new) == 1
    assert span.start < i1 < span.stop
    old_line = lines_of(data)[i1]
    sep = min(p for p in (old_line.find(b"="), old_line.find(b":")) if p >= 0)
    pos = old_line.index(before[key].encode("utf-8", "surrogateescape"), sep)
    expected = old_line[:pos] + b"NEW-VALUE" + old_line[pos + len(before[key].encode()) :]
    assert new[0] == expected
    parsed = parse_ini(after)
    assert parsed[span.raw] == {**before, key: "NEW-VALUE"}
    assert {k: v for k, v in parsed.items() if k != span.raw} == {
        k: v for k, v in parse_ini(data).items() if k != span.raw
    }


@pytest.mark.parametrize(("name", "span"), SECTION_CASES, ids=SECTION_IDS)
def test_setting_the_same_value_changes_nothing(name: str, span: SectionSpan) -> None:
    data = CORPUS[name]
    values = {k: v for k, v in parse_ini(data)[span.raw].items() if "\n" not in v and v == v.strip()}
    doc = ConfigDocument.parse(data)
    if values:
        assert not doc.set_values(span.ref, values)
    assert doc.to_bytes() == data


@pytest.mark.parametrize(("name", "span"), SECTION_CASES, ids=SECTION_IDS)
def test_add_key_inserts_one_line_after_the_last_key(name: str, span: SectionSpan) -> None:
    data = CORPUS[name]
    doc = ConfigDocument.parse(data)
    assert doc.set_values(span.ref, {"ssoenv_test": "42"})
    after = doc.to_bytes()
    old_lines = lines_of(data)
    ops = changed_line_ranges(data, after)
    assert len(ops) == 1
    tag, i1, i2, new = ops[0]
    nl = newline_of(data)
    if tag == "insert":
        assert len(new) == 1
        inserted = new[0]
        assert inserted.endswith(nl)
        insert_at = i1
    else:  # appended after a last line that had no newline: that line gains one
        assert tag == "replace" and i2 == i1 + 1 == len(old_lines)
        assert new[0] == old_lines[i1] + nl
        inserted = new[1]
        assert not inserted.endswith(b"\n")
        insert_at = i2
    assert inserted.strip() == b"ssoenv_test = 42"
    # right after the header or the section's last key/continuation line; only trivia after it
    assert span.start < insert_at <= span.stop
    assert insert_at == span.start + 1 or not is_trivia(old_lines[insert_at - 1])
    assert all(is_trivia(line) for line in old_lines[insert_at : span.stop])
    parsed = parse_ini(after)
    assert parsed[span.raw] == {**parse_ini(data)[span.raw], "ssoenv_test": "42"}


@pytest.mark.parametrize(("name", "span"), SECTION_CASES, ids=SECTION_IDS)
def test_remove_key_deletes_only_its_lines(name: str, span: SectionSpan) -> None:
    data = CORPUS[name]
    before = parse_ini(data)[span.raw]
    if not before:
        pytest.skip("no key")
    key = next(iter(before))
    doc = ConfigDocument.parse(data)
    assert doc.set_values(span.ref, {key: None})
    after = doc.to_bytes()
    for tag, i1, i2, _new in changed_line_ranges(data, after):
        assert tag == "delete"
        assert span.start < i1 <= i2 <= span.stop
    expected = dict(before)
    del expected[key]
    assert parse_ini(after)[span.raw] == expected


@pytest.mark.parametrize(("name", "span"), SECTION_CASES, ids=SECTION_IDS)
def test_remove_section_deletes_only_its_lines(name: str, span: SectionSpan) -> None:
    data = CORPUS[name]
    doc = ConfigDocument.parse(data)
    if len([s for s in doc.sections if s.ref == span.ref]) > 1:
        pytest.skip("duplicate")
    assert doc.remove_section(span.ref)
    after = doc.to_bytes()
    old = lines_of(data)
    # the result is the file with one contiguous run of lines [x, y) cut out, the header in it,
    # starting at most one (blank) line before the header and ending before the next header
    lo = span.start - 1 if span.stop == len(old) else span.start
    cuts = [
        (x, y)
        for x in range(lo, span.start + 1)
        for y in range(span.start + 1, span.stop + 1)
        if _cut(old, x, y, final_newline=data.endswith(b"\n")) == after
    ]
    assert cuts, "not a single contiguous cut inside the section"
    x, y = cuts[0]
    assert all(not line.strip() for line in old[x : span.start])
    # comments after the section's last key are kept (they usually describe what follows)
    for i in range(span.start, span.stop):
        if old[i].strip()[:1] in (b"#", b";") and all(is_trivia(line) for line in old[i : span.stop]):
            assert i >= y
    expected = parse_ini(data)
    del expected[span.raw]
    assert parse_ini(after) == expected


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_crlf_files_get_crlf_lines(name: str) -> None:
    data = CORPUS[name]
    doc = ConfigDocument.parse(data)
    doc.set_values(SectionRef.sso_session("fresh"), {"sso_start_url": "https://x.awsapps.com/start"})
    for span in spans_of(data)[:1]:
        doc.set_values(span.ref, {"ssoenv_generated": "corp"})
    after = doc.to_bytes()
    added = b"".join(new for _, _, _, lines in changed_line_ranges(data, after) for new in lines)
    if newline_of(data) == b"\r\n":
        assert added.count(b"\n") == added.count(b"\r\n")
    else:
        assert b"\r" not in added
