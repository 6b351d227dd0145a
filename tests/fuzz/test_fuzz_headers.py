"""Fuzz the composer's headers: From, Reply-To, To, subjects and names with any characters are
refused (HeaderInjection) or written as exactly the intended headers, in ASCII, one per line."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.utils import formataddr

from hypothesis import example, given
from hypothesis import strategies as st

from mailer.render.compose import PLACEHOLDERS, HeaderInjection, Recipient, StaticHeaders, prepare
from tests.fuzz.budget import bounded, fuzz

BREAKS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
INJECTED = ["Bcc: x@evil.test", "\nBcc: x@evil.test", "\r\n\r\n<html>", "=?utf-8?q?a=0ABcc:_x?="]
pieces = st.one_of(
    st.text(max_size=20),
    st.sampled_from(BREAKS),
    st.sampled_from(INJECTED),
    st.sampled_from(['"', "\\", "<", ">", ",", ";", ":", "@", "(", ")", "=?", "?=", " ", "\t"]),
    st.sampled_from(["Айжан", "Hélène", "日本", "🙂", "\u200b", "\ufeff"]),
)
texts = st.lists(pieces, max_size=6).map("".join)
LOCALS = ["press", "h.marchetti", "a+b", '"quoted local"', "jürgen", "", "a b", "x\ny"]
DOMAINS = ["unffc.example.org", "exämple.org", "EXAMPLE.ORG", "press.test", "", "a..b", "x\rBcc"]
addr_specs = st.builds(
    lambda local, domain: f"{local}@{domain}",
    st.one_of(st.sampled_from(LOCALS), texts),
    st.one_of(st.sampled_from(DOMAINS), texts),
)
addresses = st.one_of(
    st.builds(
        lambda n, a: formataddr((n, a)) if a.isascii() else f'"{n}" <{a}>', texts, addr_specs
    ),
    st.builds(lambda n, a: f"{n} <{a}>", texts, addr_specs),
    addr_specs,
    texts,
    st.sampled_from(
        ["a@example.org, b@example.org", "undisclosed-recipients:;", "a@example.org (x)"]
    ),
)
HTML = f"<p>{PLACEHOLDERS['greeting']}</p><p>{PLACEHOLDERS['why']}</p>"
TEXT = f"{PLACEHOLDERS['greeting']}\n\n{PLACEHOLDERS['why']}\n"
WHEN = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
EXPECTED = {
    "from", "to", "subject", "date", "message-id", "mime-version", "content-language", "list-id",
    "list-unsubscribe", "list-unsubscribe-post", "content-type",
}  # fmt: skip


def _recipient(email: str, name: str) -> Recipient:
    return Recipient(
        email=email,
        name=name,
        greeting=f"Dear {name}",
        why="You receive this.",
        unsubscribe_url="https://press.example.org/u/abc",
        preferences_url="https://press.example.org/u/abc",
        unsubscribe_mailto="mailto:unsubscribe+abc@bounces.example.org",
        message_id="<abc@unffc.example.org>",
    )


def _compose(from_: str, reply_to: str | None, subject: str, email: str, name: str) -> bytes:
    headers = StaticHeaders(
        from_=from_,
        subject=subject,
        language="en",
        list_id="Press releases <releases.unffc.example.org>",
        reply_to=reply_to,
    )
    return prepare(headers, HTML, TEXT).personalise(_recipient(email, name), WHEN)


@fuzz(400)
@given(
    from_=addresses,
    reply_to=st.one_of(st.none(), addresses),
    subject=texts,
    email=st.one_of(addr_specs, st.sampled_from(["a.t@tienshan.example.org"])),
    name=texts,
)
# Found by Hypothesis: an ASCII subject that reads as an encoded word was written as it stood,
# and a reader showed "a", a line break and "Bcc: x".
@example(
    from_="a@example.org",
    reply_to=None,
    subject="=?utf-8?q?a=0ABcc:_x?=",
    email="a.t@tienshan.example.org",
    name="",
)
@bounded
def test_header_values_are_refused_or_written_as_one_header_each(
    from_: str, reply_to: str | None, subject: str, email: str, name: str
) -> None:
    """No value adds a header or a line: a HeaderInjection, or ASCII bytes whose headers are
    exactly the intended ones, each once, From and Reply-To with one address each."""
    try:
        data = _compose(from_, reply_to, subject, email, name)
    except HeaderInjection as exc:
        _one_line(str(exc))
        return
    head = data.split(b"\r\n\r\n", 1)[0]
    assert head.isascii(), head
    assert b"\n" not in head.replace(b"\r\n", b""), head
    assert b"\r" not in head.replace(b"\r\n", b""), head
    msg = message_from_bytes(data, policy=policy.default)
    names = [k.lower() for k in msg]
    expected = EXPECTED | ({"reply-to"} if reply_to else set())
    assert sorted(names) == sorted(expected), head
    for header in ("From", "Reply-To") if reply_to else ("From",):
        (address,) = msg[header].addresses
        assert "@" in address.addr_spec, head
    assert " ".join(str(msg["Subject"]).split()) == " ".join(subject.split()), head


def _one_line(message: str) -> None:
    assert "\n" not in message, repr(message)
    assert "\r" not in message, repr(message)
