"""A scripted SMTP server for benchmarks.soak: seeded faults per (recipient, attempt), records all.

    python -m benchmarks.soak_server --seed 1 [--stall 5]

Listens on a free port of 127.0.0.1 and prints `{"port": N}` on its first line; on SIGTERM it
prints one JSON report (every accepted message's recipient, Message-ID, attempt and time; the
faults it answered) and exits. It runs in a process of its own so that its CPU time is not the
workers'. A plain asyncio server (one SMTP transaction per RCPT, no PIPELINING, DSN announced so
the mailer sends its RET and ENVID options): aiosmtpd would take a full core at this rate.

The attempt is the server's own count of RCPT commands for an address, so the fault drawn for a
transaction depends only on the seed, the recipient and how often it was tried: reruns with one
seed answer alike. 5xx is drawn per recipient (permanent: every attempt refused); 4xx, drops and
stalls per attempt (transient: a retry draws again). A stalled reply comes after the client's
command timeout, and the stalled message is never accepted: a duplicate then can only come from
a worker that died between a 250 and recording it.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import re
import resource
import signal
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["Fault", "Faults", "Ledger"]

_MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)
_ADDRESS = re.compile(rb"<([^>]*)>")
_EHLO = b"250-soak.test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-DSN\r\n250 SIZE 67108864\r\n"
_LIMIT = 64 * 2**20  # the longest DATA the server reads


class Fault(StrEnum):
    """What the server does instead of accepting a transaction."""

    REJECT = "5xx at RCPT"  # permanent: 550 5.1.1 on every attempt
    DEFER_RCPT = "4xx at RCPT"
    DEFER_DATA = "4xx after DATA"
    DROP = "drop mid-DATA"
    STALL = "stall after DATA"


def _unit(*parts: object) -> float:
    """A number in [0, 1) fixed by the parts (blake2b, not security)."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@dataclass(frozen=True)
class Faults:
    """The fault rates; `fault` draws one for a (recipient, attempt) from the seed."""

    seed: int
    reject: float = 0.03  # of recipients
    defer_rcpt: float = 0.05  # of transactions, as are the rest
    defer_data: float = 0.05
    drop: float = 0.02
    stall: float = 0.005

    def rejected(self, rcpt: str) -> bool:
        """Whether the recipient is refused with 5xx on every attempt."""
        return _unit(self.seed, "reject", rcpt) < self.reject

    def fault(self, rcpt: str, attempt: int) -> Fault | None:
        """The fault of this attempt, or None to accept it."""
        if self.rejected(rcpt):
            return Fault.REJECT
        u, edge = _unit(self.seed, rcpt, attempt), 0.0
        for kind, rate in (
            (Fault.DEFER_RCPT, self.defer_rcpt),
            (Fault.DEFER_DATA, self.defer_data),
            (Fault.DROP, self.drop),
            (Fault.STALL, self.stall),
        ):
            edge += rate
            if u < edge:
                return kind
        return None


@dataclass
class Ledger:
    """Everything the server saw: accepted messages, faults answered, tries per recipient."""

    accepted: list[tuple[str, str, int, float]] = field(default_factory=list)
    faults: Counter[str] = field(default_factory=Counter)
    faulted: Counter[str] = field(default_factory=Counter)  # transient faults per recipient
    tries: Counter[str] = field(default_factory=Counter)
    connections: int = 0
    bytes: int = 0  # of the accepted messages

    def report(self) -> dict[str, object]:
        """The JSON report printed at the end."""
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "accepted": self.accepted,
            "faults": dict(self.faults),
            "faulted": dict(self.faulted),
            "transactions": sum(self.tries.values()),
            "connections": self.connections,
            "bytes": self.bytes,
            "cpu": usage.ru_utime + usage.ru_stime,
        }


