"""Going into a guarded profile from every command: refused without a terminal, --yes, SSOENV_GUARD."""

from __future__ import annotations

import json

import pytest

from ssoenv.shells.envvars import apply
from tests.conftest import Sandbox


def gets(sb: Sandbox) -> int:
    assert sb.emulator is not None
    return sb.emulator.calls("GetRoleCredentials")


def use_json(sb: Sandbox, *args: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, str | None], str]:
    proc = sb.run(["use", *args, "--shell", "json"], env=env)
    return proc.returncode, (json.loads(proc.stdout) if proc.stdout else {}), proc.stderr


def test_use_without_a_terminal_refuses_before_any_call(guarded: Sandbox) -> None:
    before = gets(guarded)
    for args in (["use", "prod", "--shell", "bash"], ["use", "prod", "--shell", "bash", "--no-login", "--quiet"]):
        proc = guarded.run(args)
        assert proc.returncode == 8, proc.stderr
        assert proc.stdout == ""
        (line,) = proc.stderr.splitlines()
        assert line.startswith("ssoenv: prod is a guarded profile") and "--yes" in line
    assert gets(guarded) == before
    # an unguarded profile of the same session is not asked about
    rc, changes, _ = use_json(guarded, "dev")
    assert rc == 0 and "SSOENV_GUARD" not in changes


def test_yes_goes_in_and_marks_the_environment_and_off_takes_it_away(guarded: Sandbox) -> None:
    rc, changes, err = use_json(guarded, "prod", "--yes")
    assert rc == 0, err
    assert changes["SSOENV_GUARD"] == "1" and changes["SSOENV_PROFILE"] == "prod"
    env = apply(guarded.env, changes)
    # switching to an unguarded profile takes the mark away
    rc, to_dev, _ = use_json(guarded, "dev", env=env)
    assert rc == 0 and to_dev["SSOENV_GUARD"] is None
    off = guarded.run(["off", "--shell", "json"], env=env)
    assert off.returncode == 0 and json.loads(off.stdout)["SSOENV_GUARD"] is None


@pytest.mark.parametrize("fastpath", [True, False])
def test_the_profile_in_use_and_confirmed_is_not_asked_again(guarded: Sandbox, fastpath: bool) -> None:
    """The hook's background refresh runs `use --no-login --quiet` in the shell's environment."""
    rc, changes, _ = use_json(guarded, "prod", "--yes")
    assert rc == 0
    env = apply(guarded.env, changes)
    if not fastpath:
        env["SSOENV_NO_FASTPATH"] = "1"
    proc = guarded.run(["use", "--no-login", "--quiet", "--shell", "bash", "--", "prod"], env=env)
    assert proc.returncode == 0 and proc.stderr == ""
    assert "SSOENV_GUARD" not in proc.stdout or "SSOENV_GUARD=1" in proc.stdout  # kept as it is
    # ... but prod in use without the mark (set by hand, an older ssoenv) is asked again
    env.pop("SSOENV_GUARD")
    assert guarded.run(["use", "--no-login", "--quiet", "--shell", "bash", "prod"], env=env).returncode == 8


@pytest.mark.parametrize(
    "argv",
    [
        ["exec", "prod", "--", "true"],
        ["exec", "--live", "prod", "--", "true"],
        ["shell", "prod"],
        ["serve", "prod", "--shell", "bash"],
        ["console", "prod", "--print"],
    ],
)
def test_every_way_in_refuses_without_a_terminal(guarded: Sandbox, argv: list[str]) -> None:
    before = gets(guarded)
    proc = guarded.run(argv)
    assert proc.returncode == 8, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.startswith("ssoenv: prod is a guarded profile") and len(proc.stderr.splitlines()) == 1
    assert gets(guarded) == before


def test_exec_with_yes_passes_the_marks_to_the_command(guarded: Sandbox) -> None:
    script = "import os; print(os.environ.get('SSOENV_GUARD'), os.environ.get('SSOENV_PROFILE'))"
    proc = guarded.run(["exec", "--yes", "prod", "--", "python3", "-c", script])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["1", "prod"]
    plain = guarded.run(["exec", "dev", "--", "python3", "-c", script])
    assert plain.stdout.split() == ["None", "dev"]


def test_console_yes_prints_the_url(guarded: Sandbox) -> None:
    proc = guarded.run(["console", "--yes", "prod", "--print"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("http")


def test_a_whole_session_is_guarded(sandbox: Sandbox) -> None:
    from tests.guard.conftest import guarded_config

    sandbox.write_config(
        guarded_config().replace("sso_registration_scopes", "ssoenv_guard = confirm\nsso_registration_scopes")
    )
    for name in ("dev", "prod"):
        proc = sandbox.run(["use", name, "--shell", "bash", "--no-login"])
        assert proc.returncode == 8 and f"{name} is a guarded profile" in proc.stderr
    # the legacy profile is not in that session
    assert sandbox.run(["use", "legacy", "--shell", "bash", "--no-login"]).returncode == 4


def test_list_marks_guarded_profiles(guarded: Sandbox) -> None:
    rows = {row["profile"]: row for row in json.loads(guarded.run(["list", "--json"], check=True).stdout)}
    assert rows["prod"]["guarded"] is True and rows["dev"]["guarded"] is False
    table = guarded.run(["list"], check=True).stdout.splitlines()
    (prod_line,) = [line for line in table if " prod " in line]
    assert prod_line.startswith("!")


def test_populate_guard_marks_matching_profiles_and_never_unmarks(sandbox: Sandbox) -> None:
    import configparser

    from tests.guard.conftest import BROWSER

    sandbox.run(["login", "dev"], env={"BROWSER": BROWSER}, check=True)
    proc = sandbox.run(["populate", "--sso-session", "corp", "--guard", "prod", "--guard", "*Admin*"], check=True)
    parser = configparser.RawConfigParser()
    parser.read_string(sandbox.config_file.read_text())
    generated = {
        s.removeprefix("profile "): dict(parser[s]) for s in parser.sections() if "ssoenv_generated" in parser[s]
    }
    assert generated, proc.stderr
    for name, values in generated.items():
        expect = "prod" in name or "Admin" in values["sso_role_name"]
        assert (values.get("ssoenv_guard") == "confirm") is expect, name
    assert any("ssoenv_guard" not in v for v in generated.values())
    # again without --guard: nothing changes (a guard is only ever removed by hand)
    before = sandbox.config_file.read_bytes()
    sandbox.run(["populate", "--sso-session", "corp"], check=True)
    assert sandbox.config_file.read_bytes() == before
    guarded_name = next(n for n, v in generated.items() if "ssoenv_guard" in v)
    assert sandbox.run(["use", guarded_name, "--shell", "bash"]).returncode == 8
