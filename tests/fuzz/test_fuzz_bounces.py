"""Fuzz the bounce parser with mutated real samples: every answer is a well-formed ParsedBounce
(never an exception, even without parse_bounce's last-resort catch) and `bounces inspect --json`
prints one object of the documented shape per file."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from mailer.bounces import parse as parse_module
from mailer.bounces.parse import ParsedBounce
from mailer.models import BounceKind
from tests.conftest import Cli
from tests.fuzz.budget import bounded, fuzz

DATA = Path(__file__).resolve().parent.parent / "data" / "bounces"
SAMPLES = sorted(str(p.relative_to(DATA)) for p in DATA.rglob("*") if p.suffix in (".txt", ".eml"))
CHARSETS = [b"punycode", b"utf-7", b"unicode_escape", b"undefined", b"idna", b"bogus", b"utf-16"]
HEADERS = [
    b"Content-Type: multipart/report; report-type=delivery-status; boundary=x",
    b"Content-Type: message/rfc822",
    b"Content-Type: text/plain; charset=punycode",
    b"Content-Transfer-Encoding: base64",
    b"Content-Transfer-Encoding: quoted-printable",
    b"Subject: =?punycode?q?abc?= =?utf-7?B?KzJEMC0=?= =?utf-8?q?=ED=A0=80?=",
    b"From: MAILER-DAEMON@example.org",
    b"Auto-Submitted: auto-replied",
    b"Final-Recipient: rfc822; a@example.org",
    b"Status: 5.1.1",
    b"Message-ID: <" + b"a" * 2000 + b"@example.org>",
]


@st.composite
def mutated_samples(draw: st.DrawFn) -> bytes:
    """A labelled sample after a few of: byte flips, truncation, line-ending changes, duplicated
    or enormous headers, odd charsets, deep MIME nesting."""
    data = (DATA / draw(st.sampled_from(SAMPLES))).read_bytes()
    for _ in range(draw(st.integers(1, 4))):
        data = _mutation(draw, data)
    return data


def _mutation(draw: st.DrawFn, data: bytes) -> bytes:
    op = draw(st.sampled_from(["flip", "cut", "newlines", "dup", "huge", "charset", "nest", "add"]))
    at = draw(st.integers(0, max(len(data) - 1, 0)))
    if op == "flip" and data:
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    if op == "cut":
        return data[:at]
    if op == "newlines":
        ending = draw(st.sampled_from([b"\r\n", b"\r", b"\n\r", b"\n\n"]))
        return data.replace(b"\r\n", b"\n").replace(b"\n", ending)
    if op == "dup":
        lines = data.split(b"\n")
        index = draw(st.integers(0, max(len(lines) - 1, 0)))
        lines[index:index] = [lines[index]] * draw(st.integers(1, 500))
        return b"\n".join(lines)
    if op == "huge":
        name = draw(st.sampled_from([b"Subject", b"X-Junk", b"Received", b"Content-Type"]))
        value = draw(st.sampled_from([b"a", b"a ", b"=?utf-8?q?=C3=A9?= ", b";x=", b"\t"]))
        return name + b": " + value * draw(st.integers(1_000, 300_000)) + b"\n" + data
    if op == "charset":
        return re.sub(
            rb"(?i)charset=\"?[\w.-]+", b"charset=" + draw(st.sampled_from(CHARSETS)), data
        )
    if op == "nest":
        return _nested(data, draw(st.integers(1, 150)), draw(st.booleans()))
    return draw(st.sampled_from(HEADERS)) + b"\n" + data


def _nested(data: bytes, depth: int, as_message: bool) -> bytes:
    """The sample wrapped `depth` times in multipart/mixed or message/rfc822 envelopes."""
    for level in range(depth):
        if as_message:
            data = b"From: a@example.org\nContent-Type: message/rfc822\n\n" + data
        else:
            b = f"b{level}".encode()
            data = (
                b"Content-Type: multipart/mixed; boundary=" + b + b"\n\n--" + b + b"\n"
                + data + b"\n--" + b + b"--\n"
            )  # fmt: skip
    return b"From: MAILER-DAEMON@example.org\nSubject: Undelivered\n" + data


_STATUS = re.compile(r"[245]\.\d{1,3}\.\d{1,3}")


def _well_formed(got: ParsedBounce) -> None:
    """The documented shape: a bounce has a kind and nothing else does; one-line diagnostic of
    at most 500 characters; lowercase addresses; every string storable (no lone surrogates)."""
    assert isinstance(got, ParsedBounce)
    assert (got.kind is not None) == got.bounce
    assert got.kind is None or isinstance(got.kind, BounceKind)
    assert len(got.diagnostic) <= 500
    assert not re.search("[\x00-\x1f\x7f-\x9f]", got.diagnostic), repr(got.diagnostic)
    assert got.status is None or _STATUS.fullmatch(got.status), got.status
    assert all(r == r.lower() and "@" in r for r in got.recipients), got.recipients
    assert got.format
    strings = [got.diagnostic, got.format, *got.recipients, *got.addresses]
    strings += [s for s in (got.status, got.envelope_id, got.original_message_id) if s]
    for value in strings:
        value.encode("utf-8")  # UnicodeEncodeError for a lone surrogate


@fuzz(150)
@given(data=mutated_samples())
@bounded
def test_mutated_samples_parse_to_well_formed_answers(data: bytes) -> None:
    """Mutated real returned messages never raise inside the parser, and every answer is sane."""
    _well_formed(parse_module._parse(data))


@fuzz(150)
@given(data=st.binary(max_size=3000), prefix=st.sampled_from(HEADERS))
# Found by Hypothesis: reading an untyped body for MIME parts asked the stdlib for an 8-bit payload
# declared punycode, whose decoder raises.
@example(data=b"\x80", prefix=b"Content-Type: text/plain; charset=punycode")
@bounded
def test_arbitrary_bytes_after_a_header_parse_to_well_formed_answers(
    data: bytes, prefix: bytes
) -> None:
    """Random bytes behind one plausible header line give a well-formed answer too."""
    _well_formed(parse_module._parse(prefix + b"\n" + data))


KEYS = ["file", "bounce", "kind", "recipients", "status", "diagnostic", "delivery", "format"]


@fuzz(25)
@given(files=st.lists(mutated_samples(), min_size=1, max_size=4))
@bounded
def test_inspect_json_prints_one_documented_object_per_file(
    sqlite_cli: Cli, tmp_path: Path, files: list[bytes]
) -> None:
    """`mailer bounces inspect --json`: exit 0 and, per file in order, one JSON object with
    exactly the README's keys and their types."""
    paths = []
    for index, data in enumerate(files):
        paths.append(tmp_path / f"m{index}.eml")
        paths[-1].write_bytes(data)
    result = sqlite_cli("bounces", "inspect", "--json", *map(str, paths))
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert len(lines) == len(paths), result
    for path, line in zip(paths, lines, strict=True):
        record = json.loads(line)
        assert list(record) == KEYS
        assert record["file"] == str(path)
        assert isinstance(record["bounce"], bool)
        assert record["kind"] in (None, *(k.value for k in BounceKind))
        assert (record["kind"] is not None) == record["bounce"]
        assert all(isinstance(r, str) for r in record["recipients"])
        assert record["status"] is None or _STATUS.fullmatch(record["status"])
        assert isinstance(record["diagnostic"], str)
        assert record["delivery"] is None or isinstance(record["delivery"], int)
        assert isinstance(record["format"], str)
        assert record["format"]
