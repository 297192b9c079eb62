"""The hook in the shells people really have (interactive bash, zsh and fish in a PTY).

What people already have in their shells, built inside the test's HOME without the network:
Python's real ``python -m venv`` activate/deactivate scripts, a conda-style PS1 save/restore, a
stand-in ``starship`` on PATH installed the way ``starship init`` does it, a powerlevel10k-style
precmd, an oh-my-zsh-style theme that rebuilds PROMPT at every prompt, a fish theme that redefines
``fish_prompt`` after the hook, and a stand-in for bash-preexec (its PROMPT_COMMAND / DEBUG-trap
mechanics written out here; the real file is not vendored). Every assertion is on the prompt as
drawn, or on what a child process sees.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest

from .conftest import SessionFactory
from .harness import PROMPT, ShellSpec
from .test_interactive import login, shell_env, stable

PROMPT_RE = re.escape(PROMPT)

pytestmark = [pytest.mark.shell, pytest.mark.interactive]

DEV = r"\(aws dev 111111111111/AdministratorAccess (?:\d+m|\dh\d\dm)\) "
PROD = r"\(aws prod 222222222222/ReadOnly (?:\d+m|\dh\d\dm)\) "


def segments(prompt: str) -> list[str]:
    return re.findall(r"\(aws[^)]*\)", prompt)


# --- item 1: the eval forms do exactly what the plain command does -------------------------------


def test_eval_forms_under_the_hook(shell: tuple[ShellSpec, str], make_session: SessionFactory, sandbox: Any) -> None:
    spec, program = shell
    s = make_session(spec, program, env=login(sandbox), home=sandbox.home)
    before = stable(s.env())
    assert s.status_of("ssoenv use dev") == 0
    plain = stable(s.env())
    assert s.status_of("ssoenv off") == 0
    assert stable(s.env()) == before
    if spec.name == "fish":
        forms = [("ssoenv use dev | source", "ssoenv off | source"), ("eval (ssoenv use dev)", "eval (ssoenv off)")]
    else:
        forms = [('eval "$(ssoenv use dev)"', 'eval "$(ssoenv off)"')]
    for use, off in forms:
        assert s.status_of(use) == 0
        now = stable(s.env())
        assert {
            k: v
            for k, v in now.items()
            if k
            not in (
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN",
                "AWS_CREDENTIAL_EXPIRATION",
                "SSOENV_EXPIRES_AT",
            )
        } == {
            k: v
            for k, v in plain.items()
            if k
            not in (
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN",
                "AWS_CREDENTIAL_EXPIRATION",
                "SSOENV_EXPIRES_AT",
            )
        }
        assert now["AWS_ACCESS_KEY_ID"].startswith("ASIA") and now["SSOENV_PROFILE"] == "dev"
        assert re.fullmatch(DEV, s.last_prompt), s.last_prompt  # the prompt follows
        assert s.status_of(off) == 0
        assert stable(s.env()) == before
        assert s.last_prompt == ""
    if spec.name != "fish":
        # a subshell whose output goes to the terminal: the program refuses, loudly
        out = s.run('(ssoenv use dev); echo "st=[$?]"')
        assert "st=[2]" in out and "ssoenv: " in out
        assert stable(s.env()) == before


# --- item 2: saved and restored prompts ---------------------------------------------------------


@pytest.fixture
def venv(tmp_path: Path) -> Path:
    path = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True, timeout=120)
    return path


def activate(spec: ShellSpec, venv: Path) -> str:
    return f"source '{venv}/bin/activate.fish'" if spec.name == "fish" else f". '{venv}/bin/activate'"


def test_python_venv(shell: tuple[ShellSpec, str], make_session: SessionFactory, sandbox: Any, venv: Path) -> None:
    spec, program = shell
    s = make_session(spec, program, env=login(sandbox), home=sandbox.home)
    # use A; activate; off; deactivate: no segment left, then one
    s.run("ssoenv use dev")
    assert re.fullmatch(DEV, s.last_prompt), s.last_prompt
    s.run(activate(spec, venv))
    assert re.fullmatch(DEV + r"\(venv\) ", s.last_prompt), s.last_prompt
    s.run("ssoenv off")
    assert s.last_prompt == "(venv) ", s.last_prompt
    s.run("deactivate")
    assert s.last_prompt == "", s.last_prompt
    s.enter()
    assert s.last_prompt == "", s.last_prompt
    s.run("ssoenv use prod")
    assert re.fullmatch(PROD, s.last_prompt), s.last_prompt
    # activate; switch inside; deactivate; off
    s.run(activate(spec, venv))
    s.run("ssoenv use dev")
    assert re.fullmatch(DEV + r"\(venv\) ", s.last_prompt), s.last_prompt
    s.run("deactivate")
    assert re.fullmatch(DEV, s.last_prompt), s.last_prompt
    s.run("ssoenv off")
    assert s.last_prompt == ""
    # activate first, then use, deactivate, use again: never two, never stale
    s.run(activate(spec, venv))
    s.run("ssoenv use dev")
    s.run("deactivate")
    s.run("ssoenv use prod")
    assert re.fullmatch(PROD, s.last_prompt), s.last_prompt
    s.enter()
    assert re.fullmatch(PROD, s.last_prompt), s.last_prompt
    s.run("ssoenv off")
    assert s.last_prompt == ""
    assert "Unknown command" not in s.last_before_prompt and "stack" not in s.last_before_prompt


CONDA = {
    "bash": 'cact() { CONDA_PS1_BACKUP=$PS1; PS1="(base) $PS1"; }; cdeact() { PS1=$CONDA_PS1_BACKUP; }',
    "zsh": 'cact() { CONDA_PS1_BACKUP=$PS1; PS1="(base) $PS1"; }; cdeact() { PS1=$CONDA_PS1_BACKUP; }',
    # conda's fish hook redefines fish_prompt around a copy of the old one, like venv
    "fish": "function cact; functions -c fish_prompt __conda_old; "
    "function fish_prompt; printf '(base) '; __conda_old; end; end; "
    "function cdeact; functions -e fish_prompt; functions -c __conda_old fish_prompt; end",
}


def test_conda_style_save_restore(shell: tuple[ShellSpec, str], make_session: SessionFactory, sandbox: Any) -> None:
    spec, program = shell
    s = make_session(spec, program, env=login(sandbox), home=sandbox.home, after=[CONDA[spec.name]])
    s.run("ssoenv use dev")
    s.run("cact")
    assert re.fullmatch(DEV + r"\(base\) ", s.last_prompt), s.last_prompt
    s.run("ssoenv off")
    s.run("cdeact")
    assert s.last_prompt == "", s.last_prompt
    s.run("ssoenv use prod")
    assert re.fullmatch(PROD, s.last_prompt), s.last_prompt
    s.run("cact")
    s.run("cdeact")
    s.run("cact")
    assert re.fullmatch(PROD + r"\(base\) ", s.last_prompt), s.last_prompt


def _starship(home: Path) -> Path:
    """A stand-in `starship` on PATH: `starship prompt` shows what the real aws module reads."""
    bindir = home / "bin"
    bindir.mkdir(exist_ok=True)
    script = bindir / "starship"
    script.write_text(
        "#!/bin/sh\n"
        '[ "$1" = prompt ] || exit 2\n'
        'if [ -n "$AWS_SSO_PROFILE" ]; then printf "[starship aws %s] " "$AWS_SSO_PROFILE"; fi\n'
        "printf 'PXP>> '\n"
    )
    script.chmod(0o755)
    return bindir


STARSHIP_INIT = {
    # as `starship init` installs it
    "bash": 'export STARSHIP_SHELL=bash; starship_precmd() { PS1="$(starship prompt)"; }; '
    'PROMPT_COMMAND="starship_precmd${PROMPT_COMMAND:+;$PROMPT_COMMAND}"',
    "zsh": "export STARSHIP_SHELL=zsh; setopt promptsubst; starship_precmd() { :; }; "
    "precmd_functions+=(starship_precmd); PROMPT='$(starship prompt)'",
    "fish": "set -gx STARSHIP_SHELL fish; function fish_prompt; starship prompt; end",
}


@pytest.mark.parametrize("order", ["framework-first", "hook-first"])
def test_starship(
    shell: tuple[ShellSpec, str], make_session: SessionFactory, sandbox: Any, tmp_path: Path, order: str
) -> None:
    spec, program = shell
    env = login(sandbox)
    env["PATH"] = f"{_starship(tmp_path)}:{env['PATH']}"
    where = (
        {"before": [STARSHIP_INIT[spec.name]]} if order == "framework-first" else {"after": [STARSHIP_INIT[spec.name]]}
    )
    s = make_session(spec, program, env=env, home=sandbox.home, **where)  # type: ignore[arg-type]
    for _ in range(2):
        s.run("ssoenv use dev")
        s.enter()
        assert s.last_prompt == "[starship aws dev] ", s.last_prompt  # the framework's one segment, not ours
        s.run("ssoenv off")
        assert s.last_prompt == "", s.last_prompt


def test_zsh_themes(make_session: SessionFactory, sandbox: Any) -> None:
    from .harness import SHELLS, require_program

    zsh = require_program("zsh")
    # powerlevel10k-style: a `p10k` function and a precmd that rebuilds PROMPT with its own aws segment
    p10k = (
        'p10k() { :; }; _p9k_precmd() { PROMPT="${AWS_SSO_PROFILE:+[p10k aws $AWS_SSO_PROFILE] }PXP>> "; }; '
        "precmd_functions+=(_p9k_precmd)"
    )
    s = make_session(SHELLS["zsh"], zsh, env=login(sandbox), home=sandbox.home, after=[p10k])
    s.run("ssoenv use dev")
    s.enter()
    assert s.last_prompt == "[p10k aws dev] ", s.last_prompt
    # oh-my-zsh-style theme that reassigns PROMPT at every prompt, loaded after the hook
    theme = (
        "theme_precmd() { PROMPT='%(?..[%?] )PXP>> '; }; autoload -Uz add-zsh-hook; add-zsh-hook precmd theme_precmd"
    )
    s = make_session(SHELLS["zsh"], zsh, env=login(sandbox), home=sandbox.home, after=[theme])
    s.run("ssoenv use dev")
    s.enter()
    assert re.fullmatch(DEV, s.last_prompt), s.last_prompt
    s.run_keep_status("false")
    assert re.fullmatch(DEV + r"\[1\] ", s.last_prompt), s.last_prompt  # the theme sees $? too
    s.run("ssoenv off")
    assert s.last_prompt == ""


def test_fish_theme_after_the_hook(make_session: SessionFactory, sandbox: Any) -> None:
    from .harness import SHELLS, require_program

    fish = require_program("fish")
    theme = "function fish_prompt; set -l st $status; printf '[%s] PXP>> ' $st; end"
    s = make_session(SHELLS["fish"], fish, env=login(sandbox), home=sandbox.home, after=[theme])
    s.run("ssoenv use dev")
    assert re.fullmatch(DEV + r"\[0\] ", s.last_prompt), s.last_prompt
    s.run_keep_status("false")
    assert re.fullmatch(DEV + r"\[1\] ", s.last_prompt), s.last_prompt  # the theme still sees $status
    s.run("function fish_prompt; printf 'other PXP>> '; end")  # another theme, later
    assert re.fullmatch(DEV + "other ", s.last_prompt), s.last_prompt
    s.run("ssoenv off")
    assert s.last_prompt == "other ", s.last_prompt


# A stand-in for bash-preexec (github.com/rcaloras/bash-preexec, MIT): the same mechanics --
# PROMPT_COMMAND gets `__bp_precmd_invoke_cmd` first and `__bp_interactive_mode` last, a DEBUG trap
# runs preexec_functions once per command line typed, precmd_functions see `$?` and PIPESTATUS.
BASH_PREEXEC = r"""
__bp_precmd_invoke_cmd() {
    __bp_last_ret_value=$? BP_PIPESTATUS=("${PIPESTATUS[@]}")
    local f; for f in "${precmd_functions[@]}"; do "$f"; done
}
__bp_interactive_mode() { __bp_preexec_interactive_mode=on; }
__bp_in_prompt_command() {  # as bash-preexec: is $1 one of the `;`/newline parts of PROMPT_COMMAND?
    local parts part arg=$1; IFS=$'\n;' read -rd '' -a parts <<< "${PROMPT_COMMAND[*]:-}"
    arg="${arg#"${arg%%[![:space:]]*}"}"; arg="${arg%"${arg##*[![:space:]]}"}"
    for part in "${parts[@]}"; do
        part="${part#"${part%%[![:space:]]*}"}"; part="${part%"${part##*[![:space:]]}"}"
        [[ $part == "$arg" ]] && return 0
    done
    return 1
}
__bp_preexec_invoke_exec() {
    [[ -n ${COMP_LINE-} || -z ${__bp_preexec_interactive_mode-} ]] && return
    __bp_in_prompt_command "$BASH_COMMAND" && return
    __bp_preexec_interactive_mode=
    bp_cmds+=("$BASH_COMMAND")
    local f; for f in "${preexec_functions[@]}"; do "$f"; done
}
trap '__bp_preexec_invoke_exec' DEBUG
PROMPT_COMMAND="__bp_precmd_invoke_cmd"$'\n'"${PROMPT_COMMAND:-}"$'\n'"__bp_interactive_mode"
preexecs=0; seen=
_count_preexec() { preexecs=$((preexecs + 1)); }
_show_status() { seen="$__bp_last_ret_value:${BP_PIPESTATUS[*]}"; }
preexec_functions+=(_count_preexec); precmd_functions+=(_show_status)
"""


def test_bash_preexec_and_pipestatus(make_session: SessionFactory, sandbox: Any) -> None:
    from .harness import SHELLS, require_program

    bash = require_program("bash")
    s = make_session(SHELLS["bash"], bash, env=login(sandbox), home=sandbox.home, before=[BASH_PREEXEC])
    s.run("ssoenv use dev")
    assert re.fullmatch(DEV, s.last_prompt), s.last_prompt
    s.run_keep_status("false | true | (exit 3)")
    out = s.run('echo "seen=[$seen]"')
    assert "seen=[3:1 0 3]" in out, out  # $? and PIPESTATUS reach precmd_functions after the hook
    s.run_keep_status("(exit 5)")
    assert "seen=[5:5]" in s.run('echo "seen=[$seen]"')
    first = int(re.search(r"n=\[(\d+)\]", s.run('echo "n=[$preexecs]"')).group(1))  # type: ignore[union-attr]
    s.enter()
    s.run("true")
    second = int(re.search(r"n=\[(\d+)\]", s.run('echo "n=[$preexecs]"')).group(1))  # type: ignore[union-attr]
    assert second - first == 2, s.run('printf "<%s>\\n" "${bp_cmds[@]}"')  # one per command line, none for the hook
    assert re.fullmatch(DEV, s.last_prompt), s.last_prompt
    s.run("ssoenv off")
    assert s.last_prompt == ""


def test_pipestatus_for_prompt_tools_after_the_hook(make_session: SessionFactory, sandbox: Any) -> None:
    from .harness import SHELLS, require_program

    bash = require_program("bash")
    tool = "PROMPT_COMMAND+=$'\\n''_rec=\"$?:${PIPESTATUS[*]}\"'"
    s = make_session(SHELLS["bash"], bash, env=shell_env(sandbox), home=sandbox.home, after=[tool])
    s.run_keep_status("false | true | (exit 3)")
    assert "rec=[3:1 0 3]" in s.run('echo "rec=[$_rec]"')
    s.run_keep_status("true | (exit 4)")
    assert "rec=[4:0 4]" in s.run('echo "rec=[$_rec]"')
    s.run_keep_status("(exit 6)")
    assert "rec=[6:6]" in s.run('echo "rec=[$_rec]"')


# --- item 5: the README's emulator line in a hooked shell -----------------------------------------


def test_emulator_background_in_a_hooked_shell(
    shell: tuple[ShellSpec, str], make_session: SessionFactory, sandbox: Any
) -> None:
    import os
    import signal
    import time

    spec, program = shell
    s = make_session(spec, program, env=shell_env(sandbox), home=sandbox.home)
    line = "ssoenv emulator --background --accounts 3 --approve preapproved"
    begin = time.monotonic()
    out = s.run(f"{line} | source" if spec.name == "fish" else f'eval "$({line})"', timeout=60)
    assert time.monotonic() - begin < 20  # returned: the shell is not held
    match = re.search(r"listening on (\S+) \(pid (\d+)\); stop it with: kill (\d+)", out)
    assert match, out
    try:
        assert s.env()["AWS_ENDPOINT_URL_SSO"] == match.group(1)
        s.child.sendintr()  # Ctrl-C at the prompt does not reach it
        s.child.expect([PROMPT_RE, pexpect.TIMEOUT], timeout=3)  # bash redraws the prompt; let it
        s.run("true")
        os.kill(int(match.group(2)), 0)
    finally:
        os.kill(int(match.group(2)), signal.SIGTERM)


# --- item 6: the shell `ssoenv demo` offers has the hook ------------------------------------------


def test_demo_shell_has_the_hook(shell: tuple[ShellSpec, str], tmp_path: Path) -> None:
    from .harness import isolated_env

    _, program = shell
    env = isolated_env(tmp_path / "home")
    env["SHELL"] = program
    child = pexpect.spawn(
        program,
        ["-c", f"'{sys.executable}' -m ssoenv demo"],
        env=env,
        cwd=str(tmp_path),
        encoding="utf-8",
        dimensions=(40, 250),
        timeout=120,
    )
    try:
        child.expect(r"\[y/N\]")
        child.sendline("y")
        child.expect("the hook is loaded")
        child.sendline('ssoenv use demo-prod; echo "P=[$SSOENV_PROFILE/$SSOENV_ACCOUNT_ID]"; ssoenv_prompt; echo')
        child.expect(r"P=\[demo-prod/222222222222\]")
        child.expect(r"\(aws:1 demo-prod 222222222222/ReadOnly (?:1h00m|\d+m)\)")
        child.sendline("exit")
        child.expect("demo finished")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)


# --- item 4: advice that works ------------------------------------------------------------------


def test_revoked_session_advice_works(shell: tuple[ShellSpec, str], make_session: SessionFactory, sandbox: Any) -> None:
    """The session is revoked server-side: the prompt names `ssoenv login dev`, which then logs in
    (no --force), `list` says rejected meanwhile, and the next refresh works again."""
    import time

    from .test_interactive import _reset_retry, settle

    spec, program = shell
    env = login(sandbox)
    emu = sandbox.emulator
    emu.config.role_ttl = 240  # inside the refresh window
    s = make_session(spec, program, env=env, home=sandbox.home)
    s.run("ssoenv use dev")
    settle(s)
    emu.revoke_all_tokens()
    _reset_retry(s)
    messages = ""
    deadline = time.monotonic() + 30
    while "ssoenv:" not in messages:
        assert time.monotonic() < deadline
        s.enter()
        messages += s.last_before_prompt
    assert "run `ssoenv login dev`" in messages
    assert "rejected: log in again" in s.run("ssoenv list")
    out = s.run("ssoenv login dev --use-device-code --no-browser")
    assert "already logged in" not in out and "logged in to" in out, out
    fetched = emu.calls("GetRoleCredentials")
    settle(s)
    assert emu.calls("GetRoleCredentials") > fetched  # the prompt refreshes again at once
    assert "ssoenv:" not in s.last_before_prompt
    out = s.run("ssoenv logout")
    assert "this shell still holds the role credentials of dev until " in out and "run `ssoenv off`" in out, out


def test_no_hook_hint_in_the_shells_syntax(
    shell: tuple[ShellSpec, str], make_session: SessionFactory, sandbox: Any
) -> None:
    spec, program = shell
    s = make_session(spec, program, env=login(sandbox), home=sandbox.home, hook=[])
    out = s.run("ssoenv use dev")
    expected = {
        "bash": ('run  eval "$(ssoenv use dev)"', 'eval "$(ssoenv hook bash)"  to ~/.bashrc'),
        "zsh": ('run  eval "$(ssoenv use dev)"', 'eval "$(ssoenv hook zsh)"  to ~/.zshrc'),
        "fish": ("run  ssoenv use dev | source", "ssoenv hook fish | source  to ~/.config/fish/config.fish"),
    }[spec.name]
    assert all(part in out for part in expected), out
    # and the advice works, as given
    s.run(expected[0].removeprefix("run  "))
    assert s.env()["SSOENV_PROFILE"] == "dev"


# --- item 6: TAB completion details -------------------------------------------------------------


def test_tab_completes_commands_files_and_quoted_names(
    shell: tuple[ShellSpec, str], make_session: SessionFactory, sandbox: Any
) -> None:
    spec, program = shell
    bindir = sandbox.home / "bin"
    bindir.mkdir(exist_ok=True)
    (bindir / "zqxtool").write_text("#!/bin/sh\n")
    (bindir / "zqxtool").chmod(0o755)
    (sandbox.home / "zqxnotes.txt").write_text("x")
    (sandbox.home / "zqxdir.json").write_text("{}")
    config = sandbox.home / ".aws" / "config"
    config.write_text(config.read_text() + "\n[profile zqx*]\nregion = eu-west-1\n")
    env = shell_env(sandbox)
    env["PATH"] = f"{bindir}:{env['PATH']}"
    s = make_session(spec, program, env=env, home=sandbox.home)
    assert s.complete("ssoenv exec dev -- zqxt") == "ssoenv exec dev -- zqxtool"
    assert s.complete("ssoenv exec dev zqxt") == "ssoenv exec dev zqxtool"
    assert s.complete("ssoenv exec dev -- zqxtool zqxn") == "ssoenv exec dev -- zqxtool zqxnotes.txt"
    assert s.complete("ssoenv emulator --directory zqxd") == "ssoenv emulator --directory zqxdir.json"
    # the profile names are still ssoenv's, and a name with `*` is never matched against files
    assert s.complete("ssoenv use de") == "ssoenv use dev"
    done = s.complete("ssoenv use 'zqx")  # (the echo that shows the line removes the quotes)
    assert done == "ssoenv use zqx*", done  # before: the files zqx* matched


# --- item 3 / item 6: no process per prompt, no zombie after a background refresh ------------------


def _children(pid: int) -> list[tuple[int, str]]:
    out = subprocess.run(["ps", "-o", "pid=,stat=", "--ppid", str(pid)], capture_output=True, text=True)
    return [(int(p), st) for p, st in (line.split() for line in out.stdout.splitlines())]


def test_prompt_starts_no_process_and_leaves_no_zombie(
    shell: tuple[ShellSpec, str], make_session: SessionFactory, sandbox: Any, tmp_path: Path
) -> None:
    """With a profile in use, a prompt starts no process at all (strace on the shell), in fish too;
    after a background refresh the shell has no zombie child and no job."""
    import os
    import shutil
    import signal

    from .test_interactive import settle

    strace = shutil.which("strace")
    if strace is None:
        pytest.skip("strace is not installed")
    spec, program = shell
    env = login(sandbox)
    s = make_session(spec, program, env=env, home=sandbox.home)
    s.run("ssoenv use dev")  # 1 h: outside the refresh window
    s.enter()
    trace = tmp_path / "trace"
    tracer = subprocess.Popen(
        [strace, "-f", "-e", "trace=fork,vfork,clone,clone3,execve", "-o", str(trace), "-p", str(s.child.pid)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert tracer.stderr is not None
        assert "attached" in tracer.stderr.readline()  # "strace: Process N attached": tracing from here on
        for _ in range(5):
            s.enter()
    finally:
        tracer.send_signal(signal.SIGINT)
        tracer.wait(timeout=10)
    started = [line for line in trace.read_text().splitlines() if re.search(r"\b(v?fork|clone3?|execve)\(", line)]
    started = [line for line in started if "CLONE_THREAD" not in line and "= -" not in line]
    assert started == [], started
    # a background refresh, then nothing left behind
    s.run("set -gx SSOENV_REFRESH_WINDOW 100000" if spec.name == "fish" else "export SSOENV_REFRESH_WINDOW=100000")
    settle(s)
    s.enter()
    assert [c for c in _children(s.child.pid) if c[1].startswith("Z")] == []
    assert _children(s.child.pid) == [] or all(os.path.exists(f"/proc/{p}") for p, _ in _children(s.child.pid))
    jobs = s.run("jobs")
    assert jobs.strip() == "" or "no" in jobs.lower(), jobs
