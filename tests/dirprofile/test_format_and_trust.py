"""The .ssoenv format (strict, data only) and the trust store (allow / changed / deny)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from ssoenv.errors import ConfigError, UsageError
from ssoenv.features import dirprofile as dp
from ssoenv.paths import dir_trust_file


def parse(text: str | bytes) -> dp.DirProfile:
    data = text.encode() if isinstance(text, str) else text
    return dp.parse(data, Path("/p/.ssoenv"))


@pytest.mark.parametrize(
    ("text", "profile", "region"),
    [
        ("profile = dev\n", "dev", None),
        ("profile=dev", "dev", None),
        ("# team default\n\n  profile = acme-prod \nregion = eu-west-1\n", "acme-prod", "eu-west-1"),
        ("\ufeffprofile = dev\r\nregion = us-east-2\r\n", "dev", "us-east-2"),
        ("profile = it's a\\b\n", "it's a\\b", None),
        ("\tprofile\t=\tdev\t\n", "dev", None),
    ],
)
def test_valid_files(text: str, profile: str, region: str | None) -> None:
    spec = parse(text)
    assert (spec.profile, spec.region) == (profile, region)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "/p/.ssoenv: no `profile = NAME` line"),
        ("# nothing\n", "/p/.ssoenv: no `profile = NAME` line"),
        ("dev\n", "/p/.ssoenv:1: not `key = value`: 'dev'"),
        ("profile = dev\nexport X=1\n", "/p/.ssoenv:2: unknown key 'export X'"),
        ("profile = dev\nprofile = prod\n", "/p/.ssoenv:2: profile given twice"),
        ("profile =\n", "/p/.ssoenv:1: profile must be a plain name, not ''"),
        ("profile = a\x1bb\n", "/p/.ssoenv:1: profile must be a plain name, not 'a\\x1bb'"),
        ("profile = dev\nregion = EU west\n", "/p/.ssoenv:2: 'EU west' is not a region name (like eu-west-1)"),
        ("profile = $(rm -rf ~)\nregion = `id`\n", "/p/.ssoenv:2: '`id`' is not a region name"),
        (b"profile = d\xffv\n", "/p/.ssoenv: not UTF-8 text"),
        ("profile = dev\n" + "#" * 5000, "/p/.ssoenv: 5014 bytes, more than a .ssoenv may hold (4096)"),
    ],
)
def test_anything_else_is_one_clear_line(text: str | bytes, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse(text)
    assert str(info.value).startswith(message), str(info.value)
    assert "\n" not in str(info.value)
    assert "profile = NAME" in str(info.value)  # the hint says what the format is


def test_nearest_and_target(tmp_path: Path) -> None:
    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    outer = tmp_path / "a" / ".ssoenv"
    inner = tmp_path / "a" / "b" / ".ssoenv"
    outer.write_text("profile = dev\n")
    assert dp.nearest(tmp_path / "a" / "b" / "c") == outer
    inner.write_text("profile = prod\n")
    assert dp.nearest(tmp_path / "a" / "b" / "c") == inner
    assert dp.nearest(tmp_path) != outer
    assert dp.target(None, tmp_path / "a" / "b" / "c") == inner
    assert dp.target("..", tmp_path / "a" / "b" / "c") == inner
    assert dp.target(str(outer), tmp_path) == outer
    with pytest.raises(UsageError, match=r"not a \.ssoenv file or a folder"):
        dp.target(str(tmp_path / "a" / "other"), tmp_path)


def test_trust_store(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    folder = tmp_path / "proj"
    folder.mkdir()
    file = folder / ".ssoenv"
    file.write_text("profile = dev\n")
    data = file.read_bytes()
    assert dp.trust(file, data, env) == "unknown"
    dp.allow(file, data, env)
    assert dp.trust(file, data, env) == "allowed"
    store = dir_trust_file(env)
    assert store == tmp_path / "data" / "ssoenv" / "allowed.json"
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.parent.stat().st_mode) == 0o700
    # the content's hash, not the content: nothing of the file is kept
    assert json.loads(store.read_text())["allowed"] == {str(file): dp.digest(data)}
    # a changed file is not the file that was allowed
    assert dp.trust(file, b"profile = prod\n", env) == "changed"
    # the same folder reached through a symlink is the same file; a link from elsewhere is not
    link = tmp_path / "link"
    link.symlink_to(folder)
    assert dp.trust(link / ".ssoenv", data, env) == "allowed"
    other = tmp_path / "other"
    other.mkdir()
    (other / ".ssoenv").symlink_to(file)
    assert dp.trust(other / ".ssoenv", data, env) == "unknown"
    assert dp.deny(file, env) is True
    assert dp.deny(file, env) is False
    assert dp.trust(file, data, env) == "unknown"


def test_xdg_default(tmp_path: Path) -> None:
    assert dir_trust_file({"HOME": str(tmp_path)}) == tmp_path / ".local" / "share" / "ssoenv" / "allowed.json"
    # a relative XDG_DATA_HOME is ignored, as the XDG spec says
    assert dir_trust_file({"HOME": str(tmp_path), "XDG_DATA_HOME": "rel"}).is_relative_to(tmp_path)


def test_snapshot_restores_exactly() -> None:
    from ssoenv.shells.envvars import apply

    before = {"PATH": "/bin", "AWS_PROFILE": "old", "AWS_REGION": "xx-old-1", "SSOENV_PROFILE": "dev"}
    restore = dp.snapshot(before)
    after = {"PATH": "/bin", "SSOENV_PROFILE": "prod", "AWS_ACCESS_KEY_ID": "ASIA", "SSOENV_SAVED": "AWS_PROFILE"}
    assert apply(after, restore) == before
