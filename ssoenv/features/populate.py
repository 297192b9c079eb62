"""``ssoenv populate``: a profile for every account and role of an SSO session (no click here).

1. :func:`resolve_target` finds the sso-session (by name, by start URL, or the only one) in the
   config as every command reads it (``ssoenv.config.profiles``), or describes the one to create.
2. :func:`list_assignments` lists every account (all pages) and, in a bounded thread pool, the
   roles of each (each call retried by the one policy of :mod:`ssoenv.remote.retry`).
3. :func:`make_plan` is a pure function of (config document, assignments, options): which
   generated profiles to add, update, rename, keep or prune. Profiles are named by a template,
   made safe and unique; each carries ``ssoenv_generated = <session>``. Hand-written profiles
   and profiles generated for another session are never touched.
4. :func:`apply_plan` performs it on the writer's document; the CLI runs it inside
   :func:`ssoenv.config.writer.edit_config`, re-planning on the freshly read file.
"""

from __future__ import annotations

import re
import string
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Protocol, TypeVar
from urllib.parse import urlsplit

from ssoenv.config.writer import (
    MARKER_KEY,
    ConfigChanged,
    ConfigDocument,
    SectionRef,
    check_section_name,
    check_value,
)
from ssoenv.errors import AccessDenied, ConfigError, ServiceError, SsoenvError, UsageError

if TYPE_CHECKING:
    from ssoenv.config.profiles import AwsConfig

DEFAULT_TEMPLATE: Final = "{account_name}.{role_name}"
TEMPLATE_FIELDS: Final = ("account_name", "account_id", "role_name", "account_email", "sso_session")
DEFAULT_WORKERS: Final = 10  # botocore's default connection pool size: no connection is discarded
DEFAULT_SCOPES: Final = "sso:account:access"
_UNSAFE = re.compile(r"[^\w.@+=,/:-]+")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
R = TypeVar("R")
Chooser = Callable[[list[str]], int] | None  # asks the person to choose among labels; None: nobody to ask


# --------------------------------------------------------------------------------------------
# Validation shared with the wizard


def check_start_url(url: str) -> str:
    """https, or http on a loopback host only (ssoenv.config.starturl)."""
    from ssoenv.config.starturl import check

    return check(url)


def check_region(region: str, *, what: str = "region") -> str:
    region = region.strip()
    if not _REGION.match(region):
        raise UsageError(f"{region!r} is not an AWS region name", hint=f"the {what} looks like us-east-1")
    return region


def same_start_url(a: str, b: str) -> bool:
    def norm(url: str) -> str:
        parts = urlsplit(url.strip())
        path = parts.path.rstrip("/")
        return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}{path}"

    return norm(a) == norm(b)


def session_name_for_url(url: str, *, taken: Iterable[str] = ()) -> str:
    """``https://d-1234567890.awsapps.com/start`` -> ``d-1234567890``; ``corp.awsapps.com`` -> ``corp``;
    ``corp-2``, ``corp-3``, ... when the name is ``taken``."""
    host = urlsplit(url).hostname or "sso"
    label = host.split(".")[0] or "sso"
    base = _UNSAFE.sub("-", label).strip("-.") or "sso"
    used = set(taken)
    name, n = base, 2
    while name in used:
        name, n = f"{base}-{n}", n + 1
    return name


# --------------------------------------------------------------------------------------------
# Which session


@dataclass(frozen=True)
class Target:
    """The sso-session to populate: ``create`` holds the section to write when it is new."""

    name: str
    start_url: str
    region: str
    scopes: str | None = None
    create: dict[str, str] | None = None


def resolve_target(
    cfg: AwsConfig,
    *,
    sso_session: str | None,
    start_url: str | None,
    sso_region: str | None,
    choose: Callable[[list[str]], int] | None = None,
) -> Target:
    """The session named, the one with this start URL, a new one, or the only one there is.

    The sessions are read from the config as every command reads it (``cfg``, the one reader);
    an existing session's sso_region is checked like botocore checks it (before any login)."""
    target = _find_target(session_values(cfg), sso_session, start_url, sso_region, choose)
    if target.create is None:
        from ssoenv.config.profiles import check_sso_region

        check_sso_region(target.region, cfg.sso_sessions[target.name].where("sso_region"))
    return target


