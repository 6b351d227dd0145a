"""The fast composer: every personalised message parses exactly like the email package's own."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formataddr

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailer.render.compose import (
    PLACEHOLDERS,
    Attachment,
    HeaderInjection,
    Recipient,
    StaticHeaders,
    prepare,
)

P = PLACEHOLDERS
HTML = (
    "<!DOCTYPE html>\n<html><body>\n<p>\n" + P["greeting"] + "\n</p>\n"
    "<p>Le « vaccin » – café crème, 100 % " + "très long " * 20 + "</p>\n"
    "<p>trailing space \n<p>\n" + P["why"] + "\n</p>\n"
    '<a href="'
    + P["unsubscribe_url"]
    + '">Unsubscribe</a> · <a href="'
    + P["preferences_url"]
    + '">Preferences</a>\n</body></html>\n'
)
TEXT = (
    "Summary line\n\n" + P["greeting"] + "\n\nBody with ümlauts and a = sign.\n.dot line\n"
    "From the start\n\n" + P["why"] + "\nUnsubscribe: " + P["unsubscribe_url"] + "\n"
)
HEADERS = StaticHeaders(
    from_="UNFFC Press Office <press@unffc.example.org>",
    subject="Vaccination: la couverture atteint 95 % au Kirghizistan",
    language="fr",
    list_id="Press releases <releases.unffc.example.org>",
    reply_to="h.marchetti@unffc.example.org",
)
WHEN = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)


def _recipient(
    name: str = "Айжан Токтогулова",
    email: str = "a.t@tienshan.example.org",
    why: str = "You receive this for Central Asia & the <Balkans>.",
) -> Recipient:
    return Recipient(
        email=email,
        name=name,
        greeting=f"Bonjour {name},",
        why=why,
        unsubscribe_url="https://press.example.org/u/abc?x=1&y=2",
        preferences_url="https://press.example.org/p/abc",
        unsubscribe_mailto="mailto:unsubscribe+abc@bounces.example.org",
        message_id="<abc.1@unffc.example.org>",
    )


def _shape(msg: EmailMessage) -> tuple[list[tuple[str, str]], list[tuple[str, str | bytes]]]:
    headers = [(k.lower(), str(v)) for k, v in msg.items() if k.lower() != "content-type"]
    parts = []
    for part in msg.walk():
        if part.is_multipart():
            parts.append((part.get_content_type(), ""))
        else:
            parts.append((part.get_content_type(), part.get_content()))  # type: ignore[attr-defined]
    return sorted(headers), parts


def _parse(data: bytes) -> EmailMessage:
    return message_from_bytes(data, policy=policy.default)  # type: ignore[return-value]


@pytest.mark.parametrize(
    "attachments", [(), (Attachment("fact sheet é.pdf", "application/pdf", b"%PDF-1.4 x" * 300),)]
)
def test_fast_path_equals_reference(attachments: tuple[Attachment, ...]) -> None:
    """Headers and parts of the fast-path bytes equal those of an EmailMessage built slowly."""
    prepared = prepare(HEADERS, HTML, TEXT, attachments)
    r = _recipient()
    fast = _parse(prepared.personalise(r, WHEN))
    slow = _parse(prepared.reference(r, WHEN).as_bytes())
    assert _shape(fast) == _shape(slow)
    assert fast["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = fast.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "https://press.example.org/u/abc?x=1&amp;y=2" in html
    assert "&lt;Balkans&gt;" in html
    text = fast.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Central Asia & the <Balkans>." in text


def test_bytes_are_crlf_and_short_lines() -> None:
    """Every line ends in CRLF (no bare LF, RFC 5322 2.3) and stays under 998 octets."""
    data = prepare(HEADERS, HTML, TEXT).personalise(_recipient(), WHEN)
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in data.split(b"\r\n")) <= 998


names = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(name=names, subject=names, organisation=names)
def test_no_data_can_add_a_header(name: str, subject: str, organisation: str) -> None:
    """Arbitrary names, outlets and titles either are refused or leave exactly the intended headers."""
    headers = StaticHeaders(
        from_=formataddr((organisation, "press@unffc.example.org")),
        subject=subject,
        language="en",
        list_id="Press <releases.example.org>",
    )
    try:
        prepared = prepare(headers, HTML, TEXT)
        data = prepared.personalise(_recipient(name=name, why=organisation), WHEN)
    except HeaderInjection:
        controls = ("Cc", "Zl", "Zp")
        assert any(
            unicodedata.category(c) in controls and c != "\t" for c in name + subject + organisation
        )
        return
    msg = _parse(data)
    assert sorted(k.lower() for k in msg) == sorted(
        [
            "from",
            "to",
            "subject",
            "date",
            "message-id",
            "mime-version",
            "content-language",
            "list-id",
            "list-unsubscribe",
            "list-unsubscribe-post",
            "content-type",
        ]
    )
    assert msg["Subject"] == subject.strip() or " ".join(msg["Subject"].split()) == " ".join(
        subject.split()
    )
    assert msg["To"].addresses[0].addr_spec == "a.t@tienshan.example.org"
    assert msg["From"].addresses[0].addr_spec == "press@unffc.example.org"
    assert not msg.defects


def test_international_domains_are_written_as_a_labels() -> None:
    """Found by tests/fuzz: an address with a non-ASCII domain (valid for email-validator) made
    the ASCII header encoding raise UnicodeEncodeError; the domain goes out in IDNA A-labels
    (RFC 5891), in To and Reply-To alike."""
    headers = replace(HEADERS, reply_to="Jürgen <j@pressestelle-münchen.example.org>")
    msg = _parse(
        prepare(headers, HTML, TEXT).personalise(_recipient(email="a@müller.example"), WHEN)
    )
    assert msg["Reply-To"].addresses[0].addr_spec == "j@xn--pressestelle-mnchen-jbc.example.org"
    assert msg["To"].addresses[0].addr_spec == "a@xn--mller-kva.example"
    # IDNA 2008, as email-validator reads it: ß stays itself (IDNA 2003 made it "ss", another
    # domain altogether).
    msg = _parse(
        prepare(headers, HTML, TEXT).personalise(_recipient(email="a@straße.example"), WHEN)
    )
    assert msg["To"].addresses[0].addr_spec == "a@xn--strae-oqa.example"


@pytest.mark.parametrize("header", ["To", "Reply-To", "From"])
def test_non_ascii_local_parts_are_refused_by_header(header: str) -> None:
    """A non-ASCII local part needs SMTPUTF8 (RFC 6531), which these messages do not use: a
    HeaderInjection naming the header, not a UnicodeEncodeError (found by tests/fuzz)."""
    address = "jürgen@example.org"
    headers = replace(
        HEADERS,
        from_=address if header == "From" else HEADERS.from_,
        reply_to=address if header == "Reply-To" else None,
    )
    email = address if header == "To" else "a@example.org"
    with pytest.raises(HeaderInjection, match="non-ASCII local part") as caught:
        prepare(headers, HTML, TEXT).personalise(_recipient(email=email), WHEN)
    assert caught.value.header == header


@pytest.mark.parametrize("value", ['""@unffc.example.org', "Press <@unffc.example.org>", "press@"])
def test_from_without_a_local_part_or_domain_is_refused(value: str) -> None:
    """Found by tests/fuzz: '""@unffc.example.org' parsed with an empty local part and was
    written as "From: @unffc.example.org", a header with no address at all."""
    headers = replace(HEADERS, from_=value)
    with pytest.raises(HeaderInjection, match="is not an address"):
        prepare(headers, HTML, TEXT)
