"""A claim reads a few entries of ix_delivery_claim, never the campaign's whole delivery list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event

from mailer.db import ensure_current, make_engine
from mailer.send import queue


def test_each_claim_statement_is_an_ordered_range_of_the_claim_index(tmp_path: Path) -> None:
    """On SQLite every statement of a claim searches ix_delivery_claim and sorts nothing."""
    engine = make_engine(f"sqlite:///{tmp_path}/claim.db")
    ensure_current(engine)
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE DELIVERY"):
            seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", capture)
    queue.claim(engine, "w1", 200, campaign_id=1)
    queue.claim(engine, "w1", 200)
    event.remove(engine, "before_cursor_execute", capture)
    assert len(seen) == 6  # expired leases, due retries, first attempts; for one and for all
    with engine.connect() as conn:
        for statement, params in seen:
            plan = [r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)]
            searches = [p for p in plan if p.startswith("SEARCH delivery USING")]
            assert any("ix_delivery_claim" in p for p in searches), plan
            assert not any("TEMP B-TREE" in p or p.startswith("SCAN delivery") for p in plan), plan
    engine.dispose()
