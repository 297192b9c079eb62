"""``ssoenv list [--json]``: every profile and its session's state, with no network and no boto3."""

from __future__ import annotations

import itertools
import json
import os
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from json.encoder import encode_basestring_ascii
from operator import itemgetter
from pathlib import Path
from typing import Any

import click

from ssoenv.auth import sessionclock
from ssoenv.config import guard
from ssoenv.config.chain import AnyProfile, ChainedProfile, is_chained, resolve_chain
from ssoenv.config.ini import GcPaused
from ssoenv.config.profiles import SsoSession, login_session_for_profile, resolve_profile
from ssoenv.credentials.cache import cached_expiration, now, role_cache_key
from ssoenv.credentials.sso import token_state
from ssoenv.errors import ConfigError
from ssoenv.front.cli import emit
from ssoenv.front.cli.common import Context, say
from ssoenv.ui.status import colours_welcome, format_duration
from ssoenv.ui.table import Column, render_columns, terminal_width


class _Memo:
    """What many rows share, looked up once per command: each session's token state and end,
    each session's guard setting, the names of the cached role-credential files still valid."""

    def __init__(self, ctx: Context) -> None:
        self.sessions: dict[str, tuple[str, str | None, str | None, str | None]] = {}
        self.guarded = guard.Guarded(ctx.config)
        # one string object for each value many rows share (a role name, a region, a session name):
        # the table's and the JSON's passes over a column then read a few objects, not one per row
        known: dict[str | None, str | None] = {}
        self.shared = known.setdefault
        self.cached = _unexpired(ctx.paths.cli_cache_dir)


def _unexpired(folder: Path) -> set[str]:
    """The names of the cached role-credential files that have not expired: only a profile whose
    file is one of them has a first clock to show (none: no cache key is computed for each of
    many profiles, the common case of a morning's first `list`)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return set()
    at = now()
    return {
        name
        for name in names
        if name.endswith(".json") and (expires := cached_expiration(folder / name)) is not None and expires > at
    }


# A row: one profile's values in this order; `list --json` shows each as an object of these keys
# (and "active"), with a tuple (the chain) as a list.
FIELDS = (
    "profile",
    "account_id",
    "role_name",
    "region",
    "sso_session",
    "start_url",
    "state",  # valid, refreshable, expired, rejected, not-logged-in, not-sso, invalid
    "expires_at",  # the token's
    "error",  # what is wrong with the profile or its session (said below the table)
    "chain",  # for role profiles: the source profiles (a tuple), nearest first, down to the SSO root
    "guarded",  # ssoenv_guard = confirm (ssoenv.config.guard)
    "credentials_expire_at",  # cached role credentials (the first clock)
    "session_expires_at",  # the SSO session's end, when known (the second clock)
)
Row = tuple[Any, ...]
_STATE, _ERROR, _GUARDED = FIELDS.index("state"), FIELDS.index("error"), FIELDS.index("guarded")


def _rows(ctx: Context) -> list[Row]:
    """A row per profile, in name order."""
    memo = _Memo(ctx)
    return [_row(ctx, name, memo) for name in ctx.config.profile_names()]


_KEYS = ("sso_account_id", "sso_role_name", "region", "sso_session", "sso_start_url", "role_arn")


def _row(ctx: Context, name: str, memo: _Memo) -> Row:
    """One profile, resolved once."""
    cfg = ctx.config
    account, role, region, session_name, start_url, role_arn = cfg.strings(name, _KEYS)
    chain = None
    guarded = False
    profile: AnyProfile | None = None
    stop: tuple[str, str | None] | None = None
    try:
        guarded = memo.guarded(name)
        if role_arn and is_chained(cfg, name):
            profile = resolve_chain(cfg, name)
            account, role, chain = profile.account_id, profile.role_name, profile.sources
            session = profile.session
        elif account or role:
            profile = resolve_profile(cfg, name)
            session = profile.session
        elif session_name or start_url:
            session = login_session_for_profile(cfg, name)
        else:
            stop = ("not-sso", None)
    except ConfigError as exc:
        stop = ("invalid", str(exc))
    if stop is not None:  # a row with no session to show
        state, error = stop
        return (name, account, role, region, session_name, start_url, state, None, error, None, guarded, None, None)
    # nothing cached at all (the common case): no key to compute for each profile
    creds = _role_clock(ctx, profile, memo) if memo.cached and profile is not None else None
    known = memo.sessions.get(session.cache_key_source)
    state, expires, end, error = known if known is not None else _session_state(ctx, session, memo)
    shared = memo.shared
    role, region, session_name = shared(role, role), shared(region, region), shared(session_name, session_name)
    return (
        name,
        account,
        role,
        region,
        session_name,
        session.start_url,
        state,
        expires,
        error,
        chain,
        guarded,
        creds,
        end,
    )


def _role_clock(ctx: Context, profile: AnyProfile, memo: _Memo) -> str | None:
    """The cached role credentials' expiry (no network), if any are cached and not expired."""
    key = profile.hops[-1].cache_key if isinstance(profile, ChainedProfile) else role_cache_key(profile)
    if f"{key}.json" not in memo.cached:
        return None  # no file to open
    from ssoenv.credentials.anyprofile import cached_credentials

    creds = cached_credentials(ctx.paths, profile, freshness=timedelta(0))
    return creds.expiration.isoformat() if creds is not None else None


