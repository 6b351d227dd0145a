"""Fuzz test setup: the Hypothesis profiles (see budget.py), and one database and folder per run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from mailer.contacts.regions import Taxonomy
from mailer.db import ensure_current, make_engine
from tests.conftest import REPO
from tests.fuzz.budget import PROFILE

__all__ = ["PROFILE"]  # importing the budget registers the Hypothesis profiles


@pytest.fixture(scope="session")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the files the examples write (each example overwrites its own)."""
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="session")
def fuzz_engine(fuzz_dir: Path) -> Iterator[Engine]:
    """An upgraded SQLite database shared by every example (Hypothesis runs examples in one test
    function, so a per-test database would be shared anyway)."""
    engine = make_engine(f"sqlite:///{fuzz_dir / 'fuzz.db'}")
    ensure_current(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    """The built-in regions plus the sample regions file."""
    return Taxonomy.load(REPO / "contacts" / "regions.yaml")
