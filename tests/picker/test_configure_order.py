"""configure's menus of accounts and roles: the accounts and roles of the profiles used most first."""

from __future__ import annotations

from pathlib import Path

from ssoenv.features.configure import Answers, Wizard
from ssoenv.paths import resolve_paths
from tests.configure.test_wizard_unit import ACCOUNTS, ROLES, SESSION, FakeServices, ScriptedIO

PROFILES = """
[profile beta-billing]
sso_session = corp
sso_account_id = 333333333333
sso_role_name = Billing

[profile plain-admin]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = admin

[profile plain-ro]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = ReadOnly
"""


def menus(tmp_path: Path, used: dict[str, float] | None) -> list[list[str]]:
    paths = resolve_paths({"HOME": str(tmp_path)})
    paths.config_file.parent.mkdir(parents=True)
    paths.config_file.write_text(SESSION + PROFILES)
    io = ScriptedIO(answers=["", "", "", "", "new-profile"], picks=[0, 0])
    Wizard(paths, io, FakeServices(ACCOUNTS, ROLES), Answers(), used=used).run()
    return [labels for _, labels, _ in io.menus]


def test_most_used_accounts_and_roles_first(tmp_path: Path) -> None:
    # plain-ro 3 + plain-admin 1 = account 1111... 4; beta-billing 2; roles within 1111...: ReadOnly 3, admin 1
    accounts, roles = menus(tmp_path, {"plain-ro": 3.0, "plain-admin": 1.0, "beta-billing": 2.0, "gone": 9.0})
    assert accounts == [
        "111111111111",
        "beta, b@x (333333333333)",
        "Alpha, a@x (222222222222)",
        "alpha, z@x (444444444444)",
    ]
    assert roles == ["ReadOnly", "admin", "Billing"]


def test_without_history_the_menus_are_sorted(tmp_path: Path) -> None:
    accounts, roles = menus(tmp_path / "none", None)
    assert accounts[0] == "Alpha, a@x (222222222222)" and accounts[-1] == "111111111111"
    assert roles == ["admin", "Billing", "ReadOnly"]
