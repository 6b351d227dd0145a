"""Every value stored in a test database, table by table: for tests that prove something is
absent everywhere (erased personal data, secrets)."""

from __future__ import annotations

import json

from sqlalchemy import MetaData, create_engine, select


def every_value(db_url: str) -> list[tuple[str, str, str]]:
    """(table, column, value as JSON text) for every non-empty value in the database."""
    engine = create_engine(db_url)
    meta = MetaData()
    meta.reflect(engine)
    found = []
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            for row in conn.execute(select(table)):
                for column, value in row._mapping.items():
                    if value not in (None, "", [], {}):
                        found.append((table.name, column, json.dumps(value, default=str)))
    engine.dispose()
    return found