class Server:
    """One SMTP dialogue per connection, following the Faults."""

    def __init__(self, faults: Faults, stall_seconds: float) -> None:
        self.faults, self.stall_seconds = faults, stall_seconds
        self.ledger = Ledger()

    async def session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one connection until QUIT, a drop, or the client going away."""
        self.ledger.connections += 1
        writer.write(b"220 soak.test ESMTP\r\n")
        rcpts: list[tuple[str, int, Fault | None]] = []
        try:
            while line := await reader.readline():
                verb = line[:4].upper()
                if verb == b"EHLO":
                    writer.write(_EHLO)
                elif verb in (b"HELO", b"NOOP"):
                    writer.write(b"250 Ok\r\n")
                elif verb in (b"MAIL", b"RSET"):
                    rcpts = []
                    writer.write(b"250 2.0.0 Ok\r\n")
                elif verb == b"RCPT":
                    writer.write(self.rcpt(line, rcpts))
                elif verb == b"DATA" and rcpts:
                    writer.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    if not await self.data(reader, writer, rcpts):
                        return
                    rcpts = []
                elif verb == b"QUIT":
                    writer.write(b"221 2.0.0 Bye\r\n")
                    return
                else:
                    writer.write(b"503 5.5.1 Error: bad sequence of commands\r\n")
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the client went away (a timeout, or its worker was killed)
        finally:
            writer.close()

    def rcpt(self, line: bytes, rcpts: list[tuple[str, int, Fault | None]]) -> bytes:
        """Count the attempt and draw its fault; 5xx and 4xx at RCPT are answered here."""
        found = _ADDRESS.search(line)
        address = (found[1] if found else b"").decode("utf-8", "replace").lower()
        self.ledger.tries[address] += 1
        attempt = self.ledger.tries[address]
        fault = self.faults.fault(address, attempt)
        if fault == Fault.REJECT:
            self.ledger.faults[fault] += 1
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown\r\n".encode()
        if fault == Fault.DEFER_RCPT:
            self._transient(fault, address)
            return b"450 4.2.1 Mailbox busy, try again later\r\n"
        rcpts.append((address, attempt, fault))
        return b"250 2.1.5 Ok\r\n"

    def _transient(self, fault: Fault, address: str) -> None:
        self.ledger.faults[fault] += 1
        self.ledger.faulted[address] += 1

    async def data(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        rcpts: list[tuple[str, int, Fault | None]],
    ) -> bool:
        """Read the message and answer (or drop, or stall); False when the connection is done."""
        fault = next((f for _, _, f in rcpts if f is not None), None)
        if fault == Fault.DROP:
            await reader.read(4096)  # part of the message, then the connection goes
            writer.transport.abort()
            for address, _, _ in rcpts:
                self._transient(fault, address)
            return False
        body = await reader.readuntil(b"\r\n.\r\n")
        if fault is not None:
            for address, _, _ in rcpts:
                self._transient(fault, address)
            if fault == Fault.STALL:
                await asyncio.sleep(self.stall_seconds)
                if reader.at_eof() or writer.is_closing():
                    return False  # the client timed out and left: nothing was accepted
            writer.write(b"451 4.3.0 Temporary failure, try again later\r\n")
            return True
        found = _MESSAGE_ID.search(body, 0, body.find(b"\r\n\r\n"))
        message_id = found[1].decode("ascii", "replace") if found else ""
        now = time.time()
        self.ledger.bytes += len(body) * len(rcpts)
        for address, attempt, _ in rcpts:
            self.ledger.accepted.append((address, message_id, attempt, now))
        writer.write(f"250 2.0.0 Ok: queued as S{len(self.ledger.accepted):08d}\r\n".encode())
        return True


async def serve(faults: Faults, stall_seconds: float) -> Ledger:
    """Run until SIGTERM; print the port first."""
    server = Server(faults, stall_seconds)
    listener = await asyncio.start_server(server.session, "127.0.0.1", 0, limit=_LIMIT)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print(json.dumps({"port": listener.sockets[0].getsockname()[1]}), flush=True)
    await stop.wait()
    listener.close()
    return server.ledger


def main() -> None:
    """Serve, then print the report as one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stall", type=float, default=5.0, help="seconds a stalled reply waits")
    args = parser.parse_args()
    ledger = asyncio.run(serve(Faults(args.seed), args.stall))
    sys.stdout.write(json.dumps(ledger.report()) + "\n")


if __name__ == "__main__":
    main()
