"""The AWS config and credentials file format, read exactly as botocore reads it.

This is the one reader of those files in ssoenv: ``config`` (profiles for ``use``/``list``),
``configwriter`` (the structure it edits), ``completion`` (names for TAB) all go through
:func:`parse` and :func:`classify`. The rules are botocore's (``configloader.raw_config_parse``
on a strict ``RawConfigParser``, then ``build_profile_map``):

- lines end at ``\\n``, ``\\r\\n`` or ``\\r`` (a text file's universal newlines) — never at VT,
  FF, ``\\x1c``-``\\x1e``, NEL or U+2028/2029, which stay inside the line;
- each line is stripped of whitespace (``str.strip``); empty lines and lines starting with ``#``
  or ``;`` are skipped; no inline comments;
- a line indented deeper than the key line before it continues that key's value (joined with
  ``\\n``); otherwise ``[text]`` (up to the last ``]``) opens a section, and ``key = value`` or
  ``key: value`` (first ``=`` or ``:``) sets a lower-cased key;
- refused (botocore raises ``ConfigParseError``): a key before the first section, a section
  header repeated verbatim, a key repeated in one section, a line that is none of the above, a
  value starting on the next line (``s3 =``) whose lines are not all ``key = value``;
- ``[DEFAULT]`` holds defaults for every other section of the same file;
- ``[profile NAME]``, ``[sso-session NAME]`` and ``[services NAME]`` (any header that *starts*
  with those words) are split with ``shlex``: exactly two words name a section, anything else is
  dropped; ``[default]`` is the profile ``default``; among sections that name the same thing the
  last one in the file wins (so ``[default]`` and ``[profile default]`` are one profile).

It imports nothing at load time (completion runs without ``re`` or ``typing``).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Final

    Value = str | dict[str, str]

KINDS: Final = ("profile", "sso-session", "services")
BOM: Final = "\ufeff"

#: Files at least this big are checked once per content (``config.load_config`` notes them; see
#: :func:`stamp`); completion and cached ``use`` then skip the full read of a noted file.
STAMP_MIN: Final = 64 * 1024


class GcPaused:
    """``with GcPaused():`` no cyclic garbage collection inside (restored as it was after).

    Reading a big file makes hundreds of thousands of dicts and strings and no cycles; the
    collector, triggered by the count of new objects, would walk the whole growing heap again
    and again (a third of the time of reading 80,000 profiles)."""

    __slots__ = ("_was",)

    def __enter__(self) -> None:
        import gc

        self._was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self._was:
            import gc

            gc.enable()


class IniError(ValueError):
    """The file is one botocore refuses: ``line`` (1-based) says where, ``message`` what."""

    def __init__(self, line: int, message: str, hint: str) -> None:
        super().__init__(f"{line}: {message}")
        self.line = line
        self.message = message
        self.hint = hint


def decode(data: bytes) -> str:
    """The file's text: UTF-8, as botocore reads it; IniError (with the line) where it is not."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise IniError(
            line, f"not valid UTF-8 (byte {exc.start})", "save the file as UTF-8; the AWS CLI refuses this file too"
        ) from None


