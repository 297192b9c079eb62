"""Read, resolve and validate profiles and sso-sessions from the AWS config files.

The files are read by :mod:`ssoenv.config.ini` (botocore's rules, with line numbers, so every error
names the file and line) and checked as a whole as botocore checks them: a file botocore
refuses is refused here, whichever profile is asked for. It never writes the config and never
imports botocore: ``list``, completion and cached ``use`` rely on it being fast.

Big files (``STAMP_MIN`` bytes and more) are checked once: when a full read finds no fault
and the file is ``plain`` (see :class:`ssoenv.config.ini.Ini`), its size and CRC-32 are noted in
``~/.aws/sso/ssoenv-locks/``; while the bytes are the same, one profile is then found by a
literal search for its header line (:class:`_Targeted`), which
``tests/config/test_oracle.py`` proves equal to the full read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from ssoenv.config import ini
from ssoenv.errors import ConfigError, ProfileNotFound
from ssoenv.paths import Paths

Value = str | dict[str, str]
R = TypeVar("R")

STAMP_MIN = ini.STAMP_MIN

# Keys that make botocore use another credential source; an SSO profile must not hold them.
CREDENTIAL_KEYS = (
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
    "role_arn",
    "source_profile",
    "credential_source",
    "credential_process",
    "web_identity_token_file",
)

# botocore.utils.validate_region_name
_REGION_RE = re.compile(r"^[a-zA-Z0-9](?:[a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?$")


class Section:
    """One profile, sso-session or services block of a config or credentials file: its values
    as botocore hands them out (``[DEFAULT]`` keys included) and the line of every key."""

    __slots__ = ("_at", "_default_at", "file", "kind", "line", "name", "values")

    def __init__(
        self,
        kind: str,
        name: str,
        file: Path,
        line: int,
        values: dict[str, Value] | None = None,
        at: Mapping[str, int] | None = None,
        default_at: Mapping[str, int] | None = None,
    ) -> None:
        self.kind = kind  # "profile" | "sso-session" | "services" | "credentials" | "other"
        self.name = name
        self.file = file
        self.line = line
        self.values: dict[str, Value] = {} if values is None else values
        self._at: Mapping[str, int] = {} if at is None else at  # key -> 0-based line index (the reader's)
        self._default_at = default_at  # [DEFAULT]'s keys, for the keys the section lacks

    @property
    def key_lines(self) -> dict[str, int]:
        """Each key's 1-based line (``[DEFAULT]``'s line for a key that comes from there)."""
        return {key: self._line_of(key) for key in self.values}

    def _line_of(self, key: str) -> int:
        index = self._at.get(key)
        if index is None and self._default_at is not None and key in self.values:
            index = self._default_at.get(key)
        return self.line if index is None else index + 1

    def get(self, key: str) -> str | None:
        value = self.values.get(key)
        return value if value.__class__ is str else None

    def where(self, key: str | None = None) -> str:
        line = self._line_of(key) if key else self.line
        return f"{self.file}:{line}"


class RawProfile(NamedTuple):
    """A profile's keys as botocore merges them (the credentials file's keys win), each with the
    section it comes from: ``where(key)`` is ``file:line``. Any profile, SSO or not."""

    name: str
    values: dict[str, Value]
    sources: dict[str, Section]
    section: Section  # the config-file section (else the credentials-file one)

    def get(self, key: str) -> str | None:
        value = self.values.get(key)
        return value if isinstance(value, str) else None

    def where(self, key: str | None = None) -> str:
        source = self.sources.get(key) if key else None
        return (source or self.section).where(key if source else None)


def refusal(file: Path | str, exc: ini.IniError) -> ConfigError:
    """What the reader's refusal of ``file`` says to the person: ``file:line: what`` and what to do."""
    return ConfigError(f"{file}:{exc.line}: {exc.message}", hint=exc.hint)


