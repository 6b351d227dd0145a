"""Returned mail from an IMAP folder, always over TLS: unseen messages, flagged once processed."""

from __future__ import annotations

import base64
import contextlib
import imaplib
import itertools
import logging
import os
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from mailer.bounces.sources import Disposition, Fetched
from mailer.errors import MailerError, UsageError

__all__ = ["DEAD_LETTER_FOLDER", "ImapSource", "ImapUrl", "imap_password", "mailbox_name"]

log = logging.getLogger("mailer.bounces")
DEAD_LETTER_FOLDER = "Mailer-Dead-Letter"
TIMEOUT = 30  # seconds, for the connection and every command
_HINT = "--imap expects imaps://USER@HOST[:PORT]/FOLDER, or imap://... for STARTTLS"


@dataclass(frozen=True)
class ImapUrl:
    """Where to read: imaps:// is TLS from the start, imap:// upgrades with STARTTLS."""

    host: str
    port: int
    direct_tls: bool
    user: str
    folder: str

    @classmethod
    def parse(cls, url: str) -> ImapUrl:
        """Validate once, up front; never echo the URL (it might hold a password)."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise UsageError(_HINT) from None
        if parts.scheme not in ("imap", "imaps") or not parts.hostname or not parts.username:
            raise UsageError(_HINT)
        if parts.password is not None:
            raise UsageError(
                "--imap must not carry a password (command lines are visible to other users); "
                "set MAILER_IMAP_PASSWORD"
            )
        direct = parts.scheme == "imaps"
        folder = unquote(parts.path.lstrip("/")) or "INBOX"
        return cls(
            parts.hostname,
            port or (993 if direct else 143),
            direct,
            unquote(parts.username),
            folder,
        )

    @property
    def where(self) -> str:
        """host:port for messages ([::1]:993 for an IPv6 address)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def mailbox_name(name: str) -> str:
    """A folder name as an IMAP argument: modified UTF-7 (RFC 3501 section 5.1.3), quoted."""
    out = []
    for printable, chars in itertools.groupby(name, key=lambda c: " " <= c <= "~"):
        text = "".join(chars)
        if printable:
            out.append(text.replace("&", "&-"))
        else:
            b64 = base64.b64encode(text.encode("utf-16-be")).decode("ascii").rstrip("=")
            out.append("&" + b64.replace("/", ",") + "-")
    quoted = "".join(out).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}"'


def _said(value: object) -> str:
    """What the server said (a reply's data or an imaplib error), on one short line."""
    if isinstance(value, BaseException):
        value = value.args[0] if value.args else ""
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return " ".join(str(value).split())[:300] or "no reason given"


