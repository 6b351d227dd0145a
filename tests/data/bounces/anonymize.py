"""Rewrite every email address at a real domain in the bounce samples, and the labels to match.

    python tests/data/bounces/anonymize.py [--check]

Sample data uses reserved domains only (example.com/.org/.net and their subdomains, .test,
.example, .invalid, .localhost: RFC 2606, RFC 6761) and never a real person's address. For each
address whose domain is not reserved:

- a role address (mailer-daemon, postmaster, *-bounces, *-request, noreply, abuse, ...) keeps its
  local part; its domain stays when it is a mail provider's (yahoo.com, aol.com, gmail.com, ...),
  because the parser and flufl.bounce recognise reports by their sender's provider
  (mailer-daemon@yahoo.com, @aol.com); any other domain gets ".example" appended;
- any other address (a person's, a list's, a Message-ID) becomes "jN@<domain>.example", N from a
  hash of the address, so the same address maps to the same one in every file and label, and
  the provider stays recognisable (jN@yahoo.com.example);
- an address embedded in a VERP local part (list-bounces+jdoe=isp.com) is rewritten too.

Headers and text are rewritten where they stand; base64 and quoted-printable parts are decoded,
rewritten and encoded again (quoted-printable without new soft line breaks, so that no address is
split across lines). MIME boundaries that look like addresses keep their local part. Addresses at reserved domains are left alone, so a second run changes
nothing. Host names that are not part of an address stay. --check only lists what would change.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import quopri
import re
import sys
from email import message_from_bytes
from email.message import Message
from email.policy import compat32
from email.quoprimime import body_encode
from pathlib import Path

DATA = Path(__file__).resolve().parent
SAMPLE_DIRS = (
    "flufl",
    "postfix",
    "synthetic",
    "sisimai",
    "bounceparser",
    "phpbounce",
    "fixtures",
    "cws",
    "setj",
    "setk",
    "setl",
    "setm",
    "setn",
    "seto",
    "setx",
)

# The parser's idea of an address (mailer/bounces/parse.py _ADDR), but not starting with a quote
# or a dot (in "addressed to 'someone'" the quote is the text's), and with a bare host too.
ADDRESS = re.compile(
    r"(?<![\w!#$%&*+/=?^`{|}~-])([\w!#$%&*+/=?^`{|}~-][\w.!#$%&'*+/=?^`{|}~-]*)"
    r"@([\w-]+(?:\.[\w-]+)*)"  # a bare host too, which the parser skips
)
RESERVED = re.compile(
    r"(?:^|\.)(?:example\.(?:com|org|net)|[\w-]+\.(?:test|example|invalid|localhost)|"
    r"test|example|invalid|localhost)$",
    re.IGNORECASE,
)
# Words that make a local part a mail system's, as the parser reads a report's sender (_DAEMON).
ROLE_WORD = re.compile(
    r"daemon|postmaster|mail[._-]?delivery|administrator|mail[._-]?service|mail[._-]?system",
    re.IGNORECASE,
)
ROLE = re.compile(
    r"^(?:mailer-daemon|postmaster|mail\.delivery\.system|mail-delivery-subsystem|abuse|root|"
    r"hostmaster|webmaster|listserv|majordomo|mailman|sysadmin|fbl|fbl-abuse|feedbackloop|"
    r"dmarc|dmarc-noreply|opendmarc|no-?reply|do-?not-?reply|bounces?|owner-[\w.-]+|"
    r"bounces?[-+][\w.=+-]*|[\w.-]+-(?:bounces|request|owner|admin)(?:\+[\w.=+-]*)?)$",
    re.IGNORECASE,
)
PROVIDER = re.compile(
    r"(?:^|\.)(?:yahoo\.[a-z.]+|aol\.com|hotmail\.com|outlook\.com|live\.com|msn\.com|"
    r"gmail\.com|googlemail\.com|google\.com|mail\.ru|yandex\.ru|amazonses\.com|zoho\.com|"
    r"gmx\.(?:com|net|de)|kundenserver\.de|messagelabs\.com|hotpop\.com|prodigy\.net|usa\.net|"
    r"yale\.edu)$",  # flufl.bounce's Yale detector knows the campus by its sender's domain
    re.IGNORECASE,
)
VERP = re.compile(r"\+([\w.!#$%&'*/?^`{|}~-]+)=([\w-]+(?:\.[\w-]+)+)$")


def reserved(domain: str) -> bool:
    """Whether the domain is one that RFC 2606 or RFC 6761 reserves."""
    return RESERVED.search(domain.rstrip(".")) is not None


def _domain(domain: str) -> str:
    return domain.lower() + ".example"


def _person(local: str, domain: str) -> str:
    digest = hashlib.sha256(f"{local}@{domain}".lower().encode("utf-8", "surrogateescape"))
    return f"j{int(digest.hexdigest()[:8], 16) % 100000}@{_domain(domain)}"


def rewrite_address(local: str, domain: str) -> str:
    """The reserved address that stands for an address (itself where the domain is reserved)."""
    if reserved(domain):
        return f"{local}@{domain}"
    if ROLE.match(local) or ROLE_WORD.search(local):
        embedded = VERP.search(local)
        if embedded and not reserved(embedded[2]):
            person = _person(embedded[1], embedded[2])
            local = local[: embedded.start()] + "+" + person.replace("@", "=")
        return f"{local}@{domain if PROVIDER.search(domain) else _domain(domain)}"
    return _person(local, domain)


def rewrite_text(text: str) -> str:
    """The text with every address at a real domain rewritten."""
    return ADDRESS.sub(lambda m: rewrite_address(m[1], m[2]), text)


def _encoded_parts(msg: Message) -> list[tuple[str, str]]:
    """(encoding, raw payload) of every leaf part sent as base64 or quoted-printable."""
    found = []
    for part in msg.walk():
        if part.is_multipart() or part.get_content_maintype() not in ("text", "message"):
            continue  # an image or a zip keeps its bytes
        encoding = str(part.get("content-transfer-encoding", "")).strip().lower()
        payload = part.get_payload()
        if encoding in ("base64", "quoted-printable") and isinstance(payload, str) and payload:
            found.append((encoding, payload))
    return found


def _recode(encoding: str, payload: str) -> str:
    """The payload decoded, rewritten and encoded again; itself when nothing changes."""
    raw = payload.encode("ascii", "surrogateescape")
    try:
        data = base64.b64decode(raw) if encoding == "base64" else quopri.decodestring(raw)
    except (binascii.Error, ValueError):
        return payload
    text = data.decode("utf-8", "surrogateescape")
    new = rewrite_text(text)
    if new == text:
        return payload
    data = new.encode("utf-8", "surrogateescape")
    if encoding == "base64":
        width = len(payload.split("\n", 1)[0].rstrip("\r")) or 76
        flat = base64.b64encode(data).decode("ascii")
        lines = [flat[i : i + width] for i in range(0, len(flat), width)]
        return "\n".join(lines) + ("\n" if payload.endswith("\n") else "")
    return body_encode(data.decode("latin-1"), maxlinelen=998, eol="\n") + (
        "\n" if payload.endswith("\n") else ""
    )


def _boundary(boundary: str) -> str:
    """A MIME boundary with an address-like part keeps its shape: only the domain changes."""
    return ADDRESS.sub(lambda m: f"{m[1]}@{m[2] if reserved(m[2]) else _domain(m[2])}", boundary)


def rewrite_message(data: bytes) -> bytes:
    """The sample with every address at a real domain rewritten, encoded parts included."""
    text = data.decode("ascii", "surrogateescape")
    msg = message_from_bytes(data, policy=compat32)
    boundaries = {b for part in msg.walk() if (b := part.get_boundary()) and "@" in b}
    for number, boundary in enumerate(sorted(boundaries, key=len, reverse=True)):
        text = text.replace(boundary, f"\0BOUNDARY{number}\0")
    text = _rewrite_parts(text, msg)
    for number, boundary in enumerate(sorted(boundaries, key=len, reverse=True)):
        text = text.replace(f"\0BOUNDARY{number}\0", _boundary(boundary))
    return text.encode("ascii", "surrogateescape")


def _rewrite_parts(text: str, msg: Message) -> str:
    pieces, at = [], 0
    spans = []
    for encoding, payload in _encoded_parts(msg):
        start = text.find(payload, at)
        if start < 0:
            continue
        spans.append((start, start + len(payload), encoding, payload))
        at = start + len(payload)
    at = 0
    for start, end, encoding, payload in spans:
        pieces.append(rewrite_text(text[at:start]))
        pieces.append(_recode(encoding, payload))
        at = end
    pieces.append(rewrite_text(text[at:]))
    return "".join(pieces)


def rewrite_labels(
    labels: dict[str, dict[str, object]], seen: set[str]
) -> dict[str, dict[str, object]]:
    """The labels with their recipients and notes rewritten the same way. A recipient that no
    sample holds is kept: flufl.bounce builds AOL's from a bare screen name and "@aol.com"."""
    for label in labels.values():
        recipients = label.get("recipients")
        if isinstance(recipients, list):
            label["recipients"] = [
                rewrite_text(str(r)).lower() if str(r).lower() in seen else r for r in recipients
            ]
        if isinstance(label.get("note"), str):
            label["note"] = rewrite_text(str(label["note"]))
    return labels


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="list what would change, write nothing"
    )
    args = parser.parse_args()
    changed, seen = 0, set[str]()
    for folder in SAMPLE_DIRS:
        for path in sorted((DATA / folder).glob("*")):
            data = path.read_bytes()
            text = data.decode("ascii", "surrogateescape")
            seen.update(f"{m[1]}@{m[2]}".lower() for m in ADDRESS.finditer(text))
            new = rewrite_message(data)
            if new != data:
                changed += 1
                print(path.relative_to(DATA))
                if not args.check:
                    path.write_bytes(new)
    labels_path = DATA / "labels.json"
    labels = json.loads(labels_path.read_text("utf-8"))
    text = json.dumps(rewrite_labels(labels, seen), indent=1, ensure_ascii=False) + "\n"
    if text != labels_path.read_text("utf-8"):
        changed += 1
        print("labels.json")
        if not args.check:
            labels_path.write_text(text, "utf-8")
    print(f"{changed} files {'to rewrite' if args.check else 'rewritten'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
