"""Set AO: send the messages amavisd-new refuses (virus, banned names, spam, a bad header) by SMTP.

    python tests/data/bounces/mta/ao_send.py [--port 25]

Each goes from press@mta.press.test to q-<scenario>-1@news.test (the EICAR one also to a second
recipient) through the Postfix on 127.0.0.1 whose content filter is amavis; amavis' report comes
back to press's local mailbox. Loopback only. record_r.py sends the same messages (`body`) to amavis
as a pre-queue filter.
"""

from __future__ import annotations

import argparse
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

SENDER = "press@mta.press.test"
# The EICAR test file and GTUBE, split so that no scanner reading this script flags it
EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*" + "GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
TEXT = "Embargoed until 10:00 UTC.\n\nA release for the desk.\n"


def _message(scenario: str, recipients: list[str]) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"Press Office <{SENDER}>"
    msg["To"] = ", ".join(f"<{r}>" for r in recipients)
    msg["Subject"] = f"Embargoed release ao {scenario}"
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(f"ao-{scenario}", "mta.press.test")
    msg.set_content(TEXT + (f"\n{GTUBE}\n" if scenario == "spam" else ""))
    attachment = {
        "virus": ("eicar.txt", EICAR.encode()),
        "virus-two": ("eicar.txt", EICAR.encode()),
        "banned-exe": ("release.exe", b"Release notes, not a program.\n"),
        "banned-double": ("release.pdf.exe", b"Release notes, not a program.\n"),
    }.get(scenario)
    if attachment is not None:
        name, data = attachment
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return msg


def _bad_header(scenario: str, recipient: str) -> bytes:
    """A Subject with raw 8-bit characters, not encoded as RFC 2047 asks."""
    head = (
        f"From: Press Office <{SENDER}>\r\nTo: <{recipient}>\r\n"
        f"Date: {formatdate(localtime=False)}\r\n"
        f"Message-ID: {make_msgid(f'ao-{scenario}', 'mta.press.test')}\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
    )
    subject = "Subject: Communiqué sous embargo ao bad-header\r\n".encode()
    return head.encode() + subject + b"\r\n" + TEXT.replace("\n", "\r\n").encode()


def body(scenario: str) -> str:
    """The message of a scenario to q-<scenario>-1@news.test, as record_r.py sends it (set AO's
    pre-queue refusals)."""
    rcpt = f"q-{scenario}-1@news.test"
    if scenario == "bad-header":
        return _bad_header(scenario, rcpt).decode()
    return _message(scenario, [rcpt]).as_string()


def main() -> None:
    """Send one message per scenario."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=25)
    port = parser.parse_args().port
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.ehlo("mta.press.test")
        for scenario in ("virus", "banned-exe", "banned-double", "spam"):
            rcpt = f"q-{scenario}-1@news.test"
            smtp.send_message(_message(scenario, [rcpt]), SENDER, [rcpt])
        two = ["q-virus-two-1@news.test", "q-virus-two-2@news.test"]
        smtp.send_message(_message("virus-two", two), SENDER, two)
        rcpt = "q-bad-header-1@news.test"
        smtp.sendmail(SENDER, [rcpt], _bad_header("bad-header", rcpt))


if __name__ == "__main__":
    main()
