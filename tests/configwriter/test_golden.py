"""Hand-checked before/after pairs for the tricky cases."""

from __future__ import annotations

import pytest

from ssoenv.config.writer import ConfigDocument, SectionRef, check_section_name, classify_header
from ssoenv.errors import ConfigError


def edit(before: str, ref: SectionRef, values: dict[str, str | None]) -> str:
    doc = ConfigDocument.parse(before.encode())
    doc.set_values(ref, values)
    return doc.to_bytes().decode()


P = SectionRef.profile


@pytest.mark.parametrize(
    ("before", "ref", "values", "after"),
    [
        # spacing, separator and trailing spaces of the key line are kept
        ("[profile a]\nregion=us-east-1\n", P("a"), {"region": "eu-west-1"}, "[profile a]\nregion=eu-west-1\n"),
        ("[profile a]\nregion :  x   \n", P("a"), {"region": "y"}, "[profile a]\nregion :  y   \n"),
        ("[profile a]\nREGION = x\n", P("a"), {"region": "y"}, "[profile a]\nREGION = y\n"),
        ("[profile a]\nregion =\n", P("a"), {"region": "y"}, "[profile a]\nregion = y\n"),
        # a nested block replaced by a plain value takes its continuation lines along
        (
            "[profile a]\ns3 =\n  x = 1\n  # c\n  y = 2\nregion = r\n",
            P("a"),
            {"s3": "plain"},
            "[profile a]\ns3 = plain\nregion = r\n",
        ),
        # new keys go after the last key (and its nested block), not after trailing comments
        (
            "[profile a]\nregion = r\ns3 =\n  x = 1\n\n# about b\n[profile b]\n",
            P("a"),
            {"output": "json"},
            "[profile a]\nregion = r\ns3 =\n  x = 1\noutput = json\n\n# about b\n[profile b]\n",
        ),
        # indentation of the section's keys is copied
        ("[profile a]\n  region = r\n", P("a"), {"output": "json"}, "[profile a]\n  region = r\n  output = json\n"),
        # an empty section gets the key right after its header
        ("[profile a]\n\n[profile b]\n", P("a"), {"k": "v"}, "[profile a]\nk = v\n\n[profile b]\n"),
        # header with no newline at the end of the file
        ("[profile a]", P("a"), {"k": "v"}, "[profile a]\nk = v"),
        # an indented "[x]" after a key is a continuation line, not a header
        (
            "[profile a]\ncli_pager: less\n  [profile b]\n",
            P("b"),
            {"k": "v"},
            "[profile a]\ncli_pager: less\n  [profile b]\n\n[profile b]\nk = v\n",
        ),
        # [default] and [profile default] are the same profile
        ("[profile default]\nregion = r\n", P("default"), {"region": "s"}, "[profile default]\nregion = s\n"),
        # names with spaces are quoted
        ("", P("my prof"), {"region": "r"}, '[profile "my prof"]\nregion = r\n'),
        ('[profile "my prof"]\nregion = r\n', P("my prof"), {"region": "s"}, '[profile "my prof"]\nregion = s\n'),
        # removing a key that is not there changes nothing
        ("[profile a]\nregion = r\n", P("a"), {"nope": None}, "[profile a]\nregion = r\n"),
        # [default] and [profile default] both present: the last one is the one botocore reads
        (
            "[profile default]\nregion = r\n[default]\nregion = s\n",
            P("default"),
            {"region": "t"},
            "[profile default]\nregion = r\n[default]\nregion = t\n",
        ),
        (
            "[default]\nregion = r\n[profile default]\nregion = s\n",
            P("default"),
            {"region": "t"},
            "[default]\nregion = r\n[profile default]\nregion = t\n",
        ),
        (
            "[sso-session s]\nsso_region = x\n",
            SectionRef.sso_session("s"),
            {"sso_region": "y"},
            "[sso-session s]\nsso_region = y\n",
        ),
    ],
)
def test_golden(before: str, ref: SectionRef, values: dict[str, str | None], after: str) -> None:
    assert edit(before, ref, values) == after


