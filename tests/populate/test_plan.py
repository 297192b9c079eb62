"""populate's pure parts: naming, planning, the bounded parallel listing with retries."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest

from ssoenv.config.profiles import load_config
from ssoenv.config.writer import ConfigChanged, ConfigDocument, SectionRef
from ssoenv.errors import AccessDenied, ConfigError, LoginRequired, ServiceError, UsageError
from ssoenv.features.populate import (
    Assignment,
    Listing,
    Target,
    apply_plan,
    assign_names,
    check_start_url,
    check_template,
    list_assignments,
    make_plan,
    replan_and_apply,
    resolve_target,
    safe_name,
)
from ssoenv.paths import resolve_paths

TARGET = Target("corp", "https://corp.awsapps.com/start", "us-east-1")


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("dev.Admin", "dev.Admin"),
        ("Prod Account.Admin", "Prod-Account.Admin"),
        ("a  b\tc", "a-b-c"),
        ("weird/$name; rm -rf", "weird/-name-rm-rf"),
        ("[x]", "x"),
        ('quo"te', "quo-te"),
        ("Entwicklung-Ärger.Rolle", "Entwicklung-Ärger.Rolle"),
        ("--.dots.--", "dots"),
    ],
)
def test_safe_name(raw: str, safe: str) -> None:
    assert safe_name(raw) == safe


def test_template_validation() -> None:
    check_template("{account_name}.{role_name}")
    check_template("{sso_session}/{account_id}/{role_name}")
    for bad in ("{nope}", "plain", "{account_name", "{0}"):
        with pytest.raises(UsageError):
            check_template(bad)


def test_names_unique_and_stable() -> None:
    a = [
        Assignment("111111111111", "Admin", "Prod"),
        Assignment("222222222222", "Admin", "Prod"),
        Assignment("333333333333", "Read Only", "x"),
        Assignment("333333333333", "Read-Only", "x"),
        Assignment("444444444444", "Admin", "dev"),
    ]
    names = assign_names(a, "{account_name}.{role_name}", "corp")
    assert names == {
        a[0]: "Prod.Admin-111111111111",
        a[1]: "Prod.Admin-222222222222",
        a[2]: "x.Read-Only",
        a[3]: "x.Read-Only-2",
        a[4]: "dev.Admin",
    }
    assert assign_names(reversed(a), "{account_name}.{role_name}", "corp") == names


def doc_with(*sections: str) -> ConfigDocument:
    return ConfigDocument.parse("\n".join(sections))


def listing(*pairs: tuple[str, str, str]) -> Listing:
    return Listing([Assignment(acc, role, name) for acc, role, name in pairs], accounts=len({p[0] for p in pairs}))


def test_plan_adds_updates_and_leaves_others_alone() -> None:
    doc = doc_with(
        "[profile mine]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\n",
        "[profile dev.Admin]\nregion = hand\n",  # hand-written, same name as a generated one
        "[profile dev.Read]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Read\n"
        "sso_account_name = old-name\nssoenv_generated = corp\noutput = table\n",
        "[profile p.Admin]\nsso_session = partner\nsso_account_id = 9\nsso_role_name = Admin\n"
        "ssoenv_generated = partner\n",
    )
    lst = listing(("111111111111", "Admin", "dev"), ("111111111111", "Read", "dev"), ("2", "Ops", "prod"))
    plan = make_plan(doc, TARGET, lst)
    assert [c.name for c in plan.add] == ["prod.Ops"]
    assert [c.name for c in plan.update] == ["dev.Read"]
    assert plan.skipped == [("dev.Admin", "a profile with this name exists, written by hand (or another tool)")]
    before = doc.text()
    apply_plan(doc, plan)
    values = doc.values(SectionRef.profile("dev.Read"))
    assert values is not None and values["sso_account_name"] == "dev" and values["output"] == "table"
    assert doc.values(SectionRef.profile("dev.Admin")) == {"region": "hand"}
    assert doc.text().startswith(before.split("[profile dev.Read]")[0])
    assert "[profile p.Admin]" in doc.text()
    # applying the same plan logic again changes nothing
    again = make_plan(doc, TARGET, lst)
    assert again.changes == 0 and sorted(again.unchanged) == ["dev.Read", "prod.Ops"]


def test_plan_prune_stale_and_unknown_accounts() -> None:
    doc = doc_with(
        "[profile a.X]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = X\nssoenv_generated = corp\n",
        "[profile b.Y]\nsso_session = corp\nsso_account_id = 2\nsso_role_name = Y\nssoenv_generated = corp\n",
        "[profile c.Z]\nsso_session = corp\nsso_account_id = 3\nsso_role_name = Z\nssoenv_generated = corp\n",
        "[profile hand]\nsso_session = corp\nsso_account_id = 2\nsso_role_name = Y\n",
    )
    lst = listing(("1", "X", "a"))
    lst.failed["3"] = "access denied"
    plan = make_plan(doc, TARGET, lst)
    assert plan.stale == ["b.Y"] and plan.remove == [] and plan.kept_unknown == ["c.Z"]
    plan = make_plan(doc, TARGET, lst, prune=True)
    assert plan.remove == ["b.Y"] and plan.kept_unknown == ["c.Z"]
    apply_plan(doc, plan)
    assert SectionRef.profile("b.Y") not in doc
    assert SectionRef.profile("hand") in doc and SectionRef.profile("c.Z") in doc


def test_plan_renames_in_place_when_the_template_changes() -> None:
    doc = doc_with(
        "[profile first]\nregion = x\n",
        "[profile a.X]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = X\nssoenv_generated = corp\n",
        "[profile last]\nregion = y\n",
    )
    plan = make_plan(doc, TARGET, listing(("1", "X", "a")), template="{account_id}-{role_name}")
    assert [(c.old_name, c.name) for c in plan.rename] == [("a.X", "1-X")]
    apply_plan(doc, plan)
    assert [s.raw_name for s in doc.sections] == ["profile first", "profile 1-X", "profile last"]


def test_replan_refuses_removals_nobody_confirmed() -> None:
    doc = doc_with(
        "[profile a.X]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = X\nssoenv_generated = corp\n"
    )
    lst = listing(("2", "Y", "b"))
    confirmed = make_plan(ConfigDocument.parse(""), TARGET, lst, prune=True)
    with pytest.raises(ConfigChanged):
        replan_and_apply(doc, confirmed, lst, template="{account_name}.{role_name}", region=None, prune=True)


def test_resolve_target(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text(
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
        "[sso-session other]\nsso_start_url = https://other.awsapps.com/start\nsso_region = eu-west-1\n"
    )
    cfg = load_config(resolve_paths({"HOME": str(tmp_path), "AWS_CONFIG_FILE": str(config)}))
    assert resolve_target(cfg, sso_session="corp", start_url=None, sso_region=None).name == "corp"
    found = resolve_target(cfg, sso_session=None, start_url="https://OTHER.awsapps.com/start/", sso_region=None)
    assert found.name == "other" and found.create is None
    new = resolve_target(cfg, sso_session=None, start_url="https://new.awsapps.com/start", sso_region="us-east-2")
    assert new.name == "new" and new.create is not None
    with pytest.raises(UsageError, match="--sso-session"):
        resolve_target(cfg, sso_session=None, start_url=None, sso_region=None)
    assert resolve_target(cfg, sso_session=None, start_url=None, sso_region=None, choose=lambda labels: 1).name == (
        "other"
    )
    with pytest.raises(ConfigError):
        resolve_target(cfg, sso_session="corp", start_url="https://elsewhere.awsapps.com/start", sso_region=None)
    with pytest.raises(ConfigError, match="does not exist"):
        resolve_target(cfg, sso_session="nope", start_url=None, sso_region=None)
    with pytest.raises(UsageError):
        check_start_url("http://corp.awsapps.com/start")


# ---- listing with a fake portal


class Throttled(Exception):
    response: ClassVar[dict[str, dict[str, object]]] = {
        "Error": {"Code": "TooManyRequestsException"},
        "ResponseMetadata": {"HTTPStatusCode": 429},
    }


@dataclass(frozen=True)
class Acc:
    account_id: str
    name: str
    email: str


class FakePortal:
    def __init__(self, n: int, *, throttle_every: int = 0, deny: str | None = None, expire: str | None = None):
        self.accounts = [Acc(f"{i:012d}", f"acc{i}", f"a{i}@x") for i in range(n)]
        self.throttle_every = throttle_every
        self.deny = deny
        self.expire = expire
        self.lock = threading.Lock()
        self.calls = 0
        self.active = 0
        self.max_active = 0

    def list_accounts(self, access_token: str) -> list[Acc]:
        return self.accounts

    def list_account_roles(self, access_token: str, account_id: str) -> list[str]:
        with self.lock:
            self.calls += 1
            self.active += 1
            self.max_active = max(self.max_active, self.active)
            n = self.calls
        try:
            time.sleep(0.002)
            if self.throttle_every and n % self.throttle_every == 0:
                raise ServiceError("throttled") from Throttled()
            if account_id == self.deny:
                raise AccessDenied("not assigned")
            if account_id == self.expire:
                raise LoginRequired("expired")
            return ["Admin", "Read"]
        finally:
            with self.lock:
                self.active -= 1


def test_listing_is_parallel_bounded_and_never_retries_itself() -> None:
    """Retries belong to the portal's one policy (ssoenv.remote.retry): a failed account is reported
    once; once the portal itself failed (a ServiceError), the accounts not yet asked are not asked."""
    portal = FakePortal(120, deny="000000000007")
    result = list_assignments(portal, "t", workers=6)
    assert len(result.assignments) == 2 * 119 and set(result.failed) == {"000000000007"}
    assert 1 < portal.max_active <= 6
    assert portal.calls == 120
    failing = FakePortal(120, throttle_every=7)
    result = list_assignments(failing, "t", workers=6)
    assert len(result.assignments) + 2 * len(result.failed) == 2 * 120  # every account listed or reported
    assert 7 <= failing.calls <= 7 + 2 * 6  # the seventh call failed: then only the calls in flight
    assert set(result.failed.values()) == {"throttled"}


def test_listing_with_no_account_listed_is_an_error() -> None:
    portal = FakePortal(5, throttle_every=1)
    with pytest.raises(ServiceError, match=r"could not list the roles of 5 account\(s\)"):
        list_assignments(portal, "t", workers=2)


def test_listing_reports_denied_accounts_and_stops_on_expiry() -> None:
    portal = FakePortal(10, deny="000000000003")
    result = list_assignments(portal, "t", workers=3)
    assert set(result.failed) == {"000000000003"} and len(result.assignments) == 18
    with pytest.raises(LoginRequired):
        list_assignments(FakePortal(50, expire="000000000004"), "t", workers=3)
