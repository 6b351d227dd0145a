"""Shared fixtures: a database URL per backend (SQLite file and a throwaway PostgreSQL database)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from mailer.db import ensure_current, make_engine

REPO = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get(
    "MAILER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing_server(reason: str) -> None:
    """Skip a test that needs an absent server; in CI (CI=true) that is a failure instead."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: integration tests must not skip)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"mailer_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        missing_server(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(exc).__name__}")
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _reset_pg(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each backend: an SQLite file, and a clean PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'mailer.db'}"
    url: str = request.getfixturevalue("pg_server_url")
    _reset_pg(url)
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on an upgraded, empty database of each backend."""
    eng = make_engine(db_url)
    ensure_current(eng)
    yield eng
    eng.dispose()


class Cli:
    """Runs `mailer` in-process against one database, as a user would from a shell."""

    def __init__(self, db_url: str) -> None:
        from typer.testing import CliRunner

        self.db_url = db_url
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> CliResult:
        from mailer.cli import app

        result = self.runner.invoke(app, list(args), input=input, catch_exceptions=True)
        return CliResult(result.exit_code, result.stdout, result.stderr, result.exception)


class CliResult:
    """Exit code and the two output streams of one command."""

    def __init__(self, code: int, out: str, err: str, exc: BaseException | None) -> None:
        self.code, self.out, self.err, self.exception = code, out, err, exc

    def __repr__(self) -> str:
        return f"CliResult(code={self.code}, out={self.out[-2000:]!r}, err={self.err[-2000:]!r})"


def _cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    for name in list(os.environ):
        if name.startswith("MAILER_") and name != "MAILER_TEST_PG_URL":
            monkeypatch.delenv(name)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("MAILER_DATABASE_URL", db_url)
    monkeypatch.setenv("MAILER_REGIONS_FILE", str(REPO / "contacts" / "regions.yaml"))
    monkeypatch.setenv("COLUMNS", "200")
    return Cli(db_url)


@pytest.fixture
def cli(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """The CLI in an empty working directory, on a database of each backend, sample regions on."""
    return _cli(db_url, tmp_path, monkeypatch)


@pytest.fixture
def sqlite_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """The CLI on an SQLite file only, for tests whose subject does not touch the database."""
    return _cli(f"sqlite:///{tmp_path / 'mailer.db'}", tmp_path, monkeypatch)
