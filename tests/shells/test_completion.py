"""The completion backend: config scanning, what completes where, bash word breaks, speed, imports."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ssoenv.envpaths import config_file
from ssoenv.front.clispec import VERBS
from ssoenv.front.completion import complete_main, complete_words
from ssoenv.front.completion.engine import Candidate, Delegate, complete
from ssoenv.front.completion.names import scan_config
from ssoenv.front.completion.shells import bash_words
from ssoenv.shells import complete_argv

from . import clispec

CONFIG = """\
[default]
region = eu-west-1

[profile dev]
sso_session = corp
# [profile commented]
; [profile also-commented]
[profile "with space"]
  [ profile   indented ]
[profile a:b]
[profile two words]
[profile "unterminated]
[sso-session corp]
sso_start_url = https://x
[sso-session other]
[plain]
[profile prod]\r
[profile dollar$(x)]
"""


def test_scan_config_profiles() -> None:
    # what botocore reads: "[ profile   indented ]" is not a profile (the header does not start
    # with "profile"), a header that does not split into two words is dropped
    assert scan_config(CONFIG) == ["default", "dev", "with space", "a:b", "prod", "dollar$(x)"]


def test_scan_config_offers_nothing_from_a_file_botocore_refuses() -> None:
    assert scan_config(CONFIG + "[profile dev]\n") == []  # a repeated header


def test_scan_config_sessions() -> None:
    assert scan_config(CONFIG, "sso-session") == ["corp", "other"]


def test_config_file(tmp_path: Path) -> None:
    assert config_file({"HOME": "/h"}) == "/h/.aws/config"
    assert config_file({"HOME": "/h", "AWS_CONFIG_FILE": "~/cfg"}) == "/h/cfg"
    assert config_file({"HOME": "/h", "D": "/d", "AWS_CONFIG_FILE": "$D/cfg"}) == "/d/cfg"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    cfg = tmp_path / "config"
    cfg.write_text(CONFIG)
    return {"HOME": str(tmp_path), "AWS_CONFIG_FILE": str(cfg)}


def values(cands: list[Candidate]) -> list[str]:
    return [c.value for c in cands]


@pytest.mark.parametrize(
    ("words", "cur", "expected"),
    [
        ([], "", [v for v in VERBS if not VERBS[v].hidden]),
        ([], "w", ["whoami"]),
        ([], "lo", ["login", "logout"]),
        ([], "--v", ["--version"]),
        (["--help"], "us", ["use"]),
        (["use"], "d", ["default", "dev", "dollar$(x)"]),
        (["use"], "w", ["with space"]),
        (["use"], "--no-l", ["--no-login"]),
        (["use"], "--sh", ["--shell"]),
        (["use", "--shell"], "f", ["fish"]),
        (["use", "--shell"], "", ["bash", "zsh", "fish", "pwsh", "powershell", "json"]),
        (["use"], "--shell=p", ["--shell=pwsh", "--shell=powershell"]),
        (["use", "--shell", "fish"], "pr", ["prod"]),
        (["use", "--shell=fish"], "pr", ["prod"]),
        (["use", "dev"], "", []),
        (["use", "--"], "-", []),
        (["shell"], "pr", ["prod"]),
        (["exec"], "pr", ["prod"]),
        (["login"], "p", ["prod"]),
        (["login", "--sso-session"], "", ["corp", "other"]),
        (["export"], "a", ["a:b"]),
        (["export", "dev", "--format"], "e", ["env", "env-no-export"]),
        (["export", "dev"], "--format=j", ["--format=json"]),
        (["whoami"], "w", ["with space"]),
        (["hook"], "", ["bash", "zsh", "fish", "pwsh", "powershell"]),
        (["hook"], "-", ["--no-completion", "-h", "--help"]),
        (["list"], "", []),
        (["nosuchverb"], "", []),
        (["emulator", "--approve"], "p", ["preapproved"]),
    ],
)
def test_complete(words: list[str], cur: str, expected: list[str], env: dict[str, str]) -> None:
    assert values(complete(words, cur, env)) == expected


@pytest.mark.parametrize(
    ("words", "cur", "kind", "offset"),
    [
        (["exec", "dev"], "l", "command", 2),
        (["exec", "dev", "--"], "l", "command", 3),
        (["exec", "--no-login", "dev"], "", "command", 3),
        (["exec", "dev", "--", "ls"], "-", "command", 3),
        (["exec", "dev", "ls", "-l"], "", "command", 2),
        (["emulator", "--directory"], "di", "files", 0),
    ],
)
def test_the_shell_completes_commands_and_files(
    words: list[str], cur: str, kind: str, offset: int, env: dict[str, str]
) -> None:
    """After `exec PROFILE [--]` the command line is the shell's to complete; a file option, files."""

    with pytest.raises(Delegate) as info:
        complete(words, cur, env)
    assert (info.value.kind, info.value.offset) == (kind, offset)


def test_missing_config_completes_nothing(tmp_path: Path) -> None:
    assert complete(["use"], "", {"HOME": str(tmp_path)}) == []


@pytest.mark.parametrize(
    ("words", "cur", "expected"),
    [
        (["use"], "pr", (["use"], "pr", "")),
        (["use", "--shell", "="], "fi", (["use"], "--shell=fi", "--shell=")),
        (["use", "--shell"], "=", (["use"], "--shell=", "--shell=")),
        (["use", "a", ":"], "b", (["use"], "a:b", "a:")),
        (["use", "a", ":", "b", ":"], "c", (["use"], "a:b:c", "a:b:")),
        (["use", "a", ":", "b"], "", (["use", "a:b"], "", "")),
        (["use"], "with\\ sp", (["use"], "with sp", "")),
        (["use"], "'with sp", (["use"], "with sp", "")),
    ],
)
def test_bash_words(words: list[str], cur: str, expected: tuple[list[str], str, str]) -> None:
    assert bash_words(words, cur) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--shell=bash", "--cur=", "--", "use"],
            "default\ndev\nwith\\ space\na\\:b\nprod\ndollar\\$\\(x\\)\n",
        ),
        (["--shell=bash", "--cur=b", "--", "use", "a", ":"], "b\n"),
        (["--shell=bash", "--cur=f", "--", "use", "--shell", "="], "fish\n"),
        (["--shell=bash", "--cur=with\\ ", "--", "use"], "with\\ space\n"),
        (["--shell=bash", "--cur='with ", "--", "use"], "with space\n"),
        (["--shell=fish", "--cur=who", "--"], "whoami\t" + VERBS["whoami"].help + "\n"),
        (["--shell=zsh", "--cur=with", "--", "use"], "with space\n"),
        (["--shell=pwsh", "--cur=pr", "use"], "prod\n"),  # PowerShell may drop `--`
        (["--cur=pr", "use"], "prod\n"),
    ],
)
def test_complete_words_output(args: list[str], expected: str, env: dict[str, str]) -> None:
    assert complete_words(args, env) == expected


