"""The inbound SMTP receiver of the bounce domain: returned mail and mailto: unsubscribes.

`mailer serve --smtp-port` points the bounce domain's MX here. It accepts mail only for
``bounces[+TOKEN]@bounce_domain`` (returned mail, ARF reports: the bounce pipeline) and
``unsubscribe+TOKEN@bounce_domain`` (the List-Unsubscribe mailto: address); everything else is
refused at RCPT, so it never relays. A message is answered 250 only after what it says is
committed; a database failure answers 451, so the sending MTA keeps it and retries.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import Engine

from mailer.bounces.pipeline import FetchSummary, process
from mailer.bounces.sources import Fetched, identity_of
from mailer.config import Settings
from mailer.db import session_scope
from mailer.models import PreferenceChannel
from mailer.unsubscribe import InvalidLink, unsubscribe

__all__ = ["MAX_MESSAGE_BYTES", "MAX_RECIPIENTS", "InboundHandler", "Mailbox", "smtp_factory"]

log = logging.getLogger("mailer.inbound")
MAX_MESSAGE_BYTES = 10_000_000  # announced with SIZE (RFC 1870); a bounce with RET=HDRS is small
MAX_RECIPIENTS = 20


class Mailbox(StrEnum):
    """Which of our addresses a recipient is."""

    BOUNCES = "bounces"
    UNSUBSCRIBE = "unsubscribe"


@dataclass
class InboundStats:
    """What the receiver has done since it started (for /metrics)."""

    outcomes: Counter[str] = field(default_factory=Counter)


def mailbox_of(address: str, bounce_domain: str) -> tuple[Mailbox, str] | None:
    """The mailbox and token of one of our addresses; None for any other address."""
    local, _, domain = address.strip("<>").rpartition("@")
    if domain.lower().rstrip(".") != bounce_domain.lower():
        return None
    name, _, token = local.partition("+")
    name = name.lower()
    if name == Mailbox.BOUNCES:
        return Mailbox.BOUNCES, token
    if name == Mailbox.UNSUBSCRIBE and token:
        return Mailbox.UNSUBSCRIBE, token
    return None


class InboundHandler:
    """aiosmtpd handler: RCPT checks the address, DATA feeds the pipelines."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.settings = engine, settings
        self.stats = InboundStats()

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if mailbox_of(address, self.settings.bounce_domain) is None:
            domain = address.rpartition("@")[2].lower()
            if domain != self.settings.bounce_domain.lower():
                # RFC 5321 section 3.6.2: a server that does not relay refuses with 550.
                return "550 5.7.1 relaying denied"
            return "550 5.1.1 no such mailbox"
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 too many recipients"  # RFC 5321 section 4.5.3.1.10
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or envelope.content
        if not isinstance(data, bytes):
            data = str(data).encode("utf-8", "surrogateescape")
        try:
            outcomes = await asyncio.to_thread(self._deliver, envelope.rcpt_tos, data)
        except Exception as exc:  # never a 5xx for our own trouble: the MTA would drop the mail
            # Nothing is lost: what was committed is idempotent, and a temporary failure makes
            # the sending MTA retry later (RFC 5321 section 4.2.5).
            log.warning("inbound_deferred error=%s: %s", type(exc).__name__, exc)
            self.stats.outcomes["deferred"] += 1
            return "451 4.3.0 temporary failure, try again later"
        # Counted here, on the event loop, so /metrics never reads a counter being changed.
        self.stats.outcomes.update(outcomes)
        return "250 2.0.0 OK"

    def _deliver(self, recipients: list[str], data: bytes) -> list[str]:
        """Feed each of our recipients' pipeline; returns what happened, one label each."""
        outcomes = []
        for address in recipients:
            found = mailbox_of(address, self.settings.bounce_domain)
            if found is None:
                continue
            mailbox, token = found
            if mailbox == Mailbox.BOUNCES:
                outcomes.append(self._bounce(data))
            else:
                outcomes.append(self._unsubscribe(token))
        return outcomes

    def _bounce(self, data: bytes) -> str:
        summary = FetchSummary()
        process(self.engine, self.settings, Fetched(identity_of(data), data), summary)
        return "bounce" if summary.recorded else "duplicate" if summary.duplicates else "other"

    def _unsubscribe(self, token: str) -> str:
        try:
            with session_scope(self.engine) as session:
                change = unsubscribe(session, self.settings, token, via=PreferenceChannel.MAILTO)
        except InvalidLink as exc:
            # Accepted and dropped: answering differently would tell a guesser which tokens live.
            log.warning("mailto_unsubscribe_refused problem=%s", exc.problem.value)
            return "unsubscribe_invalid"
        return "unsubscribe" if change.new else "unsubscribe_replay"


def smtp_factory(handler: InboundHandler, hostname: str) -> Any:
    """A protocol factory for asyncio's create_server: one aiosmtpd SMTP session per client."""

    def make() -> SMTP:
        return SMTP(
            handler,
            hostname=hostname,
            data_size_limit=MAX_MESSAGE_BYTES,
            decode_data=False,
            enable_SMTPUTF8=True,
            ident="mailer inbound",
        )

    return make
