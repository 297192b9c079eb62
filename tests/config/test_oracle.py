"""botocore is the oracle: ssoenv reads every profile and sso-session exactly as botocore does.

Over the config corpus and generated files (hostile names, quoting styles, indentation,
duplicate sections, ``[default]``/``[profile default]``, odd line breaks, BOM, CRLF, ``[DEFAULT]``,
a credentials file), ``load_config`` gives exactly ``botocore.session.Session().full_config``'s
profiles, sso-sessions and services; where botocore refuses the file, ssoenv refuses it with one
line that names file:line. Each part that reads the config (the writer behind ``configure`` and
``populate``, completion, ``list``/``use``) agrees on every profile, and the targeted lookup of
big files equals the full read.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssoenv.config import ini
from ssoenv.config.profiles import AwsConfig, _Targeted, load_config
from ssoenv.config.writer import ConfigDocument, SectionRef
from ssoenv.errors import ConfigError
from ssoenv.front.completion.names import scan_config
from ssoenv.paths import resolve_paths
from tests.configwriter.corpus import CORPUS, REFUSED

Views = dict[str, dict[str, dict[str, Any]]]


def botocore_full(config: Path, credentials: Path) -> dict[str, Any] | Exception:
    """botocore's full_config (never the real ~/.aws: both files are set on the session)."""
    session = botocore.session.Session()
    session.set_config_variable("config_file", str(config))
    session.set_config_variable("credentials_file", str(credentials))
    try:
        full: dict[str, Any] = session.full_config
    except Exception as exc:  # ConfigParseError (UnicodeDecodeError inside)
        return exc
    return full


def botocore_view(config: Path, credentials: Path) -> Views | Exception:
    """What botocore reads: its profiles, sso-sessions and services."""
    full = botocore_full(config, credentials)
    if isinstance(full, Exception):
        return full
    return {
        "profile": full["profiles"],
        "sso-session": full.get("sso_sessions", {}),
        "services": full.get("services", {}),
    }


def ssoenv_view(cfg: AwsConfig) -> Views:
    return {
        "profile": {name: dict(cfg.raw_profile(name).values) for name in cfg.profile_names()},
        "sso-session": {name: dict(cfg.sso_sessions[name].values) for name in cfg.sso_sessions},
        "services": {name: dict(cfg.services[name].values) for name in cfg.services},
    }


def files(tmp: Path, config: bytes, credentials: bytes | None = None) -> tuple[Path, Path, dict[str, str]]:
    tmp.mkdir(parents=True, exist_ok=True)
    cfg, creds = tmp / "config", tmp / "credentials"
    cfg.write_bytes(config)
    if credentials is None:
        creds.unlink(missing_ok=True)
    else:
        creds.write_bytes(credentials)
    env = {"HOME": str(tmp), "AWS_CONFIG_FILE": str(cfg), "AWS_SHARED_CREDENTIALS_FILE": str(creds)}
    return cfg, creds, env


def check_against_botocore(tmp: Path, config: bytes, credentials: bytes | None = None) -> Views | None:
    """Assert ssoenv == botocore on these files; the views (None when both refuse them)."""
    cfg_path, creds_path, env = files(tmp, config, credentials)
    expected = botocore_view(cfg_path, creds_path)
    if isinstance(expected, Exception):
        with pytest.raises(ConfigError) as refused:
            load_config(resolve_paths(env))
        message = str(refused.value)
        assert "\n" not in message
        assert message.startswith((f"{cfg_path}:", f"{creds_path}:")), message
        line = message.split(":", 2)[1] if message.startswith(str(cfg_path)) else ""
        assert line == "" or line.isdigit(), message
        # the writer (configure, populate) refuses the file too
        if message.startswith(str(cfg_path)):
            with pytest.raises(ConfigError):
                ConfigDocument.parse(config)
        return None
    cfg = load_config(resolve_paths(env))
    got = ssoenv_view(cfg)
    assert got == expected
    # the whole of it, which ssoenv hands to the botocore sessions of its network calls
    assert cfg.full_config() == botocore_full(cfg_path, creds_path)
    check_agreement(config, cfg)
    return got


def check_agreement(config: bytes, cfg: AwsConfig) -> None:
    """completion, the writer (configure/populate) and list/use see the same config profiles."""
    text = config.decode("utf-8")
    config_names = list(cfg.profiles)

    def one_line(name: str) -> bool:  # completion leaves out names with control characters
        return not any(c < " " or c == "\x7f" for c in name)

    assert scan_config(text) == [n for n in config_names if one_line(n)]
    assert scan_config(text, "sso-session") == [n for n in cfg.sso_sessions if one_line(n)]
    doc = ConfigDocument.parse(config)
    doc_profiles = [ref.name for ref in doc.refs() if ref.kind == "profile"]
    assert sorted(doc_profiles) == sorted(config_names)
    for name in config_names:
        plain = {k: v for k, v in cfg.profiles[name].values.items() if isinstance(v, str)}
        written = doc.values(SectionRef.profile(name)) or {}
        assert {k: v for k, v in written.items() if not v.startswith("\n")} == plain
    for name in cfg.sso_sessions:
        plain = {k: v for k, v in cfg.sso_sessions[name].values.items() if isinstance(v, str)}
        written = doc.values(SectionRef.sso_session(name)) or {}
        assert {k: v for k, v in written.items() if not v.startswith("\n")} == plain


