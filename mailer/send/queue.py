"""The delivery queue in the database: claim due deliveries under a lease, renew, record outcomes.

Claims use `FOR UPDATE SKIP LOCKED` on PostgreSQL, so any number of workers on any hosts share
one database without waiting on each other; SQLite serialises writers, which is enough for the
embedded default. A claimed delivery is `sending` with a short lease that its worker renews while
alive; when a worker dies the lease runs out and another worker takes the delivery over.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    Engine,
    and_,
    bindparam,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from mailer.bounces.record import EventInput, record_event
from mailer.models import (
    BounceEvent,
    BounceSource,
    Campaign,
    CampaignStatus,
    Delivery,
    DeliveryStatus,
    utcnow,
)
from mailer.send.outcome import Outcome, next_attempt

__all__ = [
    "LEASE_SECONDS",
    "Claimed",
    "Result",
    "claim",
    "counts",
    "finish_done_campaigns",
    "leased_elsewhere",
    "next_retry_at",
    "record",
    "release",
    "renew",
]

log = logging.getLogger("mailer.send")
LEASE_SECONDS = 15.0  # a dead worker's deliveries are taken over within this
_D = Delivery.__table__  # type: ignore[attr-defined]
_C = Campaign.__table__  # type: ignore[attr-defined]
_B = BounceEvent.__table__  # type: ignore[attr-defined]
ACTIVE = (CampaignStatus.QUEUED, CampaignStatus.SENDING)
_DEADLOCK_TRIES = 4
_T = TypeVar("_T")


@dataclass(frozen=True)
class Claimed:
    """A delivery this worker now holds."""

    id: int
    campaign_id: int
    contact_id: int | None
    email: str
    name: str
    language: str
    regions: list[str]
    attempts: int


@dataclass(frozen=True)
class Result:
    """The outcome of one attempt, ready to record."""

    delivery: Claimed
    outcome: Outcome
    relay: str | None
    message_id: str


def _active(now: datetime, campaign_id: int | None) -> ColumnElement[int]:
    active = select(_C.c.id).where(
        _C.c.status.in_(list(ACTIVE)),
        or_(_C.c.scheduled_at.is_(None), _C.c.scheduled_at <= now),
    )
    if campaign_id is not None:
        active = active.where(_C.c.id == campaign_id)
    return active.scalar_subquery()


def _due(now: datetime, campaign_id: int | None, status: DeliveryStatus) -> ColumnElement[bool]:
    """Queued (or deferred) and due: one range of ix_delivery_claim (campaign, status, time)."""
    return and_(
        _D.c.campaign_id.in_(_active(now, campaign_id)),
        _D.c.status == status,
        _D.c.next_attempt_at <= now,
    )


def _orphaned(now: datetime, campaign_id: int | None) -> ColumnElement[bool]:
    """Sending under a lease that ran out (its worker died): the few rows in flight."""
    return and_(
        _D.c.campaign_id.in_(_active(now, campaign_id)),
        _D.c.status == DeliveryStatus.SENDING,
        _D.c.lease_expires_at < now,
    )


def _take(
    conn: Connection,
    where: ColumnElement[bool],
    worker: str,
    limit: int,
    now: datetime,
    lease: float,
) -> list[Claimed]:
    # The order of ix_delivery_claim (campaign, status, next attempt): read straight off the
    # index on both backends. ORDER BY id sorted the campaign's whole pending set for every
    # batch on SQLite, and PostgreSQL's planner, sure that half the table matched, scanned past
    # every row already sent.
    ids = (
        select(_D.c.id)
        .where(where)
        .order_by(_D.c.campaign_id, _D.c.status, _D.c.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    stmt = (
        update(_D)
        .where(_D.c.id.in_(ids.scalar_subquery()))
        .values(
            status=DeliveryStatus.SENDING,
            lease_owner=worker,
            lease_expires_at=now + timedelta(seconds=lease),
            attempts=_D.c.attempts + 1,
            updated_at=now,
        )
        .returning(
            _D.c.id,
            _D.c.campaign_id,
            _D.c.contact_id,
            _D.c.email,
            _D.c.name,
            _D.c.language,
            _D.c.regions,
            _D.c.attempts,
        )
    )
    return [Claimed(*r) for r in conn.execute(stmt)]


def claim(
    engine: Engine,
    worker: str,
    limit: int,
    campaign_id: int | None = None,
    lease: float = LEASE_SECONDS,
) -> list[Claimed]:
    """Take up to `limit` expired leases, due retries and first attempts for this worker, in one
    transaction."""
    now = utcnow()
    with engine.begin() as conn:
        # One status per statement, so each is an ordered range of the index (an IN list of
        # statuses is a filter over the whole campaign for PostgreSQL once the index must also
        # give the order). Retries that are due go before first attempts.
        taken = _take(conn, _orphaned(now, campaign_id), worker, limit, now, lease)
        for status in (DeliveryStatus.DEFERRED, DeliveryStatus.QUEUED):
            if len(taken) < limit:
                where = _due(now, campaign_id, status)
                taken += _take(conn, where, worker, limit - len(taken), now, lease)
        started = {c.campaign_id for c in taken}
        if started:
            conn.execute(
                update(_C)
                .where(_C.c.id.in_(started), _C.c.status == CampaignStatus.QUEUED)
                .values(status=CampaignStatus.SENDING, started_at=now)
            )
    return sorted(taken, key=lambda c: c.id)


def renew(engine: Engine, worker: str, ids: Sequence[int], lease: float = LEASE_SECONDS) -> None:
    """Extend this worker's leases (called every few seconds while it lives)."""
    if not ids:
        return
    # Rows are locked in id order, as claim and record lock them, so the three never deadlock;
    # a row locked right now is being recorded or claimed and needs no renewal (SKIP LOCKED).
    mine = (
        select(_D.c.id)
        .where(
            _D.c.id.in_(sorted(ids)),
            _D.c.lease_owner == worker,
            _D.c.status == DeliveryStatus.SENDING,
        )
        .order_by(_D.c.id)
        .with_for_update(skip_locked=True)
    )

    def run() -> None:
        now = utcnow()
        with engine.begin() as conn:
            conn.execute(
                update(_D)
                .where(_D.c.id.in_(mine.scalar_subquery()))
                .values(lease_expires_at=now + timedelta(seconds=lease))
            )

    _retrying(run)