def _failure(where: str, exc: BaseException) -> MailerError:
    """One line for a connection, TLS or protocol failure, naming the server and what to check."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        why = (
            f"the server's certificate is not trusted ({exc.verify_message}); install the CA "
            "that issued it, or point SSL_CERT_FILE at it"
        )
    elif isinstance(exc, ssl.SSLError):
        why = (
            f"TLS failed ({exc.reason or exc}); imaps:// wants a port that speaks TLS at once "
            "(993), imap:// one that offers STARTTLS (143)"
        )
    elif isinstance(exc, TimeoutError):
        why = (
            f"no answer within {TIMEOUT}s; check the host and port in --imap, and the scheme "
            "(imaps:// for a port that speaks TLS at once)"
        )
    elif isinstance(exc, OSError | imaplib.IMAP4.abort):
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else _said(exc)
        why = f"connection failed ({reason}); check the host and port in --imap"
    else:
        why = _said(exc)
    return MailerError(f"IMAP {where}: {why}")


class ImapSource:
    """An IMAP folder: unseen messages; processed ones are flagged \\Seen, unreadable ones are
    copied to the Mailer-Dead-Letter folder first. Every failure is one line naming the server."""

    def __init__(self, url: str, password: Callable[[], str]) -> None:
        self.url = ImapUrl.parse(url)
        self.folder = self.url.folder
        secret = password()  # asked before connecting: a missing password opens no socket
        self.conn = self._connect()
        self._dead_folder_ready = False
        try:
            self._login(secret)
            self._call(
                f"open folder {self.folder!r}",
                self.conn.select,
                mailbox_name(self.folder),
                hint="; check the folder in --imap",
            )
        except BaseException:
            self.close()
            raise

    def _connect(self) -> imaplib.IMAP4:
        u, context = self.url, ssl.create_default_context()
        try:
            if u.direct_tls:
                return imaplib.IMAP4_SSL(u.host, u.port, timeout=TIMEOUT, ssl_context=context)
            conn = imaplib.IMAP4(u.host, u.port, timeout=TIMEOUT)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise _failure(u.where, exc) from None
        try:
            if "STARTTLS" not in conn.capabilities:
                raise MailerError(
                    f"IMAP {u.where}: the server does not offer STARTTLS, and the password is "
                    "never sent in clear; use imaps:// or enable TLS on the server"
                )
            conn.starttls(context)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                conn.shutdown()
            if isinstance(exc, OSError | imaplib.IMAP4.error):
                raise _failure(u.where, exc) from None
            raise
        return conn

    def _login(self, secret: str) -> None:
        user = self.url.user
        try:
            if user.isascii() and secret.isascii():
                self.conn.login(user, secret)
            else:  # LOGIN is ASCII only; SASL PLAIN carries UTF-8 (RFC 4616)
                self.conn.authenticate("PLAIN", lambda _: f"\0{user}\0{secret}".encode())
        except imaplib.IMAP4.abort as exc:
            raise _failure(self.url.where, exc) from None
        except imaplib.IMAP4.error as exc:
            raise MailerError(
                f"IMAP {self.url.where}: login as {user} refused ({_said(exc)}); "
                "check the user in --imap and MAILER_IMAP_PASSWORD"
            ) from None
        except OSError as exc:
            raise _failure(self.url.where, exc) from None

    def _call(
        self,
        what: str,
        command: Callable[..., tuple[str, list[Any]]],
        *args: str,
        check: bool = True,
        hint: str = "",
    ) -> Any:
        """Run one command; a refusal (if `check`) or a lost connection is one line naming the
        server and the step."""
        try:
            typ, data = command(*args)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise _failure(self.url.where, exc) from None
        if check and typ != "OK":
            raise MailerError(f"IMAP {self.url.where}: cannot {what} ({_said(data)}){hint}")
        return data

    def messages(self) -> Iterator[Fetched]:
        found = self._call("search unseen messages", self.conn.uid, "SEARCH", "UNSEEN")
        uids = [uid.decode() for uid in (found[0] or b"").split()]
        log.info("imap host=%s folder=%s unseen=%d", self.url.where, self.folder, len(uids))
        for uid in uids:
            parts = self._call(f"fetch message {uid}", self.conn.uid, "FETCH", uid, "(BODY.PEEK[])")
            bodies = [p[1] for p in parts if isinstance(p, tuple) and b"BODY[]" in p[0]]
            if bodies:  # none: another client expunged it since the search
                yield Fetched(uid, bytes(bodies[0]))

    def done(self, item: Fetched, disposition: Disposition) -> None:
        if disposition == Disposition.DEAD:
            dead = mailbox_name(DEAD_LETTER_FOLDER)
            if not self._dead_folder_ready:
                # Refused when the folder exists already, which is fine; the copy tells.
                self._call("create folder", self.conn.create, dead, check=False)
                self._dead_folder_ready = True
            # Copied before flagging: if the copy fails, the message stays unseen for next time.
            self._call(
                f"copy message {item.key} to {DEAD_LETTER_FOLDER}",
                self.conn.uid,
                "COPY",
                item.key,
                dead,
            )
        self._call(
            f"flag message {item.key} seen",
            self.conn.uid,
            "STORE",
            item.key,
            "+FLAGS.SILENT",
            "(\\Seen)",
        )

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