# --------------------------------------------------------------------------------------------
# the corpus


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_reads_like_botocore(tmp_path: Path, name: str) -> None:
    assert check_against_botocore(tmp_path, CORPUS[name]) is not None


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_corpus_is_refused_with_file_and_line(tmp_path: Path, name: str) -> None:
    data, line = REFUSED[name]
    cfg_path, creds_path, env = files(tmp_path, data)
    assert isinstance(botocore_view(cfg_path, creds_path), Exception)
    with pytest.raises(ConfigError, match=rf"^{cfg_path}:{line}: "):
        load_config(resolve_paths(env))


# --------------------------------------------------------------------------------------------
# the cases the issue names


ISSUE_CASES = {
    "profile default after default": b"[default]\nregion = a\n[profile default]\nregion = b\n",
    "default after profile default": b"[profile default]\nregion = b\n[default]\nregion = a\n",
    "quote and backslash": b'[profile "it\'s \\"q\\" a\\\\b"]\nregion = x\n',
    "shlex.quote style": ("[profile " + shlex.quote("it's a\\b") + "]\nregion = x\n").encode(),
    "uniformly indented keys": b"[profile a]\n  sso_account_id = 1\n  sso_role_name = R\n  sso_region = r\n",
    "odd line breaks stay in the line": "[profile a]\nregion = x\x0by\x0cz\x1c\x1d\x1e\x85\u2028\u2029w\n".encode(),
    "lone CR is a line break": b"[profile a]\rregion = x\r[profile b]\r\nregion = y\r\n",
    "key before the first section": b"region = x\n[profile a]\n",
    "BOM": b"\xef\xbb\xbf[profile a]\nregion = x\n",
    "DEFAULT section": b"[DEFAULT]\nregion = d\n[profile a]\noutput = json\n[sso-session s]\nsso_region = r\n",
    "header starting with profile": b"[profilex a]\nregion = x\n[profile]\n[ profile b]\n",
    "nested with VT": b"[profile a]\ns3 =\n  a = 1\x0bb = 2\n",
}


@pytest.mark.parametrize("name", sorted(ISSUE_CASES))
def test_issue_cases_read_like_botocore(tmp_path: Path, name: str) -> None:
    check_against_botocore(tmp_path, ISSUE_CASES[name])


def test_credentials_file_merges_like_botocore(tmp_path: Path) -> None:
    got = check_against_botocore(
        tmp_path,
        b"[profile a]\nregion = x\naws_access_key_id = config\n",
        b"[a]\naws_access_key_id = creds\n[b]\nregion = y\n[DEFAULT]\noutput = text\n",
    )
    assert got is not None and got["profile"]["a"]["aws_access_key_id"] == "creds"


def test_credentials_file_botocore_refuses(tmp_path: Path) -> None:
    assert check_against_botocore(tmp_path, b"[profile a]\n", b"[a]\nx = 1\nx = 2\n") is None


# --------------------------------------------------------------------------------------------
# generated files


NAME_CHARS = st.sampled_from(list("abcXY09._-:/@+'\"\\ \t]=[#;é\x0b\u2028$"))
NAMES = st.text(NAME_CHARS, min_size=1, max_size=6) | st.sampled_from(["default", "a", "b", "DEFAULT", "profile"])
INDENT = st.sampled_from(["", "", "", " ", "  ", "\t", "\x0c"])
BREAKS = st.sampled_from(["\n", "\n", "\n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028"])
VALUE = st.text(st.sampled_from(list("ab1 =:#;'\"\\\t\x0b\u2028é")), max_size=6)
KEY = st.sampled_from(["region", "Region", "sso_session", "sso_account_id", "s3", "x", "output"])


def quoted(draw: st.DrawFn, name: str) -> str:
    style = draw(st.sampled_from(["bare", "shlex", "double", "single"]))
    if style == "shlex":
        return shlex.quote(name)
    if style == "double":
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if style == "single":
        return "'" + name + "'"
    return name


@st.composite
def header(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["profile", "profile", "sso-session", "services", "default", "DEFAULT", "other"]))
    if kind in ("default", "DEFAULT"):
        return f"[{kind}]"
    if kind == "other":
        return f"[{draw(NAMES)}]"
    gap = draw(st.sampled_from([" ", " ", "  ", "\t", "x "]))
    return f"[{kind}{gap}{quoted(draw, draw(NAMES))}{draw(st.sampled_from(['', '', ' ']))}]"


@st.composite
def body_line(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["key", "key", "key", "nested", "comment", "blank", "continuation", "junk"]))
    if kind == "key":
        return f"{draw(KEY)}{draw(st.sampled_from([' = ', '=', ': ', ' :']))}{draw(VALUE)}"
    if kind == "nested":
        return f"{draw(KEY)} =\n  {draw(KEY)} = {draw(VALUE)}"
    if kind == "comment":
        return draw(st.sampled_from(["# c", "; c", "  # indented"]))
    if kind == "blank":
        return draw(st.sampled_from(["", "   "]))
    if kind == "continuation":
        return "    " + draw(VALUE)
    return draw(st.sampled_from(["just words", "=value", "[", "[]"]))