def release(engine: Engine, worker: str, ids: Sequence[int]) -> None:
    """Give unsent deliveries back to the queue at once (a clean stop, Ctrl-C)."""
    if not ids:
        return
    with engine.begin() as conn:
        conn.execute(
            update(_D)
            .where(
                _D.c.id.in_(list(ids)),
                _D.c.lease_owner == worker,
                _D.c.status == DeliveryStatus.SENDING,
            )
            .values(
                status=DeliveryStatus.QUEUED,
                lease_owner=None,
                lease_expires_at=None,
                attempts=_D.c.attempts - 1,
            )
        )


def _deadlines(conn: Connection, campaign_ids: set[int], known: dict[int, datetime]) -> None:
    """Fill in the retry deadlines not known yet (fixed when a campaign is planned)."""
    missing = campaign_ids - known.keys()
    if missing:
        rows = conn.execute(select(_C.c.id, _C.c.deadline_at).where(_C.c.id.in_(missing)))
        known.update({r.id: r.deadline_at for r in rows})


def _is_deadlock(exc: OperationalError) -> bool:
    # PostgreSQL SQLSTATE 40P01 (deadlock) and 40001 (serialization failure): the transaction
    # was rolled back and may simply be run again.
    return getattr(exc.orig, "sqlstate", None) in ("40P01", "40001")


def _retrying(run: Callable[[], _T]) -> _T:
    for attempt in range(_DEADLOCK_TRIES):
        try:
            return run()
        except OperationalError as exc:
            if not _is_deadlock(exc) or attempt == _DEADLOCK_TRIES - 1:
                raise
            log.warning("deadlock_retry attempt=%d", attempt + 1)
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def record(
    engine: Engine,
    results: Sequence[Result],
    deadlines: dict[int, datetime] | None = None,
    worker: str | None = None,
) -> None:
    """Store outcomes in one transaction; 5xx at RCPT/DATA also become bounce events.

    `deadlines` caches the campaigns' retry deadlines across calls (a sender passes its own).
    With `worker`, an outcome other than sent is stored only while that worker still holds the
    lease: a sender that lost its lease (starved, paused) must not overwrite the delivery another
    sender has taken over, or that sender's later "sent" would find the row no longer `sending`
    and the recipient would be sent a further copy. A "sent" is always stored: it is the truth.
    """
    if results:
        # Outcomes arrive in completion order; rows are updated in id order (see renew).
        ordered = sorted(results, key=lambda r: r.delivery.id)
        known = {} if deadlines is None else deadlines
        _retrying(lambda: _record(engine, ordered, known, worker))


