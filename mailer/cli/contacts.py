"""`mailer contacts`: import, add, list, show, edit, remove, forget and export journalists."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from mailer.cli.completion import complete_country, complete_region, complete_status
from mailer.cli.output import console, err_console, print_json, table, warn
from mailer.cli.state import state
from mailer.contacts.export import export_csv, write_csv
from mailer.contacts.importer import ImportOptions, ImportReport, import_contacts
from mailer.contacts.privacy import forget_contact, subject_access
from mailer.contacts.readers import FileFormat, RawRecord
from mailer.contacts.records import LIST_FIELDS, SCALAR_FIELDS, ContactData, validate_record
from mailer.contacts.store import (
    ContactFilter,
    add_contact,
    bounce_history,
    edit_contact,
    find_contact,
    list_contacts,
    reactivate_contact,
    remove_contact,
)
from mailer.db import session_scope
from mailer.errors import ImportRejected, MailerError, UsageError
from mailer.models import Contact, ContactStatus

app = typer.Typer(
    help="Journalists: import, list, show, edit, remove, forget, export.\n\n"
    "Example: mailer contacts import contacts/journalists.csv && "
    "mailer contacts list --region central-asia",
    no_args_is_help=True,
)

RegionOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--region", "-r", help="Region slug (repeatable).", autocompletion=complete_region
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
MAX_ERRORS_SHOWN = 50


def contact_json(contact: Contact) -> dict[str, Any]:
    """The public JSON shape of a contact (`list --json`, `show --json`)."""
    return {
        "email": contact.email,
        "name": contact.name,
        "outlet": contact.outlet,
        "role": contact.role,
        "beats": contact.beats,
        "country": contact.country,
        "languages": contact.languages,
        "regions": contact.regions,
        "phone": contact.phone,
        "notes": contact.notes,
        "status": contact.status.value,
        "source": contact.source,
        "source_at": contact.source_at.isoformat(),
        "created_at": contact.created_at.isoformat(),
        "updated_at": contact.updated_at.isoformat(),
    }


def _print_rejected(exc: ImportRejected) -> None:
    for err in exc.errors[:MAX_ERRORS_SHOWN]:
        err_console.print(str(err), highlight=False, markup=False)
    if len(exc.errors) > MAX_ERRORS_SHOWN:
        err_console.print(f"... {len(exc.errors) - MAX_ERRORS_SHOWN} more", markup=False)


def _report_json(report: ImportReport) -> dict[str, Any]:
    return {
        "file": report.file,
        "format": report.format,
        "encoding": report.encoding,
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "merged_duplicates": report.merged,
        "invalid": [str(e) for e in report.invalid],
        "skipped": [{"line": s.line, "email": s.email, "reason": s.reason} for s in report.skipped],
        "ignored_columns": list(report.ignored_columns),
        "dry_run": report.dry_run,
    }


def _print_report(report: ImportReport) -> None:
    for err in report.invalid[:MAX_ERRORS_SHOWN]:
        warn(f"skipped invalid row: {err}")
    for skip in report.skipped:
        warn(f"{report.file}:{skip.line}: {skip.email} not imported: {skip.reason}")
    if report.ignored_columns:
        warn(f"columns ignored: {', '.join(report.ignored_columns)}")
    verb = "would import" if report.dry_run else "imported"
    console.print(
        f"{verb} {report.file} ({report.format}, {report.encoding}): {report.rows} rows, "
        f"{report.created} new, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.merged} duplicate rows merged, {len(report.invalid)} invalid, "
        f"{len(report.skipped)} suppressed",
        highlight=False,
        markup=False,
    )


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV (any common export) or vCard 3.0/4.0 file.")],
    region: RegionOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and count; write nothing.")
    ] = False,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the valid rows even if some are invalid.")
    ] = False,
    update: Annotated[
        bool, typer.Option("--update", help="Overwrite existing contacts' fields with the file's.")
    ] = False,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="Force the encoding (default: detected).")
    ] = None,
    fmt: Annotated[
        FileFormat | None, typer.Option("--format", help="Force the format (default: detected).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import journalists from a CSV or vCard file, all rows or none.

    Columns: email, name (or first_name, last_name), outlet, role, beats, country, languages,
    regions, phone, notes; Outlook and Google Contacts exports are understood too.

    Example: mailer contacts import contacts/journalists.csv --dry-run
    """
    app_state = state(ctx)
    options = ImportOptions(
        regions=[app_state.taxonomy.validate_slug(r) for r in region or []],
        update=update,
        skip_invalid=skip_invalid,
        dry_run=dry_run,
        encoding=encoding,
        format=fmt,
    )
    try:
        with session_scope(app_state.engine) as session:
            report = import_contacts(session, file, app_state.taxonomy, options)
    except ImportRejected as exc:
        _print_rejected(exc)
        raise
    if as_json:
        print_json(_report_json(report))
    else:
        _print_report(report)


