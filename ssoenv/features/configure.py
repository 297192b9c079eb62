"""``ssoenv configure``: the guided set-up of one SSO profile (no click here).

The steps follow ``aws configure sso`` (reference §1.5): sso-session (or legacy), start URL,
SSO region, scopes; login (reusing a valid session); account; role; region, output, profile
name; then the profile (and a new ``[sso-session]``) is written with the lossless writer.
Every answer can also come from :class:`Answers` (the command's flags); with no terminal
nothing is asked and a missing answer is one clear error naming its flag.

Prompts go through the :class:`WizardIO` the command hands in (the terminal one is
:class:`ssoenv.ui.wizard.TerminalIO`: the core never builds a UI), network through
:class:`Services`, so both can be replaced.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Protocol, TypeVar

from ssoenv.config.profiles import CREDENTIAL_KEYS, SsoSession, check_sso_region, load_config
from ssoenv.config.writer import (
    MARKER_KEY,
    ConfigChanged,
    ConfigDocument,
    SectionRef,
    check_section_name,
    check_writable,
    edit_config,
    read_document,
)
from ssoenv.errors import AccessDenied, ConfigError, Interrupted, SsoenvError, UsageError
from ssoenv.features.populate import (
    DEFAULT_SCOPES,
    AccountLike,
    check_region,
    check_session_flags,
    check_start_url,
    same_start_url,
    session_name_for_url,
    session_values,
    usable_sessions,
)
from ssoenv.paths import Paths

OUTPUT_FORMATS: Final = ("json", "text", "table", "yaml", "yaml-stream")
SSO_KEYS: Final = ("sso_session", "sso_start_url", "sso_region", "sso_account_id", "sso_role_name", "sso_account_name")
T = TypeVar("T")


# --------------------------------------------------------------------------------------------
# Interfaces


class WizardIO(Protocol):
    @property
    def interactive(self) -> bool: ...
    def say(self, text: str) -> None: ...
    def ask(self, prompt: str, default: str | None) -> str: ...
    def choose(self, labels: Sequence[str], *, title: str, initial: int = 0) -> int: ...
    def confirm(self, prompt: str, *, default: bool) -> bool: ...


class Services(Protocol):
    """The network side: log in (or reuse the session) and read the portal."""

    def login(self, session: SsoSession, *, new: bool) -> None: ...
    def list_accounts(self, session: SsoSession) -> Sequence[AccountLike]: ...
    def list_roles(self, session: SsoSession, account_id: str) -> list[str]: ...


@dataclass
class Answers:
    """Answers given up front (flags). ``sso_session=""`` asks for a legacy profile."""

    sso_session: str | None = None
    start_url: str | None = None
    sso_region: str | None = None
    scopes: str | None = None
    account_id: str | None = None
    role_name: str | None = None
    region: str | None = None
    output: str | None = None
    profile: str | None = None


@dataclass
class Result:
    profile: str
    session: SsoSession
    account_id: str
    role_name: str
    values: dict[str, str]
    created_session: bool = False
    written: bool = False
    replaced: bool = False


# --------------------------------------------------------------------------------------------
# Validation


def _valid_session_name(value: str) -> str:
    check_section_name(value, what="sso-session name")
    return value


def _valid_account_id(value: str) -> str:
    value = value.strip()
    if len(value) != 12 or not value.isdigit():
        raise UsageError(f"{value!r} is not an AWS account id (12 digits)")
    return value


def _valid_output(value: str) -> str:
    if value not in OUTPUT_FORMATS:
        raise UsageError(f"output must be one of {', '.join(OUTPUT_FORMATS)}, not {value!r}")
    return value


def _valid_profile(value: str) -> str:
    check_section_name(value, what="profile name")
    return value


def _valid_scopes(value: str) -> str:
    items = [s.strip() for s in value.split(",") if s.strip()]
    if not items:
        raise UsageError("give at least one registration scope", hint=f"the usual one is {DEFAULT_SCOPES}")
    return ", ".join(items)


def account_sort_key(account: AccountLike) -> tuple[int, str, str, str]:
    """By name case-insensitively, then e-mail, then id; accounts with no name last."""
    return (0 if account.name else 1, account.name.casefold(), account.email.casefold(), account.account_id)


def account_label(account: AccountLike) -> str:
    parts = [p for p in (account.name, account.email) if p]
    return f"{', '.join(parts)} ({account.account_id})" if parts else account.account_id


# --------------------------------------------------------------------------------------------
# The wizard


class Wizard:
    def __init__(
        self,
        paths: Paths,
        io: WizardIO,
        services: Services,
        answers: Answers,
        used: Mapping[str, float] | None = None,
    ) -> None:
        """``used``: the profiles' frecency (``ssoenv.ui.frecency.load``); the most used accounts
        and roles come first in the menus."""
        self.paths = paths
        self.io = io
        self.services = services
        self.answers = answers
        self.used = used or {}
        # read as every command reads it: a file botocore refuses stops here, before any login
        self.config = load_config(paths)
        self.doc, _ = read_document(paths)  # the writer's document: what step 6 edits
        check_writable(paths)  # and a file ssoenv may not write stops here too

    # ---- asking

    def _answer(
        self,
        *,
        flag: str,
        given: str | None,
        prompt: str,
        current: str | None,
        suggestion: str | None = None,
        validate: Callable[[str], str] = lambda v: v,
        required: bool = True,
    ) -> str | None:
        """A flag's value, else a prompt (ENTER keeps the value in brackets), else the current value."""
        if given is not None:
            try:
                return validate(given.strip())
            except SsoenvError as exc:
                raise UsageError(f"{flag}: {exc.message}", hint=exc.hint) from exc
        if not self.io.interactive:
            if current:
                return validate(current)
            if required:
                raise UsageError(f"no terminal to ask for the {prompt.lower()}; give it with {flag}")
            return None
        default = current or suggestion
        while True:
            value = self.io.ask(prompt, default).strip()
            if not value:
                if not required:
                    return None
                self.io.say(f"  an answer is needed (or give {flag})")
                continue
            try:
                return validate(value)
            except SsoenvError as exc:
                self.io.say(f"  {exc}")

    def _start_url_and_region(self, a: Answers, current: dict[str, str]) -> tuple[str, str]:
        """Step 1's start URL and SSO region (flags, prompts, or the profile's current values)."""
        url = self._answer(
            flag="--start-url",
            given=a.start_url,
            prompt="SSO start URL",
            current=current.get("sso_start_url"),
            validate=check_start_url,
        )
        assert url is not None
        derived = self._derived_region(url) if a.sso_region is None else None
        if derived is not None:
            return url, derived
        region = self._answer(
            flag="--sso-region",
            given=a.sso_region,
            prompt="SSO region",
            current=current.get("sso_region"),
            validate=lambda v: check_region(v, what="SSO region"),
        )
        assert region is not None
        return url, region

    def _derived_region(self, url: str) -> str | None:
        """A vanity start URL's region, read from where it redirects (AWS CLI v2 ≥ 2.35.13); no
        question then. None for AWS portal URLs, or when it cannot be derived (asked instead)."""
        from ssoenv.config.starturl import derive_region, needs_resolving

        if not needs_resolving(url):
            return None
        try:
            region = derive_region(url)
        except SsoenvError as exc:
            self.io.say(f"  {exc}")
            return None
        if region is not None:
            self.io.say(f"SSO region: {region} (where {url} leads)")
        return region

    # ---- steps

    def _existing_profile(self) -> dict[str, str]:
        """The current keys of the profile being set up (its config-file section, as botocore reads it)."""
        name = self.answers.profile
        section = self.config.profiles.get(name) if name else None
        if section is None:
            return {}
        return {k: v for k, v in section.values.items() if isinstance(v, str)}

    def _frecency(self) -> tuple[dict[str, float], dict[tuple[str, str], float]]:
        """The frecency of this file's profiles summed per account id and per (account id, role)."""
        accounts: dict[str, float] = {}
        roles: dict[tuple[str, str], float] = {}
        for name, score in self.used.items():
            if name not in self.config.profiles or not score:
                continue
            account, role = self.config.value(name, "sso_account_id"), self.config.value(name, "sso_role_name")
            if account:
                accounts[account] = accounts.get(account, 0.0) + score
                if role:
                    roles[account, role] = roles.get((account, role), 0.0) + score
        return accounts, roles

    def choose_session(self) -> tuple[SsoSession, dict[str, str] | None]:
        """Step 1. Returns the session and, when it is new, the section to write."""
        a = self.answers
        sessions = session_values(self.config)
        current = self._existing_profile()
        usable = usable_sessions(sessions)
        if current.get("sso_session"):
            default_name: str | None = current["sso_session"]
        elif current.get("sso_start_url"):
            default_name = None  # an existing legacy profile stays legacy unless a name is typed
        elif len(usable) == 1:
            default_name = usable[0]
        else:
            default_name = None
        if a.sso_session is None and not self.io.interactive:
            if a.start_url:
                same = [n for n in usable if same_start_url(sessions[n]["sso_start_url"], a.start_url)]
                name = same[0] if same else None
                if name is None:
                    name = session_name_for_url(check_start_url(a.start_url), taken=sessions)
                a = Answers(**{**a.__dict__, "sso_session": name})
            elif default_name is None and not current.get("sso_start_url"):
                raise UsageError(
                    "no terminal to ask which SSO session to use",
                    hint="give --sso-session NAME (an existing one), or --start-url and --sso-region",
                )
        if self.io.interactive and a.sso_session is None:
            if usable:
                self.io.say(f"SSO sessions in the config: {', '.join(usable)}")
            name = self._answer(
                flag="--sso-session",
                given=None,
                prompt="SSO session name (Recommended)",
                current=default_name,
                validate=_valid_session_name,
                required=False,
            )
        elif a.sso_session is not None:
            name = a.sso_session.strip() or None
            if name is not None:
                try:
                    _valid_session_name(name)
                except SsoenvError as exc:
                    raise UsageError(f"--sso-session: {exc.message}") from exc
        else:
            name = default_name
        if name is None:
            self.io.say(
                "WARNING: without an SSO session name this is a legacy profile: its login cannot be "
                "refreshed and the browser (PKCE) sign-in is not available. A session name is recommended."
            )
            url, region = self._start_url_and_region(a, current)
            return SsoSession(name=None, start_url=url, region=region), None
        existing = sessions.get(name)
        if existing and existing.get("sso_start_url") and existing.get("sso_region"):
            url, region = existing["sso_start_url"], existing["sso_region"]
            check_sso_region(region, self.config.sso_sessions[name].where("sso_region"))
            check_session_flags(name, existing, a.start_url and check_start_url(a.start_url), a.sso_region)
            self.io.say(f"Using the existing sso-session {name}: {url} ({region})")
            scopes = tuple(s.strip() for s in existing.get("sso_registration_scopes", "").split(",") if s.strip())
            return SsoSession(name=name, start_url=url, region=region, scopes=scopes), None
        if existing is not None:
            raise ConfigError(
                f"[sso-session {name}] exists but lacks sso_start_url or sso_region",
                hint="fix it in the config, or choose another session name",
            )
        url, region = self._start_url_and_region(a, current)
        scope_text = self._answer(
            flag="--sso-registration-scopes",
            given=a.scopes,
            prompt="SSO registration scopes",
            current=DEFAULT_SCOPES if not self.io.interactive else None,
            suggestion=DEFAULT_SCOPES,
            validate=_valid_scopes,
        )
        assert scope_text is not None
        section = {"sso_start_url": url, "sso_region": region, "sso_registration_scopes": scope_text}
        session = SsoSession(
            name=name, start_url=url, region=region, scopes=tuple(s.strip() for s in scope_text.split(","))
        )
        return session, section

    def _pick(
        self,
        items: list[T],
        labels: list[str],
        *,
        given: str | None,
        flag: str,
        current: str | None,
        key: Callable[[T], str],
        what: str,
        plural: str,
        title: str,
    ) -> T:
        if not items:
            raise AccessDenied(f"No {plural} are available to you.")
        if given is not None:
            for item in items:
                if key(item) == given:
                    return item
            raise AccessDenied(
                f"{flag} {given}: not among the {len(items)} {plural} available to you",
                hint=f"available: {', '.join(labels[:5])}" + (" ..." if len(items) > 5 else ""),
            )
        if len(items) == 1:
            self.io.say(f"The only {what} available to you is: {labels[0]}")
            return items[0]
        if not self.io.interactive:
            for item in items:
                if current is not None and key(item) == current:
                    return item
            raise UsageError(
                f"there are {len(items)} {plural} available; no terminal to choose one", hint=f"give {flag}"
            )
        self.io.say(f"There are {len(items)} {plural} available to you.")
        initial = next((i for i, item in enumerate(items) if key(item) == current), 0)
        return items[self.io.choose(labels, title=title, initial=initial)]

    def run(self) -> Result:
        a = self.answers
        if a.account_id is not None:
            a.account_id = _valid_account_id(a.account_id)
        if a.output is not None:
            _valid_output(a.output)
        if a.region is not None:
            check_region(a.region)
        if a.profile is not None:
            try:
                _valid_profile(a.profile)
            except SsoenvError as exc:
                raise UsageError(f"--profile: {exc.message}") from exc
        current = self._existing_profile()
        session, new_section = self.choose_session()

        # step 2: login (a valid cached session is reused)
        self.services.login(session, new=new_section is not None)

        # step 3: account (those of the profiles used most and most recently first)
        used_accounts, used_roles = self._frecency()
        accounts = sorted(self.services.list_accounts(session), key=account_sort_key)
        accounts.sort(key=lambda acc: -used_accounts.get(acc.account_id, 0.0))
        account = self._pick(
            accounts,
            [account_label(acc) for acc in accounts],
            given=a.account_id,
            flag="--account-id",
            current=current.get("sso_account_id"),
            key=lambda acc: acc.account_id,
            what="AWS account",
            plural="AWS accounts",
            title="Choose an account (type to filter):",
        )
        self.io.say(f"Using the account ID {account.account_id}")

        # step 4: role
        roles = sorted(self.services.list_roles(session, account.account_id), key=str.casefold)
        roles.sort(key=lambda r: -used_roles.get((account.account_id, r), 0.0))
        role = self._pick(
            roles,
            roles,
            given=a.role_name,
            flag="--role-name",
            current=current.get("sso_role_name"),
            key=lambda r: r,
            what="role",
            plural="roles",
            title=f"Choose a role in {account.name or account.account_id}:",
        )
        self.io.say(f'Using the role name "{role}"')

        # step 5: region, output, profile name
        region = self._answer(
            flag="--region",
            given=a.region,
            prompt="Default client Region",
            current=current.get("region"),
            validate=check_region,
            required=False,  # ENTER with nothing in brackets: no region key (AWS CLI v2)
        )
        output = self._answer(
            flag="--output",
            given=a.output,
            prompt="CLI default output format (json if not specified)",
            current=current.get("output"),
            validate=_valid_output,
            required=False,
        )
        default_name = f"{role}-{account.account_id}"  # AWS CLI v2's proposal
        if a.profile is not None:
            profile = a.profile
        elif self.io.interactive:
            answer = self._answer(
                flag="--profile", given=None, prompt="Profile name", current=default_name, validate=_valid_profile
            )
            assert answer is not None
            profile = answer
        else:
            profile = default_name

        values: dict[str, str] = {}
        if session.name is not None:
            values["sso_session"] = session.name
        else:
            values["sso_start_url"] = session.start_url
            values["sso_region"] = session.region
        values["sso_account_id"] = account.account_id
        values["sso_role_name"] = role
        if region:
            values["region"] = region
        if output:
            values["output"] = output
        result = Result(profile, session, account.account_id, role, values, created_session=new_section is not None)
        self._write(result, new_section)
        return result

    # ---- step 6: write

    def _write(self, result: Result, new_section: dict[str, str] | None) -> None:
        ref = SectionRef.profile(result.profile)
        shown = self.doc.section_text(ref)
        session_ref = SectionRef.sso_session(result.session.name) if result.session.name else None

        def edit(doc: ConfigDocument) -> None:
            if doc.section_text(ref) != shown:
                raise ConfigChanged(
                    f"profile {result.profile} was changed by another program meanwhile; nothing written",
                    hint="run `ssoenv configure` again",
                )
            if new_section is not None and session_ref is not None:
                existing = doc.values(session_ref)
                if existing is None:
                    doc.set_values(session_ref, new_section)
                elif not same_start_url(existing.get("sso_start_url", ""), new_section["sso_start_url"]):
                    raise ConfigChanged(
                        f"[sso-session {session_ref.name}] was added by another program meanwhile, for "
                        f"{existing.get('sso_start_url')}; nothing written",
                    )
            apply_profile(doc, ref, result.values)

        if shown is not None:
            preview = self.doc.copy()
            apply_profile(preview, ref, result.values)
            if preview.section_text(ref) == shown and (new_section is None or session_ref in self.doc):
                self.io.say(f"The profile {result.profile} is already set up like this; nothing to change.")
                self._usage(result.profile)
                return
            self.io.say(f"The profile {result.profile} already exists:")
            self.io.say(_indent(shown))
            self.io.say("It will become:")
            self.io.say(_indent(preview.section_text(ref) or ""))
            if self.io.interactive:
                if not self.io.confirm(f"Replace the profile {result.profile}?", default=False):
                    raise Interrupted("nothing written")
            else:
                self.io.say(f"Replacing the profile {result.profile} (no terminal to ask).")
            result.replaced = True
        outcome = edit_config(self.paths, edit)
        result.written = outcome.changed
        where = str(self.paths.config_file)
        if result.created_session and session_ref is not None:
            self.io.say(f"Wrote [sso-session {session_ref.name}] and the profile {result.profile} to {where}")
        else:
            self.io.say(f"Wrote the profile {result.profile} to {where}")
        self._usage(result.profile)

    def _usage(self, profile: str) -> None:
        self.io.say("To use it:")
        self.io.say(f"    ssoenv use {profile}")
        self.io.say(f"    aws s3 ls --profile {profile}")


def apply_profile(doc: ConfigDocument, ref: SectionRef, values: dict[str, str]) -> None:
    """Make ``ref`` an SSO profile with ``values``: other credential sources, stale SSO keys and
    the populate marker go; every other key (region/output when not answered, s3, ...) stays."""
    changes: dict[str, str | None] = {}
    existing = doc.values(ref) or {}
    for key in (*CREDENTIAL_KEYS, *SSO_KEYS, MARKER_KEY):
        if key in existing and key not in values:
            changes[key] = None
    changes.update(values)
    doc.set_values(ref, changes)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.rstrip("\r\n").splitlines())