# Built once: one executemany per batch of outcomes, on a Connection (no ORM unit of work).
# `b_any` is true for outcomes stored whoever holds the lease (see record).
_RECORD = (
    update(_D)
    .where(
        _D.c.id == bindparam("b_id"),
        or_(
            and_(
                _D.c.status == DeliveryStatus.SENDING,
                or_(bindparam("b_any", type_=Boolean), _D.c.lease_owner == bindparam("b_owner")),
            ),
            # A "sent" also replaces what a sender that took the delivery over recorded since
            # (a deferral, a release): the message did go out, and must not go out again.
            and_(
                bindparam("b_sent_ok", type_=Boolean),
                # OR of equalities, not IN: executemany cannot expand an IN list.
                or_(
                    _D.c.status == DeliveryStatus.DEFERRED,
                    _D.c.status == DeliveryStatus.QUEUED,
                    _D.c.status == DeliveryStatus.FAILED,
                ),
            ),
        ),
    )
    .values(
        status=bindparam("b_status"),
        smtp_code=bindparam("b_code"),
        smtp_reply=bindparam("b_reply"),
        queue_id=bindparam("b_queue"),
        relay=bindparam("b_relay"),
        message_id=bindparam("b_mid"),
        next_attempt_at=bindparam("b_next"),
        sent_at=bindparam("b_sent"),
        lease_owner=None,
        lease_expires_at=None,
        updated_at=bindparam("b_now"),
    )
)


def _record(
    engine: Engine,
    results: Sequence[Result],
    deadlines: dict[int, datetime],
    worker: str | None,
) -> None:
    now = utcnow()
    with engine.begin() as conn:
        _deadlines(conn, {r.delivery.campaign_id for r in results}, deadlines)
        rows = [_row(r, now, deadlines[r.delivery.campaign_id]) for r in results]
        for row in rows:
            row["b_sent_ok"] = row["b_status"] == DeliveryStatus.SENT
            row["b_any"] = worker is None or row["b_sent_ok"]
            row["b_owner"] = worker or ""
        conn.execute(_RECORD, rows)
        bounced = [r for r in results if r.outcome.bounce is not None]
        if bounced:
            # The bounce pipeline takes a Session: one joined to this transaction, which the
            # `with` above commits (the Session flushes into it, never commits it).
            with Session(bind=conn, join_transaction_mode="rollback_only") as session:
                for r in bounced:
                    _bounce(session, r)
                session.flush()  # the policy may change ORM rows (a contact's status)


def _row(r: Result, now: datetime, deadline: datetime) -> dict[str, object]:
    status, when = r.outcome.status, now
    if status == DeliveryStatus.DEFERRED:
        retry = next_attempt(r.delivery.attempts, now, deadline)
        status, when = (DeliveryStatus.DEFERRED, retry) if retry else (DeliveryStatus.FAILED, now)
    return {
        "b_id": r.delivery.id,
        "b_status": status,
        "b_code": r.outcome.code,
        "b_reply": r.outcome.text[:1000] or None,
        "b_queue": r.outcome.queue_id,
        "b_relay": r.relay,
        "b_mid": r.message_id,
        "b_next": when,
        "b_sent": now if status == DeliveryStatus.SENT else None,
        "b_now": now,
    }


def _bounce(session: Session, r: Result) -> None:
    # SMTP-time rejections enter the same pipeline as returned mail. One event per attempt:
    # a retry of the same delivery that bounces again is a new event.
    assert r.outcome.bounce is not None
    record_event(
        session,
        EventInput(
            source=BounceSource.SMTP,
            identity=f"delivery:{r.delivery.id}:{r.delivery.attempts}",
            kind=r.outcome.bounce,
            email=r.delivery.email,
            delivery_id=r.delivery.id,
            status=r.outcome.enhanced,
            smtp_code=r.outcome.code,
            diagnostic=r.outcome.text,
        ),
    )


