"""A sender that lost its lease cannot undo the work of the sender that took the delivery over."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import text

from mailer.db import make_engine
from mailer.models import DeliveryStatus
from mailer.send import queue
from mailer.send.outcome import Outcome, Stage
from tests.conftest import REPO, Cli
from tests.integration.bulk_newsroom import RELEASE, write_contacts

SENT = Outcome(DeliveryStatus.SENT, 250, "2.0.0 Ok: queued as Q1", Stage.DATA)
BUSY = Outcome(DeliveryStatus.DEFERRED, 451, "4.3.0 try later", Stage.DATA)


def _status(engine: object, delivery_id: int) -> tuple[str, str | None]:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        row = conn.execute(
            text("SELECT status, lease_owner FROM delivery WHERE id = :id"), {"id": delivery_id}
        ).one()
    return str(row[0]), row[1]


def _queued(cli: Cli, tmp_path: Path, journalists: int) -> None:
    """A campaign planned for `journalists` synthetic journalists, nothing sent yet."""
    write_contacts(tmp_path / "j.csv", journalists)
    assert cli("contacts", "import", str(tmp_path / "j.csv")).code == 0
    assert cli("spokespeople", "import", str(REPO / "contacts" / "spokespeople.yaml")).code == 0
    planned = cli("send", str(RELEASE), "--region", "central-asia", "--queue-only", "--yes")
    assert planned.code == 0, planned


def test_a_stale_outcome_does_not_overwrite_a_taken_over_delivery(cli: Cli, tmp_path: Path) -> None:
    """w1's lease runs out and w2 takes the delivery over: w1's late "deferred" is dropped, so
    w2's "sent" lands; a late "sent" from a stale sender is stored, being the truth."""
    _queued(cli, tmp_path, 2)
    engine = make_engine(cli.db_url)
    try:
        first, second = queue.claim(engine, "w1", 10, lease=0.2)
        time.sleep(0.4)  # w1 stalls past its lease
        taken = queue.claim(engine, "w2", 10, lease=60)
        assert [d.id for d in taken] == [first.id, second.id]
        stale = [queue.Result(d, BUSY, "relay", f"<{d.id}@test>") for d in (first, second)]
        queue.record(engine, stale, worker="w1")
        assert _status(engine, first.id) == ("sending", "w2")
        queue.record(engine, [queue.Result(taken[0], SENT, "relay", "<m@test>")], worker="w2")
        assert _status(engine, first.id) == ("sent", None)
        # w1 did deliver the second one after all: its "sent" is stored although w2 holds it.
        queue.record(engine, [queue.Result(second, SENT, "relay", "<n@test>")], worker="w1")
        assert _status(engine, second.id) == ("sent", None)
    finally:
        engine.dispose()


def test_a_late_sent_replaces_the_deferral_of_the_sender_that_took_over(
    cli: Cli, tmp_path: Path
) -> None:
    """w1 delivered but was slow to record; meanwhile w2 took the delivery over and recorded a
    deferral. w1's "sent" still lands, so the journalist is not sent the release again."""
    _queued(cli, tmp_path, 1)
    engine = make_engine(cli.db_url)
    try:
        (held,) = queue.claim(engine, "w1", 10, lease=0.2)
        time.sleep(0.4)
        (taken,) = queue.claim(engine, "w2", 10, lease=60)
        queue.record(engine, [queue.Result(taken, BUSY, "relay", "<m@test>")], worker="w2")
        assert _status(engine, held.id) == ("deferred", None)
        queue.record(engine, [queue.Result(held, SENT, "relay", "<m@test>")], worker="w1")
        assert _status(engine, held.id) == ("sent", None)
    finally:
        engine.dispose()