def test_complete_main(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert complete_main(["profiles", "d"], env) == 0
    assert capsys.readouterr().out == "default\ndev\ndollar$(x)\n"
    assert complete_main(["sessions"], env) == 0
    assert capsys.readouterr().out == "corp\nother\n"
    assert complete_main(["verbs", "ex"], env) == 0
    assert capsys.readouterr().out == "export\nexec\n"
    assert complete_main(["options", "off"], env) == 0
    assert capsys.readouterr().out == "--shell\n-q\n--quiet\n-h\n--help\n"
    assert complete_main(["shells", "p"], env) == 0
    assert capsys.readouterr().out == "pwsh\npowershell\n"
    for bad in (["nope"], [], ["options"], ["profiles", "a", "b"]):
        assert complete_main(bad, env) == 2
        captured = capsys.readouterr()
        assert captured.out == "" and captured.err.startswith("ssoenv: ")


def test_cli_entry(env: dict[str, str]) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "ssoenv", "_complete", "profiles", "pr"], env=env, capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stdout == "prod\n", out.stderr


def test_table_matches_the_click_commands() -> None:
    """The static tables (no click at TAB time) say what the click commands accept."""
    live = clispec.introspect()
    ours = clispec.from_completion()
    assert set(live) <= set(ours), f"verbs missing from ssoenv.front.completion: {set(live) - set(ours)}"
    from ssoenv.front.cli import COMMANDS

    assert list(ours) == list(COMMANDS)

    def normal(entry: tuple[str, tuple[tuple[tuple[str, ...], str | None], ...], tuple[str, ...]]) -> object:
        help_, options, positionals = entry
        return help_, sorted((tuple(sorted(n)), k) for n, k in options), positionals

    drift = {verb: live[verb] for verb in live if normal(live[verb]) != normal(ours[verb])}
    assert not drift, "update VERBS in ssoenv/front/clispec.py:\n" + clispec.render(drift)


