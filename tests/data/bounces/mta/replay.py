"""Set Q, step 2: a loopback smarthost that gives back the replies a real Postfix gave.

    PYTHONPATH=. python tests/data/bounces/mta/replay.py [--port 2626] [--keep MBOX]

A recipient ``q-<scenario>-<n>@news.test`` is refused at the SMTP stage, and with the code and
text, that replies.json recorded for the scenario; the addresses and HELO name Postfix echoed are
replaced by this session's own, as Postfix would have echoed them (the refused HELO name stays). Anything else is accepted and
dropped, or with --keep appended to MBOX (set T: nullmailer and Haraka deliver nothing locally, so
their reports to the sender come back through this smarthost). Listens on 127.0.0.1 only and
delivers nowhere else.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import time
from pathlib import Path
from typing import Any

import replies  # replies.py, beside this script
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

REPLIES = replies.load()
_SCENARIO = re.compile(r"^q-([a-z-]+?)-\d+@", re.IGNORECASE)
# The recipients the recording probes used (record.py, record_r.py), which a receiver echoed
_RECORDED_RECIPIENT = re.compile(
    r"(?:gone@reject|desk@elsewhere|no-such-desk@news|full@news|desk@accept|desk@nowhere"
    r"|desk@news|q-unknown-user-1@verify)\.test"  # set AC: Sendmail names the recipient
    # in its refusals; set AG: Postfix's address verification names its probe's
)


def _reply(scenario: str, session: Session, envelope: Envelope, rcpt: str) -> str:
    recorded = REPLIES[scenario]
    text = " ".join(recorded["lines"])
    text = _RECORDED_RECIPIENT.sub(lambda _m: rcpt, text)
    text = text.replace("<press@mta.press.test>", f"<{envelope.mail_from}>")
    # postgrey's help page is named after the recipient's domain (set U)
    text = text.replace("/accept.test.html", f"/{rcpt.rpartition('@')[2]}.html")
    return f"{recorded['code']} {text}"


class Replay:
    """The aiosmtpd handler: refuse each scenario's recipient as Postfix did."""

    def __init__(self, keep: Path | None) -> None:
        self.keep = keep

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        found = _SCENARIO.match(address)
        # A refusal of the sender (Courier's, at MAIL), of the connection (Haraka's, set AB) or
        # of the HELO name (qpsmtpd's, set AP) is given here: the scenario is the recipient's,
        # which comes later (set T, README).
        stages = ("CONNECT", "EHLO", "MAIL", "RCPT")
        if found and found[1] in REPLIES and REPLIES[found[1]]["stage"] in stages:
            return _reply(found[1], session, envelope, address)
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        for address in envelope.rcpt_tos:
            found = _SCENARIO.match(address)
            if found and found[1] in REPLIES and REPLIES[found[1]]["stage"] == "DATA":
                return _reply(found[1], session, envelope, address)
        if self.keep is not None and not any(_SCENARIO.match(a) for a in envelope.rcpt_tos):
            _append(self.keep, envelope)
        return "250 2.0.0 Ok: dropped"


def _append(mbox: Path, envelope: Envelope) -> None:
    """One mbox entry, as a local delivery writes it: a separator, 'From ' lines escaped."""
    content = envelope.original_content or b""
    body = re.sub(rb"(?m)^From ", b">From ", content.replace(b"\r\n", b"\n"))
    sender = envelope.mail_from or "MAILER-DAEMON"
    with mbox.open("ab") as out:
        out.write(f"From {sender} {time.asctime()}\n".encode() + body.rstrip(b"\n") + b"\n\n")


def main() -> None:
    """Serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=2626)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args()
    controller = Controller(
        Replay(args.keep), hostname="127.0.0.1", port=args.port, server_hostname="mx.news.test"
    )
    controller.start()
    print(f"replaying {len(REPLIES)} refusals on 127.0.0.1:{args.port}", flush=True)
    try:
        asyncio.run(asyncio.sleep(10**9))
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
