"""The DSN parameters of our MAIL and RCPT commands, as a relay that offers DSN sees them."""

from __future__ import annotations

import asyncio

from mailer.send.relays import RelayConfig, TlsMode
from mailer.send.transport import SmtpConnection


async def _relay(commands: list[bytes], offer_dsn: bool) -> asyncio.Server:
    """A loopback SMTP server that records each command line and accepts everything."""

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 relay.test ESMTP\r\n")
        while line := await reader.readline():
            commands.append(line.rstrip(b"\r\n"))
            verb = line[:4].upper()
            if verb == b"EHLO":
                writer.write(b"250-relay.test\r\n" + (b"250-DSN\r\n" if offer_dsn else b""))
                writer.write(b"250 8BITMIME\r\n")
            elif verb == b"DATA":
                writer.write(b"354 go ahead\r\n")
                while (await reader.readline()) != b".\r\n":
                    pass
                writer.write(b"250 2.0.0 queued\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                break
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
        writer.close()

    return await asyncio.start_server(session, "127.0.0.1", 0)


def _send(offer_dsn: bool) -> list[bytes]:
    commands: list[bytes] = []

    async def run() -> None:
        server = await _relay(commands, offer_dsn)
        port = server.sockets[0].getsockname()[1]
        connection = SmtpConnection(RelayConfig(host="127.0.0.1", port=port, tls=TlsMode.NONE))
        message = b"From: releases@press.example.org\r\nSubject: x\r\n\r\nbody\r\n"
        outcome = await connection.send(
            "bounces+t@press.example.org",
            "a+b@news.example.org",
            message,
            ("RET=HDRS", "ENVID=d42"),
        )
        assert outcome.code == 250, outcome
        await connection.close()
        server.close()
        await server.wait_closed()

    asyncio.run(run())
    return commands


def test_a_relay_offering_dsn_gets_ret_envid_and_orcpt() -> None:
    """RET=HDRS and ENVID on MAIL, ORCPT in xtext on RCPT (RFC 3461 sections 4.2-4.4)."""
    commands = _send(offer_dsn=True)
    assert b"MAIL FROM:<bounces+t@press.example.org> RET=HDRS ENVID=d42" in commands
    assert b"RCPT TO:<a+b@news.example.org> ORCPT=rfc822;a+2Bb@news.example.org" in commands


def test_a_relay_without_dsn_gets_no_parameters() -> None:
    """A relay that does not offer DSN would refuse the parameters (RFC 3461 section 4)."""
    commands = _send(offer_dsn=False)
    assert b"MAIL FROM:<bounces+t@press.example.org>" in commands
    assert b"RCPT TO:<a+b@news.example.org>" in commands
