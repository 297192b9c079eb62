"""PickerState: order (scores, then match quality, then as given), words over fields, highlighting."""

from __future__ import annotations

import re

from ssoenv.ui.picker import ENTER, Choice, PickerState, label, quality, spans, words

ANSI = re.compile(r"\x1b\[[0-9;]*m")

PROFILES = [
    Choice(("acme-dev", "111111111111", "AdministratorAccess", "Acme Dev"), "eu-west-1"),
    Choice(("acme-prod", "222222222222", "AdministratorAccess", "Acme Production"), "us-east-2"),
    Choice(("acme-prod-ro", "222222222222", "ReadOnly", "Acme Production"), "us-east-2"),
    Choice(("sandbox", "333333333333", "PowerUserAccess", ""), "eu-west-1"),
    Choice(("prodlike", "444444444444", "Admin", "Staging"), ""),
]


def names(state: PickerState) -> list[str]:
    return [PROFILES[i].fields[0] for i in state.visible]


def test_without_scores_the_order_is_as_given() -> None:
    assert names(PickerState(PROFILES, "Use")) == [c.fields[0] for c in PROFILES]


def test_scores_order_first_and_ties_keep_the_given_order() -> None:
    s = PickerState(PROFILES, "Use", scores=[0.0, 2.5, 0.0, 7.0, 2.5])
    assert names(s) == ["sandbox", "acme-prod", "prodlike", "acme-dev", "acme-prod-ro"]
    assert s.selected() == 3  # the most frecent is selected first


def test_every_word_must_match_some_field() -> None:
    s = PickerState(PROFILES, "Use", query="prod admin")
    assert names(s) == ["prodlike", "acme-prod"]  # acme-prod-ro is ReadOnly; Admin: a whole field
    s.set_query("PROD ADMIN production")  # case-insensitive; the account name counts
    assert names(s) == ["acme-prod"]
    s.set_query("2222 readonly")  # account id and role
    assert names(s) == ["acme-prod-ro"]
    s.set_query("prodadmin")  # a word never spans two fields
    assert names(s) == []
    s.set_query("us-east-2")  # the note (region) is shown, not searched
    assert names(s) == []


def test_then_match_quality_then_the_given_order() -> None:
    s = PickerState(PROFILES, "Use", query="prod")
    # acme-prod, acme-prod-ro: "prod" starts a word; prodlike: starts the field; the same quality
    assert names(s) == ["acme-prod", "acme-prod-ro", "prodlike"]
    s.set_query("admin")  # a whole field (Admin) beats the start of one (AdministratorAccess)
    assert names(s) == ["prodlike", "acme-dev", "acme-prod"]
    s.set_query("access")  # a camelCase word start beats ...
    s2 = PickerState([Choice(("x", "NoAccessHere")), Choice(("y", "Accessible")), Choice(("z", "unaccess"))], "t")
    s2.set_query("access")
    assert s2.visible == [0, 1, 2]  # 0 and 1 start a word (2), 2 is inside one (1)


def test_frecency_comes_before_match_quality() -> None:
    s = PickerState(PROFILES, "Use", query="admin", scores=[0.0, 0.0, 0.0, 0.0, 0.0])
    assert names(s)[0] == "prodlike"
    s = PickerState(PROFILES, "Use", query="admin", scores=[0.0, 3.0, 0.0, 0.0, 0.0])
    assert names(s) == ["acme-prod", "prodlike", "acme-dev"]


def test_quality_scale() -> None:
    def q(field: str, query: str) -> int:
        return quality((field,), words(query))

    assert q("Admin", "admin") == 3
    assert q("AdministratorAccess", "admin") == 2
    assert q("AdministratorAccess", "access") == 2  # camelCase hump
    assert q("acme-prod", "prod") == 2
    assert q("reproduce", "prod") == 1
    assert q("acme-prod", "acme prod") == 4
    assert quality(("acme-prod", "Admin"), ["admin"]) == 3  # a whole field, not the first
    assert quality(("x", "Straße-Prod"), ["prod"]) == 2  # positions through case folding


