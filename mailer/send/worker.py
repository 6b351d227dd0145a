"""The sending engine: claim deliveries, personalise, send over kept-open connections, record.

One asyncio loop runs: a claimer that takes due deliveries from the database in batches, one
coroutine per relay connection, a recorder that commits outcomes in small groups, and a lease
renewer. A connection does not start its next message until the previous outcome is committed,
so a crash leaves at most one unrecorded message per connection: duplicates after a kill are
bounded by the connection count, and a duplicate carries the first copy's Message-ID.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from mailer.config import Settings
from mailer.errors import DataError, Location, MailerError
from mailer.models import Campaign, DeliveryStatus, Spokesperson
from mailer.release import load_release
from mailer.render.compose import HeaderInjection, PreparedMessage
from mailer.render.variant import make_recipient, render_variant
from mailer.send import queue
from mailer.send.dkim import DkimSigner
from mailer.send.outcome import Outcome, Stage
from mailer.send.transport import Outbox, RelayError, SmtpConnection
from mailer.tokens import Purpose, make_token

__all__ = ["Progress", "Sender"]

log = logging.getLogger("mailer.send")
BATCH = 200
_RELAY_REST_SECONDS = 5.0


@dataclass
class Progress:
    """Running totals of one sender, for progress bars and the final summary."""

    counts: Counter[DeliveryStatus] = field(default_factory=Counter)
    claimed: int = 0

    @property
    def done(self) -> int:
        """Attempts finished (sent, deferred or failed)."""
        return sum(self.counts.values())


@dataclass
class _Item:
    delivery: queue.Claimed
    sender: str
    data: bytes
    message_id: str
    domain: str
    tried: set[str] = field(default_factory=set)


class _TokenBucket:
    """At most `rate` events per second (0 = unlimited), spaced evenly."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next = 0.0

    async def wait(self) -> None:
        if not self.interval:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        slot = max(now, self.next)
        self.next = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)