def check_session_flags(name: str, existing: Mapping[str, str], start_url: str | None, sso_region: str | None) -> None:
    """--start-url / --sso-region (checked) must agree with what the existing ``[sso-session name]`` has."""
    url, region = existing.get("sso_start_url"), existing.get("sso_region")
    if start_url and url and not same_start_url(start_url, url):
        raise ConfigError(
            f"[sso-session {name}] already has sso_start_url {url}, not {start_url}",
            hint="leave out --start-url, or choose another session name",
        )
    if sso_region and region and sso_region != region:
        raise ConfigError(f"[sso-session {name}] already has sso_region {region}, not {sso_region}")


def session_values(cfg: AwsConfig) -> dict[str, dict[str, str]]:
    """Every ``[sso-session]`` of the config and its keys (as botocore reads them), by name."""
    return {
        name: {k: v for k, v in section.values.items() if isinstance(v, str)}
        for name, section in cfg.sso_sessions.items()
    }


def usable_sessions(sessions: Mapping[str, Mapping[str, str]]) -> list[str]:
    """The names of the sessions one can log in to (a start URL and a region), sorted."""
    return sorted(n for n, v in sessions.items() if v.get("sso_start_url") and v.get("sso_region"))


def _find_target(
    sessions: dict[str, dict[str, str]], sso_session: str | None, url: str | None, region: str | None, choose: Chooser
) -> Target:
    if url is not None:
        url = check_start_url(url)
    if region is not None:
        region = check_region(region, what="SSO region")
    return _target(sessions, sso_session, url, region, choose)


def _target(
    sessions: dict[str, dict[str, str]],
    sso_session: str | None,
    start_url: str | None,
    sso_region: str | None,
    choose: Chooser,
) -> Target:
    if sso_session is not None:
        check_section_name(sso_session, what="sso-session name")
        existing = sessions.get(sso_session)
        if existing is not None:
            check_session_flags(sso_session, existing, start_url, sso_region)
            url, region = existing.get("sso_start_url", ""), existing.get("sso_region", "")
            url, region = url or start_url or "", region or sso_region or ""
            if not url or not region:
                raise ConfigError(
                    f"[sso-session {sso_session}] lacks sso_start_url or sso_region",
                    hint="run `ssoenv configure` or add the keys",
                )
            return Target(sso_session, url, region, existing.get("sso_registration_scopes"))
        if not start_url or not sso_region:
            known = ", ".join(sorted(sessions)) or "none"
            raise ConfigError(
                f'The specified sso-session does not exist: "{sso_session}"',
                hint=f"pass --start-url and --sso-region to create it (sessions in the config: {known})",
            )
        return _new_target(sso_session, start_url, sso_region)
    if start_url is not None:
        matching = [n for n, v in sessions.items() if same_start_url(v.get("sso_start_url", ""), start_url)]
        if sso_region is not None:
            matching = [n for n in matching if sessions[n].get("sso_region") in (None, sso_region)]
        if matching:
            name = matching[0]
            return Target(
                name,
                sessions[name].get("sso_start_url", start_url),
                sessions[name].get("sso_region") or sso_region or "",
                sessions[name].get("sso_registration_scopes"),
            )
        if sso_region is None:
            raise UsageError("--start-url needs --sso-region (the region of the IAM Identity Center instance)")
        return _new_target(session_name_for_url(start_url, taken=sessions), start_url, sso_region)
    if sso_region is not None:
        raise UsageError("--sso-region needs --start-url (or name a session with --sso-session)")
    usable = usable_sessions(sessions)
    if not usable:
        raise UsageError(
            "there is no [sso-session] in the config to populate from",
            hint="pass --start-url URL --sso-region REGION, or run `ssoenv configure` first",
        )
    if len(usable) > 1:
        if choose is None:
            raise UsageError(
                f"which sso-session? the config has {len(usable)}: {', '.join(usable)}",
                hint="choose one with --sso-session NAME",
            )
        labels = [f"{n} ({sessions[n].get('sso_start_url')})" for n in usable]
        name = usable[choose(labels)]
    else:
        name = usable[0]
    values = sessions[name]
    return Target(name, values["sso_start_url"], values["sso_region"], values.get("sso_registration_scopes"))


def _new_target(name: str, start_url: str, region: str) -> Target:
    create = {"sso_start_url": start_url, "sso_region": region, "sso_registration_scopes": DEFAULT_SCOPES}
    return Target(name, start_url, region, DEFAULT_SCOPES, create)


