"""MIME composition: one prepared message per language, personalised per journalist in microseconds.

The release body is the same for every recipient of a language, so it is rendered, inlined and
quoted-printable encoded once (`prepare`). Only the lines that hold per-recipient values (greeting,
footer, unsubscribe links) and a few headers (To, Date, Message-ID, List-Unsubscribe) are encoded
per journalist (`PreparedMessage.personalise`). Quoted-printable encodes line by line, so the
concatenation equals encoding the whole body at once; a test checks every fast-path message parses
into exactly the headers and parts that the email package's own EmailMessage produces
(`PreparedMessage.reference`).
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, quote

import idna

from mailer.errors import DataError

__all__ = [
    "PLACEHOLDERS",
    "Attachment",
    "HeaderInjection",
    "PreparedMessage",
    "Recipient",
    "StaticHeaders",
    "prepare",
]

_POLICY = policy.SMTP  # CRLF line ends (RFC 5321 section 2.3.8), RFC 2047 encoded words
# Private-use code points mark where recipient values go: nothing in a release contains them,
# Jinja and the HTML serializer leave them alone.
PLACEHOLDERS = {
    "greeting": "\ue000g\ue001",
    "why": "\ue000w\ue001",
    "unsubscribe_url": "\ue000u\ue001",
    "preferences_url": "\ue000p\ue001",
}
_MARK = "\ue000"


class HeaderInjection(DataError):
    """A header value with a line break or other control character, or an address that ASCII
    headers cannot carry: refused, never folded in. `header` names the header."""

    def __init__(self, header: str, problem: str) -> None:
        super().__init__(f"{header} {problem}")
        self.header = header


# C0 and C1 control characters (tab excepted) and Unicode line/paragraph separators: any could
# end a header line in some parser; data never needs them in a header (RFC 5322 section 2.2).
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def _single_line(name: str, value: str) -> str:
    if _CONTROL.search(value):
        raise HeaderInjection(name, f"contains a line break or control character: {value!r}")
    return value


def _ascii_address(name: str, addr_spec: str) -> str:
    """The address as an ASCII header carries it: an international domain in IDNA A-labels
    (RFC 5891); a non-ASCII local part would need SMTPUTF8 (RFC 6531), which we do not use."""
    if addr_spec.isascii():
        return addr_spec
    local, _, domain = addr_spec.rpartition("@")
    if not local.isascii():
        raise HeaderInjection(name, f"has a non-ASCII local part (needs SMTPUTF8): {addr_spec!r}")
    try:  # IDNA 2008 with UTS 46 mapping, as email-validator reads domains (not Python's 2003)
        return f"{local}@{idna.encode(domain, uts46=True).decode('ascii')}"
    except idna.IDNAError:
        raise HeaderInjection(name, f"has an invalid international domain: {addr_spec!r}") from None


def _to_header(name: str, email: str) -> bytes:
    """The To header: display name quoted or RFC 2047 encoded (split into encoded words of at
    most 75 characters), folded before the address when the line would pass 78 columns."""
    _single_line("name", name)
    email = _ascii_address("To", _single_line("email", email))
    if not name:
        return f"To: {email}\r\n".encode("ascii")
    if name.isascii():
        display = name if _ATOMS.fullmatch(name) else f'"{quote(name)}"'
    else:
        display = Header(name, "utf-8", header_name="To").encode(linesep="\r\n")
    sep = " " if len(display.rsplit("\n", 1)[-1]) + len(email) + 7 <= 78 else "\r\n "
    return f"To: {display}{sep}<{email}>\r\n".encode("ascii")


_ATOMS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+")


def _fold(name: str, value: str) -> str:
    """One unstructured header (folded at spaces to 78 columns, CRLF), pure ASCII: RFC 2047
    encoded words where the value is not ASCII (RFC 5322 section 2.2.3), or where it holds "=?",
    which a reader would otherwise decode as an encoded word of its own (RFC 2047 section 6.1)
    and show as other text than was written."""
    charset = "us-ascii" if value.isascii() and "=?" not in value else "utf-8"
    header = Header(_single_line(name, value), charset, header_name=name, maxlinelen=78)
    return f"{name}: {header.encode(linesep=chr(13) + chr(10))}\r\n"


def _address(name: str, value: str) -> str:
    """An address header, re-written from its parsed form: display name quoted or RFC 2047
    encoded as needed, so nothing in the name can be read as another address or header."""
    try:
        parsed = _POLICY.header_factory(name, _single_line(name, value))
        address = parsed.addresses[0]
    except (IndexError, AttributeError, ValueError):
        raise HeaderInjection(name, f"is not an address: {value!r}") from None
    if not address.username or not address.domain:  # '""@x' parses with an empty local part
        raise HeaderInjection(name, f"is not an address: {value!r}")
    text = formataddr((address.display_name, _ascii_address(name, address.addr_spec)), "utf-8")
    folded: str = _POLICY.fold(name, text)
    return folded


@dataclass(frozen=True)
class Recipient:
    """What differs between two journalists' copies of one language variant."""

    email: str
    name: str
    greeting: str
    why: str
    unsubscribe_url: str
    preferences_url: str
    unsubscribe_mailto: str
    message_id: str

    def body_values(self) -> dict[str, str]:
        """The values that replace the body placeholders (unescaped)."""
        return {
            "greeting": self.greeting,
            "why": self.why,
            "unsubscribe_url": self.unsubscribe_url,
            "preferences_url": self.preferences_url,
        }