def _session_state(ctx: Context, session: SsoSession, memo: _Memo) -> tuple[str, str | None, str | None, str | None]:
    """The session's state, its token's expiry, its end and what is wrong with it (once per session:
    profiles of one session share one token file)."""
    state, token = token_state(ctx.paths, session)
    expires = end = error = None
    if token is not None:
        expires = token.expires_at.isoformat()
        if state in ("valid", "refreshable"):
            try:
                at = sessionclock.session_end(ctx.paths, ctx.config, session, token)
                end = at.isoformat() if at is not None else None
            except ConfigError as exc:  # a bad ssoenv_session_duration: said below the table
                error = str(exc)
    known = memo.sessions[session.cache_key_source] = ({"none": "not-logged-in"}.get(state, state), expires, end, error)
    return known


def _left(value: str | None) -> str:
    """``42m`` / ``3h05m`` left until an ISO time, ``-`` when unknown or over."""
    if not value:
        return "-"
    seconds = (datetime.fromisoformat(value) - now()).total_seconds()
    return format_duration(seconds) if seconds > 0 else "-"


def _ends(value: str | None) -> str:
    """The session's end as local ``HH:MM`` (with the date when not today), ``-`` when unknown."""
    if not value:
        return "-"
    end = datetime.fromisoformat(value).astimezone()
    if end <= now():
        return "ended"
    return f"{end:%H:%M}" if end.date() == datetime.now().astimezone().date() else f"{end:%m-%d %H:%M}"


# The table's columns: the least important are elided first (shrink) and dropped first (drop);
# the marks (* in use, ! guarded), the name, the state and both clocks always stay.
COLUMNS = (
    Column("", 2),
    Column("PROFILE", 16, shrink=4),
    Column("ACCOUNT", 12, drop=4),
    Column("ROLE", 12, shrink=3, drop=3),
    Column("REGION", 9, shrink=2, drop=2),
    Column("SESSION", 10, shrink=1, drop=1),
    Column("STATE", 22, shrink=5),  # "rejected: log in again" whole, unless the terminal is very narrow
    Column("CREDS", 5),
    Column("ENDS", 11),
)
_RED, _YELLOW, _GREEN, _GUARD = "\x1b[31m", "\x1b[33m", "\x1b[32m", "\x1b[1;35m"


def _colour() -> bool:
    """Colours when stdout is a terminal that welcomes them (no NO_COLOR, TERM not dumb)."""
    if not colours_welcome():
        return False
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _table(rows: list[Row], active: str | None, width: int, *, colour: bool) -> list[str]:
    """The table for people, fitted to ``width`` cells (values elided with …, never wrapped)."""
    columns = list(zip(*rows, strict=True)) or [()] * len(FIELDS)
    tones = None
    if colour:
        by_state = {"expired": _RED, "rejected": _RED, "invalid": _RED, "refreshable": _YELLOW, "valid": _GREEN}
        marked = [_GUARD if g else "" for g in columns[_GUARDED]]  # the prompt's colour for a guarded profile
        tones = {0: marked, 1: marked, 6: [by_state.get(state, "") for state in columns[_STATE]]}
    return render_columns(COLUMNS, _cells(columns, active), width, tones)


def _cells(columns: list[tuple[Any, ...]], active: str | None) -> list[Sequence[str]]:
    """The table's cells, column by column, from the rows' columns: what many rows share (a
    state's text, a clock) is worked out once, a column with nothing to replace (no empty value,
    no chain) is taken as it is."""
    names, accounts, roles, regions, sessions, urls, states, expiries, _, chains, guarded, creds, ends = columns
    marks: Sequence[str] = ["!" if g else "" for g in guarded] if any(guarded) else ("",) * len(names)
    if active is not None and active in names:
        marks = [("*" if name == active else "") + mark for name, mark in zip(names, marks, strict=True)]
    if chains.count(None) == len(chains) and None not in sessions and "" not in sessions:
        via: Sequence[str] = sessions  # every profile has an sso_session (the common case)
    else:
        via = [
            " → ".join(chain) if chain else session or url or "-"
            for chain, session, url in zip(chains, sessions, urls, strict=True)
        ]
    state_keys = list(zip(states, expiries, strict=True))
    texts = {key: _state_text(*key) for key in set(state_keys)}
    left = {value: _left(value) for value in set(creds)}
    end = {value: _ends(value) for value in set(ends)}
    return [
        marks,
        names,
        _or_dash(accounts),
        _or_dash(roles),
        _or_dash(regions),
        via,
        list(map(texts.__getitem__, state_keys)),
        list(map(left.__getitem__, creds)),
        list(map(end.__getitem__, ends)),
    ]