@st.composite
def config_texts(draw: st.DrawFn) -> str:
    lines: list[str] = []
    if draw(st.integers(0, 9)) == 0:
        lines.append(draw(body_line()))  # maybe a key before the first section
    for _ in range(draw(st.integers(0, 5))):
        lines.append(draw(INDENT) + draw(header()))
        indent = draw(INDENT)
        for _ in range(draw(st.integers(0, 3))):
            lines.append(indent + draw(body_line()))
    text = "".join(line + draw(BREAKS) for line in lines)
    if draw(st.integers(0, 19)) == 0:
        text = "\ufeff" + text
    return text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=config_texts(), creds=st.none() | config_texts())
def test_generated_files_read_like_botocore(tmp_path: Path, text: str, creds: str | None) -> None:
    check_against_botocore(tmp_path, text.encode(), None if creds is None else creds.encode())


# --------------------------------------------------------------------------------------------
# the targeted lookup of big files equals the full read


@settings(max_examples=200, deadline=None)
@given(text=config_texts(), probe=NAMES)
def test_targeted_lookup_equals_full_read(text: str, probe: str) -> None:
    try:
        parsed = ini.parse(text)
        parsed.check()
    except ini.IniError:
        return
    if not parsed.plain:
        return  # such files are always read in full
    groups = ini.profile_map(parsed)
    targeted = _Targeted(text)
    for kind in ini.KINDS:
        for name in {*groups[kind], probe, "default"}:
            block = groups[kind].get(name)
            hit = targeted.find(kind, name)
            if block is None:
                assert hit is None, (kind, name)
                continue
            assert hit is not None, (kind, name)
            got_parsed, got_block = hit
            assert got_block.line == block.line
            assert got_parsed.values(got_block) == parsed.values(block)


def test_big_file_is_certified_and_then_searched(tmp_path: Path) -> None:
    body = "".join(f"[profile p{i}]\nsso_account_id = {i}\nregion = r\n\n" for i in range(3000))
    cfg_path, _, env = files(tmp_path, body.encode())
    paths = resolve_paths(env)
    first = load_config(paths)  # full read, then noted
    assert first.profiles["p1500"].values == {"sso_account_id": "1500", "region": "r"}
    second = load_config(paths)
    assert second._files[0].targeted is not None  # the noted bytes: targeted lookup
    assert second.profiles["p1500"].where("region") == f"{cfg_path}:{1500 * 4 + 3}"
    # any change to the bytes: read in full again (and a fault found)
    cfg_path.write_bytes(body.encode() + b"[profile p1]\n")
    with pytest.raises(ConfigError, match=rf"^{cfg_path}:12001: duplicate section"):
        load_config(paths)


@pytest.mark.parametrize("name", sorted(CORPUS)[:8])
def test_preloaded_botocore_session_reads_what_it_would_read_itself(tmp_path: Path, name: str) -> None:
    from ssoenv.config.profiles import preload_botocore

    cfg_path, creds_path, _ = files(tmp_path, CORPUS[name], b"[extra]\nregion = x\n")

    def session() -> Any:
        s = botocore.session.Session()
        s.set_config_variable("config_file", str(cfg_path))
        s.set_config_variable("credentials_file", str(creds_path))
        return s

    preloaded = session()
    preload_botocore(preloaded)
    assert preloaded._config is not None  # given, not read
    assert preloaded.full_config == session().full_config
    assert preloaded.available_profiles == session().available_profiles


@settings(max_examples=200, deadline=None)
@given(text=config_texts())
def test_header_scan_of_a_noted_file_equals_the_full_read(text: str) -> None:
    try:
        parsed = ini.parse(text)
        parsed.check()
    except ini.IniError:
        return
    if not parsed.plain:
        return  # never noted: always read in full
    groups = ini.profile_map(parsed)
    for kind in ini.KINDS:
        assert ini.plain_names(text, kind) == list(groups[kind])


def test_completion_of_a_big_noted_file(tmp_path: Path) -> None:
    from ssoenv.front.completion.names import read_names

    body = "".join(f"[profile p{i}]\nsso_account_id = {i}\n\n" for i in range(5000)) + "[sso-session s]\n"
    cfg_path, _, env = files(tmp_path, body.encode())
    assert read_names(env) == [f"p{i}" for i in range(5000)]  # not noted yet: read in full
    load_config(resolve_paths(env))  # notes it
    note = resolve_paths(env).lock_dir / ini.stamp_name(str(cfg_path))
    assert note.read_text() == ini.stamp(body.encode())
    assert read_names(env) == [f"p{i}" for i in range(5000)]
    assert read_names(env, "sso-session") == ["s"]
    note.write_text("0 00000000\n")  # a stale note: read in full again
    assert read_names(env) == [f"p{i}" for i in range(5000)]
