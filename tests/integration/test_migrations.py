"""Migrations match the models and run both ways, on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel

from alembic import command
from mailer.db import alembic_config, current_revision, ensure_current, head_revision, make_engine

TABLES = {"contact", "spokesperson", "suppression", "forgotten_address", "alembic_version"}


def _diff(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, SQLModel.metadata))


def test_autogenerate_finds_no_difference(engine: Engine) -> None:
    """A database built by the migrations has exactly the tables and columns of the models."""
    assert _diff(engine) == []
    assert set(inspect(engine).get_table_names()) >= TABLES


def test_upgrade_downgrade_upgrade(engine: Engine) -> None:
    """Downgrading to base removes every table, and upgrading again restores the same schema."""
    cfg = alembic_config(engine)
    command.downgrade(cfg, "base")
    assert current_revision(engine) is None
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(cfg, "head")
    assert current_revision(engine) == head_revision()
    assert _diff(engine) == []


def test_fresh_database_is_upgraded_on_first_use(db_url: str) -> None:
    """ensure_current on an empty database brings it to the newest revision, and is idempotent."""
    engine = make_engine(db_url)
    assert current_revision(engine) is None
    ensure_current(engine)
    ensure_current(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()
