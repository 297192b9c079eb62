"""The one guard policy (ssoenv.config.guard): what is guarded, when a person is asked, what counts as yes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ssoenv.config import guard
from ssoenv.config.profiles import AwsConfig, load_config
from ssoenv.errors import ConfigError, NotConfirmed
from ssoenv.paths import resolve_paths

CONFIG = """
[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin

[profile prod]
sso_session = corp
sso_account_id = 222222222222
sso_role_name = Admin
ssoenv_guard = confirm

[profile prod-deploy]
role_arn = arn:aws:iam::333333333333:role/Deploy
source_profile = prod

[profile open-deploy]
role_arn = arn:aws:iam::444444444444:role/Deploy
source_profile = dev

[profile live]
sso_session = live
sso_account_id = 555555555555
sso_role_name = ReadOnly

[profile live-lab]
sso_session = live
sso_account_id = 666666666666
sso_role_name = ReadOnly
ssoenv_guard = off

[profile keys]
aws_access_key_id = AKIAEXAMPLE
aws_secret_access_key = secret

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1

[sso-session live]
sso_start_url = https://live.awsapps.com/start
sso_region = us-east-1
ssoenv_guard = confirm
"""


def _config(tmp_path: Path, text: str = CONFIG) -> AwsConfig:
    (tmp_path / "config").write_text(textwrap.dedent(text).lstrip())
    env = {"HOME": str(tmp_path), "AWS_CONFIG_FILE": str(tmp_path / "config")}
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "credentials")
    return load_config(resolve_paths(env))


@pytest.mark.parametrize(
    ("name", "guarded"),
    [
        ("dev", False),
        ("prod", True),  # its own key
        ("prod-deploy", True),  # a chain through a guarded profile
        ("open-deploy", False),
        ("live", True),  # its session's key
        ("live-lab", False),  # its own `off` wins over the session's
        ("keys", False),
    ],
)
def test_what_is_guarded(tmp_path: Path, name: str, guarded: bool) -> None:
    assert guard.is_guarded(_config(tmp_path), name) is guarded


def test_a_value_that_is_neither_confirm_nor_off_is_refused_with_its_line(tmp_path: Path) -> None:
    cfg = _config(tmp_path, CONFIG.replace("ssoenv_guard = off", "ssoenv_guard = yes please"))
    with pytest.raises(ConfigError) as caught:
        guard.is_guarded(cfg, "live-lab")
    assert f"{tmp_path / 'config'}:" in caught.value.message and "ssoenv_guard" in caught.value.message


def test_guarded_for_many_profiles_says_what_is_guarded_says(tmp_path: Path) -> None:
    """`list` asks guard.Guarded for every profile: each session's setting read once, the same answers."""
    cfg = _config(tmp_path, CONFIG + "\n[profile live-2]\nsso_session = live\nsso_account_id = 7\nsso_role_name = R\n")
    guarded = guard.Guarded(cfg)
    names = cfg.profile_names()
    for _ in range(2):  # the second time from what the first read
        assert [guarded(name) for name in names] == [guard.is_guarded(cfg, name) for name in names]
    assert guarded("live-2") and not guarded("live-lab")
    bad = _config(
        tmp_path, "ssoenv_guard = maybe".join(CONFIG.rsplit("ssoenv_guard = confirm", 1))
    )  # [sso-session live]
    guarded = guard.Guarded(bad)
    for _ in range(2):  # refused for every profile of the session, every time
        with pytest.raises(ConfigError, match="ssoenv_guard"):
            guarded("live")
    assert not guarded("live-lab")  # its own setting


def test_needs_confirmation_unless_confirmed_in_this_environment(tmp_path: Path) -> None:
    cfg = _config(tmp_path)
    assert guard.needs_confirmation(cfg, "prod", {})
    assert not guard.needs_confirmation(cfg, "dev", {})
    # in use and confirmed there (what `use` exports): not again, e.g. the hook's background refresh
    assert not guard.needs_confirmation(cfg, "prod", {"SSOENV_PROFILE": "prod", "SSOENV_GUARD": "1"})
    # another profile in use, or prod in use without the mark: asked
    assert guard.needs_confirmation(cfg, "prod", {"SSOENV_PROFILE": "dev", "SSOENV_GUARD": "1"})
    assert guard.needs_confirmation(cfg, "prod", {"SSOENV_PROFILE": "prod"})


class Asked:
    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.questions: list[str] = []

    def __call__(self, question: str) -> str:
        self.questions.append(question)
        return self.answer


def _confirm(
    cfg: AwsConfig, name: str, *, ask: Asked | None, yes: bool = False, environ: dict[str, str] | None = None
) -> bool:
    return guard.confirm(cfg, name, environ or {}, account_id="222222222222", yes=yes, ask=ask, verb="use")


@pytest.mark.parametrize("answer", ["prod", "222222222222", "  prod  "])
def test_the_name_or_the_account_id_confirms(tmp_path: Path, answer: str) -> None:
    ask = Asked(answer)
    assert _confirm(_config(tmp_path), "prod", ask=ask) is True
    assert len(ask.questions) == 1 and "prod" in ask.questions[0] and "222222222222" in ask.questions[0]


@pytest.mark.parametrize("answer", ["", "y", "yes", "Prod", "prod-deploy", "22222222222"])
def test_anything_else_is_refused(tmp_path: Path, answer: str) -> None:
    with pytest.raises(NotConfirmed) as caught:
        _confirm(_config(tmp_path), "prod", ask=Asked(answer))
    assert caught.value.exit_code == 8
    assert "nothing done" in caught.value.message and "--yes" in (caught.value.hint or "")


def test_no_terminal_refuses_and_yes_goes_on_without_asking(tmp_path: Path) -> None:
    cfg = _config(tmp_path)
    with pytest.raises(NotConfirmed) as caught:
        _confirm(cfg, "prod", ask=None)
    assert "no terminal" in caught.value.message
    ask = Asked("wrong")
    assert _confirm(cfg, "prod", ask=ask, yes=True) is True
    assert _confirm(cfg, "prod", ask=None, yes=True) is True
    assert ask.questions == []


def test_unguarded_and_already_confirmed_never_ask(tmp_path: Path) -> None:
    cfg = _config(tmp_path)
    ask = Asked("wrong")
    assert _confirm(cfg, "dev", ask=ask) is False
    assert _confirm(cfg, "prod", ask=ask, environ={"SSOENV_PROFILE": "prod", "SSOENV_GUARD": "1"}) is True
    assert ask.questions == []


@pytest.mark.parametrize(
    ("patterns", "fields", "hit"),
    [
        (["prod"], ("acme-prod.Admin", "Acme Prod", "Admin"), True),  # substring, any field
        (["PROD"], ("x", "acme-prod", "r"), True),  # any case
        (["prod"], ("acme-dev.Admin", "Acme Dev", "Admin"), False),
        (["*prod"], ("acme-prod.Admin", "acme-prod", "Admin"), True),  # wildcard: a whole field
        (["*prod"], ("acme-prod.Admin", "acme-production", "Admin"), False),
        (["admin*"], ("p", "a", "AdministratorAccess"), True),
        (["acme-?ev"], ("acme-dev", "", ""), True),
        (["", "  "], ("anything", "", ""), False),
        (["dev", "*Admin*"], ("x", "y", "ReadOnly"), False),
        (["dev", "*Admin*"], ("x", "y", "PowerAdmin"), True),
    ],
)
def test_populate_patterns(patterns: list[str], fields: tuple[str, str, str], hit: bool) -> None:
    assert guard.matches(patterns, *fields) is hit