def _filter(
    region: list[str] | None,
    country: list[str] | None,
    language: list[str] | None,
    outlet: str | None,
    beat: list[str] | None,
    status: list[str] | None,
    text: str | None,
) -> ContactFilter:
    try:
        statuses = [ContactStatus(s.lower()) for s in status or []]
    except ValueError:
        valid = ", ".join(s.value for s in ContactStatus)
        raise UsageError(f"--status must be one of: {valid}") from None
    return ContactFilter(
        regions=region or [],
        countries=country or [],
        languages=language or [],
        outlet=outlet,
        beats=beat or [],
        statuses=statuses,
        text=text,
    )


CountryOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--country", help="ISO country code (repeatable).", autocompletion=complete_country
    ),
]
LanguageOpt = Annotated[
    list[str] | None, typer.Option("--language", "-l", help="Language (repeatable).")
]
OutletOpt = Annotated[str | None, typer.Option("--outlet", help="Outlet name contains this.")]
BeatOpt = Annotated[list[str] | None, typer.Option("--beat", help="Beat (repeatable).")]
StatusOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--status",
        help="active, unsubscribed, bounced, complained, suppressed.",
        autocompletion=complete_status,
    ),
]
TextOpt = Annotated[
    str | None,
    typer.Option("--text", "-t", help="Name, address, outlet, role or notes contain this."),
]


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    region: RegionOpt = None,
    country: CountryOpt = None,
    language: LanguageOpt = None,
    outlet: OutletOpt = None,
    beat: BeatOpt = None,
    status: StatusOpt = None,
    text: TextOpt = None,
    as_json: JsonOpt = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV (the export columns).")] = False,
) -> None:
    """List journalists, filtered.

    Example: mailer contacts list --region central-asia --language ru
    """
    app_state = state(ctx)
    flt = _filter(region, country, language, outlet, beat, status, text)
    with session_scope(app_state.engine) as session:
        rows = list_contacts(session, app_state.taxonomy, flt)
    if as_json:
        print_json([contact_json(c) for c in rows])
    elif as_csv:
        write_csv(sys.stdout, rows)
    else:
        console.print(
            table(
                f"{len(rows)} contacts",
                ["email", "name", "outlet", "country", "languages", "beats", "status"],
                (
                    [
                        c.email,
                        c.name,
                        c.outlet,
                        c.country,
                        " ".join(c.languages),
                        " ".join(c.beats),
                        c.status.value,
                    ]
                    for c in rows
                ),
            )
        )


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The journalist's address (any case).")],
    as_json: JsonOpt = False,
) -> None:
    """Show everything held about one journalist.

    Example: mailer contacts show aizada.karimova@kabar.example.org
    """
    app_state = state(ctx)
    with session_scope(app_state.engine) as session:
        contact = find_contact(session, email)
        history = [
            {
                "when": e.created_at.isoformat(),
                "kind": e.kind.value,
                "source": e.source.value,
                "status": e.status,
                "diagnostic": e.diagnostic,
            }
            for e in bounce_history(session, contact.id or 0)
        ]
    data = contact_json(contact)
    data["bounces"] = history
    if as_json:
        print_json(data)
        return
    regions = app_state.taxonomy.regions_of_country(contact.country) if contact.country else []
    data["in regions"] = sorted(set(regions) | set(contact.regions))
    console.print(
        table(
            contact.email,
            ["field", "value"],
            ([k, ", ".join(v) if isinstance(v, list) else v] for k, v in data.items()),
        )
    )