@dataclass(frozen=True)
class StaticHeaders:
    """Headers that are the same for every recipient of a variant."""

    from_: str
    subject: str
    language: str
    list_id: str
    reply_to: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A file attached to every copy."""

    filename: str
    content_type: str
    data: bytes


def _qp_line(line: str) -> bytes:
    # binascii writes soft breaks as "=\n"; SMTP wants CRLF.
    return binascii.b2a_qp(line.encode("utf-8"), istext=False).replace(b"=\n", b"=\r\n")


@dataclass
class _Part:
    """A quoted-printable text part: encoded static runs and raw lines with placeholders."""

    segments: list[bytes | str] = field(default_factory=list)
    escape_html: bool = False

    @classmethod
    def build(cls, text: str, escape_html: bool) -> _Part:
        part = cls(escape_html=escape_html)
        static: list[bytes] = []
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if lines and lines[-1] == "":
            lines.pop()  # the text's final newline; every line below gets its CRLF
        for line in lines:
            if _MARK in line:
                if static:
                    part.segments.append(b"".join(static))
                    static = []
                part.segments.append(line)
            else:
                static.append(_qp_line(line) + b"\r\n")
        if static:
            part.segments.append(b"".join(static))
        return part

    def encode(self, values: dict[str, str]) -> bytes:
        out = []
        for seg in self.segments:
            if isinstance(seg, bytes):
                out.append(seg)
            else:
                out.append(_qp_line(self._fill(seg, values)) + b"\r\n")
        return b"".join(out)

    def text(self, values: dict[str, str]) -> str:
        """The decoded text with values filled in (for the reference message)."""
        out = []
        for seg in self.segments:
            if isinstance(seg, bytes):
                out.append(binascii.a2b_qp(seg).decode("utf-8").replace("\r\n", "\n"))
            else:
                out.append(self._fill(seg, values) + "\n")
        return "".join(out)

    def _fill(self, line: str, values: dict[str, str]) -> str:
        for key, mark in PLACEHOLDERS.items():
            if mark in line:
                value = values[key]
                line = line.replace(mark, html.escape(value) if self.escape_html else value)
        return line


_PART_HEADERS = {
    "plain": b'Content-Type: text/plain; charset="utf-8"\r\n'
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\n",
    "html": b'Content-Type: text/html; charset="utf-8"\r\n'
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\n",
}


def _attachment_bytes(att: Attachment) -> bytes:
    # The email package writes the Content-Disposition (RFC 2231 parameters for a non-ASCII
    # file name); the file itself is base64 in 76-character lines (RFC 2045 section 6.8).
    part = EmailMessage(policy=_POLICY)
    part.add_header("Content-Disposition", "attachment", filename=att.filename)
    head = (
        _POLICY.fold("Content-Type", att.content_type)
        + "Content-Transfer-Encoding: base64\r\n"
        + "".join(_POLICY.fold(k, v) for k, v in part.items())
        + "\r\n"
    )
    data: bytes = base64.encodebytes(att.data).replace(b"\n", b"\r\n")
    return bytes(head.encode("ascii") + data)


def _boundary() -> str:
    return f"=_mailer_{secrets.token_hex(12)}"


@dataclass
class PreparedMessage:
    """One language variant, encoded once; `personalise` makes each journalist's copy."""

    headers: StaticHeaders
    html_part: _Part
    text_part: _Part
    attachments: Sequence[Attachment]
    static_head: bytes
    alt_boundary: str
    mixed_boundary: str | None
    attachment_blob: bytes
    _date_cache: tuple[int, str] = (0, "")

    def _date(self, when: datetime | None) -> str:
        moment = when or datetime.now(UTC)
        second = int(moment.timestamp())
        if when is None and self._date_cache[0] == second:
            return self._date_cache[1]
        text = format_datetime(moment.astimezone(UTC))
        if when is None:
            self._date_cache = (second, text)
        return text

    def personalise(self, r: Recipient, when: datetime | None = None) -> bytes:
        """The exact bytes for one recipient (CRLF line ends, ready for SMTP DATA)."""
        values = r.body_values()
        for key, value in values.items():
            _single_line(key, value)
        head = [
            self.static_head,
            _to_header(r.name, r.email),
            f"Date: {self._date(when)}\r\n".encode(),
            f"Message-ID: {_single_line('message_id', r.message_id)}\r\n".encode(),
            # RFC 2369 / RFC 8058: the https URL first, the mailto second; one per line.
            f"List-Unsubscribe: <{_single_line('unsubscribe', r.unsubscribe_url)}>,\r\n"
            f" <{_single_line('unsubscribe', r.unsubscribe_mailto)}>\r\n".encode(),
        ]
        alt = self.alt_boundary.encode()
        # The CRLF before a boundary belongs to the boundary (RFC 2046 section 5.1.1): each
        # part's own last line end is followed by one more.
        body = [
            b"--" + alt + b"\r\n",
            _PART_HEADERS["plain"],
            self.text_part.encode(values),
            b"\r\n--" + alt + b"\r\n",
            _PART_HEADERS["html"],
            self.html_part.encode(values),
            b"\r\n--" + alt + b"--\r\n",
        ]
        if self.mixed_boundary is None:
            ctype = f'Content-Type: multipart/alternative; boundary="{self.alt_boundary}"\r\n'
            return b"".join([*head, ctype.encode(), b"\r\n", *body])
        mixed = self.mixed_boundary.encode()
        ctype = f'Content-Type: multipart/mixed; boundary="{self.mixed_boundary}"\r\n'
        inner = f'Content-Type: multipart/alternative; boundary="{self.alt_boundary}"\r\n\r\n'
        return b"".join(
            [
                *head,
                ctype.encode(),
                b"\r\n",
                b"--" + mixed + b"\r\n",
                inner.encode(),
                *body,
                self.attachment_blob,
                b"\r\n--" + mixed + b"--\r\n",
            ]
        )

    def reference(self, r: Recipient, when: datetime) -> EmailMessage:
        """The same message built the slow, obvious way with the email package (for tests)."""
        msg = EmailMessage(policy=_POLICY)
        h = self.headers
        msg["From"] = h.from_
        if h.reply_to:
            msg["Reply-To"] = h.reply_to
        msg["Subject"] = h.subject
        msg["MIME-Version"] = "1.0"
        msg["List-Id"] = h.list_id
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        msg["To"] = formataddr((r.name, r.email))
        msg["Date"] = format_datetime(when.astimezone(UTC))
        msg["Message-ID"] = r.message_id
        msg["List-Unsubscribe"] = f"<{r.unsubscribe_url}>, <{r.unsubscribe_mailto}>"
        values = r.body_values()
        msg.set_content(self.text_part.text(values), subtype="plain", cte="quoted-printable")
        msg.add_alternative(self.html_part.text(values), subtype="html", cte="quoted-printable")
        for att in self.attachments:
            maintype, _, subtype = att.content_type.partition("/")
            msg.add_attachment(att.data, maintype=maintype, subtype=subtype, filename=att.filename)
        # After the content: set_content() drops every Content-* header, this one included.
        msg["Content-Language"] = h.language
        return msg


