"""What an SMTP reply means for a delivery: sent, deferred (retry), or failed with a bounce kind."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from mailer.models import BounceKind, DeliveryStatus

__all__ = [
    "Outcome",
    "Stage",
    "classify",
    "next_attempt",
    "parse_queue_id",
]


class Stage(StrEnum):
    """The SMTP step at which a reply came (RFC 5321 section 3.3)."""

    CONNECT = "connect"
    AUTH = "auth"
    MAIL = "mail"
    RCPT = "rcpt"
    DATA = "data"


@dataclass(frozen=True)
class Outcome:
    """The verdict on one attempt."""

    status: DeliveryStatus
    code: int | None
    text: str
    stage: Stage | None = None
    bounce: BounceKind | None = None
    queue_id: str | None = None
    enhanced: str | None = None


_ENHANCED = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
# Replies that refuse us, not the address: policy, spam, reputation, blocklists, rate limits.
_BLOCK_WORDS = re.compile(
    r"spam|block|blacklist|denylist|reputation|policy|rejected for|dmarc|spf|dkim|"
    r"not authori[sz]ed|rate limit|too many|throttl|listed",
    re.IGNORECASE,
)
_QUEUE_ID = re.compile(
    r"(?:queued as|id=|queue id[: ]|ok[: ]+id=?)\s*<?([A-Za-z0-9._@-]{4,80})", re.IGNORECASE
)


def parse_queue_id(text: str) -> str | None:
    """The relay's queue id from a 250 reply to DATA ("2.0.0 Ok: queued as 4XyZ")."""
    found = _QUEUE_ID.search(text)
    return found[1] if found else None


# RFC 3463 subject.detail -> kind, for the codes whose meaning is settled.
_BY_CODE: dict[str, BounceKind] = {
    "1.7": BounceKind.BLOCK,  # bad sender mailbox syntax: our side
    "1.8": BounceKind.BLOCK,  # bad sender's system address: our side
    "2.2": BounceKind.SOFT,  # mailbox full
    "2.3": BounceKind.SOFT,  # message too long for the mailbox
    "3.4": BounceKind.SOFT,  # message too big for the system
    "4.4": BounceKind.HARD,  # unable to route: the domain does not exist
}
_BY_SUBJECT = {
    "1": BounceKind.HARD,  # address status: no such user, no such domain, moved
    "2": BounceKind.HARD,  # mailbox status: disabled, not accepting
    "3": BounceKind.SOFT,  # mail system status
    "4": BounceKind.SOFT,  # network and routing
    "5": BounceKind.SOFT,  # protocol
    "6": BounceKind.BLOCK,  # content refused
    "7": BounceKind.BLOCK,  # security or policy: spam, reputation, authentication
}


def _bounce_kind(code: int, enhanced: str | None, text: str) -> BounceKind:
    if enhanced and not enhanced.endswith(".0.0"):
        _cls, subject, detail = enhanced.split(".")
        kind = _BY_CODE.get(f"{subject}.{detail}") or _BY_SUBJECT.get(subject)
        if kind is not None:
            return kind
    if code == 554 or _BLOCK_WORDS.search(text):
        return BounceKind.BLOCK
    return BounceKind.HARD


def classify(code: int | None, text: str, stage: Stage | None) -> Outcome:
    """2xx sent; 4xx, timeouts, drops and 552 deferred; 5xx at RCPT or DATA failed with a kind.

    552 (storage exceeded) is treated as temporary, as RFC 5321 section 4.5.3.1.10 advises.
    A 5xx before RCPT (at MAIL, connect or auth) is about us, not the recipient: deferred so an
    operator can fix the relay, never recorded as the journalist's bounce.
    """
    clean = " ".join(text.split())[:1000]
    found = _ENHANCED.search(clean)
    enhanced = found.group(0) if found else None
    if code is not None and 200 <= code < 300:
        return Outcome(
            DeliveryStatus.SENT, code, clean, stage, None, parse_queue_id(clean), enhanced
        )
    if code is None or 400 <= code < 500 or code == 552:
        return Outcome(DeliveryStatus.DEFERRED, code, clean, stage, None, None, enhanced)
    if stage in (Stage.RCPT, Stage.DATA):
        kind = _bounce_kind(code, enhanced, clean)
        return Outcome(DeliveryStatus.FAILED, code, clean, stage, kind, None, enhanced)
    return Outcome(DeliveryStatus.DEFERRED, code, clean, stage, None, None, enhanced)


def next_attempt(
    attempts: int,
    now: datetime,
    deadline: datetime,
    base: float = 60.0,
    cap: float = 7200.0,
    rng: random.Random | None = None,
) -> datetime | None:
    """When to retry after `attempts` tries: exponential backoff with +-20% jitter, capped;
    None when the next try would fall after the deadline (the delivery then fails)."""
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    jitter = (rng or random).uniform(0.8, 1.2)  # spreads retries; not security
    when = now + timedelta(seconds=delay * jitter)
    return when if when <= deadline else None
