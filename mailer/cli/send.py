"""`mailer send`, `mailer worker` and `mailer campaigns`: plan, send, resume, cancel, retry."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import func
from sqlmodel import col, select

from mailer.cli.completion import complete_country, complete_region
from mailer.cli.output import console, err_console, print_json, table, warn
from mailer.cli.state import state
from mailer.contacts.audience import AudienceFilter
from mailer.db import session_scope
from mailer.errors import MailerError, NotFoundError, UsageError
from mailer.models import Campaign, CampaignStatus, DeliveryStatus
from mailer.release import ReleaseInvalid
from mailer.send import queue
from mailer.send.report import build_report, write_csv, write_html
from mailer.send.schedule import run_scheduler, start_due_campaigns
from mailer.send.service import SendPlan, parse_when, plan_send, prepare_send, relay_description
from mailer.send.worker import Progress as SendProgress
from mailer.send.worker import Sender

campaigns_app = typer.Typer(
    help="Campaigns: list, show, resume, cancel, retry.\n\nExample: mailer campaigns list",
    no_args_is_help=True,
)


def _print_plan(plan: SendPlan, relay: str) -> None:
    rel = plan.release
    console.print(f"[bold]{rel.main.title}[/bold] ({', '.join(rel.variants)})", highlight=False)
    console.print(
        table(
            f"{len(plan.audience.contacts)} recipients",
            ["by region", "recipients"],
            plan.by_region.most_common(),
        )
    )
    console.print(
        table(
            None,
            ["language variant", "recipients", "message size"],
            (
                [lang, plan.by_language.get(lang, 0), f"{plan.sizes.get(lang, 0):,} bytes"]
                for lang in rel.variants
            ),
        )
    )
    lines = [
        f"spokespeople: {', '.join(plan.spokespeople) or 'none'}",
        f"embargo: {rel.main.embargo.isoformat() if rel.main.embargo else 'none'}",
        f"excluded (unsubscribed, bounced, complained, suppressed): {plan.audience.excluded}",
        f"delivery: {relay}",
    ]
    for line in lines:
        console.print(line, highlight=False, markup=False)


def check_embargo(embargo: datetime | None, when: datetime | None, force: bool) -> None:
    """Refuse to send an embargoed release before its embargo time unless forced: a release
    sent early by mistake cannot be recalled."""
    if embargo is None or force:
        return
    start = when or datetime.now(UTC)
    if start < embargo:
        raise UsageError(
            f"the release is embargoed until {embargo.isoformat()}; schedule it with "
            f"--at '{embargo.isoformat()}' (or later), or send it now with --force"
        )


def _confirm(yes: bool, count: int) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise UsageError("not a terminal: add --yes to send without confirmation")
    if not typer.confirm(f"Send to {count} journalists?"):
        raise typer.Exit(1)


def _run(
    ctx: typer.Context, campaign_id: int | None, foreground: bool, show_progress: bool
) -> SendProgress:
    """Run a Sender with a progress display; Ctrl-C / SIGTERM stop it cleanly."""
    app_state = state(ctx)
    total = _pending(ctx, campaign_id) if campaign_id else 0
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} · {task.fields[detail]}"),
        TimeRemainingColumn(),
        console=err_console,
        disable=not show_progress,
    )
    task = bar.add_task("sending", total=total or None, detail="")
    started, last_log = time.monotonic(), [0.0]

    def on_progress(p: SendProgress) -> None:
        rate = p.done / max(time.monotonic() - started, 1e-3)
        c = p.counts
        detail = (
            f"sent {c[DeliveryStatus.SENT]}, deferred {c[DeliveryStatus.DEFERRED]}, "
            f"failed {c[DeliveryStatus.FAILED]}, {rate:,.0f}/s"
        )
        bar.update(task, completed=p.done, detail=detail)
        if not show_progress and time.monotonic() - last_log[0] > 5:
            last_log[0] = time.monotonic()
            err_console.print(f"progress: {p.done}/{total or '?'} {detail}", highlight=False)

    sender = Sender(
        app_state.engine,
        app_state.settings,
        campaign_id=campaign_id,
        foreground=foreground,
        on_progress=on_progress,
    )

    async def main() -> SendProgress:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, sender.stop.set)
        if campaign_id is not None:
            return await sender.run()
        # A worker is also the scheduler: scheduled campaigns start when their time comes.
        await asyncio.to_thread(start_due_campaigns, app_state.engine)
        scheduler = asyncio.create_task(run_scheduler(app_state.engine, sender.stop))
        try:
            return await sender.run()
        finally:
            sender.stop.set()
            await scheduler

    with bar:
        progress = asyncio.run(main())
    if sender.stop.is_set() and foreground:
        warn(
            "stopped: in-flight messages finished, the rest stay queued; resume with "
            f"`mailer campaigns resume {campaign_id}`"
        )
    return progress


def _pending(ctx: typer.Context, campaign_id: int) -> int:
    counts = queue.counts(state(ctx).engine, campaign_id)
    return sum(
        counts.get(s, 0)
        for s in (DeliveryStatus.QUEUED, DeliveryStatus.SENDING, DeliveryStatus.DEFERRED)
    )


def _summary(ctx: typer.Context, campaign_id: int, as_json: bool) -> None:
    engine = state(ctx).engine
    counts = queue.counts(engine, campaign_id)
    retry = queue.next_retry_at(engine, campaign_id)
    with session_scope(engine) as session:
        campaign = session.get(Campaign, campaign_id)
    status = campaign.status.value if campaign else "?"
    if as_json:
        print_json(
            {
                "campaign": campaign_id,
                "status": status,
                "deliveries": {s.value: counts.get(s, 0) for s in DeliveryStatus},
                "next_retry_at": retry.isoformat() if retry else None,
            }
        )
        return
    console.print(
        table(
            f"campaign {campaign_id}: {status}",
            ["status", "deliveries"],
            ([s.value, counts.get(s, 0)] for s in DeliveryStatus if counts.get(s)),
        )
    )
    if retry is not None:
        console.print(
            f"{counts.get(DeliveryStatus.DEFERRED, 0)} deferred deliveries will be retried from "
            f"{retry.isoformat(timespec='seconds')} (backoff until the deadline) by "
            f"`mailer worker`, or now with `mailer campaigns resume {campaign_id}`",
            highlight=False,
            markup=False,
        )
    relays = state(ctx).settings.relay_list()
    if not relays:
        console.print(
            f"messages are in the Maildir {state(ctx).settings.outbox_dir}/new "
            "(open it with any mail client)",
            highlight=False,
            markup=False,
        )


def send(
    ctx: typer.Context,
    release: Annotated[Path, typer.Argument(help="The release's Markdown file.", dir_okay=False)],
    region: Annotated[
        list[str] | None,
        typer.Option("--region", "-r", help="Region (repeatable).", autocompletion=complete_region),
    ] = None,
    country: Annotated[
        list[str] | None,
        typer.Option(
            "--country", help="Country code (repeatable).", autocompletion=complete_country
        ),
    ] = None,
    language: Annotated[
        list[str] | None,
        typer.Option("--language", "-l", help="Only journalists reading this language."),
    ] = None,
    beat: Annotated[
        list[str] | None, typer.Option("--beat", help="Only journalists on this beat.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Render and check everything; send nothing.")
    ] = False,
    test_to: Annotated[
        str | None,
        typer.Option("--test-to", help="Send one [TEST] copy per language to this address only."),
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="Schedule, e.g. '2026-12-18 09:00 Asia/Bishkek'.")
    ] = None,
    queue_only: Annotated[
        bool,
        typer.Option("--queue-only", help="Plan the campaign; leave sending to `mailer worker`."),
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Send an embargoed release before its embargo time."),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON summary for scripts.")
    ] = False,
) -> None:
    """Send a release to an audience: one personal email per journalist.

    Running the same command again resumes the same campaign; nobody gets a second copy.

    Example: mailer send examples/immunization-release.md --region central-asia --yes
    """
    app_state = state(ctx)
    flt = AudienceFilter(
        regions=[app_state.taxonomy.validate_slug(r) for r in region or []],
        countries=country or [],
        languages=language or [],
        beats=beat or [],
    )
    when = parse_when(at) if at else None
    try:
        with session_scope(app_state.engine) as session:
            plan = prepare_send(
                session, app_state.taxonomy, app_state.settings, release, flt, test_to
            )
    except ReleaseInvalid as exc:
        for err in exc.errors:
            err_console.print(str(err), highlight=False, markup=False)
        raise
    if not as_json:
        _print_plan(plan, relay_description(app_state.settings))
    if not plan.audience.contacts:
        raise UsageError("the audience is empty: no active journalist matches")
    if dry_run:
        if as_json:
            print_json(
                {
                    "dry_run": True,
                    "recipients": len(plan.audience.contacts),
                    "by_language": dict(plan.by_language),
                    "by_region": dict(plan.by_region),
                }
            )
        else:
            console.print(
                "dry run: everything rendered and checked; nothing sent",
                highlight=False,
                markup=False,
            )
        return
    if test_to is None:
        # Translations may carry their own (later) embargo: the latest one governs the send.
        embargoes = [v.embargo for v in plan.release.variants.values() if v.embargo is not None]
        check_embargo(max(embargoes, default=None), when, force)
    _confirm(yes, len(plan.audience.contacts))
    with session_scope(app_state.engine) as session:
        planned = plan_send(
            session,
            app_state.taxonomy,
            app_state.settings,
            plan,
            test_to=test_to,
            scheduled_at=when,
        )
    campaign_id = planned.campaign.id or 0
    verb = "planned" if planned.created else f"resuming (added {planned.added} new recipients)"
    if not as_json:
        console.print(f"campaign {campaign_id} {verb}", highlight=False, markup=False)
    if when is not None or queue_only:
        if not as_json:
            console.print(
                "queued for `mailer worker`" + (f" at {when.isoformat()}" if when else ""),
                highlight=False,
                markup=False,
            )
        else:
            _summary(ctx, campaign_id, True)
        return
    _run(ctx, campaign_id, foreground=True, show_progress=sys.stderr.isatty() and not as_json)
    _summary(ctx, campaign_id, as_json)


def worker(
    ctx: typer.Context,
    campaign: Annotated[int | None, typer.Option("--campaign", help="Only this campaign.")] = None,
    once: Annotated[
        bool, typer.Option("--once", help="Exit when nothing is due (for cron).")
    ] = False,
) -> None:
    """Send queued and due deliveries of every active campaign until stopped (SIGTERM, Ctrl-C).

    Any number of workers on any hosts can share one PostgreSQL database.

    Example: MAILER_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/newsroom mailer worker
    """
    progress = _run(ctx, campaign, foreground=once, show_progress=False)
    console.print(
        f"worker stopped: {progress.done} attempts ({progress.counts[DeliveryStatus.SENT]} sent)",
        highlight=False,
        markup=False,
    )


def _campaign(ctx: typer.Context, campaign_id: int) -> Campaign:
    with session_scope(state(ctx).engine) as session:
        found = session.get(Campaign, campaign_id)
    if found is None:
        raise NotFoundError(f"no campaign {campaign_id}; `mailer campaigns list` shows them")
    return found


def campaign_json(c: Campaign, counts: dict[DeliveryStatus, int]) -> dict[str, Any]:
    """The public JSON shape of a campaign."""
    return {
        "id": c.id,
        "title": c.title,
        "status": c.status.value,
        "test": c.test,
        "release": c.release_path,
        "release_hash": c.release_hash,
        "audience": c.audience,
        "recipients": c.recipients,
        "created_at": c.created_at.isoformat(),
        "scheduled_at": c.scheduled_at.isoformat() if c.scheduled_at else None,
        "finished_at": c.finished_at.isoformat() if c.finished_at else None,
        "deliveries": {s.value: counts.get(s, 0) for s in DeliveryStatus},
    }


@campaigns_app.command("list")
def list_cmd(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False
) -> None:
    """List campaigns, newest first."""
    engine = state(ctx).engine
    with session_scope(engine) as session:
        rows = list(session.exec(select(Campaign).order_by(col(Campaign.id).desc())))
    data = [campaign_json(c, queue.counts(engine, c.id or 0)) for c in rows]
    if as_json:
        print_json(data)
        return
    console.print(
        table(
            f"{len(rows)} campaigns",
            [
                "id",
                "title",
                "status",
                "recipients",
                "sent",
                "deferred",
                "failed",
                "created",
                "scheduled",
            ],
            (
                [
                    d["id"],
                    d["title"][:50],
                    d["status"],
                    d["recipients"],
                    d["deliveries"]["sent"],
                    d["deliveries"]["deferred"],
                    d["deliveries"]["failed"] + d["deliveries"]["bounced"],
                    d["created_at"][:16],
                    (d["scheduled_at"] or "")[:16],
                ]
                for d in data
            ),
        )
    )


@campaigns_app.command("show")
def show_cmd(
    ctx: typer.Context,
    campaign_id: Annotated[int, typer.Argument(help="Campaign id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show a campaign and its delivery counts."""
    c = _campaign(ctx, campaign_id)
    data = campaign_json(c, queue.counts(state(ctx).engine, campaign_id))
    if as_json:
        print_json(data)
        return
    console.print(
        table(
            f"campaign {campaign_id}",
            ["field", "value"],
            (
                [k, json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v]
                for k, v in data.items()
            ),
        )
    )


