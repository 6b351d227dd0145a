"""The `mailer` command: the root Typer app, its sub-apps, and the error boundary."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from mailer import __version__
from mailer.cli import (
    bounces,
    config_cmd,
    contacts,
    db_cmd,
    dkim_cmd,
    regions,
    release,
    send,
    serve,
    spokespeople,
    suppressions,
)
from mailer.cli.output import one_line
from mailer.cli.state import AppState
from mailer.errors import MailerError

__all__ = ["app", "main"]

log = logging.getLogger("mailer")


def _fail(message: str, exit_code: int) -> typer.Exit:
    typer.echo(f"error: {one_line(message)}", err=True)
    return typer.Exit(exit_code)


class _Root(TyperGroup):
    """The root group: turns every exception into a one-line message, never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.TyperException, typer.Exit, typer.Abort):
            raise  # usage errors and exits: Typer prints and exits as usual (code 2 for usage)
        except MailerError as exc:
            raise _fail(str(exc), exc.exit_code) from None
        except KeyboardInterrupt:
            raise _fail("interrupted", 130) from None
        except Exception as exc:
            if os.environ.get("MAILER_DEBUG"):
                raise
            log.debug("internal error", exc_info=True)
            raise _fail(
                f"internal error: {type(exc).__name__}: {exc} (set MAILER_DEBUG=1 for details)", 70
            ) from None


app = typer.Typer(
    cls=_Root,
    name="mailer",
    help="Press-release distribution: journalists, regions, spokespeople, releases, delivery.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mailer {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="Settings file (default: ./mailer.toml or $MAILER_CONFIG).",
            dir_okay=False,
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Keep journalists' lists, write releases, send them, and keep the lists clean."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    ctx.obj = AppState(config_path=config)


app.command("send")(send.send)
app.command("worker")(send.worker)
app.command("serve")(serve.serve_cmd)
app.command("report")(send.report)
app.add_typer(send.campaigns_app, name="campaigns")
app.add_typer(release.app, name="release")
app.command("preview")(release.preview)
app.add_typer(contacts.app, name="contacts")
app.add_typer(regions.app, name="regions")
app.add_typer(spokespeople.app, name="spokespeople")
app.add_typer(suppressions.app, name="suppressions")
app.add_typer(bounces.app, name="bounces")
app.add_typer(db_cmd.app, name="db")
app.add_typer(dkim_cmd.app, name="dkim")
app.add_typer(config_cmd.app, name="config")


def main() -> None:
    """Console-script entry point."""
    app(prog_name="mailer")