def test_spans_merge_and_follow_case_folding() -> None:
    assert spans("acme-prod-ro", words("prod ro")) == [(5, 9), (10, 12)]
    assert spans("222222222222", words("2222")) == [(0, 12)]
    assert spans("AdministratorAccess", words("ADMIN access")) == [(0, 5), (13, 19)]
    assert spans("Straße-Prod", words("strasse")) == [(0, 6)]  # ß folds to ss: the whole word
    assert spans("Ærø İzmir", words("ærø")) == [(0, 3)]
    assert spans("anything", []) == []


def plain(line: str) -> str:
    return ANSI.sub("", line)


def test_rows_are_aligned_columns_with_the_matches_highlighted() -> None:
    s = PickerState(PROFILES, "Use which profile?", query="prod admin", colour=False, scores=[0, 1, 0, 0, 0])
    lines = s.render(120)
    rows = [plain(line) for line in lines[2:-1]]
    assert rows == [
        "> acme-prod     222222222222  AdministratorAccess  Acme Production  us-east-2",
        "  prodlike      444444444444  Admin                Staging",
    ]
    # selected row: reverse video; matches bold + underline (no colour), reverse restored after each
    assert lines[2] == (
        "\x1b[7m> acme-\x1b[7;1;4mprod\x1b[0;7m     222222222222  \x1b[7;1;4mAdmin\x1b[0;7mistratorAccess  "
        "Acme \x1b[7;1;4mProd\x1b[0;7muction  us-east-2\x1b[0m"
    )
    assert lines[3] == ("  \x1b[1;4mprod\x1b[0mlike      444444444444  \x1b[1;4mAdmin\x1b[0m                Staging")
    assert "2 of 5" in lines[-1]


def test_colour_when_allowed() -> None:
    s = PickerState(PROFILES, "Use", query="sandbox", colour=True)
    assert s.render(120)[2].startswith("\x1b[7m> \x1b[7;1;36msandbox\x1b[0;7m")


def test_columns_empty_everywhere_take_no_room_and_plain_labels_still_work() -> None:
    s = PickerState(["alpha beta", "gamma"], "Pick", query="BETA")
    assert [plain(line) for line in s.render(80)[2:-1]] == ["> alpha beta"]
    t = PickerState([Choice(("a", "", "x")), Choice(("bb", "", "y"))], "Pick")
    assert [plain(line) for line in t.render(80)[2:-1]] == ["> a   x", "  bb  y"]
    assert label(Choice(("a", "", "x"), "note")) == "a  x  note"


def test_rows_with_highlights_fit_the_width() -> None:
    s = PickerState(PROFILES, "Use", query="a c", scores=[1, 2, 3, 4, 5])
    for width in (20, 33, 47, 80):
        for line in s.render(width):
            assert len(plain(line)) <= width - 1, (width, line)
            if "\x1b[7m" in line:
                assert line.endswith("\x1b[0m")  # the reverse video ends with the row


def test_a_cut_highlight_is_closed() -> None:
    s = PickerState([Choice(("x" * 14 + "needle" + "y" * 40,))], "Pick", query="needle", colour=False)
    row = s.render(24)[2]
    assert plain(row) == "> " + "x" * 14 + "need…"
    assert row.endswith("\x1b[7;1;4mneed\x1b[0;7m…\x1b[0m")


def test_typing_on_narrows_and_editing_back_widens() -> None:
    s = PickerState(PROFILES, "Use")
    for query, expected in [
        ("p", {"acme-prod", "acme-prod-ro", "sandbox", "prodlike"}),  # acme-dev has no p
        ("pr", {"acme-prod", "acme-prod-ro", "prodlike"}),
        ("prod ", {"acme-prod", "acme-prod-ro", "prodlike"}),
        ("prod ro", {"acme-prod", "acme-prod-ro", "prodlike"}),  # ro: ReadOnly, Production, prodlike
        ("prod roa", set()),
        ("prod ro", {"acme-prod", "acme-prod-ro", "prodlike"}),  # Backspace: wider again
        ("dev", {"acme-dev"}),
        ("", {c.fields[0] for c in PROFILES}),
    ]:
        s.set_query(query)
        assert set(names(s)) == expected, query
        assert s.visible == PickerState(PROFILES, "Use", query=query).visible  # the same as from scratch


def test_enter_returns_the_original_index_of_the_first_shown() -> None:
    s = PickerState(PROFILES, "Use", scores=[0, 0, 9, 0, 0])
    assert s.handle(ENTER) == 2
    s.set_query("sandbox")
    assert s.handle(ENTER) == 3
