"""Cost of profiles that follow your directory (the hook's `.ssoenv` lookup), per prompt and per `cd`.

For each shell, one process runs N times what happens at a prompt (as bench_prompt.py does: bash's
PROMPT_COMMAND entry then ``${PS1@P}``; zsh's precmd hooks then ``${(%)PS1}``; fish's prompt event
then ``fish_prompt``), in a folder 8 levels deep, in these cases:

- ``prompt, no file``: the same folder at every prompt, no ``.ssoenv`` anywhere above it;
- ``prompt, in a tree``: the same folder, inside an allowed ``.ssoenv`` tree the hook has entered;
- ``cd, no file``: ``cd`` between two sibling folders before each prompt, no ``.ssoenv`` above;
- ``cd, same tree``: ``cd`` between two sibling folders of one allowed tree (the nearest file stays
  the same: nothing to do);
- ``cd, in and out``: ``cd`` into an allowed tree (one ``ssoenv _dir``, credentials from the cache of
  the bundled emulator) and out of it (the shell restores, no process), alternately.

Each against the same loop without the hook (``cd`` and the prompt's expansion only). Cost per
prompt or per ``cd`` = (loop with hook - loop without) / steps. Forks per step are counted with
strace when it is available (else from /proc/sys/kernel/ns_last_pid, which other processes on the
machine also advance), minus the forks of loading the hook and entering the first folder.

Targets: 0 forks per prompt and per ``cd`` unless a ``.ssoenv`` is entered (then 1, the helper).

    python bench/bench_cd.py [-n 1000] [--crossings 20] [--shell bash ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._util import SSO_CONFIG, isolated_env, run_counting_forks, ssoenv_cmd, temp_home  # noqa: E402
from ssoenv.shells import get_dialect  # noqa: E402

DEPTH = 8

SHELL = {
    # (arguments, setup, one prompt with the hook, one prompt without, a loop of n steps)
    "bash": (
        ["--norc", "--noprofile", "-c"],
        "PS1='\\u@\\h:\\w\\$ '; {load}",
        'eval "$_ssoenv_pc"; p=${PS1@P}',
        "p=${PS1@P}",
        "for ((i = 0; i < {n}; i++)); do {body}; done",
    ),
    "zsh": (
        ["-f", "-c"],
        "PS1='%n@%m:%~%# '; {load}",
        "_ssoenv_precmd; _ssoenv_draw; p=${(%)PS1}",
        "p=${(%)PS1}",
        "for ((i = 0; i < {n}; i++)); do {body}; done",
    ),
    "fish": (
        ["--no-config", "-c"],
        "function fish_prompt; printf '> '; end; {load}",
        "_ssoenv_on_prompt; fish_prompt >/dev/null",
        "fish_prompt >/dev/null",
        "for i in (seq {n}); {body}; end",
    ),
}


def run(shell: str, program: str, code: str, env: dict[str, str], strace: bool) -> tuple[float, int]:
    """Seconds and forks of running ``code`` in ``shell``."""
    args = SHELL[shell][0]
    return run_counting_forks([program, *args, code], env, strace)


def script(shell: str, hook_file: Path | None, first: Path, steps: list[Path], n: int, used: bool = False) -> str:
    """Enter ``first`` (a prompt), then ``n`` times: cd to each of ``steps`` and a prompt. ``used``:
    ``ssoenv use dev`` first (its code read from a file: no process)."""
    _, setup, with_hook, without, loop = SHELL[shell]
    load = ""
    if hook_file is not None:
        load = f"source {hook_file}" if shell == "fish" else f". {hook_file}"
    prompt = with_hook if hook_file is not None else without
    body = "; ".join(f"cd {folder}; {prompt}" for folder in steps) if steps else prompt
    if used:
        load = f"source {first.parents[DEPTH]}/use.{shell}; {load}"
    lines = [
        setup.replace("{load}", load),
        f"cd {first}; {prompt}",
        loop.replace("{n}", str(n)).replace("{body}", body),
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=1000, help="prompts or cd per measurement (fish: n/5)")
    parser.add_argument("--crossings", type=int, default=20, help="times into and out of a tree (a process each in)")
    parser.add_argument("--shell", action="append", choices=sorted(SHELL))
    parser.add_argument("--repeat", type=int, default=3, help="best of R runs")
    opts = parser.parse_args()
    use_strace = shutil.which("strace") is not None
    from ssoenv.emulator import Emulator, EmulatorConfig

    emu = Emulator(EmulatorConfig(port=0, accounts=2, approve="preapproved"))
    emu.start()
    home = temp_home()
    ok = True
    try:
        (home / ".aws" / "config").write_text(SSO_CONFIG)
        env = isolated_env(
            home,
            {
                # the shells wherever this machine has them
                "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
                "TERM": "dumb",
                "XDG_DATA_HOME": str(home / ".local" / "share"),
                "XDG_STATE_HOME": str(home / ".local" / "state"),
                "SSOENV_NO_HISTORY": "1",
                **emu.env(),
            },
        )
        plain = home / "plain"
        tree = home / "tree"
        deep_plain = plain.joinpath(*[f"d{i}" for i in range(DEPTH - 1)])
        deep_tree = tree.joinpath(*[f"d{i}" for i in range(DEPTH - 1)])
        for folder in (deep_plain / "a", deep_plain / "b", deep_tree / "a", deep_tree / "b"):
            folder.mkdir(parents=True)
        (tree / ".ssoenv").write_text("profile = dev\n")
        cmd = ssoenv_cmd()
        subprocess.run(
            [*cmd, "login", "dev", "--use-device-code", "--no-browser"], env=env, check=True, capture_output=True
        )
        subprocess.run([*cmd, "allow", str(tree)], env=env, check=True, capture_output=True)
        for shell in SHELL:
            code = subprocess.run(
                [*cmd, "use", "dev", "--shell", shell], env=env, check=True, capture_output=True, text=True
            ).stdout
            (home / f"use.{shell}").write_text(code)

        # (name, a profile used by hand first, the first folder, the folders cd'ed to in turn)
        cases = [
            ("prompt, no file", False, deep_plain / "a", []),
            ("prompt, used, no file", True, deep_plain / "a", []),
            ("prompt, in a tree", False, deep_tree / "a", []),
            ("cd, no file", False, deep_plain / "a", [deep_plain / "b", deep_plain / "a"]),
            ("cd, used, no file", True, deep_plain / "a", [deep_plain / "b", deep_plain / "a"]),
            ("cd, same tree", False, deep_tree / "a", [deep_tree / "b", deep_tree / "a"]),
            ("cd, in and out", False, deep_plain / "a", [deep_tree / "a", deep_plain / "a"]),
        ]
        print(f"ssoenv directory profiles: cost per prompt / per cd, {DEPTH} folders deep (best of {opts.repeat})")
        print(f"forks counted with {'strace' if use_strace else '/proc/sys/kernel/ns_last_pid (approximate)'}")
        print(f"{'shell':6} {'case':22} {'steps':>6} {'no hook':>10} {'hook':>10} {'added':>10} {'forks/step':>11}")
        for shell in opts.shell or ["bash", "zsh", "fish"]:
            program = shutil.which(shell)
            if program is None:
                print(f"{shell:6} not installed")
                continue
            hook_file = home / f"hook.{shell}"
            hook_file.write_text(get_dialect(shell).hook(cmd, completion=False))
            for name, used, first, steps in cases:
                crossing = name == "cd, in and out"
                n = opts.crossings if crossing else (opts.n if shell != "fish" else max(opts.n // 5, 50))
                count = n * max(len(steps), 1)
                base = min(
                    run(shell, program, script(shell, None, first, steps, n, used), env, False)[0]
                    for _ in range(opts.repeat)
                )
                hooked = min(
                    run(shell, program, script(shell, hook_file, first, steps, n, used), env, False)[0]
                    for _ in range(opts.repeat)
                )
                _, forks_n = run(shell, program, script(shell, hook_file, first, steps, n, used), env, use_strace)
                _, forks_0 = run(shell, program, script(shell, hook_file, first, steps, 0, used), env, use_strace)
                forks = max(forks_n - forks_0, 0) / count
                added = (hooked - base) / count * 1000
                print(
                    f"{shell:6} {name:22} {count:6d} {base / count * 1000:8.3f}ms {hooked / count * 1000:8.3f}ms "
                    f"{added:8.3f}ms {forks:11.2f}"
                )
                expected = 0.5 if crossing else 0.0  # one helper per entry: every other cd
                if abs(forks - expected) > 0.01:
                    ok = False
    finally:
        emu.stop()
        shutil.rmtree(home, ignore_errors=True)
    print("target: 0 forks per prompt and per cd without entering a tree; 1 per entry (0.5 per cd in and out):")
    print("met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
