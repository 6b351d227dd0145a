"""VERP return paths: bounces+<signed delivery token>@bounce domain, and decoding them back."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from mailer.tokens import InvalidToken, Purpose, make_token, read_token

__all__ = ["LOCAL_PART", "find_delivery", "message_id_delivery", "verp_address"]

log = logging.getLogger("mailer.bounces")
LOCAL_PART = "bounces"
# bounces+TOKEN@domain, any case: MTAs and mailbox providers lowercase or uppercase addresses.
_VERP = re.compile(rf"\b{LOCAL_PART}\+([a-z2-7]{{8,120}})@([a-z0-9.-]+)", re.IGNORECASE)
_MID = re.compile(r"<?([a-z2-7]{16,120})@([a-z0-9.-]+)>?", re.IGNORECASE)


def verp_address(secret: str, delivery_id: int, bounce_domain: str) -> str:
    """The envelope sender of one delivery."""
    return f"{LOCAL_PART}+{make_token(secret, Purpose.VERP, delivery_id)}@{bounce_domain}"


def find_delivery(addresses: Iterable[str], secret: str, bounce_domain: str) -> int | None:
    """The delivery named by the first genuine VERP token among the addresses; a token that
    fails its signature check is logged and ignored, never trusted."""
    domain = bounce_domain.lower()
    for address in addresses:
        for token, host in _VERP.findall(address):
            if host.lower() != domain:
                continue
            try:
                fields = read_token(secret, Purpose.VERP, token)
            except InvalidToken:
                log.warning("verp_token_rejected token=%s", token[:40])
                continue
            if len(fields) == 1:
                return fields[0]
    return None


def message_id_delivery(message_id: str | None, secret: str) -> int | None:
    """The delivery whose Message-ID this is (our Message-IDs are signed tokens too), for
    complaint reports that quote the message but not the return path."""
    if not message_id:
        return None
    found = _MID.search(message_id)
    if found is None:
        return None
    try:
        fields = read_token(secret, Purpose.VERP, found[1])
    except InvalidToken:
        return None
    return fields[0] if len(fields) == 2 else None