def _raw_fields(**values: str | None) -> dict[str, str]:
    return {k: v for k, v in values.items() if v is not None}


def _validated(ctx: typer.Context, fields: dict[str, str]) -> ContactData:
    result = validate_record(RawRecord(line=0, fields=fields), "command line", state(ctx).taxonomy)
    if isinstance(result, list):
        raise result[0]
    return result


@app.command("add")
def add_cmd(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The journalist's address.")],
    name: Annotated[str | None, typer.Option(help="Full name.")] = None,
    outlet: Annotated[
        str | None, typer.Option(help="Outlet (newspaper, agency, broadcaster).")
    ] = None,
    role: Annotated[str | None, typer.Option(help="Role, e.g. Health correspondent.")] = None,
    beats: Annotated[str | None, typer.Option(help="Beats, separated by ; or ,")] = None,
    country: Annotated[
        str | None, typer.Option(help="Country code or name.", autocompletion=complete_country)
    ] = None,
    languages: Annotated[
        str | None, typer.Option(help="BCP 47 tags in order of preference, e.g. ky;ru;en")
    ] = None,
    regions: Annotated[
        str | None,
        typer.Option(help="Region tags, separated by ; or ,", autocompletion=complete_region),
    ] = None,
    phone: Annotated[
        str | None, typer.Option(help="Phone, international or national to the country.")
    ] = None,
    notes: Annotated[str | None, typer.Option(help="Free-text notes.")] = None,
    source: Annotated[
        str, typer.Option(help="Where the address came from (consent record).")
    ] = "added by hand",
) -> None:
    """Add one journalist.

    Example: mailer contacts add ana@radio.example.org --name "Ana Lupu" --country MD
    """
    data = _validated(
        ctx,
        _raw_fields(
            email=email,
            name=name,
            outlet=outlet,
            role=role,
            beats=beats,
            country=country,
            languages=languages,
            regions=regions,
            phone=phone,
            notes=notes,
        ),
    )
    with session_scope(state(ctx).engine) as session:
        contact = add_contact(session, data, source=" ".join(source.split()))
    console.print(f"added {contact.email}", highlight=False, markup=False)


@app.command("edit")
def edit_cmd(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The journalist's current address.")],
    new_email: Annotated[str | None, typer.Option("--email", help="A new address.")] = None,
    name: Annotated[str | None, typer.Option(help="Full name.")] = None,
    outlet: Annotated[str | None, typer.Option(help="Outlet.")] = None,
    role: Annotated[str | None, typer.Option(help="Role.")] = None,
    beats: Annotated[str | None, typer.Option(help="Beats (replace), separated by ; or ,")] = None,
    country: Annotated[
        str | None, typer.Option(help="Country code or name.", autocompletion=complete_country)
    ] = None,
    languages: Annotated[
        str | None, typer.Option(help="Languages (replace), e.g. ky;ru;en")
    ] = None,
    regions: Annotated[
        str | None, typer.Option(help="Region tags (replace).", autocompletion=complete_region)
    ] = None,
    phone: Annotated[str | None, typer.Option(help="Phone.")] = None,
    notes: Annotated[str | None, typer.Option(help="Notes (replace).")] = None,
) -> None:
    """Change fields of one journalist; lists given here replace the old ones.

    Example: mailer contacts edit editor@radio.example.org --beats "health;climate"
    """
    given = _raw_fields(
        name=name,
        outlet=outlet,
        role=role,
        beats=beats,
        country=country,
        languages=languages,
        regions=regions,
        phone=phone,
        notes=notes,
    )
    if not given and new_email is None:
        raise UsageError("nothing to change; give at least one option (see --help)")
    with session_scope(state(ctx).engine) as session:
        contact = find_contact(session, email)
        current = {
            k: ";".join(v) if isinstance(v, list) else (v or "")
            for k, v in contact_json(contact).items()
            if k in (*SCALAR_FIELDS, *LIST_FIELDS)
        }
        data = _validated(ctx, {**current, **given, "email": new_email or contact.email})
        changes: dict[str, object] = {k: getattr(data, k) for k in given}
        if new_email:
            changes["email"] = data.email
        edit_contact(session, email, changes)
    console.print(
        f"updated {data.email}: {', '.join(sorted(changes))}", highlight=False, markup=False
    )


