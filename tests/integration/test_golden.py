"""Golden files: the rendered messages of a fixed release, byte for byte (Date, Message-ID and
MIME boundaries normalised). Set MAILER_UPDATE_GOLDEN=1 to rewrite them after a deliberate change."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path

import pytest

from mailer.models import Spokesperson
from mailer.release import load_release
from mailer.render.variant import make_recipient, render_variant
from tests.conftest import REPO
from tests.integration.render_helpers import MAIN_RELEASES, rendered_variants, settings

GOLDEN = REPO / "tests" / "data" / "golden"
ROSTER = [
    Spokesperson(
        handle="a-one",
        name="Ana One",
        title="Communication Officer",
        organisation="UNFFC",
        office="Pristina",
        email="a.one@unffc.example.org",
        phones=["+38338000001"],
        languages=["sq", "en"],
    ),
    Spokesperson(
        handle="b-two",
        name="Bakyt Two",
        title="Communication Specialist",
        organisation="UNFFC",
        office="Bishkek",
        email="b.two@unffc.example.org",
        phones=["+996312900002"],
        languages=["ky", "ru"],
    ),
]
WHEN = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def _normalise(data: bytes) -> bytes:
    data = re.sub(rb"=_mailer_[0-9a-f]{24}", b"=_mailer_BOUNDARY", data)
    data = re.sub(rb"^Date: .*\r\n", b"Date: DATE\r\n", data, flags=re.MULTILINE)
    return re.sub(rb"^Message-ID: .*\r\n", b"Message-ID: <ID>\r\n", data, flags=re.MULTILINE)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_rendered_message_matches_golden_file(language: str) -> None:
    """The message for a fixed journalist is exactly the reviewed golden file."""
    release = load_release(GOLDEN / "release.md")
    rendered = render_variant(release.variants[language], ROSTER, settings(), now=WHEN)
    recipient = make_recipient(
        settings(),
        language,
        email="aizada@chui.example.org",
        name="Aizada Karimova",
        contact_id=17,
        campaign_id=3,
        delivery_id=1234,
        regions=["Central Asia"],
    )
    data = _normalise(rendered.prepared.personalise(recipient, WHEN))
    golden = GOLDEN / f"release.{language}.eml"
    if os.environ.get("MAILER_UPDATE_GOLDEN"):
        golden.write_bytes(data)
    assert golden.exists(), f"missing {golden}; run with MAILER_UPDATE_GOLDEN=1 and review it"
    assert data == golden.read_bytes()


@pytest.mark.parametrize("path", MAIN_RELEASES, ids=[p.name for p in MAIN_RELEASES])
def test_every_sample_variant_parses_like_the_reference(path: Path) -> None:
    """Each sample release's fast-path bytes parse into the same headers and parts as the
    EmailMessage reference (attachments included)."""
    _release, variants = rendered_variants(path)
    for rendered in variants:
        recipient = make_recipient(
            settings(),
            rendered.variant.language,
            email="aizada@chui.example.org",
            name="Айзада Каримова",
            contact_id=17,
            campaign_id=3,
            delivery_id=1234,
            regions=["Central Asia", "Western Balkans"],
        )
        fast = message_from_bytes(
            rendered.prepared.personalise(recipient, WHEN), policy=policy.default
        )
        slow = message_from_bytes(
            rendered.prepared.reference(recipient, WHEN).as_bytes(), policy=policy.default
        )
        assert _shape(fast) == _shape(slow), rendered.variant.language
        # The fast path keeps the subject exactly (the email package's folder can drop the
        # space between two RFC 2047 encoded words, hence the whitespace-free comparison above).
        assert fast["Subject"] == rendered.prepared.headers.subject


def _shape(msg: Message) -> tuple[list[tuple[str, str]], list[tuple[str, object]]]:
    headers = sorted(
        (k.lower(), "".join(str(v).split())) for k, v in msg.items() if k.lower() != "content-type"
    )
    parts: list[tuple[str, object]] = []
    for part in msg.walk():
        content = "" if part.is_multipart() else part.get_content()  # type: ignore[attr-defined]
        parts.append((part.get_content_type(), content))
    return headers, parts
