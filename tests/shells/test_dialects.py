"""Dialects as text: quoting tables, set/unset/render, the registry, detection, the program's argv."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ssoenv.errors import EXIT_USAGE, UnknownShellError
from ssoenv.shells import (
    DIALECTS,
    HOOK_SHELLS,
    complete_argv,
    detect_shell,
    get_dialect,
    normalize_shell_name,
    self_argv,
    shell_names,
)
from ssoenv.shells.base import COMPLETE_PLACEHOLDER, EXE_PLACEHOLDER, load_script

PS_QUOTES = "'\u2018\u2019\u201a\u201b"

# (value, bash/zsh, fish, pwsh)
QUOTE_TABLE: list[tuple[str, str, str, str]] = [
    ("", "''", "''", "''"),
    ("plain", "plain", "plain", "'plain'"),
    ("a-b_c.d/e:f,g+h@i%j", "a-b_c.d/e:f,g+h@i%j", "'a-b_c.d/e:f,g+h@i%j'", "'a-b_c.d/e:f,g+h@i%j'"),
    ("x y", "'x y'", "'x y'", "'x y'"),
    ("it's", "'it'\\''s'", "'it\\'s'", "'it''s'"),
    ("x\\", "'x\\'", "'x\\\\'", "'x\\'"),
    ("a\\'b", "'a\\'\\''b'", "'a\\\\\\'b'", "'a\\''b'"),
    ("$HOME", "'$HOME'", "'$HOME'", "'$HOME'"),
    ("`id`", "'`id`'", "'`id`'", "'`id`'"),
    ("$(id)", "'$(id)'", "'$(id)'", "'$(id)'"),
    ("=ls", "'=ls'", "'=ls'", "'=ls'"),
    ("~", "'~'", "'~'", "'~'"),
    ("a\nb", "'a\nb'", "'a'\\n'b'", "'a\nb'"),
    ("\t", "'\t'", "\\t", "'\t'"),
    ("\x1b[31m", "'\x1b[31m'", "\\e'[31m'", "'\x1b[31m'"),
    ("\x01", "'\x01'", "\\x01", "'\x01'"),
    ("it\u2019s", "'it\u2019s'", "'it\u2019s'", "'it\u2019\u2019s'"),
    ("\u2018\u201a\u201b", "'\u2018\u201a\u201b'", "'\u2018\u201a\u201b'", "'\u2018\u2018\u201a\u201a\u201b\u201b'"),
    ("é中🚒", "'é中🚒'", "'é中🚒'", "'é中🚒'"),
    ('{"A":"b"}', '\'{"A":"b"}\'', '\'{"A":"b"}\'', '\'{"A":"b"}\''),
]


@pytest.mark.parametrize(("value", "posix", "fish", "pwsh"), QUOTE_TABLE)
def test_quote_table(value: str, posix: str, fish: str, pwsh: str) -> None:
    assert get_dialect("bash").quote(value) == posix
    assert get_dialect("zsh").quote(value) == posix
    assert get_dialect("fish").quote(value) == fish
    assert get_dialect("pwsh").quote(value) == pwsh
    assert json.loads(get_dialect("json").quote(value)) == value


def test_fish_never_uses_shlex_quote() -> None:
    import shlex

    fish = get_dialect("fish")
    # shlex.quote('x\\') == "'x\\'": fish reads \' as an escaped quote and the string never ends
    assert fish.quote("x\\") != shlex.quote("x\\")


@pytest.mark.parametrize("name", sorted(DIALECTS))
def test_set_unset_and_render(name: str) -> None:
    d = get_dialect(name)
    code = d.render({"B_VAR": "two words", "A_VAR": None, "C": ""})
    if name in ("bash", "zsh"):
        assert code == "unset -v A_VAR\nexport B_VAR='two words'\nexport C=''\n"
    elif name == "fish":
        assert code == "set -e -g -- A_VAR\nset -gx -- B_VAR 'two words'\nset -gx -- C ''\n"
    elif name == "pwsh":
        assert code == (
            "Remove-Item -LiteralPath Env:A_VAR -ErrorAction SilentlyContinue\n$Env:B_VAR = 'two words'\n$Env:C = ''\n"
        )
    else:
        assert json.loads(code) == {"A_VAR": None, "B_VAR": "two words", "C": ""}
        assert list(json.loads(code)) == ["A_VAR", "B_VAR", "C"]
    assert d.render({}) in ("", "{}\n")


@pytest.mark.parametrize("name", sorted(DIALECTS))
@pytest.mark.parametrize("key", ["", "1A", "A-B", "A B", "A=B", "é", "A\n", "$A", "A;B", "a.b"])
def test_keys_are_validated(name: str, key: str) -> None:
    d = get_dialect(name)
    with pytest.raises(ValueError):
        d.set(key, "v")
    with pytest.raises(ValueError):
        d.unset(key)
    with pytest.raises(ValueError):
        d.render({key: "v"})


@pytest.mark.parametrize("name", sorted(DIALECTS))
def test_nul_cannot_be_exported(name: str) -> None:
    with pytest.raises(ValueError):
        get_dialect(name).set("A", "a\0b")


@pytest.mark.parametrize("key", ["A", "_", "_A1", "aws_lower", "AWS_SESSION_TOKEN"])
def test_valid_keys(key: str) -> None:
    for d in DIALECTS.values():
        assert key in d.set(key, "v")


def test_registry_names_and_aliases() -> None:
    assert set(DIALECTS) == {"bash", "zsh", "fish", "pwsh", "json"}
    assert HOOK_SHELLS == ("bash", "zsh", "fish", "pwsh")
    assert get_dialect("powershell") is get_dialect("pwsh")
    assert get_dialect("BASH").name == "bash"
    assert "powershell" in shell_names()
    for name in DIALECTS:
        assert get_dialect(name).name == name


def test_unknown_shell_lists_the_valid_names() -> None:
    with pytest.raises(UnknownShellError) as info:
        get_dialect("tcsh")
    assert info.value.exit_code == EXIT_USAGE
    for name in ("bash", "zsh", "fish", "pwsh", "powershell", "json"):
        assert name in str(info.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("bash", "bash"),
        ("-bash", "bash"),
        ("/usr/local/bin/zsh", "zsh"),
        ("-/bin/zsh", "zsh"),
        ("fish", "fish"),
        ("pwsh", "pwsh"),
        ("pwsh-preview", "pwsh"),
        ("powershell.exe", "pwsh"),
        ("C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "pwsh"),
        ("sh", "bash"),
        ("dash", "bash"),
        ("bash5.2", "bash"),
        ("zsh-5.9", "zsh"),
        ("tcsh", None),
        ("python", None),
        ("json", None),
        ("", None),
    ],
)
def test_normalize_shell_name(raw: str, expected: str | None) -> None:
    assert normalize_shell_name(raw) == expected


def test_detect_shell_falls_back_to_shell_then_bash(monkeypatch: pytest.MonkeyPatch) -> None:
    import shellingham

    def fail() -> tuple[str, str]:
        raise shellingham.ShellDetectionFailure()

    monkeypatch.setattr(shellingham, "detect_shell", fail)
    assert detect_shell({"SHELL": "/usr/bin/fish"}) == "fish"
    assert detect_shell({"SHELL": "/bin/tcsh"}) == "bash"
    assert detect_shell({}) == "bash"
    monkeypatch.setattr(shellingham, "detect_shell", lambda: ("zsh", "/bin/zsh"))
    assert detect_shell({"SHELL": "/usr/bin/fish"}) == "zsh"
    monkeypatch.setattr(shellingham, "detect_shell", lambda: ("xonsh", "/bin/xonsh"))
    assert detect_shell({"SHELL": "/usr/bin/fish"}) == "fish"


def test_importing_shells_is_cheap() -> None:
    code = (
        "import sys, ssoenv.shells as s; s.get_dialect('fish').render({'A': 'b'}); "
        "print(sorted(m for m in ('shellingham', 'click', 'botocore', 'boto3') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --- the hook scripts as text -------------------------------------------------------------------

SCRIPTS = [("shell", n) for n in ("ssoenv.bash", "ssoenv.zsh", "ssoenv.fish", "ssoenv.ps1")] + [
    ("completions", n) for n in ("ssoenv.bash", "ssoenv.zsh", "ssoenv.fish", "ssoenv.ps1")
]


@pytest.mark.parametrize(("kind", "name"), SCRIPTS)
def test_placeholders_are_whole_words_outside_quotes(kind: str, name: str) -> None:
    """A placeholder is replaced by already-quoted words: inside quotes it would be quoted twice."""
    text = load_script(kind, name)
    placeholder = COMPLETE_PLACEHOLDER if kind == "completions" else EXE_PLACEHOLDER
    assert placeholder in text
    for line in text.splitlines():
        code = line.split("#", 1)[0] if not line.lstrip().startswith("#") else ""
        for ph in (EXE_PLACEHOLDER, COMPLETE_PLACEHOLDER):
            for match in re.finditer(ph, code):
                before, after = code[: match.start()], code[match.end() :]
                assert before.count("'") % 2 == 0 and before.count('"') % 2 == 0, line
                assert re.match(r"(\s|$)", after), line
                assert re.search(r"(^|\s)$", before), line


@pytest.mark.parametrize(("kind", "name"), SCRIPTS)
def test_scripts_are_ascii(kind: str, name: str) -> None:
    # Windows PowerShell 5.1 reads BOM-less scripts in the ANSI code page
    load_script(kind, name).encode("ascii")


@pytest.mark.parametrize("name", HOOK_SHELLS)
def test_hook_fills_in_the_program(name: str) -> None:
    d = get_dialect(name)
    text = d.hook(["/opt/my tools/ssoenv"], complete=["/usr/bin/python3", "-c", "x = 'y'"])
    assert EXE_PLACEHOLDER not in text and COMPLETE_PLACEHOLDER not in text
    assert d.quote("/opt/my tools/ssoenv") in text
    assert d.quote("x = 'y'") in text
    without = d.hook("/bin/ssoenv", completion=False)
    assert COMPLETE_PLACEHOLDER not in without
    assert len(without) < len(text)
    # default completion command: the program's own `_complete`
    assert d.command(["/bin/ssoenv", "_complete"]) in d.hook("/bin/ssoenv")


def test_json_has_no_hook() -> None:
    from ssoenv.errors import UsageError

    with pytest.raises(UsageError):
        get_dialect("json").hook("/bin/ssoenv")


def test_pwsh_hook_joins_lines_and_guards_the_prompt() -> None:
    text = get_dialect("pwsh").hook("C:\\Program Files\\ssoenv\\ssoenv.exe")
    assert "& 'C:\\Program Files\\ssoenv\\ssoenv.exe' @args" in text
    assert "-join [Environment]::NewLine" in text
    assert "_ssoenv_prompt_installed" in text
    assert "[DateTimeOffset]::UtcNow.ToUnixTimeSeconds()" in text
    assert "Register-ArgumentCompleter -Native" in text
    assert "_refresh" in text and "SSOENV_REFRESH_WINDOW" in text and "SSOENV_DISABLE_PROMPT" in text
    from .pwsh_parse import assert_parses

    assert_parses(text)


def test_pwsh_render_parses_back() -> None:
    """A small model of PowerShell's verbatim-string scanner reads back every value."""
    values = ["", "it's", "‘quoted’", "a‚b‛c", "''", "'\u2019", "$(x) `n @{}", "multi\nline\r\n", "tab\tend"]
    code = get_dialect("pwsh").render({f"V{i}": v for i, v in enumerate(values)})
    got: dict[str, str] = {}
    pos = 0
    line_re = re.compile(r"\$Env:([A-Za-z_][A-Za-z0-9_]*) = '")
    while True:
        m = line_re.match(code, pos)
        if not m:
            break
        i = m.end()
        chars = []
        while True:
            c = code[i]
            if c in PS_QUOTES:
                if code[i + 1] in PS_QUOTES:
                    chars.append(code[i + 1])
                    i += 2
                    continue
                i += 1
                break
            chars.append(c)
            i += 1
        got[m.group(1)] = "".join(chars)
        assert code[i] == "\n"
        pos = i + 1
    assert pos == len(code)
    assert got == {f"V{i}": v for i, v in enumerate(values)}