def counts(engine: Engine, campaign_id: int) -> dict[DeliveryStatus, int]:
    """Deliveries per status for one campaign."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(_D.c.status, func.count())
            .where(_D.c.campaign_id == campaign_id)
            .group_by(_D.c.status)
        ).all()
    return {DeliveryStatus(s): int(n) for s, n in rows}


def leased_elsewhere(engine: Engine, campaign_id: int, worker: str) -> tuple[int, datetime | None]:
    """How many of the campaign's deliveries another sender holds, and when the last lease ends
    (a foreground send waits for those to be recorded or to expire before it exits)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(func.count(), func.max(_D.c.lease_expires_at)).where(
                _D.c.campaign_id == campaign_id,
                _D.c.status == DeliveryStatus.SENDING,
                or_(_D.c.lease_owner.is_(None), _D.c.lease_owner != worker),
            )
        ).one()
    return int(row[0]), row[1]


def next_retry_at(engine: Engine, campaign_id: int) -> datetime | None:
    """When the earliest deferred delivery of the campaign is due."""
    with engine.connect() as conn:
        return conn.execute(
            select(func.min(_D.c.next_attempt_at)).where(
                _D.c.campaign_id == campaign_id, _D.c.status == DeliveryStatus.DEFERRED
            )
        ).scalar()


def finish_done_campaigns(engine: Engine) -> list[int]:
    """Mark finished every sending campaign with nothing queued, sending or deferred."""
    pending = (
        select(_D.c.id)
        .where(
            _D.c.campaign_id == _C.c.id,
            _D.c.status.in_(
                [DeliveryStatus.QUEUED, DeliveryStatus.SENDING, DeliveryStatus.DEFERRED]
            ),
        )
        .exists()
    )
    now = utcnow()
    with engine.begin() as conn:
        done = (
            conn.execute(
                update(_C)
                .where(_C.c.status.in_(list(ACTIVE)), ~pending)
                .values(status=CampaignStatus.FINISHED, finished_at=now)
                .returning(_C.c.id)
            )
            .scalars()
            .all()
        )
    return list(done)


def _change(
    engine: Engine, campaign_id: int, statuses: Sequence[DeliveryStatus], **values: object
) -> int:
    """Set values on the campaign's deliveries in the given statuses; returns how many."""
    with engine.begin() as conn:
        result = conn.execute(
            update(_D)
            .where(_D.c.campaign_id == campaign_id, _D.c.status.in_(list(statuses)))
            .values(updated_at=utcnow(), **values)
        )
    return int(result.rowcount or 0)


def retry_now(engine: Engine, campaign_id: int) -> int:
    """Make every deferred delivery of the campaign due at once (campaigns resume)."""
    return _change(engine, campaign_id, [DeliveryStatus.DEFERRED], next_attempt_at=utcnow())


def cancel(engine: Engine, campaign_id: int) -> int:
    """Cancel what is not sent yet (queued, deferred); the campaign is cancelled."""
    count = _change(
        engine,
        campaign_id,
        [DeliveryStatus.QUEUED, DeliveryStatus.DEFERRED],
        status=DeliveryStatus.CANCELLED,
    )
    with engine.begin() as conn:
        conn.execute(
            update(_C)
            .where(_C.c.id == campaign_id)
            .values(status=CampaignStatus.CANCELLED, finished_at=utcnow())
        )
    return count


def requeue_failed(engine: Engine, campaign_id: int) -> int:
    """Queue failed deliveries again (after a relay or policy problem was fixed)."""
    count = _change(
        engine,
        campaign_id,
        [DeliveryStatus.FAILED],
        status=DeliveryStatus.QUEUED,
        next_attempt_at=utcnow(),
    )
    with engine.begin() as conn:
        conn.execute(
            update(_C)
            .where(
                _C.c.id == campaign_id,
                _C.c.status.in_([CampaignStatus.FINISHED, CampaignStatus.SENDING]),
            )
            .values(status=CampaignStatus.SENDING, finished_at=None)
        )
    return count