def split_lines(text: str) -> list[str]:
    """The lines configparser sees (Python text files split at ``\\n``, ``\\r\\n`` and ``\\r``)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def words(header: str) -> list[str] | None:
    """``shlex.split(header)`` (None when it fails), without importing shlex for plain text."""
    if '"' in header or "'" in header or "\\" in header:
        import shlex

        try:
            return shlex.split(header)
        except ValueError:
            return None
    # shlex's whitespace is space, tab, CR and LF (CR/LF cannot occur inside a line)
    return [w for w in header.replace("\t", " ").split(" ") if w]


def classify(header: str) -> tuple[str, str] | None:
    """What a config-file section header (the text between the brackets) names for botocore:
    ``(kind, name)`` with kind ``profile``, ``sso-session``, ``services`` or ``other`` (name =
    the header), or None when botocore drops the section."""
    if header.startswith("profile"):
        kind = "profile"
    elif header.startswith("sso-session"):
        kind = "sso-session"
    elif header.startswith("services"):
        kind = "services"
    elif header == "default":
        return ("profile", "default")
    else:
        return ("other", header)
    # the common "[profile NAME]": one space, then a name without blanks, quotes or escapes
    name = header[len(kind) + 1 :]
    if (
        header[len(kind) : len(kind) + 1] == " "
        and name
        and " " not in name
        and "\t" not in name
        and '"' not in name
        and "'" not in name
        and "\\" not in name
    ):
        return (kind, name)
    parts = words(header)
    if parts is None or len(parts) != 2:
        return None
    return (kind, parts[1])


class Block:
    """One ``[header]`` block as configparser reads it.

    ``index`` is the 0-based line index of the header (``line`` = ``index + 1``); ``first`` maps
    each key (in file order) to the text after its ``=``, ``at`` to its line index, ``more`` (for
    the few keys that have them) to its continuation lines, ``ends`` to the index after its last
    continuation line.
    """

    __slots__ = ("at", "ends", "first", "header", "index", "more")

    def __init__(self, header: str, index: int) -> None:
        self.header = header
        self.index = index
        self.first: dict[str, str] = {}
        self.at: dict[str, int] = {}
        self.more: dict[str, list[str]] = {}
        self.ends: dict[str, int] = {}

    @property
    def line(self) -> int:
        return self.index + 1

    def spans(self) -> list[tuple[str, int, int]]:
        """``(key, first line index, index after its last continuation line)`` in file order."""
        ends = self.ends
        return [(k, i, ends.get(k, i + 1)) for k, i in self.at.items()]

    def key_lines(self) -> dict[str, int]:
        return {k: i + 1 for k, i in self.at.items()}

    def raw_values(self) -> dict[str, str]:
        """Each key's value as configparser returns it (lines joined by ``\\n``)."""
        if not self.more:
            return dict(self.first)
        more = self.more
        return {k: "\n".join([v, *more[k]]).rstrip() if k in more else v for k, v in self.first.items()}


def nested(value: str, line: int, key: str) -> dict[str, str]:
    """botocore's ``_parse_nested`` for a value that starts on the next line (it splits with
    ``str.splitlines``, unlike the file itself)."""
    out: dict[str, str] = {}
    for text in value.splitlines():
        text = text.strip()
        if not text:
            continue
        name, eq, rest = text.partition("=")
        if not eq:
            raise IniError(
                line,
                f"the indented lines under {key!r} must each be key = value, not {text[:60]!r}",
                "fix or remove that line; the AWS CLI refuses this file too",
            )
        out[name.strip()] = rest.strip()
    return out


def final_values(raw: dict[str, str], lines: dict[str, int]) -> dict[str, Value]:
    """Values as botocore hands them out: a value starting with a newline is a nested block."""
    out: dict[str, Value] = {}
    for key, value in raw.items():
        out[key] = nested(value, lines[key], key) if value.startswith("\n") else value
    return out


class Ini:
    """A parsed file: ``blocks`` in file order (``[DEFAULT]`` blocks included), ``sections`` by
    header (configparser's sections; not ``DEFAULT``), ``defaults`` the ``[DEFAULT]`` keys.

    ``plain`` is True when a section can be found by a literal search for its header line: no
    lone CR, every line that starts with ``[`` is a header and every header starts its line,
    no quotes or backslashes in headers, no ``[DEFAULT]`` (see ``config._TargetedIndex``).
    """

    __slots__ = ("blocks", "checked", "defaults", "lines", "named", "plain", "sections")

    def __init__(self, lines: list[str]) -> None:
        self.checked = False
        self.named: dict[str, dict[str, Block]] | None = None  # profile_map's answer
        self.lines = lines
        self.blocks: list[Block] = []
        self.sections: dict[str, Block] = {}
        self.defaults: Block | None = None
        self.plain = True

    def section_values(self, block: Block) -> dict[str, Value]:
        """A section's values as botocore hands them out (``[DEFAULT]``'s keys it lacks
        included): a new dict on each call."""
        if self.defaults is None and not block.more:
            return dict(block.first)  # the common case: one line per key, nothing nested
        return self.values(block)[0]

    def values(self, block: Block) -> tuple[dict[str, Value], dict[str, int]]:
        """A section's values (with ``[DEFAULT]``'s keys it lacks) and each key's line."""
        raw = block.raw_values()
        lines = block.key_lines()
        if self.defaults is not None:
            default_lines = self.defaults.key_lines()
            for key, value in self.defaults.raw_values().items():
                if key not in raw:
                    raw[key] = value
                    lines[key] = default_lines[key]
        return final_values(raw, lines), lines

    def check(self) -> None:
        """Raise :class:`IniError` where botocore would fail building the sections' values: a value
        that starts on the next line (``s3 =`` + indented lines) whose lines are not all
        ``key = value``; ``[DEFAULT]``'s keys count for the sections that lack them."""
        if self.checked:
            return
        defaults = self.defaults
        if defaults is not None and defaults.more and self.sections:
            for key in defaults.more:
                if any(key not in block.first for block in self.sections.values()):
                    _check_nested(defaults, key)
        for block in self.sections.values():
            if block.more:
                for key in block.more:
                    _check_nested(block, key)
        self.checked = True