def test_remove_middle_section_keeps_following_comment() -> None:
    before = "[profile a]\nx = 1\n\n[profile gen]\ny = 2\n# note\n\n# about c\n[profile c]\nz = 3\n"
    doc = ConfigDocument.parse(before)
    doc.remove_section(P("gen"))
    assert doc.text() == "[profile a]\nx = 1\n\n# note\n\n# about c\n[profile c]\nz = 3\n"


def test_remove_last_section_takes_separator() -> None:
    doc = ConfigDocument.parse("[profile a]\nx = 1\n\n[profile gen]\ny = 2\n\n\n")
    doc.remove_section(P("gen"))
    assert doc.text() == "[profile a]\nx = 1\n"


def test_remove_only_section() -> None:
    doc = ConfigDocument.parse("# hi\n[profile gen]\ny = 2\n")
    doc.remove_section(P("gen"))
    assert doc.text() == "# hi\n"


def test_values_and_marker_lookup() -> None:
    doc = ConfigDocument.parse(
        "[profile g]\nssoenv_generated = corp\n[profile h]\nregion = x\n[sso-session corp]\nsso_region = r\n"
    )
    assert doc.get(P("g"), "ssoenv_generated") == "corp"
    assert doc.get(P("h"), "ssoenv_generated") is None
    assert list(doc.refs()) == [P("g"), P("h"), SectionRef.sso_session("corp")]


@pytest.mark.parametrize(
    ("raw", "ref"),
    [
        ("default", SectionRef("profile", "default")),
        ("profile dev", SectionRef("profile", "dev")),
        ('profile "a b"', SectionRef("profile", "a b")),
        ("profile  spaced", SectionRef("profile", "spaced")),
        ("sso-session corp", SectionRef("sso-session", "corp")),
        ("services local", SectionRef("services", "local")),
        ("preview", SectionRef("other", "preview")),
        ("profile a b", None),
        ('profile "unterminated', None),
    ],
)
def test_classify_header(raw: str, ref: SectionRef | None) -> None:
    assert classify_header(raw) == ref


@pytest.mark.parametrize("name", ["", " x", "a]b", "a[b", 'a"b', "a'b", "a\nb", "a\\b"])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(ConfigError):
        check_section_name(name)


@pytest.mark.parametrize("value", ["a\nb", " lead", "trail ", "x\r"])
def test_bad_values_are_refused(value: str) -> None:
    doc = ConfigDocument.parse("")
    with pytest.raises(ConfigError):
        doc.set_values(P("a"), {"k": value})


def test_header_roundtrips_through_classify() -> None:
    for name in ["dev", "my prof", "a.b/c:d", "ünï cödé", "123456789012_ReadOnly", "default"]:
        ref = P(name)
        assert classify_header(ref.header()) == ref


def test_duplicate_sections_are_removed_by_identity() -> None:
    # two spellings of one profile: botocore reads the last one
    doc = ConfigDocument.parse("[profile a]\nx = 1\n\n[profile b]\n\n[profile 'a']\nx = 1\n")
    assert doc.set_values(P("a"), {"x": "2"})
    assert doc.text() == "[profile a]\nx = 1\n\n[profile b]\n\n[profile 'a']\nx = 2\n"
    doc.remove_section(P("a"))
    assert doc.text() == "[profile b]\n"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("[profile a]\nk = 1\nk = 2\n", 3),  # a repeated key
        ("[profile a]\nx = 1\n[profile a]\n", 3),  # a repeated header
        ("k = 1\n[profile a]\n", 1),  # a key before the first section
    ],
)
def test_files_botocore_refuses_are_not_edited(text: str, line: int) -> None:
    with pytest.raises(ConfigError, match=rf"^config:{line}: "):
        ConfigDocument.parse(text.encode())