def _backend_env(tmp_path: Path, profiles: int) -> dict[str, str]:
    cfg = tmp_path / "config"
    cfg.write_text(
        "".join(
            f"[profile team{i:04d}-admin]\nsso_session = corp\nsso_account_id = {i:012d}\nsso_role_name = Admin\n\n"
            for i in range(profiles)
        )
        + "[sso-session corp]\nsso_start_url = https://x\nsso_region = us-east-1\n"
    )
    return {"HOME": str(tmp_path), "AWS_CONFIG_FILE": str(cfg), "PATH": "/usr/bin:/bin"}


def test_backend_imports_no_click_and_no_boto(tmp_path: Path) -> None:
    """TAB pays for the interpreter's start-up and one config read: no click, boto, nor even re,
    typing or pathlib (what ``import typing`` alone costs is a sixth of the 60 ms budget)."""
    env = _backend_env(tmp_path, 20)
    argv = complete_argv()
    heavy = ("click", "boto3", "botocore", "shellingham", "re", "typing", "pathlib", "dataclasses")
    code = argv[2].replace(
        "sys.exit(complete_main(sys.argv[1:]))",
        f"rc = complete_main(sys.argv[1:]); sys.stderr.write(repr(sorted(m for m in {heavy!r} if m in sys.modules)))",
    )
    out = subprocess.run(
        [argv[0], "-c", code, "words", "--shell=bash", "--cur=team000", "--", "use"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.stderr == "[]"
    assert out.stdout.splitlines()[:2] == ["team0000-admin", "team0001-admin"]


@pytest.mark.serial  # a wall-clock bound: run alone (make test)
def test_two_thousand_profiles_complete_quickly(tmp_path: Path) -> None:
    """The benchmark (bench/bench_complete.py) holds the 60 ms target; this guards gross regressions."""
    env = _backend_env(tmp_path, 2000)
    argv = [*complete_argv(), "words", "--shell=bash", "--cur=team19", "--", "use"]
    times = []
    for _ in range(5):
        start = time.perf_counter()
        out = subprocess.run(argv, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        assert len(out.stdout.splitlines()) == 100
    assert statistics.median(times) < 0.25, times


def test_words_protocol_is_what_the_scripts_send() -> None:
    from ssoenv.shells.base import load_script

    sent = {
        "bash": "__SSOENV_COMPLETE__ words --shell=bash ",
        "zsh": "__SSOENV_COMPLETE__ words --shell=zsh ",
        "fish": "__SSOENV_COMPLETE__ words --shell=fish ",
        "ps1": "__SSOENV_COMPLETE__ 'words' '--shell=pwsh' ",
    }
    for ext, request in sent.items():
        text = load_script("completions", f"ssoenv.{ext}")
        assert request in text
        assert '"--cur=' in text


def test_json_roundtrip_of_help() -> None:
    # descriptions are single-line (fish/zsh/pwsh split on the tab)
    for verb, spec in VERBS.items():
        assert "\n" not in spec.help and "\t" not in spec.help, verb
        json.dumps(spec.help)