def _check_nested(block: Block, key: str) -> None:
    if block.first[key] == "":
        value = "\n".join(["", *block.more[key]]).rstrip()
        if value.startswith("\n"):
            nested(value, block.at[key] + 1, key)


_last: list[tuple[str, Ini]] = []  # the last whole file read (the writer and the reader share it)


def parse(text: str, *, base: int = 0) -> Ini:
    """Parse ``text`` with configparser's strict rules; raise :class:`IniError` for what it refuses.

    ``base`` is the line index of the text's first line in its file (for a part of a file that
    starts at a header line: line numbers then count from the start of the file). The same
    whole text read again in one process (``configure`` reads it for its plan and for the
    botocore session) is not parsed twice: an :class:`Ini` is never changed once made.
    """
    if base == 0 and len(text) >= STAMP_MIN:
        if _last and _last[0][0] == text:
            return _last[0][1]
        with GcPaused():
            parsed = _parse(text, 0)
        _last[:] = [(text, parsed)]
        return parsed
    return _parse(text, base)


def holding_big() -> bool:
    """Whether a big file's reading is held (the program then ends without freeing it)."""
    return bool(_last)


def forget() -> None:
    """Drop the memo of the last file read (benchmarks)."""
    _last.clear()


def _parse(text: str, base: int) -> Ini:
    lines = split_lines(text)
    plain = not ("\r" in text and text.count("\r") != text.count("\r\n"))
    ini = Ini(lines)
    blocks = ini.blocks
    sections = ini.sections
    added: dict[str, int] = {}
    cur: Block | None = None
    first_values: dict[str, str] = {}
    at: dict[str, int] = {}
    key = ""  # the current key ("" when none: after a header, or an unreadable key line)
    blanks = 0  # blank lines seen since the current key's last line
    indent_level = 0
    first_bad = 0
    bad_text = ""
    for index, line in enumerate(lines, base):
        value = line.strip()
        if not value:
            blanks += 1
            continue
        first = value[0]
        if first in "#;":
            continue
        indent = 0 if line[0] == first else len(line) - len(line.lstrip())
        if key and indent > indent_level:
            assert cur is not None
            more = cur.more.get(key)
            if more is None:
                more = cur.more[key] = []
            if blanks:
                more.extend([""] * blanks)  # blank lines inside a value are kept
            more.append(value)
            cur.ends[key] = index + 1
            blanks = 0
            continue
        blanks = 0
        indent_level = indent
        if first == "[":
            close = value.rfind("]")
            if close >= 2:
                header = value[1:close]
                if indent or '"' in header or "'" in header or "\\" in header:
                    plain = False
                cur = Block(header, index)
                if header == "DEFAULT":
                    plain = False
                    if ini.defaults is None:
                        ini.defaults = Block(header, index)
                    # every [DEFAULT] block fills the same defaults (keys repeated across them are refused)
                    cur.first, cur.at, cur.more = ini.defaults.first, ini.defaults.at, ini.defaults.more
                else:
                    if header in added:
                        raise IniError(
                            index + 1,
                            f"duplicate section [{header}] (first at line {added[header]})",
                            "merge the two sections; the AWS CLI refuses this file too",
                        )
                    added[header] = index + 1
                    sections[header] = cur
                blocks.append(cur)
                first_values, at = cur.first, cur.at
                key = ""
                continue
            plain = False  # a line starting with "[" that is not a header
        if cur is None:
            if index == 0 and line.startswith(BOM):
                raise IniError(
                    1,
                    "the file starts with a UTF-8 byte order mark (BOM), which botocore and the AWS CLI cannot read",
                    "save the file as UTF-8 without BOM",
                )
            raise IniError(
                index + 1,
                f"a key before the first [section]: {value[:60]!r}",
                "put it inside a [profile NAME] or [default] section, or remove it",
            )
        name, eq, rest = value.partition("=")
        if ":" in name:  # the first "=" or ":" ends the key
            name, eq, rest = value.partition(":")
        elif not eq:
            if not first_bad:
                first_bad, bad_text = index + 1, value
            continue  # configparser goes on (and keeps the current key)
        name = name.rstrip().lower()
        if not name:
            if not first_bad:
                first_bad, bad_text = index + 1, value
            key = ""
            continue
        if name in at:
            raise IniError(
                index + 1,
                f"key {name!r} repeated in [{cur.header}] (first at line {at[name] + 1})",
                "remove one of them; the AWS CLI refuses this file too",
            )
        first_values[name] = rest.strip()
        at[name] = index
        key = name
    if first_bad:
        raise IniError(
            first_bad,
            f"cannot read this line: {bad_text[:60]!r}",
            "expected [section], key = value, or an indented continuation; the AWS CLI refuses this file too",
        )
    ini.plain = plain
    return ini


