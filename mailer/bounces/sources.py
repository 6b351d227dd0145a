"""Where returned mail is read from: a Maildir, an mbox file, or an IMAP folder."""

from __future__ import annotations

import contextlib
import hashlib
import imaplib
import logging
import mailbox
import os
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import unquote, urlsplit

from mailer.errors import MailerError, UsageError

__all__ = ["Disposition", "Fetched", "ImapSource", "MaildirSource", "MboxSource", "identity_of"]

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


class ImapSource:
    """An IMAP folder (imaps:// or imap:// with STARTTLS): unseen messages; processed ones are
    flagged \\Seen, unreadable ones copied to a Mailer-Dead-Letter folder."""

    def __init__(self, url: str, password: Callable[[], str]) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps") or not parts.hostname or not parts.username:
            raise UsageError("--imap expects imaps://user@host/FOLDER")
        self.folder = unquote(parts.path.lstrip("/")) or "INBOX"
        port = parts.port or (993 if parts.scheme == "imaps" else 143)
        try:
            if parts.scheme == "imaps":
                self.conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    parts.hostname, port, timeout=30, ssl_context=ssl.create_default_context()
                )
            else:
                self.conn = imaplib.IMAP4(parts.hostname, port, timeout=30)
                self.conn.starttls(ssl.create_default_context())
            self.conn.login(unquote(parts.username), password())
            self.conn.select(self.folder)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailerError(f"IMAP {parts.hostname}: {exc}") from None

    def messages(self) -> Iterator[Fetched]:
        _typ, data = self.conn.uid("SEARCH", "UNSEEN")
        for uid in (data[0] or b"").split():
            _typ, parts = self.conn.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
            for part in parts:
                if isinstance(part, tuple):
                    yield Fetched(uid.decode(), bytes(part[1]))

    def done(self, item: Fetched, disposition: Disposition) -> None:
        if disposition == Disposition.DEAD:
            self.conn.create("Mailer-Dead-Letter")
            self.conn.uid("COPY", item.key, "Mailer-Dead-Letter")
        self.conn.uid("STORE", item.key, "+FLAGS", "(\\Seen)")

    def close(self) -> None:
        """Log out."""
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            self.conn.logout()


def imap_password(env: str = "MAILER_IMAP_PASSWORD") -> str:
    """The IMAP password from the environment (never from the command line)."""
    value = os.environ.get(env)
    if value is None:
        raise UsageError(f"set {env} (or run on a terminal to be asked)")
    return value
