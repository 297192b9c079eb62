"""Independent checks for config edits: configparser (what botocore reads) and line diffs."""

from __future__ import annotations

import configparser
import difflib

Parsed = dict[str, dict[str, str]]


def parse_ini(data: bytes) -> Parsed:
    """What botocore's RawConfigParser sees: raw section name -> options."""
    cp = configparser.RawConfigParser()
    cp.read_string(data.decode("utf-8", "surrogateescape"))
    return {name: dict(cp.items(name)) for name in cp.sections()}


def lines_of(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def changed_line_ranges(before: bytes, after: bytes) -> list[tuple[str, int, int, list[bytes]]]:
    """Non-equal opcodes of a line diff: (tag, i1, i2, new lines) over ``before``'s line indices."""
    old, new = lines_of(before), lines_of(after)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    return [(tag, i1, i2, new[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def newline_of(data: bytes) -> bytes:
    crlf = data.count(b"\r\n")
    lf = data.count(b"\n") - crlf
    return b"\r\n" if crlf > lf else b"\n"
