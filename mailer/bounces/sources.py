"""Where returned mail is read from: a Maildir or an mbox file (an IMAP folder: bounces.imap)."""

from __future__ import annotations

import hashlib
import logging
import mailbox
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from mailer.errors import UsageError

__all__ = ["Disposition", "Fetched", "MaildirSource", "MboxSource", "identity_of"]

log = logging.getLogger("mailer.bounces")
DEAD_LETTER = "dead-letter"


class Disposition(StrEnum):
    """What happened to a fetched message."""

    PROCESSED = "processed"  # parsed (bounce or not): flagged as seen, never counted again
    DEAD = "dead"  # could not be parsed: kept in the dead-letter folder


@dataclass(frozen=True)
class Fetched:
    """One message from a source, with a stable identity (its Message-ID or content hash)."""

    key: str
    data: bytes


def identity_of(data: bytes) -> str:
    """A returned message's identity: its own Message-ID, else a hash of its bytes."""
    head = data.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0][:20000]
    for line in head.replace(b"\r\n", b"\n").split(b"\n"):
        if line.lower().startswith(b"message-id:"):
            value = line.split(b":", 1)[1].strip().decode("ascii", "replace")
            if value:
                return f"mid:{value[:200]}"
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


class MaildirSource:
    """A Maildir: unseen messages in new/ and cur/; processed ones get the S (seen) flag, and
    unreadable ones move to the .dead-letter sub-folder (Maildir++)."""

    def __init__(self, path: Path) -> None:
        if not (path / "new").is_dir() or not (path / "cur").is_dir():
            raise UsageError(f"{path} is not a Maildir (it needs new/ and cur/)")
        self.box = mailbox.Maildir(str(path), factory=None, create=False)
        self.path = path

    def messages(self) -> Iterator[Fetched]:
        for key in list(self.box.keys()):
            message = self.box.get_message(key)
            if "S" in message.get_flags():
                continue
            yield Fetched(key, bytes(message.as_bytes()))

    def done(self, item: Fetched, disposition: Disposition) -> None:
        if disposition == Disposition.DEAD:
            folder = self.box.add_folder(DEAD_LETTER)
            folder.add(self.box.get_message(item.key))
            self.box.remove(item.key)
            return
        message = self.box.get_message(item.key)
        message.set_subdir("cur")
        message.add_flag("S")
        self.box[item.key] = message


class MboxSource:
    """An mbox file, read as it is; the database's unique identities keep re-runs idempotent,
    and unreadable messages are copied to FILE.dead-letter."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise UsageError(f"{path}: no such mbox file")
        self.box = mailbox.mbox(str(path), create=False)
        self.dead = path.with_name(path.name + "." + DEAD_LETTER)

    def messages(self) -> Iterator[Fetched]:
        for key in self.box.iterkeys():
            yield Fetched(str(key), bytes(self.box.get_bytes(key)))

    def done(self, item: Fetched, disposition: Disposition) -> None:
        if disposition == Disposition.DEAD:
            dead = mailbox.mbox(str(self.dead))
            dead.add(item.data)
            dead.flush()
