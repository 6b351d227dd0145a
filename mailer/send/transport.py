"""Transports: kept-open SMTP connections to a relay (aiosmtplib), and the local Maildir outbox."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import socket
import ssl
import time
from pathlib import Path

import aiosmtplib

from mailer.errors import MailerError
from mailer.models import DeliveryStatus
from mailer.send.outcome import Outcome, Stage, classify
from mailer.send.relays import RelayConfig, TlsMode
from mailer.send.wire import data_payload, orcpt, path

__all__ = ["Outbox", "RelayError", "SmtpConnection"]

log = logging.getLogger("mailer.send")


class RelayError(MailerError):
    """A relay problem no retry can fix (bad credentials, TLS refused): the send stops."""

    exit_code = 2


def _tls_context(relay: RelayConfig) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(relay.ca_file) if relay.ca_file else None)
    if not relay.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


async def _command(smtp: aiosmtplib.SMTP, *args: bytes) -> aiosmtplib.SMTPResponse:
    """MAIL or RCPT; any reply but 2xx raises with its code, as smtp.mail() and rcpt() do."""
    reply = await smtp.execute_command(*args)
    if reply.code // 100 != 2:
        raise aiosmtplib.SMTPResponseException(reply.code, reply.message)
    return reply


async def _data(smtp: aiosmtplib.SMTP, payload: bytes) -> aiosmtplib.SMTPResponse:
    """DATA with a payload already dot-stuffed and terminated (see wire.data_payload).

    The same replies, timeouts and errors as smtp.data(), without its per-message regular
    expressions: 354, the payload, then the final reply (RFC 5321 section 4.1.1.4).
    """
    start = await smtp.execute_command(b"DATA")
    if start.code != aiosmtplib.SMTPStatus.start_input:
        raise aiosmtplib.SMTPDataError(start.code, start.message)
    protocol = smtp.protocol
    if protocol is None:
        raise aiosmtplib.SMTPServerDisconnected("Connection lost")
    try:
        protocol.write(payload)
        reply = await protocol.read_response(timeout=smtp.timeout)
    except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError):
        # As smtp.data() does: a connection that lost its place in the dialogue is closed.
        smtp.close()
        raise
    if reply.code != aiosmtplib.SMTPStatus.completed:
        raise aiosmtplib.SMTPDataError(reply.code, reply.message)
    return reply


async def _greet(smtp: aiosmtplib.SMTP) -> None:
    # EHLO, or HELO from a server that refuses it, as aiosmtplib's own commands do on first
    # use; done at once so that the extensions (DSN) are known for the first message too.
    if not smtp.is_ehlo_or_helo_needed:
        return
    try:
        await smtp.ehlo()
    except aiosmtplib.SMTPHeloError:
        if not smtp.is_connected:
            raise
        await smtp.helo()


class SmtpConnection:
    """One connection to a relay, opened on first use and reused for many messages."""

    def __init__(self, relay: RelayConfig) -> None:
        self.relay = relay
        self._smtp: aiosmtplib.SMTP | None = None
        self._sent_on_connection = 0

    async def _open(self) -> aiosmtplib.SMTP:
        relay = self.relay
        smtp = aiosmtplib.SMTP(
            hostname=relay.host,
            port=relay.port,
            timeout=relay.timeout,
            use_tls=relay.tls == TlsMode.IMPLICIT,
            # STARTTLS is negotiated below, so that a relay not offering it is a clear error.
            start_tls=False,
            tls_context=_tls_context(relay) if relay.tls != TlsMode.NONE else None,
        )
        try:
            await smtp.connect()
            if relay.tls == TlsMode.STARTTLS:
                await self._starttls(smtp)
            if relay.username:
                password = relay.password.get_secret_value() if relay.password else ""
                await smtp.login(relay.username, password)
            await _greet(smtp)
        except aiosmtplib.SMTPAuthenticationError as exc:
            smtp.close()
            raise RelayError(
                f"relay {relay.name} refused the login for {relay.username!r}: "
                f"{exc.code} {exc.message}; check the user name and password"
            ) from None
        except aiosmtplib.SMTPNotSupported as exc:
            smtp.close()
            raise RelayError(
                f"relay {relay.name}: {exc}; TLS is required for a non-loopback "
                'relay (set tls = "implicit" for port 465)'
            ) from None
        except ssl.SSLCertVerificationError as exc:
            smtp.close()
            raise RelayError(
                f"relay {relay.name}: TLS certificate not trusted: {exc.verify_message}"
            ) from None
        except (TimeoutError, aiosmtplib.SMTPException, OSError):
            smtp.close()  # the caller defers the message; the half-open session is not kept
            raise
        self._sent_on_connection = 0
        return smtp

    async def _starttls(self, smtp: aiosmtplib.SMTP) -> None:
        # STARTTLS is required, never opportunistic (RFC 3207 section 4 leaves the policy to the
        # client): a relay that does not offer it is refused before any credentials or mail.
        await smtp.ehlo()
        if not smtp.supports_extension("starttls"):
            smtp.close()
            raise RelayError(
                f"relay {self.relay.name} does not offer STARTTLS, which its TLS mode requires; "
                'enable TLS on the relay, or set tls = "implicit" for port 465'
            )
        await smtp.starttls()

    async def send(
        self, sender: str, recipient: str, data: bytes, options: tuple[str, ...] = ()
    ) -> Outcome:
        """One transaction; every failure becomes an Outcome, except RelayError."""
        stage = Stage.CONNECT
        try:
            if self._smtp is None or not self._smtp.is_connected:
                self._smtp = await self._open()
            smtp = self._smtp
            stage = Stage.MAIL
            dsn = smtp.supports_extension("dsn")
            params = [o.encode("ascii") for o in options] if dsn else []
            await _command(smtp, b"MAIL", b"FROM:" + path(sender), *params)
            stage = Stage.RCPT
            rcpt_params = [orcpt(recipient)] if dsn else []
            await _command(smtp, b"RCPT", b"TO:" + path(recipient), *rcpt_params)
            stage = Stage.DATA
            reply = await _data(smtp, data_payload(data))
        except RelayError:
            raise
        except aiosmtplib.SMTPResponseException as exc:
            await self._reset()
            return classify(exc.code, exc.message, stage)
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            # Timeouts, refused or dropped connections: deferred, retried later (RFC 5321 4.5.4).
            self._drop()
            return Outcome(DeliveryStatus.DEFERRED, None, f"{type(exc).__name__}: {exc}", stage)
        self._sent_on_connection += 1
        if self._sent_on_connection >= self.relay.max_messages_per_connection:
            await self.close()
        return classify(reply.code, reply.message, Stage.DATA)

    async def _reset(self) -> None:
        # After a refused command the transaction must be reset before the next MAIL.
        if self._smtp is None or not self._smtp.is_connected:
            return
        try:
            await self._smtp.rset()
        except (TimeoutError, aiosmtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
        self._smtp = None

    async def close(self) -> None:
        """QUIT politely; drop the connection if the relay does not answer."""
        if self._smtp is not None and self._smtp.is_connected:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError, asyncio.TimeoutError):
                await self._smtp.quit()
        self._drop()


class Outbox:
    """A Maildir (new/, cur/, tmp/) that any mail client can open: the no-relay default."""

    _counter = itertools.count()

    def __init__(self, root: Path) -> None:
        self.root = root
        try:
            for sub in ("tmp", "new", "cur"):
                (root / sub).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise MailerError(f"cannot create the outbox {root}: {exc.strerror}") from None

    @property
    def name(self) -> str:
        """Shown as the relay of outbox deliveries."""
        return f"outbox:{self.root}"

    def deliver(self, sender: str, recipient: str, data: bytes) -> Outcome:
        """Write the message as a mail server would store it (Return-Path, Delivered-To)."""
        unique = f"{time.time_ns()}.P{os.getpid()}Q{next(self._counter)}.{socket.gethostname()}"
        head = f"Return-Path: <{sender}>\r\nDelivered-To: {recipient}\r\n".encode()
        tmp, new = self.root / "tmp" / unique, self.root / "new" / unique
        try:
            # Maildir: write under tmp/, then rename into new/ so readers never see half a file.
            tmp.write_bytes((head + data).replace(b"\r\n", b"\n"))
            tmp.rename(new)
        except OSError as exc:
            return Outcome(DeliveryStatus.DEFERRED, None, f"outbox: {exc.strerror}", Stage.DATA)
        return Outcome(
            DeliveryStatus.SENT, 250, f"2.0.0 delivered to {new}", Stage.DATA, queue_id=unique
        )
