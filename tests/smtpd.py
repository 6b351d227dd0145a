"""A real SMTP server for tests: aiosmtpd on loopback, recording every message, faults scripted."""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    """One message as the server got it."""

    mail_from: str
    rcpt: str
    data: bytes
    options: list[str]

    @property
    def message_id(self) -> str:
        return str(message_from_bytes(self.data, policy=policy.default)["Message-ID"])


@dataclass
class Script:
    """What the server answers: per recipient at RCPT, at DATA, drops and stalls."""

    rcpt: dict[str, str] = field(default_factory=dict)  # address -> reply, e.g. "550 5.1.1 ..."
    data: dict[str, str] = field(default_factory=dict)  # address -> reply after DATA
    drop_data: set[str] = field(default_factory=set)  # close the connection instead of replying
    stall_data: dict[str, float] = field(default_factory=dict)  # seconds to wait before replying
    fail_once: bool = False  # scripted replies apply only to the first attempt per address
    seen: set[str] = field(default_factory=set)


class RecordingHandler:
    """Records every accepted message; follows the script for the rest."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.script = Script()
        self.lock = threading.Lock()

    def _scripted(self, table: dict[str, Any], address: str) -> Any:
        key = address.lower()
        if key not in table:
            return None
        if self.script.fail_once and (table is not self.script.rcpt) and key in self.script.seen:
            return None
        return table[key]

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        reply = self._scripted(self.script.rcpt, address)
        if reply and not (self.script.fail_once and address.lower() in self.script.seen):
            if self.script.fail_once:
                self.script.seen.add(address.lower())
            return str(reply)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        rcpt = envelope.rcpt_tos[0].lower()
        stall = self._scripted(self.script.stall_data, rcpt)
        first_time = rcpt not in self.script.seen
        if self.script.fail_once:
            self.script.seen.add(rcpt)
        if stall and first_time:
            await asyncio.sleep(stall)
        if rcpt in self.script.drop_data and (first_time or not self.script.fail_once):
            server.transport.close()  # type: ignore[union-attr]
            return "421 closing"
        reply = self.script.data.get(rcpt) if first_time or not self.script.fail_once else None
        if reply:
            return reply
        with self.lock:
            self.received.append(
                Received(
                    envelope.mail_from or "",
                    envelope.rcpt_tos[0],
                    envelope.original_content or b"",
                    list(envelope.mail_options),
                )
            )
        return f"250 2.0.0 Ok: queued as Q{len(self.received):06d}"


class Authenticator:
    """Accepts one user name and password."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user.encode(), password.encode()

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login == self.user and auth_data.password == self.password
        )
        return AuthResult(success=ok, handled=False)


def start_server(
    handler: RecordingHandler,
    *,
    tls_context: ssl.SSLContext | None = None,
    require_starttls: bool = False,
    auth: Authenticator | None = None,
) -> Controller:
    """Start aiosmtpd on 127.0.0.1 (a free port) in its own thread."""
    kwargs: dict[str, Any] = {"decode_data": False, "enable_SMTPUTF8": True}
    if tls_context is not None:
        kwargs.update(tls_context=tls_context, require_starttls=require_starttls)
    if auth is not None:
        kwargs.update(authenticator=auth, auth_require_tls=False)
    controller = Controller(
        handler, hostname="127.0.0.1", port=free_port(), ready_timeout=10, **kwargs
    )
    controller.start()
    return controller


async def _refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"421 4.3.2 Service not available, closing channel\r\n")
    await writer.drain()
    writer.close()


def start_refusing_server() -> tuple[int, threading.Thread, asyncio.AbstractEventLoop]:
    """A server that answers 421 on connect and hangs up (RFC 5321 3.8)."""
    port = free_port()
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        server = loop.run_until_complete(asyncio.start_server(_refuse, "127.0.0.1", port))
        ready.set()
        loop.run_forever()
        server.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(5)
    return port, thread, loop


class _BulkDataSMTP(SMTP):
    """aiosmtpd reading DATA in a few large pieces instead of line by line.

    Stock aiosmtpd awaits every line of DATA; a release with a PDF attachment has about a
    thousand lines, which caps it near 250 messages/s on two cores, below the sender. Everything
    else (greeting, EHLO, MAIL, RCPT, the handler hooks, RSET, QUIT) is aiosmtpd's own, and the
    handler sees the same envelope.content as with the stock server.
    """

    async def smtp_DATA(self, arg: str) -> None:
        from aiosmtpd.smtp import MISSING

        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        reader = self._reader
        line_limit = reader._limit  # type: ignore[attr-defined]
        reader._limit = (self.data_size_limit or 64 * 2**20) + 5  # type: ignore[attr-defined]
        # The end is CRLF "." CRLF, where the first CRLF may be the one before the data.
        buf = bytearray(b"\r\n")
        try:
            while not buf.endswith(b"\r\n.\r\n"):
                buf += await reader.readuntil(b".\r\n")
        except asyncio.CancelledError:
            self._writer.close()  # the client went away mid-DATA: nothing is recorded
            raise
        except asyncio.LimitOverrunError:
            await self.push("552 Error: Too much mail data")
            self.transport.close()  # type: ignore[union-attr]
            return
        finally:
            reader._limit = line_limit  # type: ignore[attr-defined]
        # Undo dot-stuffing (RFC 5321 4.5.2): one leading dot off every line that has one.
        content = bytes(buf[:-3]).replace(b"\r\n.", b"\r\n")[2:]
        self.envelope.content = self.envelope.original_content = content
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()  # type: ignore[no-untyped-call]
        await self.push("250 OK" if status is MISSING else status)


class _BulkDataController(Controller):
    def factory(self) -> SMTP:
        return _BulkDataSMTP(self.handler, **self.SMTP_kwargs)


def start_fast_server(handler: RecordingHandler) -> Controller:
    """Like start_server (plain: no TLS, no AUTH) but DATA is read in bulk: for volume tests."""
    controller = _BulkDataController(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        ready_timeout=10,
        decode_data=False,
        enable_SMTPUTF8=True,
    )
    controller.start()
    return controller