def _confirm(question: str, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise UsageError("refusing without confirmation; add --yes")
    if not typer.confirm(question):
        raise typer.Exit(1)


YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


@app.command("remove")
def remove_cmd(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The journalist's address.")],
    yes: YesOpt = False,
) -> None:
    """Delete a journalist from the list (they may be imported again later).

    Example: mailer contacts remove editor@radio.example.org --yes
    """
    _confirm(f"Remove {email}?", yes)
    with session_scope(state(ctx).engine) as session:
        contact = remove_contact(session, email)
    console.print(f"removed {contact.email}", highlight=False, markup=False)


@app.command("forget")
def forget_cmd(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The person's address.")],
    yes: YesOpt = False,
) -> None:
    """Erase a person's data (right to erasure); only a hash remains, so they are never re-imported.

    Example: mailer contacts forget editor@radio.example.org --yes
    """
    _confirm(f"Erase everything about {email}? This cannot be undone.", yes)
    with session_scope(state(ctx).engine) as session:
        digest = forget_contact(session, email)
    console.print(
        f"forgotten; kept only the hash sha256:{digest[:16]}...", highlight=False, markup=False
    )


@app.command("export")
def export_cmd(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(help="File to write: CSV (UTF-8), or JSON with --subject.", dir_okay=False),
    ] = None,
    subject: Annotated[
        str | None,
        typer.Option(
            "--subject", help="Everything held about this one address, as JSON (access request)."
        ),
    ] = None,
    region: RegionOpt = None,
    country: CountryOpt = None,
    language: LanguageOpt = None,
    outlet: OutletOpt = None,
    beat: BeatOpt = None,
    status: StatusOpt = None,
    text: TextOpt = None,
) -> None:
    """Export journalists to CSV (safe against spreadsheet formula injection), or with
    --subject everything held about one person (GDPR access request) as JSON.

    Examples: mailer contacts export central-asia.csv --region central-asia;
    mailer contacts export --subject editor@radio.example.org
    """
    app_state = state(ctx)
    if subject is not None:
        _export_subject(ctx, subject, file)
        return
    if file is None:
        raise UsageError("give the CSV file to write, or --subject ADDRESS")
    flt = _filter(region, country, language, outlet, beat, status, text)
    with session_scope(app_state.engine) as session:
        rows = list_contacts(session, app_state.taxonomy, flt)
    try:
        count = export_csv(file, rows)
    except OSError as exc:
        raise MailerError(f"cannot write {file}: {exc.strerror}") from None
    console.print(f"wrote {count} contacts to {file}", highlight=False, markup=False)


def _export_subject(ctx: typer.Context, email: str, file: Path | None) -> None:
    with session_scope(state(ctx).engine) as session:
        report = subject_access(session, email)
    if file is None:
        print_json(report)
        return
    try:
        file.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise MailerError(f"cannot write {file}: {exc.strerror}") from None
    console.print(f"wrote everything held about {email.strip()} to {file}", highlight=False)


@app.command("reactivate")
def reactivate_cmd(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The journalist's address.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the notes).")],
) -> None:
    """Make a bounced or complained journalist active again (e.g. their mailbox works again).

    Example: mailer contacts reactivate editor@radio.example.org --reason "confirmed by phone"
    """
    with session_scope(state(ctx).engine) as session:
        contact = reactivate_contact(session, email, reason)
    console.print(f"{contact.email} is active again", highlight=False, markup=False)