def profile_map(ini: Ini) -> dict[str, dict[str, Block]]:
    """botocore's ``build_profile_map``: kind -> name -> the block that wins (the last one).
    Worked out once per parse (the same file read twice in a command shares it): not to be changed."""
    if ini.named is not None:
        return ini.named
    out: dict[str, dict[str, Block]] = {"profile": {}, "sso-session": {}, "services": {}, "other": {}}
    for header, block in ini.sections.items():
        named = classify(header)
        if named is not None:
            out[named[0]][named[1]] = block
    ini.named = out
    return out


def section_names(text: str, kind: str = "profile") -> list[str]:
    """Names of one kind in a config file, in file order (completion); [] when botocore refuses it."""
    try:
        ini = parse(text)
    except IniError:
        return []
    return list(profile_map(ini)[kind])


# --------------------------------------------------------------------------------------------
# Big files: a note that these exact bytes were read without fault and are ``plain``


def stamp_name(config_file: str) -> str:
    """The note's file name (in ``~/.aws/sso/ssoenv-locks/``) for one config file path."""
    import zlib

    return f"config-{zlib.crc32(config_file.encode('utf-8', 'surrogateescape')):08x}.checked"


def stamp(data: bytes) -> str:
    """The note's content: the file's size and CRC-32."""
    import zlib

    return f"{len(data)} {zlib.crc32(data):08x}\n"


def noted(data: bytes, note_file: str) -> bool:
    """Whether ``note_file`` notes exactly these bytes as read without fault (a big file only)."""
    if len(data) < STAMP_MIN:
        return False
    try:
        with open(note_file, encoding="utf-8") as fh:
            return fh.read() == stamp(data)
    except (OSError, UnicodeDecodeError):
        return False


def plain_names(text: str, kind: str = "profile") -> list[str]:
    """:func:`section_names` of a noted (fault-free, ``plain``) file, from its header lines only:
    in such a file they are exactly the lines that start with ``[``."""
    names: dict[str, None] = {}
    start = 0 if text.startswith("[") else text.find("\n[") + 1  # 0: no header at all
    while start >= 0 and (start > 0 or text.startswith("[")):
        end = text.find("\n", start)
        value = (text[start:] if end < 0 else text[start:end]).strip()
        named = classify(value[1 : value.rfind("]")])
        if named is not None and named[0] == kind:
            names[named[1]] = None
        if end < 0:
            break
        following = text.find("\n[", end)
        if following < 0:
            break
        start = following + 1
    return list(names)
