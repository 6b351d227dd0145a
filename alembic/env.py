"""Alembic environment: runs migrations on the engine that mailer.db hands over."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine
from sqlmodel import SQLModel

import mailer.models  # noqa: F401 - registers every table on the metadata
from alembic import context

target_metadata = SQLModel.metadata


def _engine() -> Engine:
    engine = context.config.attributes.get("engine")
    if engine is not None:
        return engine
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no engine given; run migrations through `mailer db upgrade`")
    return create_engine(url)


def run_migrations_online() -> None:
    with _engine().connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
            # SQLite cannot ALTER most things; batch mode recreates the table instead.
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