class _File:
    """One file's text; fully read on demand, or searched for one section when certified."""

    def __init__(self, text: str, file: Path, *, credentials_file: bool = False, certified: bool = False) -> None:
        self.text = text
        self.file = file
        self.credentials_file = credentials_file
        self.targeted = _Targeted(text) if certified and not credentials_file else None
        self._full: ini.Ini | None = None
        self._groups: dict[str, dict[str, ini.Block]] | None = None
        self.found: dict[str, dict[str, Section | None]] = {}  # kind -> name -> find()'s answer

    def full(self) -> ini.Ini:
        if self._full is None:
            try:
                parsed = ini.parse(self.text)
                parsed.check()
            except ini.IniError as exc:
                raise refusal(self.file, exc) from None
            self._full = parsed
        return self._full

    def groups(self) -> dict[str, dict[str, ini.Block]]:
        if self._groups is None:
            parsed = self.full()
            if self.credentials_file:
                self._groups = {"credentials": dict(parsed.sections)}
            else:
                self._groups = ini.profile_map(parsed)
        return self._groups

    def section(self, parsed: ini.Ini, block: ini.Block, kind: str, name: str) -> Section:
        defaults = parsed.defaults
        return Section(
            kind,
            name,
            self.file,
            block.index + 1,
            parsed.section_values(block),
            block.at,
            None if defaults is None else defaults.at,
        )

    def plain_values(self, kind: str, name: str) -> dict[str, str] | None:
        """A section's values as :class:`Section` has them, without making the Section (every
        row of ``list``), when the whole file is read and they are all strings (one line per
        key, no ``[DEFAULT]``: the common case); None otherwise, or when there is none."""
        groups = self._groups
        group = None if groups is None else groups.get(kind)
        block = None if group is None else group.get(name)
        if block is None or block.more:
            return None
        parsed = self._full
        assert parsed is not None  # the groups come from it
        return block.first if parsed.defaults is None else None  # shared with the reader: not to be changed

    def find(self, kind: str, name: str) -> Section | None:
        known = self.found.get(kind)
        if known is None:
            known = self.found[kind] = {}
        elif name in known:
            return known[name]
        found: Section | None = None
        if self._groups is None and self.targeted is not None:
            hit = self.targeted.find(kind, name)
            if hit is not None:
                parsed, block = hit
                found = self.section(parsed, block, kind, name)
        else:
            winner = self.groups().get(kind, {}).get(name)
            if winner is not None:
                found = self.section(self.full(), winner, kind, name)
        known[name] = found
        return found


class _Targeted:
    """One section of a certified (fault-free, ``plain``) file, found without reading the rest.

    In such a file the header lines are exactly the lines that start with ``[``, a header's text
    runs to the line's last ``]`` and splits into words at spaces and tabs; the section named
    ``kind NAME`` is the last header ``[KIND... NAME]`` (the first word only has to start with
    the kind, like botocore's ``startswith``), or ``[default]`` for the profile ``default``.
    """

    def __init__(self, text: str) -> None:
        self.text = text

    def find(self, kind: str, name: str) -> tuple[ini.Ini, ini.Block] | None:
        if kind not in ini.KINDS or not name or any(c in name for c in " \t\n\r\"'\\"):
            return None  # such names need quotes, which a plain file has none of
        text = self.text
        pattern = rf"\[({re.escape(kind)}[^ \t\n]*[ \t]+{re.escape(name)}[ \t]*)\][^\]\n]*$"
        if kind == "profile" and name == "default":
            pattern = rf"(?:{pattern}|\[default\][^\]\n]*$)"
        last = None
        for match in re.finditer(pattern, text, re.M):
            start = match.start()
            if start == 0 or text[start - 1] == "\n":
                last = start
        if last is None:
            return None
        following = text.find("\n[", last)
        end = len(text) if following < 0 else following + 1
        parsed = ini.parse(text[last:end], base=text.count("\n", 0, last))
        return parsed, parsed.blocks[0]


_UNKNOWN: Any = object()


class Sections(Mapping[str, Section]):
    """Sections of one kind, in file order, each read only when first looked at."""

    def __init__(self, file: _File, kind: str) -> None:
        self._file = file
        self._kind = kind
        self._known = file.found.setdefault(kind, {})  # what find() answered (asked once per name)

    def __getitem__(self, name: str) -> Section:
        section = self.get(name)
        if section is None:
            raise KeyError(name)
        return section

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def get(self, name: str, default: Section | None = None) -> Section | None:  # type: ignore[override]
        section = self._known.get(name, _UNKNOWN)
        if section is _UNKNOWN:
            section = self._file.find(self._kind, name)
        return default if section is None else section

    def __iter__(self) -> Iterator[str]:
        return iter(self._file.groups().get(self._kind, {}))

    def __len__(self) -> int:
        return len(self._file.groups().get(self._kind, {}))


