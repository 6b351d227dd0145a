"""Benchmark: does the bounce parser give the same answer when a report is sent differently?

    python -m benchmarks.bounce_variants [--data tests/data/bounces] [--misses]

Every labelled sample is rewritten the ways real mail systems send the same report: CRLF or CR
line endings, its text parts in base64 (CRLF inside, as RFC 2045 has it) or quoted-printable,
its plain-text report as HTML (as Exchange and webmail systems send it). The answer (bounce,
recipients, kind, status) for each rewrite is compared with the answer for the sample as stored;
a rewrite by the standard library's generator with nothing changed ("regenerated") is the
baseline, since every other rewrite goes through it too. Prints, per rewrite, how many samples
changed their answer.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import quopri
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.message import Message
from email.policy import compat32
from pathlib import Path

from benchmarks.bounces import DATA
from mailer.bounces.parse import parse_bounce

Answer = tuple[bool, tuple[str, ...], str | None, str | None]
# Parts whose content is another message: their text is left as the returned message had it.
_ENCLOSED = ("message/rfc822", "message/global", "text/rfc822-headers", "message/partial")
_REPORTS = ("message/delivery-status", "message/global-delivery-status", "message/feedback-report")


def answer(data: bytes) -> Answer:
    """What the parser says of one message, as far as the labels score it."""
    got = parse_bounce(data)
    if not got.bounce:  # as the labels score it: a delay warning's recipients are not counted
        return False, (), None, None
    kind = got.kind.value if got.kind is not None else None
    return True, tuple(sorted(got.recipients)), kind, got.status


def _text_leaves(part: Message) -> Iterator[Message]:
    """The report's own text parts: not those of a returned message or a status report."""
    ctype = part.get_content_type()
    if ctype in _ENCLOSED or ctype in _REPORTS:
        return
    if part.is_multipart():
        for sub in part.get_payload():
            if isinstance(sub, Message):
                yield from _text_leaves(sub)
    elif part.get_content_maintype() == "text":
        yield part


def _text(part: Message) -> str:
    raw = part.get_payload(decode=True)
    if not isinstance(raw, bytes):
        return str(raw)
    try:
        return raw.decode(part.get_content_charset() or "utf-8", "replace")
    except LookupError:  # a charset Python does not know
        return raw.decode("utf-8", "replace")


def _set_body(part: Message, text: str, encoding: str, subtype: str | None = None) -> None:
    """Replace a leaf's body with text in UTF-8 under the given transfer encoding."""
    if encoding == "base64":
        # base64 carries text in its canonical form, CRLF line ends (RFC 2045 6.8)
        canonical = text.replace("\r\n", "\n").replace("\n", "\r\n")
        body = base64.encodebytes(canonical.encode("utf-8")).decode("ascii")
    else:
        body = quopri.encodestring(text.encode("utf-8")).decode("ascii")
    del part["Content-Transfer-Encoding"]
    part["Content-Transfer-Encoding"] = encoding
    if subtype is not None:
        part.set_type(f"text/{subtype}")
    part.set_param("charset", "utf-8")
    part.set_payload(body)


def _rewrite(data: bytes, change: Callable[[Message], None]) -> bytes:
    msg = message_from_bytes(data, policy=compat32)
    change(msg)
    return msg.as_bytes(policy=compat32)


def _encode(encoding: str) -> Callable[[Message], None]:
    def change(msg: Message) -> None:
        for part in _text_leaves(msg):
            _set_body(part, _text(part), encoding)

    return change


def _as_html(msg: Message) -> None:
    """The first plain-text report part becomes HTML, its lines kept as <br> lines."""
    for part in _text_leaves(msg):
        if part.get_content_type() != "text/plain":
            continue
        text = _text(part)
        if text.lstrip().startswith("{"):  # a JSON notice (Amazon SES through SNS): never HTML
            continue
        body = "<br>\n".join(html.escape(line) for line in text.splitlines())
        _set_body(part, f"<html><body><p>{body}</p></body></html>\n", "quoted-printable", "html")
        return


REWRITES: dict[str, Callable[[bytes], bytes]] = {
    "regenerated": lambda data: _rewrite(data, lambda msg: None),
    "CRLF": lambda data: data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"),
    "CR": lambda data: data.replace(b"\r\n", b"\n").replace(b"\n", b"\r"),
    "base64 text": lambda data: _rewrite(data, _encode("base64")),
    "quoted-printable text": lambda data: _rewrite(data, _encode("quoted-printable")),
    "report as HTML": lambda data: _rewrite(data, _as_html),
}


def main() -> None:
    """Rewrite every sample each way and count the answers that changed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--misses", action="store_true", help="list every changed answer")
    args = parser.parse_args()
    labels = json.loads((args.data / "labels.json").read_text("utf-8"))
    stored = {name: (args.data / name).read_bytes() for name in labels}
    before = {name: answer(data) for name, data in stored.items()}
    print(f"{'rewrite':<24}{'samples':>8}{'changed':>9}")
    for title, rewrite in REWRITES.items():
        changed = []
        for name, data in stored.items():
            try:
                after = answer(rewrite(data))
            except Exception as exc:  # the generator cannot write some broken samples back
                after = (False, (), f"rewrite failed: {exc.__class__.__name__}", None)
            if after != before[name]:
                changed.append(f"{name}: {before[name]} -> {after}")
        print(f"{title:<24}{len(stored):>8}{len(changed):>9}")
        if args.misses:
            for line in changed:
                print("  " + line)


if __name__ == "__main__":
    main()
