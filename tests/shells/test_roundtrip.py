"""Round trip in real shells: render a change set, evaluate it the way the hook does, compare bytes.

For every dialect with a shell here (bash, zsh, zsh with RC_QUOTES, fish; pwsh when installed),
values of any content must arrive in the environment of a child process byte for byte, unset
keys must be gone, and no value may ever run a command (values that try to ``touch`` a file in
the working directory are part of every batch; the directory must stay empty).

Hypothesis draws whole batches (up to 120 values), so one shell process checks many values:
thousands of values per shell run in a few seconds.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssoenv.shells import get_dialect

from .harness import isolated_env, require_program

PREFIX = "SSOENV_RT_"
DUMP = (
    "import os,sys,json; sys.stdout.write(json.dumps({k.decode(): v.hex() for k, v in os.environb.items() "
    f"if k.startswith(b'{PREFIX}')}}))"
)

# (id, dialect, program, extra args): how the wrapper functions evaluate `ssoenv use` output
VARIANTS = {
    "bash": ("bash", "bash", ("--norc", "--noprofile")),
    "zsh": ("zsh", "zsh", ("-f",)),
    "zsh-rcquotes": ("zsh", "zsh", ("-f", "-o", "RC_QUOTES")),
    "fish": ("fish", "fish", ("--no-config",)),
    "pwsh": ("pwsh", "pwsh", ("-NoProfile", "-NonInteractive")),
}

# the same steps as the hook's wrapper: capture the output, check the status, evaluate
EVAL_SCRIPTS = {
    "bash": 'out=$(command cat "$1") || exit 99; eval "$out" || exit 98; exec "$2" -c "$3"',
    "zsh": 'out=$(command cat "$1") || exit 99; eval "$out" || exit 98; exec "$2" -c "$3"',
    "fish": (
        "set -l out (command cat $argv[1]); or exit 99; printf '%s\\n' $out | source; or exit 98; "
        "exec $argv[2] -c $argv[3]"
    ),
    "pwsh": (
        "$out = Get-Content -LiteralPath $args[0] -Encoding utf8; "
        "Invoke-Expression (@($out) -join [Environment]::NewLine); & $args[1] -c $args[2]; exit $LASTEXITCODE"
    ),
}

INJECTIONS = [
    "$(touch PWNED_a)",
    "`touch PWNED_b`",
    "'; touch PWNED_c; '",
    '"; touch PWNED_d; "',
    "\\'; touch PWNED_e #",
    "(touch PWNED_f)",
    "'(touch PWNED_g)'",
    "\\\\'; touch PWNED_h; echo '",
    "\n touch PWNED_i \n",
    "${IFS}touch${IFS}PWNED_j",
    "$(New-Item PWNED_k)",
    "'; New-Item PWNED_l; '",
    "\u2019; New-Item PWNED_m; \u2018",
    "\u201b+(New-Item PWNED_n)+\u201a",
    "\\x27; touch PWNED_o; \\x27",
    "%(touch PWNED_p)",
    "{touch,PWNED_q}",
]

HOSTILE = [
    "",
    " ",
    "x\\",
    "\\",
    "a\\'b",
    "'",
    "''",
    "'''",
    '"',
    "$HOME",
    "${HOME}",
    "$",
    "`id`",
    "$(id)",
    "=ls",
    "~",
    "~root",
    "-e",
    "-n",
    "--",
    "-gx",
    "a\nb",
    "\n",
    "trailing\n\n",
    "\r\n",
    "\t",
    "\x1b[31mred",
    "\x7f",
    "\x01\x02\x1f",
    "*?[]{}!#%^&|;<>",
    "it\u2019s",
    "\u2018\u2019\u201a\u201b",
    "\u201c\u201d\u201e",
    "'\";&&e-$ \u00e8\u0440\u0442\U0001f692\u265e\u4e2d\u7247-j",
    "LESSOPEN=||/usr/bin/lesspipe.sh %s",
    "\\\\\\",
    "\u0085\u2028\u2029",
    "\ufeff",
    "\ufdd0\uf600\uf6ff\ufffe\U0010ffff",
    '{"AWS_PROFILE":"old","AWS_REGION":"x"}',
    "%F{red}%n%~",
    "\\u0041",
    "@args",
    "$Env:HOME",
    *INJECTIONS,
]


def _program(variant: str) -> tuple[str, str, tuple[str, ...]]:
    dialect, program, args = VARIANTS[variant]
    if variant == "pwsh":
        path = shutil.which("pwsh")
        if path is None:
            pytest.skip("pwsh is not installed (PowerShell is tested as text)")
    else:
        path = require_program(program)
    return dialect, path, args


def roundtrip(variant: str, values: list[str], workdir: Path) -> None:
    """Set every value (and unset some pre-set keys) in a real shell; check the child's environment."""
    if variant == "pwsh":  # parsed even where pwsh is missing
        from .pwsh_parse import assert_parses

        assert_parses(get_dialect("pwsh").render({f"{PREFIX}{i}": v for i, v in enumerate(values)}))
    dialect_name, program, args = _program(variant)
    dialect = get_dialect(dialect_name)
    batch = workdir / uuid.uuid4().hex
    cwd = batch / "cwd"
    cwd.mkdir(parents=True)
    home = batch / "home"
    env = isolated_env(home)
    changes: dict[str, str | None] = {f"{PREFIX}{i}": v for i, v in enumerate(values)}
    for i in range(3):
        env[f"{PREFIX}GONE{i}"] = "old value"
        changes[f"{PREFIX}GONE{i}"] = None
    env[f"{PREFIX}KEPT"] = "kept"
    code_file = batch / "code.txt"
    code_file.write_bytes(dialect.render(changes).encode("utf-8"))
    script = EVAL_SCRIPTS[dialect_name]
    if dialect_name in ("bash", "zsh"):
        argv = [program, *args, "-c", script, "roundtrip", str(code_file), sys.executable, DUMP]
    elif dialect_name == "fish":
        argv = [program, *args, "-c", script, str(code_file), sys.executable, DUMP]
    else:
        argv = [program, *args, "-Command", script, str(code_file), sys.executable, DUMP]
    proc = subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert not list(cwd.iterdir()), f"a value ran a command: {sorted(p.name for p in cwd.iterdir())}"
    got = {k: bytes.fromhex(v) for k, v in json.loads(proc.stdout).items()}
    expected = {k: v.encode("utf-8") for k, v in changes.items() if v is not None}
    expected[f"{PREFIX}KEPT"] = b"kept"
    if dialect_name == "pwsh":
        # PowerShell cannot hold an empty environment variable: '' removes it
        expected = {k: v for k, v in expected.items() if v != b""}
    mismatched = {k: (expected.get(k), got.get(k)) for k in set(expected) | set(got) if expected.get(k) != got.get(k)}
    assert not mismatched, mismatched
    shutil.rmtree(batch)


