"""``ssoenv populate``: write a profile for every account and role of an SSO session."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ssoenv.auth.loginopts import LoginOptions
from ssoenv.errors import LoginRequired, UsageError
from ssoenv.features.populate import DEFAULT_TEMPLATE, TEMPLATE_FIELDS
from ssoenv.front.cli import emit
from ssoenv.front.cli.common import login_options, make_access, region_option, say
from ssoenv.ui.confirm import terminal_present, yes_no


def _display(path: Path) -> str:
    home = os.environ.get("HOME")
    text = str(path)
    if home and text.startswith(home.rstrip("/") + "/"):
        return "~" + text[len(home.rstrip("/")) :]
    return text


def _show_names(title: str, names: list[str], limit: int = 10) -> None:
    shown = ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")
    say(f"{title}: {shown}")


@click.command("populate")
@click.option("--sso-session", "sso_session", metavar="NAME", help="The [sso-session] to populate from.")
@click.option("--start-url", metavar="URL", help="Portal start URL (finds or creates its [sso-session]).")
@click.option("--sso-region", metavar="REGION", help="Region of the IAM Identity Center instance (with --start-url).")
@click.option(
    "--profile-template",
    default=DEFAULT_TEMPLATE,
    show_default=True,
    metavar="TEMPLATE",
    help="Profile names; fields: " + ", ".join("{" + f + "}" for f in TEMPLATE_FIELDS) + ".",
)
@region_option("Set `region = REGION` in every generated profile.")
@click.option("--dry-run", is_flag=True, help="Print the change to the config as a diff on stdout; write nothing.")
@click.option("--prune", is_flag=True, help="Remove generated profiles whose account/role assignment is gone.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask before removing profiles (needed for --prune in scripts).")
@click.option(
    "--guard",
    "guard",
    metavar="PATTERN",
    multiple=True,
    help="Mark profiles whose name, account name or role matches (substring, or a *?[ wildcard "
    "pattern matching the whole field; any case) with ssoenv_guard = confirm. Repeatable.",
)
@login_options
def populate_command(
    sso_session: str | None,
    start_url: str | None,
    sso_region: str | None,
    profile_template: str,
    region: str | None,
    dry_run: bool,
    prune: bool,
    yes: bool,
    guard: tuple[str, ...],
    login: LoginOptions,
) -> None:
    """Write a profile for every account and role you can use in an SSO session.

    Profiles are named by --profile-template (made safe for shells and unique) and marked with
    `ssoenv_generated = SESSION`, so running it again updates them in place and --prune can
    remove the ones whose assignment is gone. Hand-written profiles, and profiles generated for
    another session, are never changed. A backup of the previous config is kept beside it
    (config.ssoenv.bak).
    """
    from ssoenv.config.profiles import SsoSession, load_config
    from ssoenv.config.writer import backup_path, check_writable, edit_config, read_document, unified_diff
    from ssoenv.credentials.sso import SignedIn, get_token
    from ssoenv.features.populate import (
        Listing,
        apply_plan,
        check_region,
        check_template,
        describe_failures,
        list_assignments,
        make_plan,
        replan_and_apply,
        resolve_target,
    )
    from ssoenv.paths import resolve_paths
    from ssoenv.remote.portal import Portal
    from ssoenv.ui.progress import Progress

    check_template(profile_template)
    if region is not None:
        region = check_region(region)
    paths = resolve_paths(os.environ)
    prompt_ok = terminal_present()
    cfg = load_config(paths)  # read as every command reads it: a file botocore refuses stops here, before any login
    doc, before = read_document(paths)  # the writer's document: what the plan edits
    if not dry_run:
        check_writable(paths)  # and so does one ssoenv may not write

    def choose(labels: list[str]) -> int:
        from ssoenv.ui.picker import pick

        return pick(labels, title="Which sso-session?")

    target = resolve_target(
        cfg,
        sso_session=sso_session,
        start_url=start_url,
        sso_region=sso_region,
        choose=choose if prompt_ok else None,
    )
    scopes = tuple(s.strip() for s in (target.scopes or "").split(",") if s.strip())
    session = SsoSession(name=target.name, start_url=target.start_url, region=target.region, scopes=scopes)
    new_hint = "add --use-device-code to sign in with a code from any device"
    access = make_access(login, profile=None, relogin_hint=new_hint if target.create is not None else None)
    new = " (new)" if target.create is not None else ""
    say(f"populating from {target.start_url} (sso-session {target.name}{new})")
    try:
        token = get_token(paths, session, access, environ=os.environ)
    except LoginRequired as exc:
        if target.create is None:
            raise
        raise LoginRequired(exc.message, hint=new_hint) from exc
    portal = Portal(target.region)

    def list_all(access_token: str) -> Listing:
        with Progress("listing accounts") as progress:
            return list_assignments(portal, access_token, progress=progress)

    listing = SignedIn(paths, session, access, token, environ=os.environ).call(list_all)
    say(f"found {listing.accounts} account(s) with {len(listing.assignments)} role(s)")
    if listing.failed:
        say(describe_failures(listing.failed) + "; their profiles are left as they are")
    plan = make_plan(doc, target, listing, template=profile_template, region=region, prune=prune, guard=guard)
    for name, reason in plan.skipped:
        say(f"skipped {name}: {reason}")
    if plan.stale:
        _show_names(
            f"{len(plan.stale)} generated profile(s) have no assignment any more (remove them with --prune)",
            plan.stale,
        )
    config_name = _display(paths.config_file)
    if dry_run:
        preview = doc.copy()
        apply_plan(preview, plan)
        after = preview.to_bytes()
        if after != (before or b""):
            emit(unified_diff(before, after, path=config_name), nl=False)
        say(f"dry run: {plan.summary()}; nothing written")
        return
    if plan.changes == 0:
        say(f"nothing to change: {len(plan.unchanged)} generated profile(s) are up to date in {config_name}")
        return
    if plan.remove and not yes:
        _show_names(f"{len(plan.remove)} generated profile(s) to remove", plan.remove)
        if not prompt_ok:
            raise UsageError(
                f"refusing to remove {len(plan.remove)} profile(s) without confirmation; nothing written",
                hint="add --yes, or look first with --dry-run",
            )
        if not yes_no("ssoenv: remove them?", default=False):
            say("nothing written")
            return

    outcome = edit_config(
        paths,
        lambda fresh: replan_and_apply(
            fresh, plan, listing, template=profile_template, region=region, prune=prune, guard=guard, planned_on=before
        ),
    )
    final = outcome.result
    if not outcome.changed:
        say(f"nothing to change in {config_name}")
        return
    backup = f"; previous version in {_display(backup_path(paths.config_file))}" if outcome.before else ""
    say(f"updated {config_name}: {final.summary()}{backup}")
    if final.create_session:
        say(f"added [sso-session {target.name}]")
    examples = final.add or final.update or final.rename
    if examples:
        name = examples[0].name
        say(f"use one with: ssoenv use {name}   (or: aws s3 ls --profile {name})")


command = populate_command
