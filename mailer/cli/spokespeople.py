"""`mailer spokespeople`: the roster of people journalists may contact."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from mailer.cli.output import console, err_console, print_json, table
from mailer.cli.state import state
from mailer.contacts.fields import format_phone
from mailer.db import session_scope
from mailer.errors import ImportRejected, Location
from mailer.models import Spokesperson
from mailer.spokespeople import (
    add_spokesperson,
    find_spokesperson,
    import_spokespeople,
    list_spokespeople,
    validate_spokesperson,
)

app = typer.Typer(
    help="Spokespeople: who journalists can call about a release.\n\n"
    "Example: mailer spokespeople import contacts/spokespeople.yaml",
    no_args_is_help=True,
)


def person_json(p: Spokesperson) -> dict[str, Any]:
    """The public JSON shape of a spokesperson."""
    return {
        "handle": p.handle,
        "name": p.name,
        "title": p.title,
        "organisation": p.organisation,
        "office": p.office,
        "email": p.email,
        "phones": p.phones,
        "languages": p.languages,
    }


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="YAML list or CSV with handle, name, title, "
            "organisation, office, email, phones, languages."
        ),
    ],
) -> None:
    """Add or update spokespeople from a file (matched by handle), all or nothing.

    Example: mailer spokespeople import contacts/spokespeople.yaml
    """
    try:
        with session_scope(state(ctx).engine) as session:
            added, updated = import_spokespeople(session, file)
    except ImportRejected as exc:
        for err in exc.errors:
            err_console.print(str(err), highlight=False, markup=False)
        raise
    console.print(
        f"imported {file}: {added} added, {updated} updated", highlight=False, markup=False
    )


@app.command("add")
def add_cmd(
    ctx: typer.Context,
    handle: Annotated[str, typer.Argument(help="Short unique handle, e.g. a-bekova.")],
    name: Annotated[str, typer.Option(help="Full name.")],
    email: Annotated[str, typer.Option(help="Address journalists write to.")],
    title: Annotated[str, typer.Option(help="Title, e.g. Communication Specialist.")] = "",
    organisation: Annotated[str, typer.Option(help="Organisation.")] = "",
    office: Annotated[str, typer.Option(help="Office city.")] = "",
    phone: Annotated[
        list[str] | None, typer.Option(help="International number (repeatable).")
    ] = None,
    language: Annotated[
        list[str] | None, typer.Option(help="Language spoken (repeatable).")
    ] = None,
) -> None:
    """Add one spokesperson.

    Example: mailer spokespeople add j-doe --name "Jana Doe" --email jd@unffc.example.org
    """
    data = validate_spokesperson(
        {
            "handle": handle,
            "name": name,
            "email": email,
            "title": title,
            "organisation": organisation,
            "office": office,
            "phones": phone or [],
            "languages": language or [],
        },
        Location("command line"),
    )
    with session_scope(state(ctx).engine) as session:
        person = add_spokesperson(session, data)
    console.print(f"added {person.handle}", highlight=False, markup=False)


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """List the roster."""
    with session_scope(state(ctx).engine) as session:
        people = list_spokespeople(session)
    if as_json:
        print_json([person_json(p) for p in people])
        return
    console.print(
        table(
            f"{len(people)} spokespeople",
            ["handle", "name", "title", "office", "email", "phones", "languages"],
            (
                [
                    p.handle,
                    p.name,
                    p.title,
                    p.office,
                    p.email,
                    ", ".join(format_phone(n) for n in p.phones),
                    " ".join(p.languages),
                ]
                for p in people
            ),
        )
    )


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    handle: Annotated[str, typer.Argument(help="The spokesperson's handle.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Show one spokesperson."""
    with session_scope(state(ctx).engine) as session:
        person = find_spokesperson(session, handle)
    data = person_json(person)
    if as_json:
        print_json(data)
        return
    data["phones"] = [format_phone(n) for n in person.phones]
    console.print(
        table(
            person.name,
            ["field", "value"],
            ([k, ", ".join(v) if isinstance(v, list) else v] for k, v in data.items()),
        )
    )
