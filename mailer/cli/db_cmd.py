"""`mailer db`: schema migrations."""

from __future__ import annotations

from typing import Annotated

import typer

from mailer.cli.output import console
from mailer.cli.state import state
from mailer.db import current_revision, head_revision, make_engine, upgrade

app = typer.Typer(help="Database schema: upgrade and status.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply migrations (a fresh database is also upgraded on first use).

    Example: MAILER_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/newsroom mailer db upgrade
    """
    engine = make_engine(state(ctx).settings.database_url)
    before = current_revision(engine)
    upgrade(engine, revision)
    console.print(
        f"database at {current_revision(engine)} (was {before or 'empty'})",
        highlight=False,
        markup=False,
    )


@app.command("status")
def status_cmd(ctx: typer.Context) -> None:
    """Show the database's revision and the newest one."""
    engine = make_engine(state(ctx).settings.database_url)
    current, head = current_revision(engine), head_revision()
    verdict = "up to date" if current == head else "behind: run `mailer db upgrade`"
    console.print(
        f"database revision {current or 'none'}, newest {head}: {verdict}",
        highlight=False,
        markup=False,
    )