# --- the program's own command line -------------------------------------------------------------


def _script(path: Path, shebang: str) -> Path:
    path.write_text(f"#!{shebang}\nprint('hi')\n")
    path.chmod(0o755)
    return path


def test_self_argv_console_script(tmp_path: Path) -> None:
    script = _script(tmp_path / "ssoenv", "/usr/bin/python3")
    assert self_argv(str(script), "/nowhere/python") == [str(script)]


def test_self_argv_module_prefers_the_console_script_of_this_interpreter(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    python = bindir / "python"
    python.symlink_to(sys.executable)
    script = _script(bindir / "ssoenv", str(python))
    assert self_argv("/src/ssoenv/__main__.py", str(python)) == [str(script)]


def test_self_argv_module_ignores_a_console_script_of_another_python(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    python = bindir / "python"
    python.symlink_to(sys.executable)
    _script(bindir / "ssoenv", "/some/other/python")
    assert self_argv("/src/ssoenv/__main__.py", str(python)) == [str(python), "-m", "ssoenv"]


def test_self_argv_runs_from_anywhere(tmp_path: Path) -> None:
    """`python -m ssoenv hook` gives a command that works from another directory."""
    code = "from ssoenv.shells import self_argv; import json; print(json.dumps(self_argv()))"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    argv = json.loads(out.stdout)
    run = subprocess.run([*argv, "--version"], cwd=tmp_path, capture_output=True, text=True, env=dict(os.environ))
    assert run.returncode == 0, run.stderr
    assert "ssoenv" in run.stdout


def test_self_argv_from_the_source_tree_only(tmp_path: Path) -> None:
    """When only the cwd provides the package, the command puts it on sys.path itself."""
    root = Path(__file__).resolve().parents[2]
    code = (
        "from ssoenv.shells import _python_code_argv, _importable_anywhere; import json; "
        "print(json.dumps([_importable_anywhere(), _python_code_argv(sys.executable, 'import ssoenv; print(1)')]))"
    )
    # -S: no site-packages (so no installed or editable ssoenv): only the cwd provides the package
    out = subprocess.run(
        [sys.executable, "-S", "-c", "import sys; " + code], cwd=root, capture_output=True, text=True, check=True
    )
    anywhere, argv = json.loads(out.stdout)
    assert anywhere is False
    assert f"sys.path.insert(0, {str(root)!r})" in argv[-1]
    run = subprocess.run([argv[0], "-S", *argv[1:]], cwd=tmp_path, capture_output=True, text=True)
    assert run.stdout.strip() == "1", run.stderr


def test_complete_argv_skips_the_cli() -> None:
    argv = complete_argv()
    assert argv[0] == sys.executable and argv[1] == "-c"
    code = argv[2] + "; import sys"  # never reached: complete_main exits
    assert "ssoenv.front.completion" in code
