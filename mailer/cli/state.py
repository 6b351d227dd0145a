"""What every command shares: settings, the database engine and the region taxonomy, made lazily."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import typer
from sqlalchemy import Engine

from mailer.config import Origin, Settings, load_settings
from mailer.contacts.regions import Taxonomy
from mailer.db import ensure_current, make_engine

__all__ = ["AppState", "state"]


@dataclass
class AppState:
    """Per-invocation state; nothing is loaded until a command asks for it."""

    config_path: Path | None = None
    _loaded: tuple[Settings, dict[str, Origin], Path | None] | None = field(default=None)

    def _load(self) -> tuple[Settings, dict[str, Origin], Path | None]:
        if self._loaded is None:
            self._loaded = load_settings(self.config_path)
        return self._loaded

    @property
    def settings(self) -> Settings:
        """The effective settings."""
        return self._load()[0]

    @property
    def origins(self) -> dict[str, Origin]:
        """Where each setting came from."""
        return self._load()[1]

    @property
    def config_file(self) -> Path | None:
        """The settings file that was read, if any."""
        return self._load()[2]

    @cached_property
    def engine(self) -> Engine:
        """The database engine, schema upgraded to the newest migration."""
        engine = make_engine(self.settings.database_url)
        ensure_current(engine)
        return engine

    @cached_property
    def taxonomy(self) -> Taxonomy:
        """Built-in regions plus the user's regions file."""
        required = self.origins.get("regions_file") != Origin.DEFAULT
        return Taxonomy.load(self.settings.regions_file, required=required)


def state(ctx: typer.Context) -> AppState:
    """The AppState of this invocation (created by the root callback)."""
    obj = ctx.find_root().obj
    if not isinstance(obj, AppState):
        obj = AppState()
        ctx.find_root().obj = obj
    return obj
