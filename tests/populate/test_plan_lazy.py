"""populate's plan reads the generated profiles through the writer's document without making a
section object per profile: it is the plan made on the document with every section an object."""

from __future__ import annotations

import pytest

from ssoenv.config.writer import ConfigChanged, ConfigDocument, SectionRef
from ssoenv.features.populate import Assignment, Listing, Plan, Target, apply_plan, make_plan, replan_and_apply

TARGET = Target("corp", "https://corp.awsapps.com/start", "us-east-1")
TEMPLATE = "{account_name}.{role_name}"


def generated(name: str, account: str, role: str, *extra: str, session: str = "corp") -> str:
    lines = [f"[profile {name}]", "sso_session = corp", f"sso_account_id = {account}", f"sso_role_name = {role}"]
    return "\n".join([*lines, *extra, f"ssoenv_generated = {session}", ""])


FILE = "\n".join(
    [
        "# generated and hand-written profiles",
        generated("dev.Admin", "1", "Admin", "region = eu-west-1"),
        generated("dev.Read", "1", "Read", "s3 =", "  max_concurrent_requests = 4"),
        generated("old-name", "2", "Admin"),  # renamed: the template changed
        generated("gone.Admin", "3", "Admin"),  # no assignment any more
        generated("other.Admin", "4", "Admin", session="elsewhere"),
        "[profile hand.Admin]\nregion = x\n",
        generated("failed.Admin", "5", "Admin"),
        '[profile "spaced name"]\nssoenv_generated = corp\nsso_account_id = 6\nsso_role_name = R\n',
        "[profile nested]\nssoenv_generated =\n  corp = 1\n",  # a nested block, not this session's marker
    ]
)
LISTING = Listing(
    [
        Assignment("1", "Admin", "dev"),
        Assignment("1", "Read", "dev"),
        Assignment("2", "Admin", "prod"),
        Assignment("4", "Admin", "other"),
        Assignment("7", "Admin", "hand"),
        Assignment("8", "New", "brand"),
    ],
    accounts=6,
    failed={"5": "AccessDenied"},
)


def summary(plan: Plan) -> object:
    return (
        plan.add,
        plan.update,
        plan.rename,
        plan.unchanged,
        plan.remove,
        plan.stale,
        plan.skipped,
        plan.kept_unknown,
    )


def every_section_an_object(doc: ConfigDocument) -> ConfigDocument:
    for section in doc.sections:
        section.lines  # noqa: B018 - split every section (each one the document's own)
    return doc


@pytest.mark.parametrize("text", [FILE, FILE.replace("\n", "\r\n"), "[DEFAULT]\nssoenv_generated = corp\n\n" + FILE])
@pytest.mark.parametrize("prune", [False, True])
def test_the_plan_is_the_one_made_on_every_section(text: str, prune: bool) -> None:
    lazy = ConfigDocument.parse(text.encode())
    eager = every_section_an_object(ConfigDocument.parse(text.encode()))
    for doc in (lazy, eager):  # an edit before planning: the edited section is read as it is now
        doc.set_values(SectionRef.profile("dev.Read"), {"region": "ap-south-1", "ssoenv_generated": "corp"})
        doc.set_values(SectionRef.profile("hand.Admin"), {"ssoenv_generated": "corp", "sso_account_id": "7"})
    plans = [
        make_plan(doc, TARGET, LISTING, template=TEMPLATE, region="eu-west-1", prune=prune) for doc in (lazy, eager)
    ]
    assert summary(plans[0]) == summary(plans[1])
    assert plans[0].rename and plans[0].update and plans[0].add and plans[0].kept_unknown
    assert ("gone.Admin" in plans[0].remove) is prune
    for doc, plan in zip((lazy, eager), plans, strict=True):
        apply_plan(doc, plan)
    assert lazy.to_bytes() == eager.to_bytes()


def test_the_plan_is_made_again_only_when_the_file_changed() -> None:
    data = FILE.encode()
    confirmed = make_plan(ConfigDocument.parse(data), TARGET, LISTING, template=TEMPLATE, region=None, prune=False)
    options = {"template": TEMPLATE, "region": None, "prune": False}
    same, again = ConfigDocument.parse(data), ConfigDocument.parse(data)
    assert replan_and_apply(same, confirmed, LISTING, planned_on=data, **options) is confirmed  # type: ignore[arg-type]
    assert summary(replan_and_apply(again, confirmed, LISTING, **options)) == summary(confirmed)  # type: ignore[arg-type]
    assert same.to_bytes() == again.to_bytes() != data
    # the file changed meanwhile: planned again (and a removal nobody confirmed is refused)
    pruned = make_plan(ConfigDocument.parse(data), TARGET, LISTING, template=TEMPLATE, region=None, prune=True)
    changed = data + generated("also-gone", "9", "Admin").encode()
    with pytest.raises(ConfigChanged):
        replan_and_apply(
            ConfigDocument.parse(changed), pruned, LISTING, template=TEMPLATE, region=None, prune=True, planned_on=data
        )
