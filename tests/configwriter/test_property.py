"""Property: an edit of one section never changes a byte outside it."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssoenv.config.writer import ConfigDocument, SectionRef

from .oracle import parse_ini

VALUE_CHARS = st.characters(
    codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp", "Co", "Cn"), exclude_characters="\x85"
)
VALUES = st.text(VALUE_CHARS, min_size=0, max_size=12).map(str.strip)
LOWER = "abcdefghijklmnopqrstuvwxyz"
DIGITS = "0123456789"


def _word(first: str, rest: str, max_rest: int) -> st.SearchStrategy[str]:
    """``[first][rest]{0,max_rest}`` as from_regex would give it, at a fraction of its cost."""
    return st.builds(str.__add__, st.sampled_from(first), st.text(st.sampled_from(rest), max_size=max_rest))


KEYS = _word(LOWER, LOWER + DIGITS + "_", 8)  # [a-z][a-z0-9_]{0,8}
ALNUM = LOWER + LOWER.upper() + DIGITS
NAMES = _word(ALNUM, ALNUM + "._-", 6)  # [A-Za-z0-9][A-Za-z0-9._-]{0,6}
SEPARATORS = st.sampled_from(["=", " = ", " =  ", ":", ": ", "\t=\t", " :"])
TRIVIA = st.sampled_from(["", "   ", "# a comment", "; semi", "  # indented comment", "#", "# ünïcødé ✓"])


@dataclass
class Generated:
    text: str
    refs: list[SectionRef]
    raws: list[str]


@st.composite
def key_lines(draw: st.DrawFn, key: str) -> list[str]:
    sep = draw(SEPARATORS)
    if draw(st.integers(0, 5)) == 0:  # nested block
        subs = draw(st.lists(KEYS, min_size=1, max_size=3, unique=True))
        indent = draw(st.sampled_from(["  ", "    ", "\t"]))
        return [f"{key}{sep.rstrip()}"] + [f"{indent}{s} = {draw(VALUES) or 'v'}" for s in subs]
    trailing = draw(st.sampled_from(["", "", " ", "\t"]))
    return [f"{key}{sep}{draw(VALUES)}{trailing}"]


@st.composite
def configs(draw: st.DrawFn) -> Generated:
    kinds = st.sampled_from(["default", "profile", "quoted", "sso-session", "services", "other"])
    n = draw(st.integers(0, 6))
    names = draw(
        st.lists(
            NAMES,
            min_size=n,
            max_size=n,
            unique_by=str.lower,
        )
    )
    lines: list[str] = [draw(TRIVIA) for _ in range(draw(st.integers(0, 2)))]
    refs: list[SectionRef] = []
    raws: list[str] = []
    have_default = False
    for name in names:
        kind = draw(kinds)
        if kind == "default" and have_default:
            kind = "profile"
        if kind == "default":
            have_default = True
            raw, ref = "default", SectionRef.profile("default")
        elif kind == "quoted":
            raw, ref = f'profile "{name} x"', SectionRef.profile(f"{name} x")
        elif kind == "other":
            raw, ref = f"other-{name}", SectionRef("other", f"other-{name}")
        else:
            raw, ref = f"{kind} {name}", SectionRef(kind, name)
        refs.append(ref)
        raws.append(raw)
        lines.append(f"[{raw}]" + draw(st.sampled_from(["", "", " "])))
        keys = draw(st.lists(KEYS, max_size=5, unique=True))
        for key in keys:
            lines.extend(draw(TRIVIA) for _ in range(draw(st.integers(0, 1))))
            lines.extend(draw(key_lines(key)))
        lines.extend(draw(TRIVIA) for _ in range(draw(st.integers(0, 2))))
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    text = nl.join(lines)
    if lines and draw(st.booleans()):
        text += nl
    return Generated(text, refs, raws)


def _header_index(data: bytes, raw: str) -> tuple[int, int]:
    """Byte offsets of the section: its header line start, and the start of the next header."""
    lines = data.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    starts = [i for i, line in enumerate(lines) if line.startswith(b"[")]
    mine = next(i for i in starts if lines[i].decode("utf-8", "surrogateescape").rstrip().startswith(f"[{raw}]"))
    later = [i for i in starts if i > mine]
    return offsets[mine], offsets[later[0]] if later else len(data)


def _drop_ending(data: bytes) -> bytes:
    if data.endswith(b"\r\n"):
        return data[:-2]
    return data[:-1] if data.endswith(b"\n") else data


OPS = st.dictionaries(KEYS, st.one_of(st.none(), VALUES), max_size=4)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs(), st.data())
def test_editing_one_section_never_changes_bytes_outside_it(gen: Generated, data: st.DataObject) -> None:
    original = gen.text.encode()
    doc = ConfigDocument.parse(original)
    assert doc.to_bytes() == original
    before = parse_ini(original)
    if not gen.refs:
        return
    index = data.draw(st.integers(0, len(gen.refs) - 1))
    ref, raw = gen.refs[index], gen.raws[index]
    existing = list(before[raw])
    ops = data.draw(OPS)
    if existing:
        ops.update(data.draw(st.dictionaries(st.sampled_from(existing), st.one_of(st.none(), VALUES), max_size=3)))
    doc.set_values(ref, ops)
    after = doc.to_bytes()
    start, stop = _header_index(original, raw)
    assert after.startswith(original[:start])
    assert after.endswith(original[stop:])
    assert len(after) - len(original[stop:]) >= start
    expected = dict(before)
    section = dict(before[raw])
    for key, value in ops.items():
        if value is None:
            section.pop(key, None)
        else:
            section[key] = value
    expected[raw] = section
    assert parse_ini(after) == expected
    # idempotent: the same edit again changes nothing
    assert not doc.set_values(ref, ops)


@settings(max_examples=300, deadline=None)
@given(configs(), st.data())
def test_removing_a_section_touches_only_it(gen: Generated, data: st.DataObject) -> None:
    original = gen.text.encode()
    if not gen.refs:
        return
    index = data.draw(st.integers(0, len(gen.refs) - 1))
    ref, raw = gen.refs[index], gen.raws[index]
    doc = ConfigDocument.parse(original)
    assert doc.remove_section(ref)
    after = doc.to_bytes()
    start, stop = _header_index(original, raw)
    prefix = original[:start]
    if stop == len(original):
        # the last section: it takes at most one blank separator line before it along, and a
        # missing final newline stays missing; comments after its last key may stay
        plines = prefix.splitlines(keepends=True)
        candidates = [prefix]
        if plines and not plines[-1].strip():
            candidates.append(b"".join(plines[:-1]))
        if not original.endswith(b"\n"):
            candidates = [_drop_ending(c) for c in candidates]
        if after not in candidates:
            assert after.startswith(prefix)
            rest = after[len(prefix) :].decode("utf-8", "surrogateescape").splitlines()
            assert all(not line.strip() or line.strip()[0] in "#;" for line in rest)
    else:
        assert after.startswith(prefix)
        assert after.endswith(original[stop:])
        kept = after[len(prefix) : len(after) - len(original[stop:])]
        assert kept in original[start:stop]
        assert all(
            not line.strip() or line.strip()[0] in "#;" for line in kept.decode("utf-8", "surrogateescape").splitlines()
        )
    expected = parse_ini(original)
    del expected[raw]
    assert parse_ini(after) == expected


@settings(max_examples=200, deadline=None)
@given(configs())
def test_adding_a_section_appends(gen: Generated) -> None:
    original = gen.text.encode()
    doc = ConfigDocument.parse(original)
    doc.set_values(SectionRef.profile("brand-new"), {"region": "eu-west-1"})
    after = doc.to_bytes()
    if original.endswith(b"\n") or not original:
        assert after.startswith(original)
    else:
        assert after.startswith(original + (b"\r\n" if b"\r\n" in original else b"\n"))
    expected = parse_ini(original)
    expected["profile brand-new"] = {"region": "eu-west-1"}
    assert parse_ini(after) == expected
