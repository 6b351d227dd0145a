"""The bytes of an SMTP transaction: the DATA payload matches aiosmtplib's own transformation,
and the MAIL/RCPT paths match its quoting."""

from __future__ import annotations

import pytest
from aiosmtplib.email import quote_address
from aiosmtplib.protocol import PERIOD_REGEX, normalize_message_line_endings

from mailer.send.wire import data_payload, orcpt, path


def _aiosmtplib(message: bytes) -> bytes:
    return PERIOD_REGEX.sub(b"..", normalize_message_line_endings(message)) + b".\r\n"


@pytest.mark.parametrize(
    "message",
    [
        b"",
        b"Subject: x\r\n\r\nbody\r\n",
        b"Subject: x\r\n\r\nno final line end",
        b".starts with a period\r\n.\r\n..two\r\nmid.dle\r\n",
        b"bare\nline\rends\r\n.after bare LF\n.x",
        b"\r\n\r\n.\r\n",
        b"trailing CR\r",
    ],
)
def test_payload_is_what_aiosmtplib_would_send(message: bytes) -> None:
    """Every message, CRLF or not, becomes the same bytes aiosmtplib's data() writes."""
    assert data_payload(message) == _aiosmtplib(message)


def test_payload_never_has_a_bare_line_feed() -> None:
    """A bare LF in the message becomes CRLF on the wire (Postfix refuses bare newlines)."""
    payload = data_payload(b"a\nb\r\nc\n")
    assert payload.count(b"\n") == payload.count(b"\r\n")


@pytest.mark.parametrize(
    "address",
    [
        "j1@outlet1.example.org",
        "bounces+abc234@bounces.newsroom.test",
        "o'brien.x@example.org",
        "Name <x@example.org>",
        '"quoted local"@example.org',
        " spaced@example.org ",
        "x@example.org> NOTIFY=NEVER <y@example.org",
        "x@ex\r\nample.org",
    ],
)
def test_paths_are_quoted_as_aiosmtplib_quotes_them(address: str) -> None:
    """The fast path and the fallback give aiosmtplib's <path> for any address."""
    assert path(address) == quote_address(address).encode("ascii")


def test_a_path_with_a_space_is_refused() -> None:
    """An address with a space in its local part is refused, as aiosmtplib refuses it."""
    with pytest.raises(ValueError):
        path("x y@example.org")


@pytest.mark.parametrize(
    ("address", "param"),
    [
        ("desk@news.example.org", b"ORCPT=rfc822;desk@news.example.org"),
        ("a+b=c@news.example.org", b"ORCPT=rfc822;a+2Bb+3Dc@news.example.org"),
        ('"two words"@news.example.org', b'ORCPT=rfc822;"two+20words"@news.example.org'),
    ],
)
def test_orcpt_is_xtext_encoded(address: str, param: bytes) -> None:
    """ORCPT carries the address as xtext: '+', '=' and spaces as +XX (RFC 3461 section 4)."""
    assert orcpt(address) == param
