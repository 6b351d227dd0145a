"""`mailer suppressions`: the organisation-wide do-not-contact list."""

from __future__ import annotations

from typing import Annotated

import typer

from mailer.cli.output import console, print_json, table
from mailer.cli.state import state
from mailer.db import session_scope
from mailer.suppressions import add_suppression, list_suppressions, remove_suppression

app = typer.Typer(
    help="Do-not-contact list: addresses and whole @domains that no send may reach.\n\n"
    "Example: mailer suppressions add @closed-outlet.example.org --reason 'outlet closed'",
    no_args_is_help=True,
)


@app.command("add")
def add_cmd(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="An address, or @domain for a whole domain.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the entry).")],
) -> None:
    """Add an address or @domain; matching contacts become `suppressed`.

    Example: mailer suppressions add someone@example.org --reason "asked by phone"
    """
    with session_scope(state(ctx).engine) as session:
        entry, affected = add_suppression(session, target, reason)
    console.print(
        f"suppressed {entry.target} ({affected} contacts affected)", highlight=False, markup=False
    )


@app.command("remove")
def remove_cmd(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="The address or @domain to lift.")],
) -> None:
    """Remove an entry; contacts it suppressed become active again.

    Example: mailer suppressions remove @example.org
    """
    with session_scope(state(ctx).engine) as session:
        entry, restored = remove_suppression(session, target)
    console.print(
        f"removed {entry.target} ({restored} contacts active again)", highlight=False, markup=False
    )


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """List the do-not-contact entries."""
    with session_scope(state(ctx).engine) as session:
        rows = list_suppressions(session)
    if as_json:
        print_json(
            [
                {
                    "target": s.target,
                    "kind": s.kind.value,
                    "reason": s.reason,
                    "source": s.source.value,
                    "created_at": s.created_at.isoformat(),
                }
                for s in rows
            ]
        )
        return
    console.print(
        table(
            f"{len(rows)} suppressions",
            ["target", "kind", "reason", "source", "since"],
            (
                [
                    s.target,
                    s.kind.value,
                    s.reason,
                    s.source.value,
                    s.created_at.strftime("%Y-%m-%d %H:%M"),
                ]
                for s in rows
            ),
        )
    )