# --------------------------------------------------------------------------------------------
# Listing accounts and roles


class AccountLike(Protocol):
    @property
    def account_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str: ...


class PortalLike(Protocol):
    def list_accounts(self, access_token: str) -> Sequence[AccountLike]: ...
    def list_account_roles(self, access_token: str, account_id: str) -> list[str]: ...


class ProgressLike(Protocol):
    def set_label(self, label: str, total: int | None = None) -> None: ...
    def advance(self, n: int = 1) -> None: ...


@dataclass(frozen=True, order=True)
class Assignment:
    account_id: str
    role_name: str
    account_name: str = ""
    account_email: str = ""


@dataclass
class Listing:
    assignments: list[Assignment] = field(default_factory=list)
    accounts: int = 0
    failed: dict[str, str] = field(default_factory=dict)  # account id -> why its roles are unknown


def list_assignments(
    portal: PortalLike,
    access_token: str,
    *,
    workers: int = DEFAULT_WORKERS,
    progress: ProgressLike | None = None,
) -> Listing:
    """Every (account, role) the token may use. Roles are listed in parallel (bounded pool).

    Each call is retried by the portal's one retry policy (:mod:`ssoenv.remote.retry`), never again
    here. An account whose roles cannot be listed (access denied, persistent errors) is reported
    in ``failed``; when no account's roles could be listed, that is an error (nothing may be
    planned on an empty listing). Once the portal itself has failed (a ServiceError: down, hung,
    throttling, garbled), the accounts not yet asked are not asked (reported in ``failed`` with
    that reason): the time to fail stays that of the calls in flight, whatever the number of
    accounts. An expired session or an interrupt stops everything.
    """
    if progress is not None:
        progress.set_label("listing accounts")
    accounts = list(portal.list_accounts(access_token))
    listing = Listing(accounts=len(accounts))
    if not accounts:
        return listing
    if progress is not None:
        progress.set_label("listing roles", total=len(accounts))
    first_error: list[SsoenvError] = []
    portal_failed: list[ServiceError] = []
    lock = threading.Lock()
    stop = threading.Event()

    def one(account: AccountLike) -> None:
        if stop.is_set():
            return
        try:
            if portal_failed:
                with lock:
                    listing.failed[account.account_id] = portal_failed[0].message
                return
            roles = portal.list_account_roles(access_token, account.account_id)
        except (AccessDenied, ServiceError) as exc:
            with lock:
                listing.failed[account.account_id] = exc.message
                first_error.append(exc)
                if isinstance(exc, ServiceError):
                    portal_failed.append(exc)
        else:
            found = [Assignment(account.account_id, role, account.name or "", account.email or "") for role in roles]
            with lock:
                listing.assignments.extend(found)
        finally:
            if progress is not None:
                progress.advance()

    pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(accounts))), thread_name_prefix="ssoenv-roles")
    futures: list[Future[None]] = []
    try:
        futures = [pool.submit(one, account) for account in accounts]
        done, _pending = wait(futures, return_when=FIRST_EXCEPTION)
        for future in done:
            exc = future.exception()
            if exc is not None:
                raise exc
    except BaseException:
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    if first_error and len(listing.failed) == len(accounts):
        error = first_error[0]
        kind = AccessDenied if isinstance(error, AccessDenied) else ServiceError
        raise kind(describe_failures(listing.failed) + "; nothing written", hint=error.hint)
    listing.assignments.sort()
    return listing


# --------------------------------------------------------------------------------------------
# Naming


def check_template(template: str) -> None:
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise UsageError(f"bad --profile-template {template!r}: {exc}") from exc
    unknown = sorted({f for f in fields if f not in TEMPLATE_FIELDS})
    if unknown or not fields:
        raise UsageError(
            f"bad --profile-template {template!r}"
            + (f": unknown field {', '.join('{' + f + '}' for f in unknown)}" if unknown else ": it has no field"),
            hint="fields: " + ", ".join("{" + f + "}" for f in TEMPLATE_FIELDS),
        )


def safe_name(text: str) -> str:
    """A profile name that needs no quoting in shells or config headers."""
    name = _UNSAFE.sub("-", text.strip())
    name = re.sub(r"-{2,}", "-", name).strip("-.")
    return name


