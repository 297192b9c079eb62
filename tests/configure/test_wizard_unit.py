"""The wizard's steps with a scripted I/O and fake services (no network, no terminal)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ssoenv.config.profiles import SsoSession
from ssoenv.config.writer import ConfigDocument, SectionRef
from ssoenv.errors import AccessDenied, UsageError
from ssoenv.features.configure import Answers, Wizard, account_label, account_sort_key, apply_profile
from ssoenv.paths import resolve_paths


@dataclass(frozen=True)
class Acc:
    account_id: str
    name: str
    email: str


@dataclass
class ScriptedIO:
    answers: list[str] = field(default_factory=list)
    picks: list[int] = field(default_factory=list)
    interactive: bool = True
    said: list[str] = field(default_factory=list)
    asked: list[tuple[str, str | None]] = field(default_factory=list)
    menus: list[tuple[str, list[str], int]] = field(default_factory=list)

    def say(self, text: str) -> None:
        self.said.append(text)

    def ask(self, prompt: str, default: str | None) -> str:
        self.asked.append((prompt, default))
        answer = self.answers.pop(0)
        return answer or (default or "")

    def choose(self, labels: Sequence[str], *, title: str, initial: int = 0) -> int:
        self.menus.append((title, list(labels), initial))
        return self.picks.pop(0)

    def confirm(self, prompt: str, *, default: bool) -> bool:
        self.said.append(prompt)
        return self.answers.pop(0) == "y"


class FakeServices:
    def __init__(self, accounts: list[Acc], roles: dict[str, list[str]]) -> None:
        self.accounts = accounts
        self.roles = roles
        self.logins: list[SsoSession] = []

    def login(self, session: SsoSession, *, new: bool) -> None:
        self.logins.append(session)

    def list_accounts(self, session: SsoSession) -> Sequence[Acc]:
        return self.accounts

    def list_roles(self, session: SsoSession, account_id: str) -> list[str]:
        return self.roles[account_id]


ACCOUNTS = [
    Acc("333333333333", "beta", "b@x"),
    Acc("111111111111", "", ""),
    Acc("222222222222", "Alpha", "a@x"),
    Acc("444444444444", "alpha", "z@x"),
]
ROLES = {a.account_id: ["ReadOnly", "admin", "Billing"] for a in ACCOUNTS}
SESSION = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"


def wizard(tmp_path: Path, io: ScriptedIO, answers: Answers | None = None, config: str = SESSION) -> Wizard:
    paths = resolve_paths({"HOME": str(tmp_path)})
    paths.config_file.parent.mkdir(exist_ok=True)
    paths.config_file.write_text(config)
    return Wizard(paths, io, FakeServices(ACCOUNTS, ROLES), answers or Answers())


def test_accounts_sorted_by_name_then_email_then_id_with_id_only_last() -> None:
    ordered = sorted(ACCOUNTS, key=account_sort_key)
    assert [account_label(a) for a in ordered] == [
        "Alpha, a@x (222222222222)",
        "alpha, z@x (444444444444)",
        "beta, b@x (333333333333)",
        "111111111111",
    ]


def test_prompts_show_defaults_and_menus_are_sorted(tmp_path: Path) -> None:
    io = ScriptedIO(answers=["", "", "", ""], picks=[2, 0])
    result = wizard(tmp_path, io).run()
    assert io.asked == [
        ("SSO session name (Recommended)", "corp"),
        ("Default client Region", None),  # no value in brackets: ENTER writes no key (AWS CLI v2)
        ("CLI default output format (json if not specified)", None),
        ("Profile name", "admin-333333333333"),
    ]
    assert io.menus[0][0].startswith("Choose an account")
    assert io.menus[1][1] == ["admin", "Billing", "ReadOnly"]
    assert "There are 4 AWS accounts available to you." in io.said
    assert result.profile == "admin-333333333333"
    text = (tmp_path / ".aws" / "config").read_text()
    assert text == SESSION + (
        "\n[profile admin-333333333333]\nsso_session = corp\nsso_account_id = 333333333333\nsso_role_name = admin\n"
    )


def test_invalid_answers_are_asked_again(tmp_path: Path) -> None:
    io = ScriptedIO(answers=["new", "ftp://x", "https://new.awsapps.com/start", "mars", "us-west-2", "", "", "", "p"])
    io.picks = [0, 0]
    wizard(tmp_path, io).run()
    prompts = [p for p, _ in io.asked]
    assert prompts.count("SSO start URL") == 2 and prompts.count("SSO region") == 2
    assert any("https://" in s for s in io.said) and any("AWS region" in s for s in io.said)
    doc = ConfigDocument.parse((tmp_path / ".aws" / "config").read_bytes())
    assert doc.values(SectionRef.sso_session("new")) == {
        "sso_start_url": "https://new.awsapps.com/start",
        "sso_region": "us-west-2",
        "sso_registration_scopes": "sso:account:access",
    }


def test_no_terminal_never_asks(tmp_path: Path) -> None:
    io = ScriptedIO(interactive=False)
    with pytest.raises(UsageError, match="--account-id"):
        wizard(tmp_path, io).run()
    io = ScriptedIO(interactive=False)
    result = wizard(tmp_path, io, Answers(account_id="444444444444", role_name="Billing")).run()
    assert io.asked == [] and io.menus == []
    assert result.values == {
        "sso_session": "corp",
        "sso_account_id": "444444444444",
        "sso_role_name": "Billing",
    }
    with pytest.raises(AccessDenied, match="not among"):
        wizard(tmp_path, ScriptedIO(interactive=False), Answers(account_id="999999999999")).run()


def test_apply_profile_drops_other_credential_sources_and_keeps_the_rest() -> None:
    doc = ConfigDocument.parse(
        "[profile p]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = base\ns3 =\n  a = 1\n"
        "sso_start_url = https://old\nssoenv_generated = corp\ncli_pager =\n"
    )
    apply_profile(
        doc,
        SectionRef.profile("p"),
        {"sso_session": "corp", "sso_account_id": "111111111111", "sso_role_name": "R"},
    )
    assert doc.text() == (
        "[profile p]\ns3 =\n  a = 1\ncli_pager =\n"
        "sso_session = corp\nsso_account_id = 111111111111\nsso_role_name = R\n"
    )
