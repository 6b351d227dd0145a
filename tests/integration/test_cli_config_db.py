"""config show (masking, provenance) and db commands, on both backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from mailer.db import ensure_current, make_engine
from tests.conftest import Cli


def test_config_show_masks_secrets_and_says_where_each_came_from(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Passwords in URLs and the secret key are masked; each setting names its origin."""
    Path("mailer.toml").write_text('from = "Desk <desk@example.org>"\n', encoding="utf-8")
    monkeypatch.setenv("MAILER_SMTP_URL", "smtp://press:hunter2-secret@127.0.0.1:2525")
    monkeypatch.setenv("MAILER_SECRET_KEY", "s3cr3t-value-that-must-not-leak")
    result = cli("config", "show", "--json")
    assert result.code == 0, result
    assert "hunter2-secret" not in result.out
    assert "s3cr3t-value" not in result.out
    shown = json.loads(result.out)
    assert shown["smtp_url"]["value"] == "smtp://press:********@127.0.0.1:2525"
    assert shown["smtp_url"]["from"] == "MAILER_SMTP_URL"
    assert shown["from"]["from"] == "mailer.toml"
    assert shown["bounce_domain"]["from"] == "default"
    table = cli("config", "show")
    assert "hunter2" not in table.out
    assert "mailer.toml" in table.out


def test_db_status_and_upgrade(cli: Cli) -> None:
    """db upgrade brings a fresh database to the newest revision; status says so."""
    result = cli("db", "upgrade")
    assert result.code == 0, result
    assert "was empty" in result.out
    status = cli("db", "status")
    assert "up to date" in status.out


def test_sqlite_database_uses_wal(tmp_path: Path) -> None:
    """The embedded SQLite database runs in WAL mode, so reports can read beside a send."""
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'mailer.db'}")
    ensure_current(engine)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    engine.dispose()