def render_name(template: str, assignment: Assignment, session: str) -> str:
    values = {
        "account_name": assignment.account_name or assignment.account_id,
        "account_id": assignment.account_id,
        "role_name": assignment.role_name,
        "account_email": assignment.account_email,
        "sso_session": session,
    }
    try:
        rendered = template.format_map(values)
    except (KeyError, ValueError, IndexError) as exc:
        raise UsageError(f"bad --profile-template {template!r}: {exc}") from exc
    return safe_name(rendered) or safe_name(f"{assignment.account_id}.{assignment.role_name}")


def assign_names(assignments: Iterable[Assignment], template: str, session: str) -> dict[Assignment, str]:
    """Unique names: a name shared by several accounts gets ``-<account_id>`` on each; what still
    collides (roles of one account that differ only in unsafe characters) gets ``-2``, ``-3``."""
    items = sorted(set(assignments))
    rendered = {a: render_name(template, a, session) for a in items}
    accounts_of: dict[str, set[str]] = {}
    for a, name in rendered.items():
        accounts_of.setdefault(name, set()).add(a.account_id)
    named = {a: (f"{n}-{a.account_id}" if len(accounts_of[n]) > 1 else n) for a, n in rendered.items()}
    taken = set(named.values())
    seen: dict[str, int] = {}
    final: dict[Assignment, str] = {}
    for a in items:
        name = named[a]
        if name in seen:
            seen[name] += 1
            candidate = f"{name}-{seen[name]}"
            while candidate in seen or candidate in taken:
                seen[name] += 1
                candidate = f"{name}-{seen[name]}"
            name = candidate
        seen.setdefault(name, 1)
        final[a] = name
    return final


# --------------------------------------------------------------------------------------------
# Planning


@dataclass(frozen=True)
class Change:
    name: str
    assignment: Assignment
    values: dict[str, str]
    old_name: str | None = None  # set for a rename


@dataclass
class Plan:
    target: Target
    create_session: bool = False
    add: list[Change] = field(default_factory=list)
    update: list[Change] = field(default_factory=list)
    rename: list[Change] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # assignment gone; kept (no --prune)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)
    kept_unknown: list[str] = field(default_factory=list)  # account could not be listed

    @property
    def changes(self) -> int:
        return len(self.add) + len(self.update) + len(self.rename) + len(self.remove) + int(self.create_session)

    def summary(self) -> str:
        parts = [
            f"{len(self.add)} to add",
            f"{len(self.update)} to update",
        ]
        if self.rename:
            parts.append(f"{len(self.rename)} to rename")
        parts.append(f"{len(self.unchanged)} unchanged")
        if self.remove:
            parts.append(f"{len(self.remove)} to remove")
        return ", ".join(parts)


def profile_values(target: Target, assignment: Assignment, region: str | None) -> dict[str, str]:
    values = {
        "sso_session": target.name,
        "sso_account_id": assignment.account_id,
        "sso_role_name": assignment.role_name,
    }
    if assignment.account_name and _printable(assignment.account_name):
        values["sso_account_name"] = assignment.account_name.strip()
    if region:
        values["region"] = region
    values[MARKER_KEY] = target.name
    return values


def _unwritable(values: Mapping[str, str]) -> str | None:
    """Why these values cannot be a profile (a control character from the portal), or None."""
    for key, value in values.items():
        try:
            check_value(key, value)
        except ConfigError:
            return f"its {key} {value!r} has a character a config file cannot hold"
    return None


def _printable(text: str) -> bool:
    return text == text.strip() and all(c >= " " and c != "\x7f" for c in text)


