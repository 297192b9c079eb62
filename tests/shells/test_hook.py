"""``ssoenv hook SHELL``: the CLI, the filled-in scripts in real shells (non-interactive)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ssoenv.paths import data_dir
from ssoenv.shells import HOOK_SHELLS, get_dialect

from .harness import SHELLS, isolated_env, require_program

ROOT = Path(__file__).resolve().parents[2]


def ssoenv(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ssoenv", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


@pytest.mark.parametrize("shell", [*HOOK_SHELLS, "powershell"])
def test_hook_prints_the_script_with_the_program(shell: str, tmp_path: Path) -> None:
    out = ssoenv("hook", shell, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    assert "__SSOENV_" not in out.stdout
    dialect = get_dialect(shell)
    assert dialect.hook_script is not None
    assert out.stdout.startswith((data_dir("shell") / dialect.hook_script).read_text().splitlines()[0])
    assert "ssoenv.front.completion" in out.stdout  # completion loaded, through the fast backend
    assert "_refresh" in out.stdout  # the background refresh


def test_hook_no_completion(tmp_path: Path) -> None:
    out = ssoenv("hook", "bash", "--no-completion", cwd=tmp_path)
    assert out.returncode == 0
    assert "ssoenv.front.completion" not in out.stdout and "complete -F" not in out.stdout


@pytest.mark.parametrize("shell", ["json", "tcsh", "cmd"])
def test_hook_refuses_what_has_no_hook(shell: str, tmp_path: Path) -> None:
    out = ssoenv("hook", shell, cwd=tmp_path)
    assert out.returncode == 2
    assert out.stdout == ""
    assert out.stderr.startswith("ssoenv: ") and "bash" in out.stderr and len(out.stderr.splitlines()) == 1


@pytest.mark.parametrize(("shell_var", "expected"), [("/usr/bin/fish", "fish"), ("/bin/zsh", "zsh"), (None, "bash")])
def test_hook_detects_the_shell_from_SHELL(shell_var: str | None, expected: str, tmp_path: Path) -> None:
    """With no shell among the parent processes (shellingham finds none), $SHELL decides; else bash."""
    code = (
        "import sys; sys.modules['shellingham'] = None  # as if no parent process were a shell\n"
        "from ssoenv.shells import detect_shell; print(detect_shell())"
    )
    env = {k: v for k, v in os.environ.items() if k != "SHELL"}
    if shell_var:
        env["SHELL"] = shell_var
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == expected, out.stderr


@pytest.mark.shell
@pytest.mark.parametrize("shell", ["zsh", "fish", "bash"])
def test_hook_detects_the_parent_shell(shell: str, tmp_path: Path) -> None:
    """`ssoenv hook` with no argument, run from a shell: that shell's script, whatever $SHELL says."""
    program = require_program(SHELLS[shell].program)
    env = {**isolated_env(tmp_path / "home"), "SHELL": "/bin/sh-nothing"}
    env["PATH"] = os.environ["PATH"]
    flags = {"bash": ["--norc", "--noprofile"], "zsh": ["-f"], "fish": ["--no-config"]}[shell]
    out = subprocess.run(
        [program, *flags, "-c", f"'{sys.executable}' -m ssoenv hook; true"],
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"# ssoenv shell integration for {shell}"), out.stdout[:80]


