"""Set R, step 1: record the stock refusals of the MTA now listening on 127.0.0.1:PORT.

    PYTHONPATH=. python tests/data/bounces/mta/record_r.py exim 25 >> replies-r.jsonl

The receiving MTA (Exim, Sendmail, OpenSMTPD, Courier, Haraka or chasquid, or Dovecot's or Cyrus's
LMTP server; set up by generate.sh to
refuse in each way) is spoken to
as a sending MTA would speak to it; prints one JSON line per scenario it refused: the receiver,
the scenario, the SMTP stage and its reply.
"""

from __future__ import annotations

import json
import smtplib
import socket
import sys

from tests.data.bounces.mta.ao_send import body as ao_body
from tests.data.bounces.mta.dns import XCLIENT_ADDR
from tests.data.bounces.mta.record import BODY, SENDER, XCLIENT_SCENARIOS, _probe, _reply

# scenario -> (recipient, body)
SCENARIOS = {
    "unknown-user": ("no-such-desk@news.test", BODY),
    "relay-denied": ("desk@elsewhere.test", BODY),
    "sender-rejected": ("desk@news.test", BODY),
    "client-rejected": ("client@news.test", BODY),
    "content-rejected": ("desk@news.test", BODY),
    "too-large": ("desk@news.test", BODY + ("x" * 70 + "\r\n") * 100),
    "mailbox-full": ("full@news.test", BODY),  # Dovecot: a mailbox already at its quota
    "sieve-rejected": ("erej@news.test", BODY),  # Dovecot: the user's Sieve script erejects it
    # set AB: Haraka's plugins that ask DNS (dns.py), told the client's address by XCLIENT
    "rbl-listed": ("desk@news.test", BODY),
    "client-unknown": ("desk@news.test", BODY),
    "spf-fail": ("desk@news.test", BODY),
    "sender-domain-unknown": ("desk@news.test", BODY),
    "sender-verify-failed": ("desk@news.test", BODY),  # Exim: the sender's domain is NXDOMAIN
    # set AF: OpenSMTPD listeners that require TLS, or authentication, of their clients
    "tls-required": ("desk@news.test", BODY),
    "auth-required": ("desk@news.test", BODY),
    "greylisted": ("desk@news.test", BODY),  # set AM: Exim with greylistd
    # set AG: Debian's Exim checks (its macros) and Sendmail's greet_pause and block_bad_helo
    "rhsbl-sender": ("desk@news.test", BODY),
    "local-part-restricted": ("desk|news@news.test", BODY),
    "early-talker": ("desk@news.test", BODY),
    "helo-bogus": ("desk@news.test", BODY),
    "helo-rejected": ("desk@news.test", BODY),  # set AP: qpsmtpd's badhelo list names our HELO
    # set AO: amavisd-new as a pre-queue filter, the messages of its post-queue run
    **{
        s: ("desk@news.test", ao_body(s))
        for s in ("virus", "banned-exe", "banned-double", "spam", "bad-header")
    },
}
# set AG: the HELO name a scenario's client gives (block_bad_helo refuses the server's own), and
# the loopback address it comes from: Sendmail exempts 127.0.0.1, named localhost, as a relay client
HELO = {"helo-bogus": "mx.news.test"}
# (and set AM: greylistd's stock whitelist holds 127.0.0.1)
SOURCE = {"helo-bogus": "127.0.0.5", "greylisted": "127.0.0.5"}


def _probe_lmtp(port: int, rcpt: str) -> dict[str, object]:
    """Dovecot's LMTP server refuses at RCPT (lmtp_rcpt_check_quota for a full mailbox)."""
    with smtplib.LMTP("127.0.0.1", port, timeout=10) as lmtp:
        lmtp.docmd("LHLO", "mta.press.test")
        lmtp.mail(SENDER)
        stage, (code, text) = "RCPT", lmtp.rcpt(rcpt)
        if code < 400:  # set V: a Sieve "ereject" answers the data (one reply: one recipient)
            stage, (code, text) = "DATA", lmtp.data(BODY.encode())
    if code < 400:
        return {"stage": None, "code": code, "lines": []}
    return {"stage": stage, "code": code, "lines": text.decode().split("\n")}


def _early(port: int) -> dict[str, object]:
    """A client that speaks before the greeting (set AG: Sendmail's greet_pause): its reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"EHLO mta.press.test\r\n")
        code, texts = _reply(iter(sock.makefile("rb")))
    stage = "CONNECT" if code >= 400 else None
    return {"stage": stage, "code": code, "lines": texts if stage else []}


def main() -> None:
    """Probe each scenario named on the command line (all by default) and print its refusal."""
    receiver, port = sys.argv[1], int(sys.argv[2])
    names = sys.argv[3:] or list(SCENARIOS)
    for name in names:
        rcpt, body = SCENARIOS[name]
        if receiver in ("dovecot", "cyrus"):  # LMTP servers
            reply = _probe_lmtp(port, rcpt)
        elif name == "early-talker":
            reply = _early(port)
        else:
            xclient = XCLIENT_ADDR if (receiver, name) in XCLIENT_SCENARIOS else None
            helo = HELO.get(name, "mta.press.test")
            reply = _probe(port, rcpt, helo, body, xclient=xclient, source=SOURCE.get(name))
        if reply["stage"] is not None:
            print(json.dumps({"receiver": receiver, "scenario": name, **reply}))


if __name__ == "__main__":
    main()