@campaigns_app.command("resume")
def resume_cmd(
    ctx: typer.Context,
    campaign_id: Annotated[int, typer.Argument(help="Campaign id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Send what is left of a campaign now (deferred deliveries too)."""
    c = _campaign(ctx, campaign_id)
    if c.status == CampaignStatus.CANCELLED:
        raise UsageError(f"campaign {campaign_id} was cancelled")
    queue.retry_now(state(ctx).engine, campaign_id)
    _run(ctx, campaign_id, foreground=True, show_progress=sys.stderr.isatty() and not as_json)
    _summary(ctx, campaign_id, as_json)


@campaigns_app.command("cancel")
def cancel_cmd(
    ctx: typer.Context, campaign_id: Annotated[int, typer.Argument(help="Campaign id.")]
) -> None:
    """Stop a campaign: queued and deferred deliveries are cancelled (sent ones stay sent)."""
    _campaign(ctx, campaign_id)
    count = queue.cancel(state(ctx).engine, campaign_id)
    console.print(
        f"campaign {campaign_id} cancelled; {count} deliveries will not be sent",
        highlight=False,
        markup=False,
    )


@campaigns_app.command("retry")
def retry_cmd(
    ctx: typer.Context, campaign_id: Annotated[int, typer.Argument(help="Campaign id.")]
) -> None:
    """Queue failed deliveries again (after fixing a relay or a policy problem)."""
    _campaign(ctx, campaign_id)
    count = queue.requeue_failed(state(ctx).engine, campaign_id)
    console.print(
        f"{count} deliveries queued again; run `mailer campaigns resume "
        f"{campaign_id}` or let `mailer worker` send them",
        highlight=False,
        markup=False,
    )


def report(
    ctx: typer.Context,
    campaign_id: Annotated[
        int | None, typer.Argument(help="Campaign id (default: the newest campaign).")
    ] = None,
    csv_file: Annotated[
        Path | None,
        typer.Option("--csv", help="Write the recipients with problems as CSV.", dir_okay=False),
    ] = None,
    html_file: Annotated[
        Path | None,
        typer.Option("--html", help="Write a one-page report with charts.", dir_okay=False),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Report a campaign: delivered, deferred, failed, bounced by kind, unsubscribed, per region
    and language, and the recipients with problems.

    Example: mailer report 1 --html report.html
    """
    if campaign_id is None:
        with session_scope(state(ctx).engine) as session:
            campaign_id = session.exec(select(func.max(Campaign.id))).one()
        if campaign_id is None:
            raise NotFoundError("no campaign yet; send one with `mailer send`")
    c = _campaign(ctx, campaign_id)
    with session_scope(state(ctx).engine) as session:
        data = build_report(session, c)
    try:
        if csv_file is not None:
            write_csv(data, csv_file)
        if html_file is not None:
            write_html(data, html_file)
    except OSError as exc:
        raise MailerError(f"cannot write the report: {exc.strerror}: {exc.filename}") from None
    if as_json:
        print_json(data.as_json())
        return
    console.print(
        table(
            f"campaign {campaign_id}: {c.title}",
            ["outcome", "deliveries"],
            sorted(data.totals.items()),
        )
    )
    for title, groups in (("per region", data.by_region), ("per language", data.by_language)):
        statuses = sorted({s for v in groups.values() for s in v})
        console.print(
            table(
                title,
                ["", *statuses],
                ([k, *(v.get(s, 0) for s in statuses)] for k, v in sorted(groups.items())),
            )
        )
    bounces = ", ".join(f"{k} {n}" for k, n in sorted(data.bounces.items())) or "none"
    console.print(
        f"bounces: {bounces}; unsubscribed: {data.unsubscribed}", highlight=False, markup=False
    )
    if data.problems:
        console.print(
            table(
                f"{len(data.problems)} recipients with problems",
                ["email", "status", "code", "reply"],
                ([p["email"], p["status"], p["code"], p["reply"][:80]] for p in data.problems[:50]),
            )
        )
    for path in (csv_file, html_file):
        if path is not None:
            console.print(f"wrote {path}", highlight=False, markup=False)
