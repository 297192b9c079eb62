"""Cost of the ssoenv prompt hook per prompt, with an active profile, against no hook.

For each shell, one process runs what happens at a prompt N times:

- bash: its PROMPT_COMMAND entry (``_ssoenv_hook`` and the status hand-back) then the expansion of
  PS1 (``${PS1@P}``);
- zsh: ``_ssoenv_precmd`` and ``_ssoenv_draw`` (precmd) then the prompt expansion of PS1 (``${(%)PS1}``);
- fish: the ``fish_prompt`` event handler then ``fish_prompt`` itself;

and the same loop without the hook (the bare prompt). The difference divided by N is the hook's
cost per prompt; the ratio is (prompt with hook) / (prompt without). Forks per prompt are counted
with strace when it is available (else from /proc/sys/kernel/ns_last_pid, which other processes
on the machine also advance), as (hook loaded, N prompts) minus (hook loaded, no prompt).

Then the worst case: interactive shells in a PTY against the bundled emulator with every call
delayed (a stalled endpoint) while the credentials are inside the refresh window; the longest
time from Enter to the next prompt, with the hook and without it.

Targets: < 1 ms per prompt, 0 forks per prompt in bash, zsh and fish, <= 3 s (better ~0) from
Enter to the prompt with a stalled endpoint.

    python bench/bench_prompt.py [-n 2000] [--shell bash --shell zsh ...] [--stall 45]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._util import SSO_CONFIG, run_counting_forks  # noqa: E402
from ssoenv.shells import get_dialect  # noqa: E402

LOOPS = {
    "bash": (
        ["--norc", "--noprofile", "-c"],
        'PS1="\\u@\\h:\\w\\$ "; {setup}\nfor ((i = 0; i < {n}; i++)); do {hook} p=${{PS1@P}}; done\n',
        'eval "$_ssoenv_pc";',  # what PROMPT_COMMAND runs: the hook, then $? and PIPESTATUS put back
    ),
    "zsh": (
        ["-f", "-c"],
        "PS1='%n@%m:%~%# '; {setup}\nfor ((i = 0; i < {n}; i++)); do {hook} p=${{(%)PS1}}; done\n",
        "_ssoenv_precmd; _ssoenv_draw;",
    ),
    "fish": (
        ["--no-config", "-c"],
        # a prompt of its own: fish's default one runs git at every prompt, with or without the hook
        "function fish_prompt; printf '> '; end\n{setup}\nfor i in (seq {n}); {hook} fish_prompt >/dev/null; end\n",
        "_ssoenv_on_prompt;",
    ),
}


def profile_env() -> dict[str, str]:
    return {
        "SSOENV_PROFILE": "prod-admin",
        "SSOENV_ACCOUNT_ID": "123456789012",
        "SSOENV_ROLE_NAME": "AdministratorAccess",
        "SSOENV_EXPIRES_AT": str(int(time.time()) + 2520),
        # a guarded profile (its own segment) and a known session end outside the warning window
        "SSOENV_GUARD": "1",
        "SSOENV_SESSION_EXPIRES_AT": str(int(time.time()) + 8 * 3600),
        "AWS_SSO_PROFILE": "prod-admin",
        "TERM": "xterm-256color",
    }


def run_loop(shell: str, program: str, n: int, with_hook: bool, hook_file: Path, strace: bool) -> tuple[float, int]:
    args, template, hook_call = LOOPS[shell]
    setup = ""
    if with_hook:
        setup = f"source {hook_file}" if shell == "fish" else f". {hook_file}"
    code = template.format(setup=setup, n=n, hook=hook_call if with_hook else "")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tempfile.gettempdir(), "LANG": "C.UTF-8"}
    env.update(profile_env())
    return run_counting_forks([program, *args, code], env, strace)


def run_pty(shell: str, program: str, n: int, with_hook: bool, hook_file: Path) -> float:
    """Seconds for ``n`` real prompts of an interactive shell in a PTY (a `printf` builtin each)."""
    import pexpect

    home = Path(tempfile.mkdtemp(prefix="ssoenv-bench-home-"))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "ZDOTDIR": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "INPUTRC": str(home / ".inputrc"),
    }
    env.update(profile_env())
    env["TERM"] = "dumb"
    (home / ".inputrc").write_text("set enable-bracketed-paste off\n")
    load = ""
    if with_hook:
        load = f"source {hook_file}\n" if shell == "fish" else f". {hook_file}\n"
    if shell == "bash":
        (home / "rc").write_text("PS1='PXP''>> '\n" + load)
        args = ["--noprofile", "--rcfile", str(home / "rc"), "-i"]
    elif shell == "zsh":
        (home / ".zshrc").write_text("PS1='PXP''>> '; unsetopt PROMPT_SP PROMPT_CR; unset zle_bracketed_paste\n" + load)
        args = ["+o", "GLOBAL_RCS", "-i"]
    else:
        (home / "init.fish").write_text(
            "function fish_prompt; printf 'PXP''>> '; end\nset -g fish_greeting ''\nfunction fish_title; end\n" + load
        )
        args = ["--no-config", "-i", "-C", f"source {home / 'init.fish'}"]
    child = pexpect.spawn(program, args, env=env, encoding="utf-8", dimensions=(40, 250), timeout=60)
    child.delaybeforesend = None
    child.expect_exact("PXP>> ")
    start = time.perf_counter()
    for i in range(n):
        # a builtin, then the next prompt; the marker skips fish's redraws of the typed line
        child.send(f"printf '%s%s\\n' M_ {i}\r")
        child.expect_exact(f"M_{i}\r\n")
        child.expect_exact("PXP>> ")
    elapsed = time.perf_counter() - start
    child.close(force=True)
    shutil.rmtree(home, ignore_errors=True)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=2000, help="prompts per measurement (fish: n/10)")
    parser.add_argument("--shell", action="append", choices=sorted(LOOPS))
    parser.add_argument("--repeat", type=int, default=3, help="best of R runs")
    parser.add_argument("--pty-prompts", type=int, default=300, help="prompts in the interactive (PTY) run; 0: skip")
    parser.add_argument("--stall", type=float, default=45.0, help="seconds every emulator call is delayed; 0: skip")
    parser.add_argument("--stall-prompts", type=int, default=10, help="prompts in the stalled-endpoint run")
    opts = parser.parse_args()
    use_strace = shutil.which("strace") is not None
    print(f"ssoenv prompt hook: cost per prompt with an active profile (best of {opts.repeat})")
    print(f"forks counted with {'strace' if use_strace else '/proc/sys/kernel/ns_last_pid (approximate)'}")
    print(f"{'shell':6} {'prompts':>7} {'no hook':>10} {'hook':>10} {'added':>10} {'ratio':>6} {'forks/prompt':>13}")
    ok = True
    pty_rows: list[tuple[str, str, Path]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for shell in opts.shell or ["bash", "zsh", "fish"]:
            program = shutil.which(shell)
            if program is None:
                print(f"{shell:6} not installed")
                continue
            hook_file = Path(tmp) / f"hook.{shell}"
            hook_file.write_text(get_dialect(shell).hook([sys.executable, "-m", "ssoenv"], completion=False))
            n = opts.n if shell != "fish" else max(opts.n // 10, 50)
            base = min(run_loop(shell, program, n, False, hook_file, False)[0] for _ in range(opts.repeat))
            hooked = min(run_loop(shell, program, n, True, hook_file, False)[0] for _ in range(opts.repeat))
            # fork count: separately (strace slows everything down); minus the loop without the hook
            _, forks_hook = run_loop(shell, program, n, True, hook_file, use_strace)
            _, forks_base = run_loop(shell, program, 0, True, hook_file, use_strace)  # loading the hook
            per_base = base / n * 1000
            per_hook = hooked / n * 1000
            added = per_hook - per_base
            forks = max(forks_hook - forks_base, 0) / n
            print(
                f"{shell:6} {n:7d} {per_base:8.3f}ms {per_hook:8.3f}ms {added:8.3f}ms "
                f"{per_hook / per_base:6.2f} {forks:13.2f}"
            )
            if (shell in ("bash", "zsh") and added >= 1.0) or forks >= 0.01:
                ok = False
            pty_rows.append((shell, program, hook_file))
        if opts.pty_prompts:
            print()
            print(f"interactive shells in a PTY: {opts.pty_prompts} prompts (one builtin each), best of {opts.repeat}")
            print(f"{'shell':6} {'no hook':>10} {'hook':>10} {'added':>10} {'ratio':>6}")
            for shell, program, hook_file in pty_rows:
                n = opts.pty_prompts if shell != "fish" else max(opts.pty_prompts // 3, 30)
                base = min(run_pty(shell, program, n, False, hook_file) for _ in range(opts.repeat)) / n * 1000
                hooked = min(run_pty(shell, program, n, True, hook_file) for _ in range(opts.repeat)) / n * 1000
                print(f"{shell:6} {base:8.3f}ms {hooked:8.3f}ms {hooked - base:8.3f}ms {hooked / base:6.2f}")
        if opts.stall:
            print()
            print(f"stalled endpoint (every call delayed {opts.stall:g}s), credentials inside the refresh window:")
            print(f"{'shell':6} {'prompts':>7} {'worst, no hook':>15} {'worst, hook':>12} {'ratio':>6}")
            for shell, program, _ in pty_rows:
                base, hooked = stalled_prompt(shell, program, opts.stall, opts.stall_prompts)
                row = f"{shell:6} {opts.stall_prompts:7d} {base * 1000:13.1f}ms {hooked * 1000:10.1f}ms"
                print(f"{row} {hooked / base:6.2f}")
                if hooked > 3.0:
                    ok = False
    print("targets: < 1 ms added per prompt (bash/zsh), 0 forks per prompt, <= 3 s with a stalled endpoint:")
    print("met" if ok else "NOT met")
    return 0 if ok else 1


def stalled_prompt(shell: str, program: str, stall: float, prompts: int) -> tuple[float, float]:
    """Worst Enter-to-prompt time (s) without and with the hook, every emulator call delayed ``stall`` s."""
    import pexpect

    from ssoenv.emulator import Emulator, EmulatorConfig

    emu = Emulator(EmulatorConfig(port=0, accounts=2, approve="preapproved", role_ttl=240))
    emu.start()
    home = Path(tempfile.mkdtemp(prefix="ssoenv-bench-stall-"))
    try:
        (home / ".aws").mkdir()
        (home / ".aws" / "config").write_text(SSO_CONFIG)
        env = {
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "TERM": "dumb",
            "ZDOTDIR": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local/share"),
            "INPUTRC": str(home / ".inputrc"),
            "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "PYTHONPATH": str(ROOT),
            **emu.env(),
        }
        (home / ".inputrc").write_text("set enable-bracketed-paste off\n")
        subprocess.run(
            [sys.executable, "-m", "ssoenv", "login", "dev", "--use-device-code", "--no-browser"],
            env=env,
            check=True,
            stdin=subprocess.DEVNULL,
            capture_output=True,
        )
        # short-lived role credentials: inside the refresh window from the start
        code = subprocess.run(
            [sys.executable, "-m", "ssoenv", "use", "dev", "--shell", shell, "--quiet"],
            env=env,
            check=True,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        ).stdout
        results = []
        for with_hook in (False, True):
            hook = get_dialect(shell).hook([sys.executable, "-m", "ssoenv"], completion=False)
            (home / f"hook.{shell}").write_text(hook if with_hook else "")
            (home / f"use.{shell}").write_text(code)
            load = f"source {home / f'use.{shell}'}\nsource {home / f'hook.{shell}'}\n"
            if shell == "bash":
                (home / "rc").write_text("PS1='PXP''>> '\n" + load)
                args = ["--noprofile", "--rcfile", str(home / "rc"), "-i"]
            elif shell == "zsh":
                (home / ".zshrc").write_text(
                    "PS1='PXP''>> '; unsetopt PROMPT_SP PROMPT_CR; unset zle_bracketed_paste\n" + load
                )
                args = ["+o", "GLOBAL_RCS", "-i"]
            else:
                (home / "init.fish").write_text(
                    "function fish_prompt; printf 'PXP''>> '; end\nset -g fish_greeting ''\nfunction fish_title; end\n"
                    + load
                )
                args = ["--no-config", "-i", "-C", f"source {home / 'init.fish'}"]
            emu.set_latency(stall)
            child = pexpect.spawn(
                program, args, env=env, encoding="utf-8", dimensions=(40, 250), timeout=stall * 3 + 60
            )
            child.delaybeforesend = None
            child.expect_exact("PXP>> ")
            worst = 0.0
            for i in range(prompts):
                start = time.perf_counter()
                child.send(f"printf '%s%s\\n' M_ {i}\r")
                child.expect_exact(f"M_{i}\r\n")
                child.expect_exact("PXP>> ")
                worst = max(worst, time.perf_counter() - start)
            child.close(force=True)
            emu.set_latency(0)
            results.append(worst)
        return results[0], results[1]
    finally:
        emu.stop()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