class AwsConfig:
    """The config and credentials files: profiles, sso-sessions and services blocks by name."""

    def __init__(self, config_file: Path, credentials_file: Path) -> None:
        self.config_file = config_file
        self.credentials_file = credentials_file
        self.profiles: Mapping[str, Section] = {}
        self.sso_sessions: Mapping[str, Section] = {}
        self.services: Mapping[str, Section] = {}
        self.credentials: Mapping[str, Section] = {}
        self._files: list[_File] = []
        self._sessions: dict[str, SsoSession] = {}  # session_by_name's answers
        self._merged: dict[str, dict[str, Value]] = {}  # merged(): each profile's keys, both files
        self._plain: dict[str, dict[str, str]] = {}  # those of them that hold strings only

    def check(self) -> None:
        """Raise ConfigError (file:line) when botocore would refuse either file."""
        for file in self._files:
            file.full()

    def profile(self, name: str) -> Section:
        section = self.profiles.get(name)
        if section is None and self.credentials:
            section = self.credentials.get(name)
        if section is None:
            raise profile_not_found(self, name)
        return section

    def profile_names(self) -> list[str]:
        return sorted(set(self.profiles) | set(self.credentials))

    def merged(self, profile: str) -> dict[str, Value]:
        """A profile's keys as botocore sees them (empty when there is no such profile): the
        credentials file's keys win over the config file's (botocore merges them with
        ``dict.update``). Read once per profile; not to be changed."""
        merged = self._merged.get(profile)
        if merged is None:
            if len(self._files) == 1 and not self._files[0].credentials_file:
                plain = self._files[0].plain_values("profile", profile)  # the config file alone
                if plain is not None:
                    self._merged[profile] = self._plain[profile] = plain  # type: ignore[assignment]
                    return self._merged[profile]
            config = self.profiles.get(profile)
            creds = self.credentials.get(profile) if self.credentials else None
            if creds is None:
                merged = config.values if config is not None else {}
            else:
                merged = dict(config.values) if config is not None else {}
                merged.update(creds.values)
            self._merged[profile] = merged
        return merged

    def strings(self, profile: str, keys: tuple[str, ...]) -> list[str | None]:
        """:meth:`value` of several keys at once."""
        plain = self._plain.get(profile)
        if plain is None:
            merged = self.merged(profile)
            plain = self._plain.get(profile)
            if plain is None:  # a nested block (``s3 =`` + indented lines) is no string
                return [v if v.__class__ is str else None for v in map(merged.get, keys)]
        return list(map(plain.get, keys))

    def value(self, profile: str, key: str) -> str | None:
        """A profile key as botocore sees it (see :meth:`merged`); None for a nested block."""
        merged = self._merged.get(profile)
        value = (self.merged(profile) if merged is None else merged).get(key)
        return value if value.__class__ is str else None

    def full_config(self) -> dict[str, Any]:
        """Exactly what ``botocore.session.Session().full_config`` is for these two files (the
        oracle test compares them), so a botocore session can be given it instead of reading
        a big file again (:func:`preload_botocore`)."""
        with ini.GcPaused():  # a dict per profile: many objects, no cycles
            return self._full_config()

    def _full_config(self) -> dict[str, Any]:
        out: dict[str, Any] = {"profiles": {}}
        if self._files and not self._files[0].credentials_file:
            config = self._files[0]
            groups = config.groups()
            parsed = config.full()
            read = parsed.section_values  # a new dict each time
            for header, block in groups["other"].items():
                out[header] = read(block)
            out["profiles"] = {name: read(block) for name, block in groups["profile"].items()}
            out["sso_sessions"] = {name: read(block) for name, block in groups["sso-session"].items()}
            out["services"] = {name: read(block) for name, block in groups["services"].items()}
        for name in self.credentials:
            values = self.credentials[name].values
            if name in out["profiles"]:
                out["profiles"][name].update(values)
            else:
                out["profiles"][name] = dict(values)
        return out

    def raw_profile(self, name: str) -> RawProfile:
        """Every key of one profile (SSO or not) as botocore merges the two files, with file:line
        of each; raises ProfileNotFound."""
        config = self.profiles.get(name)
        creds = self.credentials.get(name) if self.credentials else None
        if config is None and creds is None:
            raise profile_not_found(self, name)
        values: dict[str, Value] = {}
        sources: dict[str, Section] = {}
        for section in (config, creds):
            if section is not None:
                values.update(section.values)
                sources.update(dict.fromkeys(section.values, section))
        main = config if config is not None else creds
        assert main is not None
        return RawProfile(name, values, sources, main)