@pytest.mark.shell
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_hostile_values_round_trip(variant: str, tmp_path: Path) -> None:
    roundtrip(variant, HOSTILE, tmp_path)


@pytest.mark.shell
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_value_alone(variant: str, tmp_path: Path) -> None:
    """Each hostile value as the only statement (nothing before or after to lean on)."""
    for value in [*HOSTILE[:30], *INJECTIONS[:6]]:
        roundtrip(variant, [value], tmp_path)


# --- property: random batches ---------------------------------------------------------------

SPECIAL = [
    *"$`'\"\\!*?[]{}()~#%;&|<> \n\t\r=:-^,@+",
    "\u2019",
    "\u2018",
    "\u201a",
    "\u201b",
    "\x1b",
    "\x7f",
    "\x01",
    "\u0085",
    "\u2028",
    "\ufeff",
]
ANY_CHAR = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
HOSTILE_CHAR = st.sampled_from(SPECIAL)
VALUE = st.one_of(
    st.text(ANY_CHAR, max_size=24),
    st.text(st.one_of(HOSTILE_CHAR, ANY_CHAR), max_size=24),
    st.text(HOSTILE_CHAR, max_size=12),
    st.builds(
        lambda a, b, c: a + b + c,
        st.text(HOSTILE_CHAR, max_size=3),
        st.sampled_from(INJECTIONS),
        st.text(HOSTILE_CHAR, max_size=3),
    ),
)
BATCH = st.lists(VALUE, min_size=1, max_size=120)

EXAMPLES = {"bash": 40, "zsh": 40, "zsh-rcquotes": 12, "fish": 40, "pwsh": 15}


@pytest.mark.shell
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_random_values_round_trip(variant: str, tmp_path: Path) -> None:
    _program(variant)  # skip before hypothesis starts when the shell is missing

    @settings(
        max_examples=EXAMPLES[variant],
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(values=BATCH)
    def check(values: list[str]) -> None:
        roundtrip(variant, values, tmp_path)

    check()
