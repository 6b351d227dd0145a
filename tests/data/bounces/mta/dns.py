"""Set AB: a small DNS server on loopback that lists this machine on the blocklists the receivers ask.

    python tests/data/bounces/mta/dns.py [--port 53] [--mode spf|gone]

Answers UDP queries on 127.0.0.1 only (RFC 1035 4.1 message format, no recursion, nothing
forwarded): 127.0.0.1 is listed on ``bl.test`` and the sender's domain on ``dbl.test`` (RFC 5782
2.1 and 2.3: an A record of 127.0.0.2 and a TXT record saying why); in mode ``spf`` the sender's
domain ``mta.press.test`` exists and publishes ``v=spf1 -all`` (RFC 7208: no host may send for
it) and, since set AC, a DMARC policy of ``p=reject`` (RFC 7489); in mode ``gone`` it does not
exist. Set AD's recipient domains fail in DNS in their own ways (see below), whatever the mode.
Every other name is NXDOMAIN. The mode is read from MODE_FILE at each query, so one running
server serves every scenario.
"""

from __future__ import annotations

import argparse
import socket
import struct
from pathlib import Path

MODE_FILE = Path("/tmp/ab-dns.mode")
A, MX, TXT = 1, 15, 16
NOERROR, SERVFAIL, NXDOMAIN = 0, 2, 3
SENDER_DOMAIN = "mta.press.test"
# Haraka exempts loopback and private clients from its DNS checks, and OpenDMARC's own SPF check
# passes them: a proxy's XCLIENT command (Haraka's xclient plugin, Postfix's
# smtpd_authorized_xclient_hosts) names a client in 198.18.0.0/15 (RFC 2544's benchmarking range:
# no traffic goes to it) instead (sets AB and AC; record.py)
XCLIENT_ADDR = "198.18.0.25"


def _listed(address: str) -> tuple[str, tuple[str, str]]:
    """A client address's entry on bl.test (RFC 5782 2.1: its octets reversed)."""
    name = ".".join(reversed(address.split("."))) + ".bl.test"
    return name, ("127.0.0.2", f"Listed by bl.test, see https://bl.test/query/{address}")


LISTED: dict[str, tuple[str, str]] = {  # name -> (A record, TXT record)
    **dict(_listed(address) for address in ("127.0.0.1", XCLIENT_ADDR)),
    f"{SENDER_DOMAIN}.dbl.test": (
        "127.0.1.2",
        f"{SENDER_DOMAIN} is listed by dbl.test, see https://dbl.test/query/{SENDER_DOMAIN}",
    ),
}


# set AD: recipient domains whose DNS fails in each way; the rest of .test is NXDOMAIN
NULL_MX = "nullmx.test"  # RFC 7505: "MX 0 ." says the domain takes no mail
BROKEN = "servfail.test"  # its name server fails (RCODE 2)
SILENT = "timeout.test"  # no answer at all: the resolver times out
REFUSING, REFUSING_MX = "refused.test", "mx.refused.test"  # its MX is 127.0.0.2: nothing listens


def _question(packet: bytes) -> tuple[str, int, int]:
    """The first question's name, type and the offset past it."""
    labels, offset = [], 12
    while packet[offset]:
        size = packet[offset]
        labels.append(packet[offset + 1 : offset + 1 + size].decode("ascii", "replace"))
        offset += 1 + size
    qtype = struct.unpack("!H", packet[offset + 1 : offset + 3])[0]
    return ".".join(labels).lower(), qtype, offset + 5


def _name(name: str) -> bytes:
    """A domain name in RFC 1035 3.1 wire form (labels, then the root)."""
    return b"".join(bytes([len(label)]) + label.encode() for label in name.split(".")) + b"\0"


def _txt(text: str) -> bytes:
    """A TXT record's data: one character-string (RFC 1035 3.3.14)."""
    return bytes([len(text)]) + text.encode()


def _mx(preference: int, host: str) -> bytes:
    """An MX record's data (RFC 1035 3.3.9); the host "" is the root, a null MX's (RFC 7505)."""
    return struct.pack("!H", preference) + (_name(host) if host else b"\0")


def _found(qtype: int, records: dict[int, bytes]) -> tuple[int, list[tuple[int, bytes]]]:
    """A name that exists: the record of the type asked for, if it has one."""
    return NOERROR, [(qtype, records[qtype])] if qtype in records else []


def _recipient_domain(name: str, qtype: int) -> tuple[int, list[tuple[int, bytes]]] | None:
    """Set AD's answers, or None for a name that is not one of its domains."""
    if name == BROKEN or name.endswith("." + BROKEN):
        return SERVFAIL, []
    if name == NULL_MX:
        return _found(qtype, {MX: _mx(0, "")})
    if name == REFUSING:
        return _found(qtype, {MX: _mx(10, REFUSING_MX)})
    if name == REFUSING_MX:
        return _found(qtype, {A: socket.inet_aton("127.0.0.2")})
    return None


def _records(name: str, qtype: int) -> tuple[int, list[tuple[int, bytes]]]:
    """The rcode and the (type, rdata) answers for one name."""
    mode = MODE_FILE.read_text().strip() if MODE_FILE.exists() else "gone"
    recipient = _recipient_domain(name, qtype)
    if recipient is not None:
        return recipient
    if name in LISTED:
        address, text = LISTED[name]
        return _found(qtype, {A: socket.inet_aton(address), TXT: _txt(text)})
    if name == f"_dmarc.{SENDER_DOMAIN}" and mode == "spf":  # set AC: RFC 7489 6.1, reject
        return _found(qtype, {TXT: _txt("v=DMARC1; p=reject")})
    if name == SENDER_DOMAIN and mode == "spf":
        # loopback: a receiver that calls our domain back reaches nothing beyond
        records = {A: socket.inet_aton("127.0.0.1"), TXT: _txt("v=spf1 -all")}
        return _found(qtype, {**records, MX: _mx(10, SENDER_DOMAIN)})
    return NXDOMAIN, []


def answer(packet: bytes) -> bytes | None:
    """The response to one query: its question echoed, then the answers; None for a name
    whose queries go unanswered."""
    ident, flags, questions = struct.unpack("!HHH", packet[:6])
    if flags & 0xF800 or questions != 1:  # a response, an opcode other than QUERY, or not one
        return None
    name, qtype, end = _question(packet)
    if len(packet) < end or name == SILENT or name.endswith("." + SILENT):
        return None  # a truncated question, or a name whose queries go unanswered
    rcode, answers = _records(name, qtype)
    # QR and AA set, RD echoed, RA clear: this server does not recurse (RFC 1035 4.1.1)
    header = struct.pack("!HHHHHH", ident, 0x8400 | (flags & 0x0100) | rcode, 1, len(answers), 0, 0)
    body = b"".join(
        struct.pack("!HHHIH", 0xC00C, rtype, 1, 60, len(rdata)) + rdata for rtype, rdata in answers
    )
    return header + packet[12:end] + body


def main() -> None:
    """Serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=53)
    parser.add_argument("--mode", choices=("spf", "gone"), default=None)
    args = parser.parse_args()
    if args.mode:
        MODE_FILE.write_text(args.mode + "\n")
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", args.port))
    while True:
        packet, client = server.recvfrom(4096)
        try:
            response = answer(packet)
            if response is not None:
                server.sendto(response, client)
        except (IndexError, struct.error, KeyError, ValueError, OSError):
            continue  # a malformed query gets no answer, as from a server that dropped it


if __name__ == "__main__":
    main()
