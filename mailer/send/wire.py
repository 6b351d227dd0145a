"""The bytes of an SMTP mail transaction: MAIL and RCPT arguments, and the DATA payload."""

from __future__ import annotations

import re

from aiosmtplib.email import quote_address
from aiosmtplib.protocol import normalize_message_line_endings

__all__ = ["data_payload", "orcpt", "path"]

# A dot-atom address (RFC 5322 section 3.4.1) in ASCII: one that email.utils.parseaddr, which
# aiosmtplib applies to every MAIL and RCPT, returns unchanged and that holds nothing that could
# smuggle a parameter onto the command line.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")
_END = b".\r\n"


def path(address: str) -> bytes:
    """The <reverse-path> or <forward-path> of MAIL FROM / RCPT TO (RFC 5321 section 4.1.2).

    The common address skips parseaddr (three parses a message cost more than the send); any
    other goes through aiosmtplib's own quoting and checks, which raise ValueError as before.
    """
    if _DOT_ATOM_ADDRESS.fullmatch(address):
        return f"<{address}>".encode("ascii")
    return quote_address(address).encode("ascii")


def orcpt(address: str) -> bytes:
    """The RCPT parameter that asks a DSN to name the address as we sent it (RFC 3461 section
    4.2), so that a bounce from a forwarding or aliasing system still names the journalist's
    address on our list as its Original-Recipient. xtext: "+", "=" and anything outside
    "!".."~" become "+XX" (RFC 3461 section 4)."""
    text = "".join(c if "!" <= c <= "~" and c not in "+=" else f"+{ord(c):02X}" for c in address)
    return b"ORCPT=rfc822;" + text.encode("ascii", "strict")


def data_payload(message: bytes) -> bytes:
    """The message dot-stuffed and followed by the end-of-data line (RFC 5321 section 4.5.2).

    The composer already writes CRLF everywhere, so the common case costs three C-speed scans
    and one replace instead of aiosmtplib's per-line regular expressions; a message with any
    bare CR or LF is normalised first, so a bare newline never reaches the wire (RFC 5321
    section 2.3.8).
    """
    crlf = message.count(b"\r\n")
    if message.count(b"\n") != crlf or message.count(b"\r") != crlf:
        message = normalize_message_line_endings(message)
    elif not message.endswith(b"\r\n"):
        message += b"\r\n"
    # Transparency: a line that starts with a period gets one more (RFC 5321 section 4.5.2).
    stuffed = message.replace(b"\r\n.", b"\r\n..")
    if stuffed.startswith(b"."):
        stuffed = b"." + stuffed
    return stuffed + _END