def _or_dash(values: tuple[str | None, ...]) -> Sequence[str]:
    """The values, ``-`` for an empty one (found at C speed where there are few: a [default])."""
    blanks = values.count(None) + values.count("")
    if not blanks:
        return values  # type: ignore[return-value]  # no None in them
    if blanks > 16:
        return [v or "-" for v in values]
    out: list[Any] = list(values)
    for blank in (None, ""):
        at = -1
        for _ in range(values.count(blank)):
            at = out.index(blank, at + 1)
            out[at] = "-"
    return out


def _state_text(state: str, expires_at: str | None) -> str:
    if state == "valid" and expires_at is not None:
        expires = datetime.fromisoformat(expires_at)
        return f"valid {format_duration((expires - now()).total_seconds())}"
    return {
        "refreshable": "refreshable",
        "expired": "expired",
        "rejected": "rejected: log in again",
        "not-logged-in": "not logged in",
        "not-sso": "not SSO",
        "invalid": "invalid config",
    }.get(state, str(state))


def _json(rows: list[Row], active: str | None) -> str:
    """``json.dumps`` of the rows as objects (:data:`FIELDS` and ``"active"``), compact: the same
    text, made faster. The first three values (name, account, role) are each row's own and are
    encoded column by column at C speed; the rest (region, session, state, clocks...) is what many
    rows share, and each distinct rest is encoded once."""
    if not rows:
        return "[]"
    parts: list[Iterable[str]] = []
    columns = zip(*map(itemgetter(0, 1, 2), rows), strict=True)
    for field, values in zip(FIELDS, columns, strict=False):
        parts.append(itertools.repeat(f", {json.dumps(field)}: "))
        try:
            parts.append(list(map(encode_basestring_ascii, values)))
        except TypeError:  # None (a profile without an account id)
            parts.append([encode_basestring_ascii(v) if v.__class__ is str else json.dumps(v) for v in values])
    parts[0] = itertools.repeat(f", {{{json.dumps(FIELDS[0])}: ")  # each row begins an object
    tails = list(map(itemgetter(slice(3, None)), rows))
    try:
        known = {tail: _rest(tail, False) for tail in set(tails)}
    except TypeError:  # a value that is not hashable: no row has any
        return json.dumps([_object(row, active) for row in rows])
    encoded = list(map(known.__getitem__, tails))
    if active is not None:
        for index, row in enumerate(rows):
            if row[0] == active:
                encoded[index] = _rest(tails[index], True)
    parts.append(encoded)
    lines = itertools.chain.from_iterable(zip(*parts, strict=False))  # not strict: repeat() has no end
    return "[" + "".join(lines)[2:] + "]"


def _rest(values: tuple[Any, ...], active: bool) -> str:
    """``, "region": ..., "active": ...}``: the rest of a row's JSON after its first three values."""
    return ", " + json.dumps(dict(zip(FIELDS[3:], values, strict=True), active=active))[1:]


def _object(row: Row, active: str | None) -> dict[str, Any]:
    return dict(zip(FIELDS, row, strict=True), active=row[0] == active)


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout.")
def list_command(as_json: bool) -> None:
    """List profiles: account, role, region, SSO session and the session's state.

    States: valid (time left), refreshable (expired but renewable without a browser), expired,
    rejected (the service refused the token: revoked), not logged in. The active profile (from
    `ssoenv use`) is marked with *, a guarded one (ssoenv_guard = confirm) with !. Two clocks:
    CREDS is the time left on the cached role credentials, ENDS the local time the SSO session
    ends, where known (a token that cannot be refreshed, or ssoenv_session_duration). The table
    fits the terminal's width (COLUMNS, else 80 off a terminal): long values are cut with …;
    --json has every value in full.
    """
    with GcPaused():  # the whole command: a big file makes many objects and no cycles
        _list(as_json)


def _list(as_json: bool) -> None:
    """The command, with the collector paused."""
    ctx = Context.load()
    rows = _rows(ctx)
    active = os.environ.get("SSOENV_PROFILE")
    if as_json:
        if sys.stdout.isatty():  # indented for people
            emit(json.dumps([_object(row, active) for row in rows], indent=2))
        else:  # compact for pipes
            emit(_json(rows, active))
        return
    if not rows:
        say(f"no profiles in {ctx.paths.config_file}; run `ssoenv configure`")
        return
    lines = _table(rows, active, terminal_width(), colour=_colour())
    emit("\n".join(lines))
    for row in rows:
        if row[_ERROR]:
            say(f"{row[0]}: {row[_ERROR]}")


command = list_command