def profile_not_found(cfg: AwsConfig, name: str) -> ProfileNotFound:
    import difflib

    names = cfg.profile_names()
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    if not close:
        close = [n for n in names if name.lower() in n.lower()][:3]
    hint = f"did you mean: {', '.join(close)}?" if close else "run `ssoenv list` to see them"
    if not names:
        hint = "the file has no profiles; run `ssoenv configure` to create one"
    return ProfileNotFound(f"profile {name!r} not found in {cfg.config_file}", hint=hint)


def read_text(path: Path) -> tuple[str, bytes] | None:
    """A config or credentials file's text (None when it does not exist), or one clear error."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except NotADirectoryError as exc:
        raise ConfigError(f"cannot read {path}: a part of that path is not a directory") from exc
    except IsADirectoryError as exc:
        raise ConfigError(
            f"{path} is a directory, not a config file",
            hint="point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at a file",
        ) from exc
    except PermissionError as exc:
        raise ConfigError(f"cannot read {path}: permission denied") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        return ini.decode(data), data
    except ini.IniError as exc:
        raise refusal(path, exc) from exc


def _stamp_path(paths: Paths, file: Path) -> Path:
    return paths.lock_dir / ini.stamp_name(str(file))


def _certified(paths: Paths, file: Path, data: bytes) -> bool:
    return ini.noted(data, str(_stamp_path(paths, file)))


def _certify(paths: Paths, file: Path, data: bytes) -> None:
    """Note that these bytes were read without fault (best effort: a failure only costs time)."""
    import contextlib

    from ssoenv.errors import SsoenvError
    from ssoenv.fsutil import atomic_write

    with contextlib.suppress(OSError, SsoenvError):  # a missing note only costs a full read next time
        atomic_write(_stamp_path(paths, file), ini.stamp(data).encode())


def load_config(paths: Paths, *, check: bool = True, certify: bool = True) -> AwsConfig:
    """Both files; with ``check`` (the default) a file botocore refuses raises ConfigError with
    file:line here, before anything is looked up. ``certify``: note a big checked file (see the
    module docstring)."""
    cfg = AwsConfig(config_file=paths.config_file, credentials_file=paths.credentials_file)
    read = read_text(paths.config_file)
    if read is not None:
        text, data = read
        certified = _certified(paths, paths.config_file, data)
        file = _File(text, paths.config_file, certified=certified)
        cfg._files.append(file)
        cfg.profiles = Sections(file, "profile")
        cfg.sso_sessions = Sections(file, "sso-session")
        cfg.services = Sections(file, "services")
        if check and not certified:
            parsed = file.full()
            if certify and parsed.plain and len(data) >= STAMP_MIN:
                _certify(paths, paths.config_file, data)
    read = read_text(paths.credentials_file)
    if read is not None:
        file = _File(read[0], paths.credentials_file, credentials_file=True)
        cfg._files.append(file)
        cfg.credentials = Sections(file, "credentials")
        if check:
            file.full()
    return cfg


def preload_botocore(session: Any) -> None:
    """Give a botocore session the files it would read, as read here (one read of a big config
    per command instead of two; botocore's configparser is several times slower than ini).

    The files are the ones the session itself would read (its ``config_file`` and
    ``credentials_file`` variables, expanded as botocore expands them). When ssoenv refuses them,
    the session is left to read them itself (and fail the same way, at the error boundary).
    """
    import os

    def expand(name: str) -> Path:
        return Path(os.path.expanduser(os.path.expandvars(str(session.get_config_variable(name)))))

    paths = Paths(
        home=Path(os.path.expanduser("~")),
        config_file=expand("config_file"),
        credentials_file=expand("credentials_file"),
    )
    try:
        cfg = load_config(paths, certify=False)
        full = cfg.full_config()
    except ConfigError:
        return
    session._config = full


# --------------------------------------------------------------------------------------------
# Resolution


class SsoSession(NamedTuple):
    """Where and how to log in: an ``[sso-session]`` or the legacy keys of one profile."""

    name: str | None  # None for legacy profiles
    start_url: str
    region: str
    scopes: tuple[str, ...] = ()
    callback_port: int | None = None

    @property
    def cache_key_source(self) -> str:
        """What the token file name hashes: the session name, else the start URL as written."""
        return self.name if self.name is not None else self.start_url

    @property
    def label(self) -> str:
        return f"sso-session {self.name}" if self.name is not None else self.start_url

    @property
    def refreshable(self) -> bool:
        return self.name is not None


class SsoProfile(NamedTuple):
    name: str
    account_id: str
    role_name: str
    session: SsoSession
    region: str | None = None


def _parse_scopes(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(item.strip() for item in value.split(",") if item.strip())


def _parse_port(value: str | None, where: str) -> int | None:
    if value is None or value == "":
        return None
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigError(f"{where}: ssoenv_callback_port must be a port number, not {value!r}")
    return int(value)


def is_region_name(value: str) -> bool:
    """A name botocore accepts as a region (else it refuses to build a client: InvalidRegionError)."""
    return bool(_REGION_RE.match(value))


def check_sso_region(region: str, where: str) -> str:
    """The region, unless botocore would refuse to build a client for it (InvalidRegionError);
    ``where`` is the file:line of the key, for the message."""
    if not _REGION_RE.match(region):
        raise ConfigError(
            f"{where}: sso_region {region!r} is not a valid region name",
            hint="use the region of your IAM Identity Center instance, such as us-east-1",
        )
    return region


def _is_vanity(start_url: str | None) -> bool:
    from ssoenv.config.starturl import needs_resolving

    return bool(start_url) and needs_resolving(start_url or "")


def session_by_name(cfg: AwsConfig, name: str) -> SsoSession:
    known = cfg._sessions.get(name)
    if known is None:
        known = cfg._sessions[name] = _session_by_name(cfg, name)
    return known


def _session_by_name(cfg: AwsConfig, name: str) -> SsoSession:
    section = cfg.sso_sessions.get(name)
    if section is None:
        known = ", ".join(sorted(cfg.sso_sessions)) or "none"
        raise ConfigError(
            f'The specified sso-session does not exist: "{name}"',
            hint=f"sessions in {cfg.config_file}: {known}",
        )
    missing = [k for k in ("sso_start_url", "sso_region") if not section.get(k)]
    if missing == ["sso_region"] and _is_vanity(section.get("sso_start_url")):
        missing = []  # found at login from where the start URL leads (ssoenv.config.starturl)
    if missing:
        raise ConfigError(
            f"[sso-session {name}] ({section.where()}) is missing required configuration: " + ", ".join(missing),
            hint="run `ssoenv configure` or add the keys",
        )
    region = section.get("sso_region") or ""
    if region and not _REGION_RE.match(region):
        check_sso_region(region, section.where("sso_region"))
    port = section.get("ssoenv_callback_port")
    return SsoSession(
        name=name,
        start_url=section.get("sso_start_url") or "",
        # a vanity start URL without sso_region: "" until the login derives it (ssoenv.config.starturl)
        region=region,
        scopes=_parse_scopes(section.get("sso_registration_scopes")),
        callback_port=None if port is None else _parse_port(port, section.where("ssoenv_callback_port")),
    )


_CREDENTIAL_KEY_SET = frozenset(CREDENTIAL_KEYS)


def _check_no_credential_keys(cfg: AwsConfig, name: str) -> None:
    if _CREDENTIAL_KEY_SET.isdisjoint(cfg.merged(name)):
        return  # both files' keys are in the merged view
    for source in (cfg.profiles.get(name), cfg.credentials.get(name)):
        if source is None:
            continue
        for key in CREDENTIAL_KEYS:
            if key in source.values:
                raise ConfigError(
                    f"profile {name!r} uses SSO but also sets {key} ({source.where(key)})",
                    hint=f"remove {key} from it, or use a separate profile for those credentials",
                )


def login_session_for_profile(cfg: AwsConfig, name: str) -> SsoSession:
    """The session ``ssoenv login PROFILE`` logs in to (``aws sso login`` rules, §1.3 item 5)."""
    cfg.profile(name)  # raises ProfileNotFound
    session_name = cfg.value(name, "sso_session")
    if session_name:
        return session_by_name(cfg, session_name)
    start_url = cfg.value(name, "sso_start_url")
    region = cfg.value(name, "sso_region")
    missing = [k for k, v in (("sso_start_url", start_url), ("sso_region", region)) if not v]
    if missing:
        raise ConfigError(
            f"profile {name!r} is not configured for SSO: missing " + ", ".join(missing),
            hint="run `ssoenv configure` to set it up",
        )
    assert start_url is not None and region is not None
    where = cfg.raw_profile(name).where("sso_region")
    return SsoSession(name=None, start_url=start_url, region=check_sso_region(region, where))


_RESOLVED_KEYS = ("sso_account_id", "sso_role_name", "sso_session", "sso_start_url", "sso_region", "region")


def resolve_profile(cfg: AwsConfig, name: str) -> SsoProfile:
    """Resolve a profile to role credentials settings with botocore's validation rules."""
    values = cfg.merged(name)
    if not values:
        cfg.profile(name)  # raises ProfileNotFound (an empty section goes on: not an SSO profile)
    account, role, session_name, start_url, sso_region, region = cfg.strings(name, _RESOLVED_KEYS)
    if not account and not role:
        from ssoenv.shells import shell_word

        raise ConfigError(
            f"profile {name!r} ({cfg.profile(name).where()}) is not an SSO role profile: it has no "
            "sso_account_id or sso_role_name",
            hint=f"run `ssoenv configure --profile {shell_word(name)}`",
        )
    if not _CREDENTIAL_KEY_SET.isdisjoint(values):
        _check_no_credential_keys(cfg, name)
    if session_name:
        sess_section = cfg.sso_sessions.get(session_name)
        if sess_section is None:
            raise ConfigError(
                f'The specified sso-session does not exist: "{session_name}"',
                hint=f"profile {name!r} names it at {cfg.profile(name).where('sso_session')}",
            )
        for key, prof_val in (("sso_start_url", start_url), ("sso_region", sso_region)):
            sess_val = sess_section.get(key)
            if sess_val is None:
                continue
            if prof_val is not None and prof_val != sess_val:
                raise ConfigError(
                    f"The value for {key} is inconsistent between profile ({prof_val}) and sso-session ({sess_val})",
                    hint=f"profile {name!r} at {cfg.profile(name).where(key)}; session at {sess_section.where(key)}",
                )
            if key == "sso_start_url":
                start_url = sess_val
            else:
                sso_region = sess_val
    if not (start_url and account and role and (sso_region or (session_name and _is_vanity(start_url)))):
        missing = [
            k
            for k, v in (
                ("sso_start_url", start_url),
                ("sso_region", sso_region or (session_name and _is_vanity(start_url))),
                ("sso_account_id", account),
                ("sso_role_name", role),
            )
            if not v
        ]
        raise ConfigError(
            f'The profile "{name}" is configured to use SSO but is missing required configuration: '
            + ", ".join(missing),
            hint=f"see {cfg.profile(name).where()}",
        )
    assert account and role
    if session_name:
        session = session_by_name(cfg, session_name)
    else:
        checked = check_sso_region(sso_region or "", cfg.raw_profile(name).where("sso_region"))
        session = SsoSession(name=None, start_url=start_url or "", region=checked)
    return tuple.__new__(SsoProfile, (name, account, role, session, region))  # SsoProfile(...), at C speed


def is_sso_role(cfg: AwsConfig, name: str) -> bool:
    """Does ``name`` look like an SSO role profile (botocore's ``SSOProvider`` takes it)?"""
    return bool(cfg.value(name, "sso_account_id") or cfg.value(name, "sso_role_name"))


def resolve_all(
    cfg: AwsConfig, wanted: Callable[[AwsConfig, str], bool], resolve: Callable[[AwsConfig, str], R]
) -> list[tuple[str, R | ConfigError]]:
    """Every ``wanted`` profile, in name order, resolved (or the error it gives)."""
    out: list[tuple[str, R | ConfigError]] = []
    for name in cfg.profile_names():
        if wanted(cfg, name):
            try:
                out.append((name, resolve(cfg, name)))
            except ConfigError as exc:
                out.append((name, exc))
    return out


def sso_profiles(cfg: AwsConfig) -> list[tuple[str, SsoProfile | ConfigError]]:
    """Every profile that looks like an SSO role profile, resolved (or the error it gives)."""
    return resolve_all(cfg, is_sso_role, resolve_profile)


def environ_profile(environ: Mapping[str, str]) -> str | None:
    """The profile the AWS CLI v2 picks from the environment: AWS_PROFILE, then AWS_DEFAULT_PROFILE."""
    return environ.get("AWS_PROFILE") or environ.get("AWS_DEFAULT_PROFILE") or None
