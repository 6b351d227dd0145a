"""Database engine and sessions; a fresh or outdated database is upgraded on first use."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from itertools import chain
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Dialect,
    Engine,
    Table,
    bindparam,
    create_engine,
    event,
    insert,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.exc import SQLAlchemyError as _SAError
from sqlmodel import Session

from alembic import command
from mailer.errors import ConfigError, MailerError

__all__ = [
    "DatabaseError",
    "alembic_config",
    "bulk_insert",
    "current_revision",
    "head_revision",
    "make_engine",
    "session_scope",
    "upgrade",
]

log = logging.getLogger("mailer.db")
PACKAGE_DIR = Path(__file__).resolve().parent


class DatabaseError(MailerError):
    """The database cannot be reached or refused an operation."""


def migrations_dir() -> Path:
    """The Alembic scripts: in the installed wheel, or alembic/ beside the package in a checkout."""
    for candidate in (PACKAGE_DIR / "_alembic", PACKAGE_DIR.parent / "alembic"):
        if (candidate / "env.py").is_file():
            return candidate
    raise MailerError("migration scripts not found; reinstall the package")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets a reader (mailer report) run beside a writer (a send); foreign keys are off by
    # default in SQLite; busy_timeout waits for a lock instead of failing at once.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str) -> Engine:
    """An engine for the URL; SQLite files get WAL mode and their folder created."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"database_url (or MAILER_DATABASE_URL): cannot parse {url!r}") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise ConfigError(f"database_url: unsupported database {parsed.get_backend_name()!r}")
    return create_engine(parsed, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration bound to the engine (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["engine"] = engine
    return cfg


@cache
def head_revision() -> str | None:
    """The newest migration in the scripts."""
    script = ScriptDirectory(str(migrations_dir()))
    return script.get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at (None for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to the revision."""
    command.upgrade(alembic_config(engine), revision)


def ensure_current(engine: Engine) -> None:
    """Upgrade the database when it is empty or behind; cheap when it is current."""
    try:
        if current_revision(engine) != head_revision():
            log.info("upgrading database schema to %s", head_revision())
            upgrade(engine)
    except OperationalError as exc:
        raise DatabaseError(f"cannot open database: {_short(exc)}") from None


def _short(exc: _SAError) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error, translate DB errors."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except _SAError as exc:
        session.rollback()
        raise DatabaseError(f"database error: {_short(exc)}") from None
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def bulk_insert(
    session: Session,
    table: Table,
    rows: Iterable[dict[str, Any]],
    constants: dict[str, Any],
    chunk: int = 2000,
) -> int:
    """Insert many rows fast: each column's SQL type conversion runs once per constant, not per row.

    `rows` carry the per-row values (JSON columns as Python lists, dumped here with json.dumps),
    `constants` the values shared by every row (timestamps, a status). SQLAlchemy's executemany
    spends most of a 100,000-row import converting values one by one; this path hands the driver
    ready values, in chunks so memory stays flat. Columns in neither (nullable ones) are left
    to their defaults. Returns the number of rows inserted.
    """
    it = iter(rows)
    first = next(it, None)
    if first is None:
        return 0
    rows = chain([first], it)
    conn = session.connection()
    dialect = conn.dialect
    columns = [c for c in table.columns if c.name in constants or c.name in first]
    compiled = (
        insert(table)
        .inline()
        .values({c.name: bindparam(c.name) for c in columns})
        .compile(dialect=dialect)
    )
    fixed = {name: _processed(table.c[name], value, dialect) for name, value in constants.items()}
    json_cols = {c.name for c in columns if isinstance(c.type, JSON)}
    names = list(compiled.positiontup or []) if compiled.positional else [c.name for c in columns]
    getters = [_getter(n, fixed, n in json_cols) for n in names]
    if dialect.name == "postgresql":
        return _copy_rows(conn, table.name, names, (tuple(get(r) for get in getters) for r in rows))
    total = 0
    batch: list[Any] = []
    for row in rows:
        values = [get(row) for get in getters]
        batch.append(
            tuple(values) if compiled.positional else dict(zip(names, values, strict=True))
        )
        if len(batch) >= chunk:
            conn.exec_driver_sql(compiled.string, batch)
            total, batch = total + len(batch), []
    if batch:
        conn.exec_driver_sql(compiled.string, batch)
        total += len(batch)
    return total


def _getter(name: str, fixed: dict[str, Any], is_json: bool) -> Callable[[dict[str, Any]], Any]:
    """How one column's value is taken from a row: a constant, a JSON dump, or the value itself."""
    if name in fixed:
        value = fixed[name]
        return lambda _row: value
    if is_json:
        # Empty lists are the common case (no region tags): skip the encoder for them.
        return lambda row: "[]" if row[name] == [] else json.dumps(row[name])
    return lambda row: row[name]


def _copy_rows(
    conn: Connection, table: str, names: list[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    # PostgreSQL's COPY takes rows as a stream, several times faster than INSERT executemany.
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    columns = ", ".join(f'"{n}"' for n in names)
    total = 0
    with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            total += 1
    return total


def _processed(column: Column[Any], value: Any, dialect: Dialect) -> Any:
    processor = column.type._cached_bind_processor(dialect)  # the public path is per-row
    return processor(value) if processor else value