class Sender:
    """Sends the due deliveries of one campaign (or of all active campaigns, as a worker)."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        campaign_id: int | None = None,
        foreground: bool = True,
        on_progress: Callable[[Progress], None] | None = None,
        poll_seconds: float = 2.0,
    ) -> None:
        self.engine, self.settings = engine, settings
        self.campaign_id, self.foreground = campaign_id, foreground
        self.on_progress = on_progress
        self.poll_seconds = poll_seconds
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.progress = Progress()
        self.stop = asyncio.Event()
        self._held: dict[int, queue.Claimed] = {}
        self._prepared: dict[int, dict[str, PreparedMessage]] = {}
        self._fatal: MailerError | None = None
        self.deadlines: dict[int, datetime] = {}  # campaign -> retry deadline, for the recorder
        self._relay_names: set[str] = set()
        self._closing = asyncio.Event()
        self._waiting_logged = False
        self._signer = _dkim_signer(settings)
        self._domains: dict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(settings.domain_concurrency)
        )
        self._domain_rate: dict[str, _TokenBucket] = defaultdict(
            lambda: _TokenBucket(settings.domain_rate)
        )

    # -- rendering -------------------------------------------------------------------------

    def _variants(self, campaign_id: int) -> dict[str, PreparedMessage]:
        if campaign_id not in self._prepared:
            self._prepared[campaign_id] = _render_campaign(self.engine, self.settings, campaign_id)
        return self._prepared[campaign_id]

    def _item(self, d: queue.Claimed) -> _Item:
        prepared = self._variants(d.campaign_id)
        message = prepared.get(d.language) or next(iter(prepared.values()))
        recipient = make_recipient(
            self.settings,
            d.language,
            email=d.email,
            name=d.name,
            contact_id=d.contact_id or 0,
            campaign_id=d.campaign_id,
            delivery_id=d.id,
            regions=d.regions,
        )
        data = message.personalise(recipient)
        if self._signer is not None:
            data = self._signer.sign(data) + data
        token = make_token(self.settings.secret_key.get_secret_value(), Purpose.VERP, d.id)
        sender = f"bounces+{token}@{self.settings.bounce_domain}"
        domain = d.email.rpartition("@")[2].lower()
        return _Item(d, sender, data, recipient.message_id, domain)

    # -- the loop ----------------------------------------------------------------------------

    async def run(self) -> Progress:
        """Send until nothing is due (foreground) or until stopped (worker)."""
        work: asyncio.Queue[_Item | None] = asyncio.Queue()
        recorder = _Recorder(self.engine, self)
        slots = self._slots()
        tasks = [asyncio.create_task(recorder.run()), asyncio.create_task(self._renew())]
        for task in tasks:
            task.add_done_callback(self._bookkeeping_ended)
        senders = [asyncio.create_task(self._send_loop(slot, work, recorder)) for slot in slots]
        try:
            await self._claim_loop(work, len(slots), recorder)
        finally:
            self._closing.set()
            for _ in senders:
                work.put_nowait(None)
            await asyncio.gather(*senders, return_exceptions=True)
            leftovers = [i.delivery.id for i in _drain(work)]
            await recorder.flush()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            unsent = leftovers + list(self._held)
            await asyncio.to_thread(queue.release, self.engine, self.worker_id, unsent)
            for slot in slots:
                if isinstance(slot, SmtpConnection):
                    await slot.close()
            await asyncio.to_thread(queue.finish_done_campaigns, self.engine)
        if self._fatal is not None:
            raise self._fatal
        return self.progress

    def _bookkeeping_ended(self, task: asyncio.Task[None]) -> None:
        # Without the recorder or the lease renewer, sending on would be unsafe: outcomes would
        # not be durable, or leases would expire under our feet and others would resend.
        if task.cancelled() or task.exception() is None:
            return
        exc = task.exception()
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if self._fatal is None:
            self._fatal = MailerError(
                f"sending stopped: the database failed while recording ({detail}); "
                "resume with the same command once it is reachable"
            )
        self.stop.set()

    def _slots(self) -> list[SmtpConnection | Outbox]:
        relays = self.settings.relay_list()
        self._relay_names = {r.name for r in relays}
        if not relays:
            return [Outbox(self.settings.outbox_dir)]
        return [SmtpConnection(r) for r in relays for _ in range(r.max_connections)]

    async def _claim_loop(
        self, work: asyncio.Queue[_Item | None], width: int, recorder: _Recorder
    ) -> None:
        low = max(width * 2, 32)
        while not self.stop.is_set() and self._fatal is None:
            if work.qsize() >= low:
                await asyncio.sleep(0.01)
                continue
            claimed = await asyncio.to_thread(
                queue.claim,
                self.engine,
                self.worker_id,
                BATCH,
                self.campaign_id,
                self.settings.lease_seconds,
            )
            # The whole batch is held first, so a fatal error below releases all of it at the end.
            self._held.update((d.id, d) for d in claimed)
            for d in claimed:
                try:
                    work.put_nowait(self._item(d))
                except HeaderInjection as exc:
                    if exc.header != "To":
                        self._fatal = exc  # the release or settings: every message would fail
                        return
                    await recorder.add(_unsendable(d, exc))
                except MailerError as exc:
                    self._fatal = exc
                    return
            self.progress.claimed += len(claimed)
            if claimed:
                continue
            if self.foreground and not self._held and not await self._others_hold():
                return
            await self._wait(0.05 if self._held else min(self.poll_seconds, 1.0))

    async def _others_hold(self) -> bool:
        """Whether another sender (perhaps a dead one) still leases deliveries of this campaign:
        a foreground send waits until they are recorded or their leases run out and it can take
        them over, rather than leaving them for a later resume."""
        if self.campaign_id is None:
            return False
        held, until = await asyncio.to_thread(
            queue.leased_elsewhere, self.engine, self.campaign_id, self.worker_id
        )
        if held and not self._waiting_logged:
            self._waiting_logged = True
            log.info(
                "waiting for %d deliveries leased by another sender (leases end by %s)",
                held,
                until.isoformat(timespec="seconds") if until else "?",
            )
        return held > 0

    async def _wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stop.wait(), timeout=seconds)

    async def _send_loop(
        self, slot: SmtpConnection | Outbox, work: asyncio.Queue[_Item | None], recorder: _Recorder
    ) -> None:
        relay_rate = _TokenBucket(slot.relay.rate if isinstance(slot, SmtpConnection) else 0)
        while (item := await work.get()) is not None:
            if self.stop.is_set() or self._fatal is not None:
                work.put_nowait(item)
                return
            try:
                outcome, name = await self._send_one(slot, item, relay_rate)
            except RelayError as exc:
                self._fatal = exc
                self.stop.set()
                work.put_nowait(item)
                return
            if self._hand_over(slot, item, outcome, work):
                # This relay cannot be reached: let its connection rest while others carry on.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._closing.wait(), _RELAY_REST_SECONDS)
                continue
            await recorder.add(queue.Result(item.delivery, outcome, name, item.message_id))

    def _hand_over(
        self,
        slot: SmtpConnection | Outbox,
        item: _Item,
        outcome: Outcome,
        work: asyncio.Queue[_Item | None],
    ) -> bool:
        """A relay that fails before the transaction passes the message to another relay (one
        not tried yet for it) instead of deferring it for minutes."""
        if not isinstance(slot, SmtpConnection) or outcome.stage != Stage.CONNECT:
            return False
        if outcome.status != DeliveryStatus.DEFERRED:
            return False
        item.tried.add(slot.relay.name)
        if not self._relay_names - item.tried:
            return False
        work.put_nowait(item)
        return True

    async def _send_one(
        self, slot: SmtpConnection | Outbox, item: _Item, rate: _TokenBucket
    ) -> tuple[Outcome, str]:
        if isinstance(slot, Outbox):
            return slot.deliver(item.sender, item.delivery.email, item.data), slot.name
        async with self._domains[item.domain]:
            await self._domain_rate[item.domain].wait()
            await rate.wait()
            # RET=HDRS: a DSN need not carry the whole release back; ENVID names the delivery
            # (RFC 3461), and returns as Original-Envelope-Id in the report.
            options = ("RET=HDRS", f"ENVID=d{item.delivery.id}")
            outcome = await slot.send(item.sender, item.delivery.email, item.data, options)
        return outcome, slot.relay.name

    async def _renew(self) -> None:
        while True:
            lease = self.settings.lease_seconds
            await asyncio.sleep(lease / 3)
            await asyncio.to_thread(
                queue.renew, self.engine, self.worker_id, list(self._held), lease
            )

    def recorded(self, results: list[queue.Result]) -> None:
        """Called by the recorder after a commit."""
        for r in results:
            self._held.pop(r.delivery.id, None)
            self.progress.counts[r.outcome.status] += 1
        if self.on_progress is not None:
            self.on_progress(self.progress)


class _Recorder:
    """Commits outcomes in small groups; each sender waits until its outcome is durable."""

    def __init__(self, engine: Engine, owner: Sender) -> None:
        self.engine, self.owner = engine, owner
        self.pending: list[tuple[queue.Result, asyncio.Future[None]]] = []
        self.ready = asyncio.Event()
        self.failed: Exception | None = None

    async def add(self, result: queue.Result) -> None:
        if self.failed is not None:
            # Nothing would ever record this outcome: fail now rather than wait forever.
            raise self.failed
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.pending.append((result, future))
        self.ready.set()
        await future

    async def run(self) -> None:
        while True:
            await self.ready.wait()
            await self.flush()

    async def flush(self) -> None:
        self.ready.clear()
        batch, self.pending = self.pending, []
        if not batch:
            return
        results = [r for r, _ in batch]
        try:
            await asyncio.to_thread(
                queue.record, self.engine, results, self.owner.deadlines, self.owner.worker_id
            )
        except Exception as exc:
            self.failed = exc
            # Outcomes added while this batch was being written would wait for a flush that
            # never comes: they fail too (their deliveries stay leased and are retried).
            waiting, self.pending = batch + self.pending, []
            for _, future in waiting:
                if not future.done():
                    future.set_exception(exc)
            raise
        self.owner.recorded(results)
        for _, future in batch:
            if not future.done():
                future.set_result(None)


def _unsendable(d: queue.Claimed, exc: HeaderInjection) -> queue.Result:
    """A journalist whose address no header can carry (e.g. a non-ASCII local part, which needs
    SMTPUTF8, RFC 6531): that one delivery fails, the campaign goes on."""
    outcome = Outcome(DeliveryStatus.FAILED, None, f"not sent: {exc}", None)
    return queue.Result(d, outcome, None, "")


def _drain(work: asyncio.Queue[_Item | None]) -> list[_Item]:
    items = []
    while not work.empty():
        item = work.get_nowait()
        if item is not None:
            items.append(item)
    return items


def _render_campaign(
    engine: Engine, settings: Settings, campaign_id: int
) -> dict[str, PreparedMessage]:
    """Every language variant of the campaign's release, rendered once."""
    with Session(engine) as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            raise MailerError(f"campaign {campaign_id} does not exist")
        release = load_release(Path(campaign.release_path))
        if release.source_hash != campaign.release_hash:
            raise DataError(
                "the release changed since this campaign was planned; send the new "
                "text as a new campaign (mailer send) or restore the file",
                Location(campaign.release_path),
            )
        handles = {h for v in release.variants.values() for h in v.spokespeople}
        roster = {
            p.handle: p
            for p in session.exec(select(Spokesperson).where(col(Spokesperson.handle).in_(handles)))
        }
    prepared = {}
    for lang, variant in release.variants.items():
        people = [roster[h] for h in variant.spokespeople if h in roster]
        prepared[lang] = render_variant(variant, people, settings, test=campaign.test).prepared
    return prepared


def _dkim_signer(settings: Settings) -> DkimSigner | None:
    if not (settings.dkim_domain and settings.dkim_selector and settings.dkim_key_file):
        return None
    return DkimSigner.from_key_file(
        settings.dkim_domain, settings.dkim_selector, settings.dkim_key_file
    )


def next_retry(engine: Engine, campaign_id: int) -> datetime | None:
    """When the campaign's earliest deferred delivery will be tried again."""
    return queue.next_retry_at(engine, campaign_id)
