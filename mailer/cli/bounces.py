"""`mailer bounces`: inspect returned mail, fetch it from mailboxes, list what was recorded."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select
from sqlmodel import col

from mailer.bounces.imap import ImapSource, imap_password
from mailer.bounces.pipeline import FetchSummary, fetch, inspect
from mailer.bounces.sources import MaildirSource, MboxSource
from mailer.cli.output import console, print_json, table
from mailer.cli.state import state
from mailer.db import session_scope
from mailer.errors import DataError, Location, UsageError
from mailer.models import BounceEvent, BounceKind, Delivery

app = typer.Typer(
    help="Bounces: inspect returned mail, fetch it from a mailbox, list recorded events.\n\n"
    "Example: mailer bounces fetch --maildir /var/mail/bounces",
    no_args_is_help=True,
)

_MAX_BYTES = 20_000_000


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > _MAX_BYTES:
            raise DataError(
                f"larger than {_MAX_BYTES:,} bytes; not a returned message", Location(str(path))
            )
        return path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read: {exc.strerror}", Location(str(path))) from None


@app.command("inspect")
def inspect_cmd(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Returned messages (.eml files).")],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per line and file.")
    ] = False,
) -> None:
    """Say what returned messages are: bounce or not, kind, failed recipients, status, delivery.

    Example: mailer bounces inspect tests/data/bounces/*.eml --json
    """
    settings = state(ctx).settings
    for path in files:
        parsed, delivery = inspect(_read(path), settings)
        record: dict[str, Any] = {
            "file": str(path),
            "bounce": parsed.bounce,
            "kind": parsed.kind.value if parsed.kind else None,
            "recipients": list(parsed.recipients),
            "status": parsed.status,
            "diagnostic": parsed.diagnostic,
            "delivery": delivery,
            "format": parsed.format,
        }
        if as_json:
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            what = f"{record['kind']} bounce" if parsed.bounce else "not a bounce"
            who = ", ".join(parsed.recipients) or "-"
            console.print(
                f"{path}: {what} ({parsed.format}) {who} {parsed.status or ''} "
                f"delivery={delivery or '-'} {parsed.diagnostic[:100]}",
                highlight=False,
                markup=False,
            )


@app.command("fetch")
def fetch_cmd(
    ctx: typer.Context,
    maildir: Annotated[
        Path | None, typer.Option("--maildir", help="A Maildir folder.", file_okay=False)
    ] = None,
    mbox: Annotated[
        Path | None, typer.Option("--mbox", help="An mbox file.", dir_okay=False)
    ] = None,
    imap: Annotated[
        str | None,
        typer.Option(
            "--imap",
            help="imaps://USER@HOST[:PORT]/FOLDER, or imap:// for STARTTLS; a user with @ is "
            "written %40 (password: $MAILER_IMAP_PASSWORD or a prompt).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Read returned mail and record each bounce once; running it again counts nothing twice.

    Example: mailer bounces fetch --maildir ~/Maildir/.bounces
    """
    given = [x for x in (maildir, mbox, imap) if x is not None]
    if len(given) != 1:
        raise UsageError("give exactly one of --maildir, --mbox, --imap")
    app_state = state(ctx)
    if maildir is not None:
        summary = fetch(app_state.engine, app_state.settings, MaildirSource(maildir))
    elif mbox is not None:
        summary = fetch(app_state.engine, app_state.settings, MboxSource(mbox))
    else:
        source = ImapSource(str(imap), _password)
        try:
            summary = fetch(app_state.engine, app_state.settings, source)
        finally:
            source.close()
    _print_summary(summary, as_json)


def _password() -> str:
    try:
        return imap_password()
    except UsageError:
        if not sys.stdin.isatty():
            raise
        return getpass.getpass("IMAP password: ")


def _print_summary(s: FetchSummary, as_json: bool) -> None:
    data = {
        "messages": s.messages,
        "bounces": s.bounces,
        "recorded": s.recorded,
        "duplicates": s.duplicates,
        "not_bounces": s.not_bounces,
        "dead_letter": s.dead,
        "unmatched": s.unmatched,
        "kinds": dict(s.kinds),
    }
    if as_json:
        print_json(data)
        return
    console.print(
        f"{s.messages} messages: {s.bounces} bounces ({s.recorded} recorded, "
        f"{s.duplicates} already known, {s.unmatched} without a delivery of ours), "
        f"{s.not_bounces} not bounces, {s.dead} to the dead-letter folder",
        highlight=False,
        markup=False,
    )


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    campaign: Annotated[int | None, typer.Option("--campaign", help="Only this campaign.")] = None,
    kind: Annotated[
        BounceKind | None, typer.Option("--kind", help="hard, soft, block or complaint.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List recorded bounce events, newest first."""
    query = select(BounceEvent).order_by(col(BounceEvent.id).desc())
    if kind is not None:
        query = query.where(col(BounceEvent.kind) == kind)
    if campaign is not None:
        ids = select(col(Delivery.id)).where(col(Delivery.campaign_id) == campaign)
        query = query.where(col(BounceEvent.delivery_id).in_(ids))
    with session_scope(state(ctx).engine) as session:
        events = list(session.execute(query).scalars())
    rows = [event_json(e) for e in events]
    if as_json:
        print_json(rows)
        return
    console.print(
        table(
            f"{len(rows)} bounce events",
            ["when", "email", "kind", "source", "status", "delivery", "diagnostic"],
            (
                [
                    r["created_at"][:16],
                    r["email"],
                    r["kind"],
                    r["source"],
                    r["status"],
                    r["delivery"],
                    r["diagnostic"][:60],
                ]
                for r in rows
            ),
        )
    )


def event_json(e: BounceEvent) -> dict[str, Any]:
    """The public JSON shape of a bounce event."""
    return {
        "id": e.id,
        "created_at": e.created_at.isoformat(),
        "email": e.email,
        "kind": e.kind.value,
        "source": e.source.value,
        "status": e.status,
        "smtp_code": e.smtp_code,
        "delivery": e.delivery_id,
        "diagnostic": e.diagnostic,
    }
