"""`mailer serve`: the long-running service (web pages, webhooks, inbound SMTP, worker)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from mailer.cli.output import console
from mailer.cli.state import state
from mailer.serve import ServeOptions, serve


def serve_cmd(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="HTTP port.", min=1, max=65535)] = 8080,
    smtp_port: Annotated[
        int,
        typer.Option(
            "--smtp-port", help="Inbound SMTP port for the bounce domain; 0 = none.", min=0
        ),
    ] = 2525,
    worker: Annotated[
        bool, typer.Option("--worker", help="Also send: run the delivery worker and scheduler.")
    ] = False,
) -> None:
    """Serve unsubscribe and preference pages, provider webhooks, /healthz and /metrics, and
    receive returned mail and mailto: unsubscribes over SMTP. SIGTERM stops it gracefully.

    Example: mailer serve --port 8080 --smtp-port 2525 --worker
    """
    app_state = state(ctx)
    options = ServeOptions(host, port, smtp_port or None, worker)
    smtp = f", SMTP on {host}:{smtp_port}" if smtp_port else ""
    console.print(
        f"serving http://{host}:{port}{smtp}{' with the worker' if worker else ''}; "
        "stop with Ctrl-C or SIGTERM",
        highlight=False,
        markup=False,
    )
    progress = asyncio.run(serve(app_state.settings, app_state.engine, options))
    done = f" ({progress.done} delivery attempts)" if progress is not None else ""
    console.print(f"stopped{done}", highlight=False, markup=False)
