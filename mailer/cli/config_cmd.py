"""`mailer config`: the effective settings and where each came from."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit, urlunsplit

import typer
from pydantic import SecretStr

from mailer.cli.output import console, print_json, table
from mailer.cli.state import state
from mailer.config import Origin, Settings, env_name, public_name

app = typer.Typer(
    help="Settings: mailer.toml overridden by MAILER_* variables.", no_args_is_help=True
)

MASK = "********"


def _mask_url(url: str) -> str:
    # A database or SMTP URL may carry a password: keep everything else readable.
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    if parts.password is None:
        return url
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    netloc = f"{parts.username}:{MASK}@{host}{port}" if parts.username else f"{MASK}@{host}{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def displayed(name: str, value: Any) -> str | None:
    """A setting's value as shown to people: secrets masked, URLs without passwords."""
    if value is None:
        return None
    if isinstance(value, SecretStr):
        raw = value.get_secret_value()
        return _mask_url(raw) if "://" in raw else MASK
    text = str(value)
    return _mask_url(text) if "://" in text else text


def _origin(origin: Origin, name: str, file: str | None) -> str:
    if origin == Origin.ENV:
        return env_name(name)
    return file or "mailer.toml" if origin == Origin.FILE else "default"


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Print the effective settings (secrets masked) and where each one came from.

    Example: MAILER_FROM="Press <press@example.org>" mailer config show
    """
    app_state = state(ctx)
    settings, origins = app_state.settings, app_state.origins
    file = str(app_state.config_file) if app_state.config_file else None
    rows = [
        (
            public_name(name),
            displayed(name, getattr(settings, name)),
            _origin(origins[name], name, file),
            env_name(name),
        )
        for name in Settings.model_fields
    ]
    if as_json:
        print_json({n: {"value": v, "from": o, "env": e} for n, v, o, e in rows})
        return
    title = f"settings (file: {file or 'none'})"
    console.print(table(title, ["setting", "value", "from"], (r[:3] for r in rows)))
    if settings.uses_default_secret:
        console.print(
            "note: secret_key is the demo default; set MAILER_SECRET_KEY before sending for real",
            highlight=False,
            markup=False,
        )