def test_hook_imports_no_boto() -> None:
    code = (
        "import sys, io, contextlib\n"
        "from ssoenv.front.cli import main\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        "    try:\n"
        "        main(['hook', 'zsh'])\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0, exc.code\n"
        "assert 'precmd' in buf.getvalue()\n"
        "print(sorted(m for m in ('boto3', 'botocore') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_scripts_are_package_data() -> None:
    for kind in ("shell", "completions"):
        folder = data_dir(kind)
        assert sorted(p.name for p in folder.iterdir() if p.suffix != ".py") == [
            "ssoenv.bash",
            "ssoenv.fish",
            "ssoenv.ps1",
            "ssoenv.zsh",
        ]


# --- the filled-in scripts in real shells -----------------------------------------------------------

SOURCE_AND_CHECK = {
    # load the hook text held in $1 (as `eval "$(ssoenv hook ...)"` does), then check what it defined
    "bash": 'eval -- "$1"; eval -- "$1"; '
    "declare -F ssoenv ssoenv_prompt _ssoenv_hook _ssoenv_complete >/dev/null "
    '&& echo "pc=${PROMPT_COMMAND%%;*}" && [[ "$PROMPT_COMMAND" == "$_ssoenv_pc" ]] '
    "&& complete -p ssoenv && _ssoenv_exe --version",
    "zsh": 'eval "$1"; eval "$1"; '
    "(( $+functions[ssoenv] && $+functions[ssoenv_prompt] && $+functions[_ssoenv_complete] )) "
    '&& echo "pc=${precmd_functions[*]}" && _ssoenv_exe --version',
    "fish": "printf '%s\\n' $argv[1] | source; printf '%s\\n' $argv[1] | source; "
    "functions -q ssoenv ssoenv_prompt _ssoenv_on_prompt _ssoenv_complete; "
    "and echo pc=(functions --handlers-type generic | string match -r '_ssoenv\\S*' | string join ' '); "
    "and complete -c ssoenv | string match -q '*_ssoenv_complete*'; "
    "and _ssoenv_exe --version",
}


@pytest.mark.shell
@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_scripts_load_in_real_shells(shell: str, tmp_path: Path) -> None:
    """Loaded twice, each script defines its functions, installs its prompt hook once, runs the program."""
    spec = SHELLS[shell]
    program = require_program(spec.program)
    hook = ssoenv("hook", shell, cwd=tmp_path).stdout
    env = isolated_env(tmp_path / "home")
    args = {"bash": ["--norc", "--noprofile", "-c"], "zsh": ["-f", "-c"], "fish": ["--no-config", "-c"]}[shell]
    extra = ["x", hook] if shell != "fish" else [hook]
    out = subprocess.run(
        [program, *args, SOURCE_AND_CHECK[shell], *extra],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "ssoenv" in out.stdout.splitlines()[-1]  # `--version` of the program the hook names
    pc = next(line for line in out.stdout.splitlines() if line.startswith("pc="))
    assert (
        pc
        == {"bash": "pc=_ssoenv_hook", "zsh": "pc=_ssoenv_precmd _ssoenv_draw", "fish": "pc=_ssoenv_on_prompt"}[shell]
    )


@pytest.mark.shell
@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_syntax(shell: str, tmp_path: Path) -> None:
    program = require_program(SHELLS[shell].program)
    script = tmp_path / f"hook.{shell}"
    script.write_text(ssoenv("hook", shell, cwd=tmp_path).stdout)
    out = subprocess.run([program, "-n", str(script)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr


@pytest.mark.shell
@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_program_path_with_hostile_characters(shell: str, tmp_path: Path) -> None:
    """The program's path is quoted for the shell: spaces, quotes and `$` in it run the right file."""
    program = require_program(SHELLS[shell].program)
    folder = tmp_path / "it's a $dir `x` (1)"
    folder.mkdir()
    fake = folder / "ssoenv"
    fake.write_text('#!/bin/sh\nprintf "fake:%s|" "$@"\n')
    fake.chmod(0o755)
    hook = get_dialect(shell).hook([str(fake)], completion=False)
    env = isolated_env(tmp_path / "home")
    if shell == "fish":
        argv = [program, "--no-config", "-c", "printf '%s\\n' $argv[1] | source; ssoenv list 'a b'", hook]
    else:
        argv = [
            program,
            *(["--norc", "--noprofile"] if shell == "bash" else ["-f"]),
            "-c",
            'eval "$1"; ssoenv list "a b"',
            "x",
            hook,
        ]
    out = subprocess.run(
        argv, capture_output=True, text=True, env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, timeout=60
    )
    assert out.stdout == "fake:list|fake:a b|", out.stderr


@pytest.mark.shell
@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_wrapper_evals_only_on_success(shell: str, tmp_path: Path) -> None:
    """`ssoenv use` through the wrapper: output evaluated on exit 0, ignored otherwise; help never evaluated."""
    program = require_program(SHELLS[shell].program)
    fake = tmp_path / "ssoenv"
    dialect = get_dialect(shell)
    ok_code = dialect.render({"WRAP_TEST": "set by use", "WRAP_GONE": None})
    bad_code = dialect.render({"WRAP_TEST": "must not be set"})
    fake.write_text(
        "#!/bin/sh\n"
        'case "$*" in\n'
        f"  'use --shell {shell} good') cat <<'EOF'\n{ok_code}EOF\n;;\n"
        f"  'use --shell {shell} bad') cat <<'EOF'\n{bad_code}EOF\n  exit 4;;\n"
        f"  'use --help') echo 'WRAP_TEST=help; touch PWNED';;\n"
        '  *) echo "other:$*";;\n'
        "esac\n"
    )
    fake.chmod(0o755)
    hook = dialect.hook([str(fake)], completion=False)
    status = SHELLS[shell].status_var
    steps = (
        f'ssoenv use bad; echo bad={status}; echo "t=[$WRAP_TEST]"; '
        f'ssoenv use --help; echo "t=[$WRAP_TEST]"; '
        f'ssoenv use good; echo good={status}; echo "t=[$WRAP_TEST]"; echo "g=[$WRAP_GONE]"; '
        f"ssoenv whoami x; "
    )
    env = isolated_env(tmp_path / "home")
    env["WRAP_GONE"] = "present"
    if shell == "fish":
        argv = [program, "--no-config", "-c", "printf '%s\\n' $argv[1] | source; " + steps, hook]
    else:
        argv = [
            program,
            *(["--norc", "--noprofile"] if shell == "bash" else ["-f"]),
            "-c",
            'eval "$1"; ' + steps,
            "x",
            hook,
        ]
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    out = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, stdin=subprocess.DEVNULL, timeout=60)
    assert out.stdout.splitlines() == [
        "bad=4",
        "t=[]",
        "WRAP_TEST=help; touch PWNED",
        "t=[]",
        "good=0",
        "t=[set by use]",
        "g=[]",
        "other:whoami x",
    ], out.stderr
    assert not list(cwd.iterdir())


@pytest.mark.shell
@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_loads_with_an_alias_of_the_same_name(shell: str, tmp_path: Path) -> None:
    """`function ssoenv {` is not alias-expanded (`ssoenv() {` would be a syntax error)."""
    program = require_program(SHELLS[shell].program)
    hook = get_dialect(shell).hook(["/bin/echo"], completion=False)
    pre = "shopt -s expand_aliases; " if shell == "bash" else ""
    # aliases apply from the next line read: define it on a line of its own, then load the hook
    code = f"{pre}alias ssoenv='echo aliased'\nalias _ssoenv_exe='echo aliased'\neval \"$1\" && echo loaded"
    args = ["--norc", "--noprofile", "-c"] if shell == "bash" else ["-f", "-c"]
    out = subprocess.run(
        [program, *args, code, "x", hook],
        capture_output=True,
        text=True,
        env=isolated_env(tmp_path / "home"),
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert out.stdout.strip().endswith("loaded"), out.stderr
    assert out.stderr == ""


def test_the_options_the_scripts_pass_exist() -> None:
    """The wrapper passes `use/off --shell S`; the background refresh runs `use --no-login --quiet --shell S`."""
    import inspect

    import click

    from ssoenv.front.cli import cli
    from ssoenv.front.cli.hook import refresh_main

    ctx = click.Context(cli)
    for verb, needed in (("use", {"--shell", "--no-login", "--quiet"}), ("off", {"--shell"})):
        cmd = cli.get_command(ctx, verb)
        assert cmd is not None
        names = {n for p in cmd.params if isinstance(p, click.Option) for n in p.opts}
        assert needed <= names, (verb, needed - names)
    assert '"use", "--no-login", "--quiet", "--shell"' in inspect.getsource(refresh_main)
    for name in ("ssoenv.bash", "ssoenv.zsh", "ssoenv.fish", "ssoenv.ps1"):
        text = (data_dir("shell") / name).read_text()
        assert "_refresh" in text and "--shell" in text


@pytest.mark.shell
@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_program_as_python_dash_m(shell: str, tmp_path: Path) -> None:
    """Without a console script the hook runs `python -m ssoenv`: several words, each quoted."""
    program = require_program(SHELLS[shell].program)
    hook = get_dialect(shell).hook([sys.executable, "-m", "ssoenv"])
    env = isolated_env(tmp_path / "home")
    env["PYTHONPATH"] = str(ROOT)
    cfg = tmp_path / "config"
    cfg.write_text("[profile alpha]\n[profile beta]\n")
    env["AWS_CONFIG_FILE"] = str(cfg)
    check = "ssoenv --version; _ssoenv_complete_probe"
    probe = {
        "bash": "function _ssoenv_complete_probe { COMP_WORDS=(ssoenv use a); COMP_CWORD=2; _ssoenv_complete; "
        'printf "%s\\n" "${COMPREPLY[@]}"; }',
        "zsh": "function _ssoenv_complete_probe { ssoenv _complete profiles a; }",
        "fish": "function _ssoenv_complete_probe; ssoenv _complete profiles a; end",
    }[shell]
    if shell == "fish":
        argv = [program, "--no-config", "-c", f"printf '%s\\n' $argv[1] | source; {probe}; {check}", hook]
    else:
        flags = ["--norc", "--noprofile"] if shell == "bash" else ["-f"]
        argv = [program, *flags, "-c", f'eval "$1"; {probe}; {check}', "x", hook]
    out = subprocess.run(
        argv, capture_output=True, text=True, env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, timeout=60
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert "ssoenv" in lines[0]
    assert lines[1:] == ["alpha"]


@pytest.mark.serial  # which stop comes first is a wall-clock race under load (124 seen at load 13)
@pytest.mark.parametrize("shell", ["bash", "fish"])
def test_background_refresh_gives_up_within_its_budget(shell: str, sandbox: Any) -> None:
    """A stalled endpoint: `_refresh` ends within its budget (the calls' own budget, SSOENV_TIMEOUT,
    gives exit 6 first; 124 is the hard stop behind it) and hands the status over."""
    import time

    sandbox.emulator.config.approve = "preapproved"
    assert sandbox.run(["login", "dev", "--use-device-code", "--no-browser"]).returncode == 0
    sandbox.emulator.set_latency(30)
    target = sandbox.home / ".aws" / "sso" / "ssoenv-run" / "refresh-1"
    begin = time.monotonic()
    out = sandbox.run(
        ["_refresh", shell, str(target), "dev"], env={"SSOENV_REFRESH_BUDGET": "1"}, process=True, timeout=20
    )
    assert time.monotonic() - begin < 10
    sandbox.emulator.set_latency(0)
    assert out.returncode == 0 and out.stdout == out.stderr == ""
    assert target.read_text() == {"bash": "_ssoenv_bg_rc=6\n", "fish": "set -g _ssoenv_bg_rc 6\n"}[shell]


def test_background_refresh_forgets_the_files_of_dead_shells(sandbox: Any) -> None:
    import os

    folder = sandbox.home / ".aws" / "sso" / "ssoenv-run"
    folder.mkdir(parents=True, mode=0o700)
    dead = next(pid for pid in range(4_000_000, 3_000_000, -1) if not os.path.exists(f"/proc/{pid}"))
    (folder / f"refresh-{dead}.zsh").write_text("export AWS_SECRET_ACCESS_KEY=old\n")
    (folder / f"refresh-{os.getpid()}.zsh").write_text("")
    out = sandbox.run(["_refresh", "zsh", str(folder / "refresh-1.zsh"), "nosuch"], process=True)
    assert out.returncode == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted([f"refresh-{os.getpid()}.zsh", "refresh-1.zsh"])