def make_plan(
    doc: ConfigDocument,
    target: Target,
    listing: Listing,
    *,
    template: str = DEFAULT_TEMPLATE,
    region: str | None = None,
    prune: bool = False,
    guard: Sequence[str] = (),
) -> Plan:
    """``guard``: ``--guard`` patterns; a profile whose name, account name or role matches one gets
    ``ssoenv_guard = confirm`` (:func:`ssoenv.config.guard.matches`). A guard is never taken away here."""
    from ssoenv.config import guard as guards

    plan = Plan(target, create_session=SectionRef.sso_session(target.name) not in doc and target.create is not None)
    names = assign_names(listing.assignments, template, target.name)
    # the profiles generated for this session: a big file's other sections are not made objects
    ours = doc.sections_with("profile", MARKER_KEY, target.name)
    ours_by_assignment: dict[tuple[str, str], list[str]] | None = None  # made when a name is new
    wanted = set(names.values())
    used: set[str] = set()
    for assignment, name in sorted(names.items(), key=lambda item: _order(item[0])):
        values = profile_values(target, assignment, region)
        if guard and guards.matches(guard, name, assignment.account_name, assignment.role_name):
            values[guards.KEY] = guards.CONFIRM
        unwritable = _unwritable(values)
        if unwritable:
            plan.skipped.append((name, unwritable))
            continue
        existing = ours[name] if name in ours else doc.values(SectionRef.profile(name))
        if existing is not None and name not in ours:
            owner = existing.get(MARKER_KEY)
            reason = f"generated for sso-session {owner}" if owner else "written by hand (or another tool)"
            plan.skipped.append((name, f"a profile with this name exists, {reason}"))
            continue
        if existing is not None:
            used.add(name)
            if all(existing.get(k) == v for k, v in values.items()):
                plan.unchanged.append(name)
            else:
                plan.update.append(Change(name, assignment, values))
            continue
        # same assignment under an old name (the template changed): rename it in place
        if ours_by_assignment is None:
            ours_by_assignment = {}
            for other, other_values in ours.items():
                held = (other_values.get("sso_account_id", ""), other_values.get("sso_role_name", ""))
                ours_by_assignment.setdefault(held, []).append(other)
        key = (assignment.account_id, assignment.role_name)
        candidates = [n for n in ours_by_assignment.get(key, []) if n not in wanted and n not in used]
        if candidates:
            old = sorted(candidates)[0]
            used.add(old)
            plan.rename.append(Change(name, assignment, values, old_name=old))
            continue
        plan.add.append(Change(name, assignment, values))
    current = {(a.account_id, a.role_name) for a in listing.assignments}
    for name in sorted(ours.keys() - used - wanted):
        keys = ours[name]
        account = keys.get("sso_account_id", "")
        if account in listing.failed:
            plan.kept_unknown.append(name)
        elif (account, keys.get("sso_role_name", "")) in current:
            continue  # a second profile for a current assignment: leave it
        elif prune:
            plan.remove.append(name)
        else:
            plan.stale.append(name)
    return plan


def _order(assignment: Assignment) -> tuple[str, str, str]:
    return (assignment.account_name.casefold(), assignment.account_id, assignment.role_name.casefold())


def apply_plan(doc: ConfigDocument, plan: Plan) -> None:
    target = plan.target
    if plan.create_session and target.create is not None:
        doc.set_values(SectionRef.sso_session(target.name), target.create)
    for change in plan.rename:
        assert change.old_name is not None
        doc.rename_section(SectionRef.profile(change.old_name), SectionRef.profile(change.name))
        doc.set_values(SectionRef.profile(change.name), change.values)
    for change in plan.update:
        doc.set_values(SectionRef.profile(change.name), change.values)
    for change in plan.add:
        doc.set_values(SectionRef.profile(change.name), change.values)
    for name in plan.remove:
        doc.remove_section(SectionRef.profile(name))


def replan_and_apply(
    doc: ConfigDocument,
    confirmed: Plan,
    listing: Listing,
    *,
    template: str,
    region: str | None,
    prune: bool,
    guard: Sequence[str] = (),
    planned_on: bytes | None = None,
) -> Plan:
    """The edit run under the config lock: plan again on the file as it is now and apply.

    Removals are the one thing confirmed by a person, so the new plan may not remove more.
    ``planned_on``: the file's bytes ``confirmed`` was made from; when the file still holds
    exactly them, the plan (a function of the file, the listing and the options) is the same
    and is not made again (a big file's generated profiles are not all looked at twice).
    """
    if planned_on is not None and doc.to_bytes() == planned_on:
        apply_plan(doc, confirmed)
        return confirmed
    plan = make_plan(doc, confirmed.target, listing, template=template, region=region, prune=prune, guard=guard)
    extra = sorted(set(plan.remove) - set(confirmed.remove))
    if extra:
        raise ConfigChanged(
            f"the config changed while ssoenv was working; it would now also remove {', '.join(extra)}",
            hint="nothing was written; run the command again",
        )
    apply_plan(doc, plan)
    return plan


def describe_failures(failed: Mapping[str, str]) -> str:
    ids = sorted(failed)
    shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
    reason = failed[ids[0]]
    return f"could not list the roles of {len(ids)} account(s) ({shown}): {reason}"
