"""The scheduler: scheduled campaigns become queued when their time comes, for the worker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from sqlalchemy import Engine, update
from sqlalchemy.exc import SQLAlchemyError

from mailer.models import Campaign, CampaignStatus, utcnow

__all__ = ["run_scheduler", "start_due_campaigns"]

log = logging.getLogger("mailer.schedule")
_C = Campaign.__table__  # type: ignore[attr-defined]


def start_due_campaigns(engine: Engine, now: datetime | None = None) -> list[int]:
    """Queue every scheduled campaign whose time has come; returns their ids. One statement, so
    two schedulers on one database never start a campaign twice (the second finds none)."""
    now = now or utcnow()
    with engine.begin() as conn:
        ids = (
            conn.execute(
                update(_C)
                .where(_C.c.status == CampaignStatus.SCHEDULED, _C.c.scheduled_at <= now)
                .values(status=CampaignStatus.QUEUED)
                .returning(_C.c.id)
            )
            .scalars()
            .all()
        )
    for campaign_id in ids:
        log.info("campaign %s started: its scheduled time has come", campaign_id)
    return list(ids)


async def run_scheduler(engine: Engine, stop: asyncio.Event, every: float = 5.0) -> None:
    """Start due campaigns every few seconds until stopped."""
    while not stop.is_set():
        try:
            await asyncio.to_thread(start_due_campaigns, engine)
        except SQLAlchemyError as exc:
            # A database blip must not end the scheduler: log it and try again next round.
            log.warning("scheduler: database error, retrying: %s", str(exc).splitlines()[0])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