def _static_head(h: StaticHeaders) -> bytes:
    lines = [_address("From", h.from_)]
    if h.reply_to:
        lines.append(_address("Reply-To", h.reply_to))
    lines += [
        _fold("Subject", h.subject),
        "MIME-Version: 1.0\r\n",
        _fold("Content-Language", h.language),
        _fold("List-Id", h.list_id),
        # RFC 8058: a one-click POST to the List-Unsubscribe URL unsubscribes.
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
    ]
    return "".join(lines).encode("ascii")


def prepare(
    headers: StaticHeaders, html_text: str, plain_text: str, attachments: Sequence[Attachment] = ()
) -> PreparedMessage:
    """Encode everything that is the same for all recipients of a variant, once."""
    mixed = _boundary() if attachments else None
    blob = b""
    if mixed is not None:
        blob = b"".join(
            b"\r\n--" + mixed.encode() + b"\r\n" + _attachment_bytes(a) for a in attachments
        )
    return PreparedMessage(
        headers=headers,
        html_part=_Part.build(html_text, escape_html=True),
        text_part=_Part.build(plain_text, escape_html=False),
        attachments=tuple(attachments),
        static_head=_static_head(headers),
        alt_boundary=_boundary(),
        mixed_boundary=mixed,
        attachment_blob=blob,
    )
