"""Read, resolve and validate profiles and sso-sessions from the AWS config files.

A small line parser with botocore's semantics (RawConfigParser: lower-cased option names,
whole-line ``#``/``;`` comments, indented continuation lines, nested blocks for options whose
value starts on the next line) that keeps line numbers, so every error can name the file and
line. It never writes and never imports botocore: ``list``, completion and cached ``use`` rely
on it being fast.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

from ssoenv.errors import ConfigError, ProfileNotFound
from ssoenv.paths import Paths

Value = str | dict[str, str]

_OPTION_RE = re.compile(r"^(?P<key>[^=:\s][^=:]*?)\s*(?P<sep>[=:])\s*(?P<value>.*)$")

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


class Section:
    """One ``[...]`` block of a config or credentials file."""

    __slots__ = ("file", "key_lines", "kind", "line", "name", "values")

    def __init__(self, kind: str, name: str, file: Path, line: int) -> None:
        self.kind = kind  # "profile" | "sso-session" | "services" | "credentials" | "other"
        self.name = name
        self.file = file
        self.line = line
        self.values: dict[str, Value] = {}
        self.key_lines: dict[str, int] = {}

    def get(self, key: str) -> str | None:
        value = self.values.get(key)
        return value if isinstance(value, str) else None

    def where(self, key: str | None = None) -> str:
        line = self.key_lines.get(key, self.line) if key else self.line
        return f"{self.file}:{line}"


Span = tuple[str, int, int, int]  # raw header, line, body start, body end


class _FileIndex:
    """Where each section of one file is. A lookup of one name is a targeted regex search (C
    speed, no Python loop over the file); the full index is built only when someone iterates."""

    def __init__(self, text: str, file: Path, *, credentials_file: bool = False) -> None:
        self.text = text
        self.file = file
        self.credentials_file = credentials_file
        self._groups: dict[str, dict[str, Span]] | None = None
        self._found: dict[tuple[str, str], Span | None] = {}

    def groups(self) -> dict[str, dict[str, Span]]:
        if self._groups is None:
            self._groups = index_text(self.text, self.file, credentials_file=self.credentials_file)
        return self._groups

    def find(self, kind: str, name: str) -> Span | None:
        if self._groups is not None:
            return self._groups.get(kind, {}).get(name)
        key = (kind, name)
        if key not in self._found:
            self._found[key] = self._search(kind, name)
        return self._found[key]

    def _search(self, kind: str, name: str) -> Span | None:
        word = re.escape(name)
        if self.credentials_file:
            inner = word if kind == "credentials" else None
        elif kind == "profile" and name == "default":
            inner = "default"
        elif re.search(r"[\s\"'\\]", name):
            inner = rf"{re.escape(kind)}[ \t]+(?:\"{word}\"|'{word}')"  # such names must be quoted
        else:
            inner = rf"{re.escape(kind)}[ \t]+(?:{word}|\"{word}\"|'{word}')"
        if inner is None:
            return None
        # starts with a literal "[" so the regex engine skips ahead fast; line starts are checked here
        pattern = re.compile(rf"\[([ \t]*{inner}[ \t]*)\]")
        text = self.text
        matches = []
        for found in pattern.finditer(text):
            line_start = text.rfind("\n", 0, found.start()) + 1
            if text[line_start : found.start()].strip(" \t") == "":
                matches.append(found)
        if not matches:
            return None
        count = text.count
        if len(matches) > 1:
            first, second = (count("\n", 0, m.start()) + 1 for m in matches[:2])
            raise ConfigError(
                f"{self.file}:{second}: duplicate section [{matches[1].group(1).strip()}] (first at line {first})",
                hint="merge the two sections; the AWS CLI refuses this file too",
            )
        match = matches[0]
        newline = text.find("\n", match.end())
        body = len(text) if newline < 0 else newline + 1
        following = _HEADER_LINE_RE.search(text, body)
        end = following.start() if following else len(text)
        return (match.group(1), count("\n", 0, match.start()) + 1, body, end)


class Sections(Mapping[str, Section]):
    """Sections of one kind, in file order, each parsed only when first looked at."""

    def __init__(self, index: _FileIndex, kind: str) -> None:
        self._index = index
        self._kind = kind
        self._parsed: dict[str, Section] = {}

    def __getitem__(self, name: str) -> Section:
        section = self._parsed.get(name)
        if section is None:
            span = self._index.find(self._kind, name)
            if span is None:
                raise KeyError(name)
            raw, line, start, end = span
            section = _parse_body(self._index.text[start:end], Section(self._kind, name, self._index.file, line), raw)
            self._parsed[name] = section
        return section

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (name in self._parsed or self._index.find(self._kind, name) is not None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._index.groups().get(self._kind, {}))

    def __len__(self) -> int:
        return len(self._index.groups().get(self._kind, {}))


class AwsConfig:
    """The config and credentials files: profiles, sso-sessions and services blocks by name."""

    def __init__(self, config_file: Path, credentials_file: Path) -> None:
        self.config_file = config_file
        self.credentials_file = credentials_file
        self.profiles: Mapping[str, Section] = {}
        self.sso_sessions: Mapping[str, Section] = {}
        self.services: Mapping[str, Section] = {}
        self.credentials: Mapping[str, Section] = {}

    def profile(self, name: str) -> Section:
        if name in self.profiles:
            return self.profiles[name]
        if name in self.credentials:
            return self.credentials[name]
        raise profile_not_found(self, name)

    def profile_names(self) -> list[str]:
        return sorted(set(self.profiles) | set(self.credentials))

    def value(self, profile: str, key: str) -> str | None:
        """A profile key as botocore sees it: the credentials file wins over the config file."""
        if self.credentials and profile in self.credentials:
            value = self.credentials[profile].get(key)
            if value is not None:
                return value
        section = self.profiles.get(profile)
        return section.get(key) if section is not None else None


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


def _split_header(raw: str) -> list[str] | None:
    import shlex

    try:
        return shlex.split(raw)
    except ValueError:
        return None


def _classify(raw_name: str, *, credentials_file: bool) -> tuple[str, str] | None:
    raw = raw_name.strip()
    if credentials_file:
        return ("credentials", raw)
    if raw == "default":
        return ("profile", "default")
    for prefix, kind in (("profile", "profile"), ("sso-session", "sso-session"), ("services", "services")):
        if raw.startswith(prefix) and raw[len(prefix) : len(prefix) + 1].isspace():
            rest = raw[len(prefix) :].strip()
            if rest and not any(c in rest for c in " \t\"'\\"):
                return (kind, rest)  # the common case, without shlex
            words = _split_header(raw)
            if words is None or len(words) != 2:
                return None  # botocore silently drops such a section
            return (kind, words[1])
    return ("other", raw)


def _parse_body(body: str, current: Section, raw_header: str) -> Section:
    """Parse the lines after one header (``body`` starts right after the header line) into ``current``."""
    file, header_line = current.file, current.line
    last_key: str | None = None
    nested: dict[str, str] | None = None
    for offset, raw_line in enumerate(body.splitlines(), start=1):
        number = header_line + offset
        line = raw_line.rstrip()
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if line[0].isspace() and last_key is not None:
            # continuation: either a nested "k = v" (value started empty) or more text
            value = current.values[last_key]
            if nested is not None or value == "":
                if nested is None:
                    nested = {}
                    current.values[last_key] = nested
                match = _OPTION_RE.match(stripped)
                if match:
                    nested[match["key"].strip().lower()] = match["value"].strip()
                continue
            if isinstance(value, str):
                current.values[last_key] = value + "\n" + stripped
            continue
        match = _OPTION_RE.match(stripped)
        if not match:
            raise ConfigError(
                f"{file}:{number}: cannot parse this line: {stripped[:60]!r}",
                hint="expected [section] or key = value",
            )
        key = match["key"].strip().lower()
        if key in current.values:
            raise ConfigError(
                f"{file}:{number}: key {key!r} repeated in [{raw_header.strip()}] (first at line "
                f"{current.key_lines[key]})",
                hint="remove one of them; the AWS CLI refuses this file too",
            )
        current.values[key] = match["value"].strip()
        current.key_lines[key] = number
        last_key = key
        nested = None
    return current


# group 1: the raw header; 2/3: kind and name of the common unquoted forms; 4: [default]
_HEADER_LINE_RE = re.compile(
    r"^[ \t]*\[((?:(profile|sso-session|services)[ \t]+([^\s\]\"'\\]+)[ \t]*)|(default)|[^\]\r\n]+)\][^\n]*\n?",
    re.M,
)


def index_text(text: str, file: Path, *, credentials_file: bool = False) -> dict[str, dict[str, Span]]:
    """Find every section header (one regex pass) and group their spans by kind."""
    groups: dict[str, dict[str, Span]] = {}
    seen: dict[tuple[str, str], int] = {}
    headers = list(_HEADER_LINE_RE.finditer(text))
    first = headers[0].start() if headers else len(text)
    preamble = text[:first]
    for offset, raw_line in enumerate(preamble.splitlines(), start=1):
        stripped = raw_line.strip()
        if stripped and stripped[0] not in "#;":
            raise ConfigError(
                f"{file}:{offset}: a key before any [section]: {stripped[:60]!r}",
                hint="put it inside a [profile NAME] or [default] section",
            )
    line = preamble.count("\n") + 1
    previous = first
    count = text.count
    for i, match in enumerate(headers):
        start = match.start()
        line += count("\n", previous, start)
        previous = start
        raw, kind, name, default = match.groups()
        if credentials_file:
            kind, name = "credentials", raw.strip()
        elif default is not None:
            kind, name = "profile", "default"
        elif kind is None:
            classified = _classify(raw, credentials_file=False)
            if classified is None:
                continue
            kind, name = classified
        key = (kind, name)
        if key in seen:
            raise ConfigError(
                f"{file}:{line}: duplicate section [{raw.strip()}] (first at line {seen[key]})",
                hint="merge the two sections; the AWS CLI refuses this file too",
            )
        seen[key] = line
        group = groups.get(kind)
        if group is None:
            group = groups[kind] = {}
        end = headers[i + 1].start() if i + 1 < len(headers) else len(text)
        group[name] = (raw, line, match.end(), end)
    return groups


def _read(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    except PermissionError as exc:
        raise ConfigError(f"cannot read {path}: permission denied") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not valid UTF-8 (byte {exc.start})") from exc


def load_config(paths: Paths) -> AwsConfig:
    cfg = AwsConfig(config_file=paths.config_file, credentials_file=paths.credentials_file)
    text = _read(paths.config_file)
    if text is not None:
        index = _FileIndex(text, paths.config_file)
        cfg.profiles = Sections(index, "profile")
        cfg.sso_sessions = Sections(index, "sso-session")
        cfg.services = Sections(index, "services")
    text = _read(paths.credentials_file)
    if text is not None:
        cfg.credentials = Sections(_FileIndex(text, paths.credentials_file, credentials_file=True), "credentials")
    return cfg


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


def session_by_name(cfg: AwsConfig, name: str) -> SsoSession:
    section = cfg.sso_sessions.get(name)
    if section is None:
        known = ", ".join(sorted(cfg.sso_sessions)) or "none"
        raise ConfigError(
            f'The specified sso-session does not exist: "{name}"',
            hint=f"sessions in {cfg.config_file}: {known}",
        )
    missing = [k for k in ("sso_start_url", "sso_region") if not section.get(k)]
    if missing:
        raise ConfigError(
            f"[sso-session {name}] ({section.where()}) is missing required configuration: " + ", ".join(missing),
            hint="run `ssoenv configure` or add the keys",
        )
    return SsoSession(
        name=name,
        start_url=section.get("sso_start_url") or "",
        region=section.get("sso_region") or "",
        scopes=_parse_scopes(section.get("sso_registration_scopes")),
        callback_port=_parse_port(section.get("ssoenv_callback_port"), section.where("ssoenv_callback_port")),
    )


def _check_no_credential_keys(cfg: AwsConfig, name: str) -> None:
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
    return SsoSession(name=None, start_url=start_url, region=region)


def resolve_profile(cfg: AwsConfig, name: str) -> SsoProfile:
    """Resolve a profile to role credentials settings with botocore's validation rules."""
    section = cfg.profile(name)
    account = cfg.value(name, "sso_account_id")
    role = cfg.value(name, "sso_role_name")
    if not account and not role:
        raise ConfigError(
            f"profile {name!r} ({section.where()}) is not an SSO role profile: it has no "
            "sso_account_id or sso_role_name",
            hint="run `ssoenv configure --profile " + name + "`",
        )
    _check_no_credential_keys(cfg, name)
    session_name = cfg.value(name, "sso_session")
    merged: dict[str, str | None] = {
        "sso_start_url": cfg.value(name, "sso_start_url"),
        "sso_region": cfg.value(name, "sso_region"),
    }
    session: SsoSession | None = None
    if session_name:
        sess_section = cfg.sso_sessions.get(session_name)
        if sess_section is None:
            raise ConfigError(
                f'The specified sso-session does not exist: "{session_name}"',
                hint=f"profile {name!r} names it at {section.where('sso_session')}",
            )
        for key in ("sso_start_url", "sso_region"):
            prof_val = merged[key]
            sess_val = sess_section.get(key)
            if prof_val is not None and sess_val is not None and prof_val != sess_val:
                raise ConfigError(
                    f"The value for {key} is inconsistent between profile ({prof_val}) and sso-session ({sess_val})",
                    hint=f"profile {name!r} at {section.where(key)}; session at {sess_section.where(key)}",
                )
            if sess_val is not None:
                merged[key] = sess_val
    missing = [
        k
        for k, v in (
            ("sso_start_url", merged["sso_start_url"]),
            ("sso_region", merged["sso_region"]),
            ("sso_account_id", account),
            ("sso_role_name", role),
        )
        if not v
    ]
    if missing:
        raise ConfigError(
            f'The profile "{name}" is configured to use SSO but is missing required configuration: '
            + ", ".join(missing),
            hint=f"see {section.where()}",
        )
    assert account and role
    if session_name:
        session = session_by_name(cfg, session_name)
    else:
        session = SsoSession(name=None, start_url=merged["sso_start_url"] or "", region=merged["sso_region"] or "")
    return SsoProfile(
        name=name,
        account_id=account,
        role_name=role,
        session=session,
        region=cfg.value(name, "region"),
    )


def sso_profiles(cfg: AwsConfig) -> list[tuple[str, SsoProfile | ConfigError]]:
    """Every profile that looks like an SSO role profile, resolved (or the error it gives)."""
    out: list[tuple[str, SsoProfile | ConfigError]] = []
    for name in cfg.profile_names():
        if not (cfg.value(name, "sso_account_id") or cfg.value(name, "sso_role_name")):
            continue
        try:
            out.append((name, resolve_profile(cfg, name)))
        except ConfigError as exc:
            out.append((name, exc))
    return out


def environ_profile(environ: Mapping[str, str]) -> str | None:
    """The profile botocore would pick from the environment (AWS_DEFAULT_PROFILE first)."""
    return environ.get("AWS_DEFAULT_PROFILE") or environ.get("AWS_PROFILE") or None
