"""Guarded profiles: the one policy of "does going into this profile need a person's yes?".

A profile is guarded with ``ssoenv_guard = confirm`` in its own section, or in the
``[sso-session]`` it logs in to (every profile of that session is then guarded; a profile may say
``ssoenv_guard = off`` to opt out). For a role chain the nearest profile of the chain that says
either wins, then the root's session. The value is read through the one config reader.

Going into a guarded profile (``use``, ``shell``, ``exec``, ``exec --live``, ``serve``,
``console``) needs a confirmation — the profile's name or its account id typed on the terminal —
unless ``--yes`` is given. It is not asked again where the profile is already in use and was
confirmed: ``SSOENV_PROFILE`` is that profile and ``SSOENV_GUARD=1`` (what ``use`` exports),
which is also how the prompt hook's background refresh goes through without a question. Without
a terminal, and without ``--yes``, the command refuses with :class:`ssoenv.errors.NotConfirmed`.

This is a guardrail against a slip of the fingers, not a security boundary: anyone who can run
ssoenv can set the variables or pass ``--yes``.

Stdlib only: the fast path of ``use`` asks :func:`needs_confirmation` before serving from cache.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from ssoenv.errors import ConfigError, NotConfirmed

if TYPE_CHECKING:
    from ssoenv.config.profiles import AwsConfig

KEY = "ssoenv_guard"
VARIABLE = "SSOENV_GUARD"
CONFIRM = "confirm"
OFF = "off"

Ask = Callable[[str], str]


def _setting(value: str, where: str) -> bool:
    text = value.strip().lower()
    if text == CONFIRM:
        return True
    if text in (OFF, ""):
        return False
    raise ConfigError(
        f"{where}: {KEY} must be `{CONFIRM}` or `{OFF}`, not {value!r}",
        hint=f"write `{KEY} = {CONFIRM}` to ask before using it",
    )


def _chain(cfg: AwsConfig, name: str) -> tuple[list[str], str | None]:
    """The profiles whose own setting counts (nearest first) and the session whose setting follows."""
    from ssoenv.config.chain import is_chained, resolve_chain

    if is_chained(cfg, name):
        try:
            chained = resolve_chain(cfg, name)
        except ConfigError:
            return [name], None  # the normal path reports the broken chain
        names = [hop.profile for hop in reversed(chained.hops)] + [chained.root.name]
        return names, chained.root.session.name
    return [name], cfg.value(name, "sso_session")


def is_guarded(cfg: AwsConfig, name: str) -> bool:
    """Whether profile ``name`` (any kind) is marked ``ssoenv_guard = confirm``, itself or by its session."""
    return _guarded(cfg, name, None)


class Guarded:
    """:func:`is_guarded` for many profiles of one config (``list``): each session's setting is
    read once (a refusal is raised again for every profile it concerns)."""

    __slots__ = ("_cfg", "_sessions")

    def __init__(self, cfg: AwsConfig) -> None:
        self._cfg = cfg
        self._sessions: dict[str, bool] = {}

    def __call__(self, name: str) -> bool:
        own = self._cfg.merged(name)
        session = own.get("sso_session")
        if session.__class__ is str and KEY not in own and not own.get("role_arn"):
            known = self._sessions.get(str(session))
            if known is not None:  # a profile that follows its session's setting, already read
                return known
        return _guarded(self._cfg, name, self._sessions)


def _guarded(cfg: AwsConfig, name: str, sessions: dict[str, bool] | None) -> bool:
    own = cfg.merged(name)
    if not own.get("role_arn"):  # not a chain (the common case, asked for every row of `list`)
        value = own.get(KEY)
        if value.__class__ is str:
            return _setting(str(value), cfg.raw_profile(name).where(KEY))
        session = own.get("sso_session")
        if not session or session.__class__ is not str:
            return False
        if sessions is None:
            return _session_setting(cfg, str(session))
        known = sessions.get(str(session))
        if known is None:
            known = sessions[str(session)] = _session_setting(cfg, str(session))
        return known
    names, chain_session = _chain(cfg, name)
    for profile in names:
        if profile not in cfg.profiles and profile not in cfg.credentials:
            continue
        value = cfg.value(profile, KEY)
        if value is not None:
            return _setting(value, cfg.raw_profile(profile).where(KEY))
    return _session_setting(cfg, chain_session) if chain_session else False


def _session_setting(cfg: AwsConfig, session: str) -> bool:
    """The ``[sso-session]``'s own setting (False when it has none, or there is no such session)."""
    section = cfg.sso_sessions.get(session)
    value = section.get(KEY) if section is not None else None
    return _setting(value, section.where(KEY)) if value is not None and section is not None else False


def confirmed_here(name: str, environ: Mapping[str, str]) -> bool:
    """The profile is in use in this environment and was confirmed there (``use`` exported it so)."""
    return environ.get("SSOENV_PROFILE") == name and environ.get(VARIABLE) == "1"


def needs_confirmation(cfg: AwsConfig, name: str, environ: Mapping[str, str]) -> bool:
    """THE policy: a guarded profile, not already confirmed in this environment."""
    return not confirmed_here(name, environ) and is_guarded(cfg, name)


def question(name: str, account_id: str | None) -> str:
    what = f"{name} ({account_id})" if account_id else name
    answers = f"its name ({name}) or account id ({account_id})" if account_id else f"its name ({name})"
    return f"ssoenv: {what} is a guarded profile. To go on, type {answers}: "


def confirm(
    cfg: AwsConfig,
    name: str,
    environ: Mapping[str, str],
    *,
    account_id: str | None,
    yes: bool,
    ask: Ask | None,
    verb: str,
) -> bool:
    """Ask when :func:`needs_confirmation` says so; raise NotConfirmed unless the answer is right.

    ``ask`` shows a question to a person and returns the line typed (None: nobody is there);
    ``verb`` is the command, for the hint. Returns whether the profile is guarded (``use``
    exports ``SSOENV_GUARD=1`` then).
    """
    guarded = is_guarded(cfg, name)
    if yes or not needs_confirmation(cfg, name, environ):
        return guarded
    if ask is None:
        raise NotConfirmed(
            f"{name} is a guarded profile ({KEY} = {CONFIRM}) and there is no terminal to confirm it; nothing done",
            hint=f"run it in a terminal, or add --yes: ssoenv {verb} --yes {name} ...",
        )
    answer = ask(question(name, account_id)).strip()
    if answer and answer in (name, account_id):
        return guarded
    raise NotConfirmed(
        f"not confirmed: {answer!r} is not {name}" + (f" or {account_id}" if account_id else "") + "; nothing done",
        hint=f"type the profile name exactly, or add --yes: ssoenv {verb} --yes {name} ...",
    )


def matches(patterns: Iterable[str], *fields: str) -> bool:
    """``populate --guard PATTERN``: whether any field (profile name, account name, role) matches.

    A pattern with a wildcard (``*``, ``?``, ``[``) must match a whole field, as in a shell
    (``*prod*``, ``acme-prod-?``); a pattern without one matches where it appears in a field
    (``prod`` marks ``acme-prod.Admin``). Case is ignored either way.
    """
    import fnmatch

    for pattern in patterns:
        wanted = pattern.strip().casefold()
        if not wanted:
            continue
        glob = any(c in wanted for c in "*?[")
        for field in fields:
            value = field.casefold()
            if value and (fnmatch.fnmatchcase(value, wanted) if glob else wanted in value):
                return True
    return False
