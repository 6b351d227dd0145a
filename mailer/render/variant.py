"""A release variant to its prepared message (templates, MIME), and each recipient's values."""

from __future__ import annotations

import hashlib
import logging
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parseaddr
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from markupsafe import Markup

from mailer.config import Settings
from mailer.contacts.fields import format_phone
from mailer.models import Spokesperson
from mailer.release import Variant
from mailer.render.compose import (
    PLACEHOLDERS,
    Attachment,
    PreparedMessage,
    Recipient,
    StaticHeaders,
    prepare,
)
from mailer.render.i18n import kind_label, strings, text_direction
from mailer.render.markdown import render_body
from mailer.render.templates import render_email_parts
from mailer.tokens import Purpose, make_token

__all__ = [
    "LinkedFile",
    "RenderedVariant",
    "make_recipient",
    "render_variant",
    "sender_domain",
]

log = logging.getLogger("mailer.render")


@dataclass(frozen=True)
class LinkedFile:
    """An attachment too large to attach, or given as a URL: linked from the email instead."""

    name: str
    url: str
    size: int | None


@dataclass
class RenderedVariant:
    """A variant ready to personalise, with what a check or a preview reports about it."""

    variant: Variant
    prepared: PreparedMessage
    html: str
    text: str
    linked: list[LinkedFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def sender_domain(settings: Settings) -> str:
    """The domain of the From address (Message-IDs and List-Id live under it)."""
    return _domain_of(settings.from_, settings.bounce_domain)


@lru_cache(maxsize=32)
def _domain_of(from_: str, fallback: str) -> str:
    # Cached: every message's Message-ID needs it, and parseaddr costs more than the HMACs.
    address = parseaddr(from_)[1]
    return address.rpartition("@")[2].lower() or fallback


def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        try:
            return Locale.parse(language.split("-")[0])
        except (UnknownLocaleError, ValueError):
            return Locale.parse("en")


def _date_text(day: date | None, language: str) -> str:
    return format_date(day or datetime.now(UTC).date(), format="long", locale=_locale(language))


def _embargo_text(variant: Variant, t: dict[str, str], now: datetime) -> str | None:
    if variant.embargo is None or variant.embargo <= now:
        return None
    zone = variant.embargo.tzinfo
    when = format_datetime(
        variant.embargo, "d MMMM y, HH:mm", tzinfo=zone, locale=_locale(variant.language)
    )
    offset = variant.embargo.strftime("%z")
    utc = f"UTC{offset[:3]}:{offset[3:]}" if offset not in ("", "+0000") else "UTC"
    return t["embargo"].format(when=f"{when} ({utc})")


def _people(people: Sequence[Spokesperson], language: str) -> list[dict[str, Any]]:
    """The contact block's entries, in the variant's language where the roster has it."""
    return [
        {
            **p.localized(language),
            "email": p.email,
            "phones": [{"display": format_phone(n), "tel": n} for n in p.phones],
        }
        for p in people
    ]


def _size_text(size: int | None) -> str:
    if size is None:
        return ""
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{max(1, size // 1000)} KB"


def _files(
    variant: Variant, settings: Settings
) -> tuple[list[Attachment], list[LinkedFile], list[str]]:
    """Small local files are attached; large ones and URLs are linked (with a warning)."""
    attached: list[Attachment] = []
    linked: list[LinkedFile] = []
    warnings: list[str] = []
    for item in variant.attachments:
        path = variant.attachment_path(item)
        if path is None:
            linked.append(LinkedFile(item.rsplit("/", 1)[-1] or item, item, None))
            continue
        data = path.read_bytes()
        if len(data) > settings.attachment_max_bytes:
            digest = hashlib.sha256(data).hexdigest()[:16]
            url = f"{settings.public_url.rstrip('/')}/files/{digest}/{path.name}"
            linked.append(LinkedFile(path.name, url, len(data)))
            warnings.append(
                f"{path.name} ({_size_text(len(data))}) is over attachment_max_bytes "
                f"({_size_text(settings.attachment_max_bytes)}): linked as {url}, not attached"
            )
            continue
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        attached.append(Attachment(path.name, ctype, data))
    return attached, linked, warnings


def _subject(variant: Variant, t: dict[str, str], now: datetime, test: bool) -> str:
    subject = variant.title
    if variant.embargo is not None and variant.embargo > now:
        subject = f"{t['embargo_subject']}: {subject}"
    return f"{t['test_prefix']} {subject}" if test else subject


def _reply_to(settings: Settings, people: Sequence[Spokesperson]) -> str | None:
    if settings.reply_to:
        return settings.reply_to
    return people[0].email if people else None


def render_variant(
    variant: Variant,
    people: Sequence[Spokesperson],
    settings: Settings,
    *,
    test: bool = False,
    now: datetime | None = None,
) -> RenderedVariant:
    """Render and encode one variant once; personalise with PreparedMessage.personalise."""
    moment = now or datetime.now(UTC)
    t = strings(variant.language)
    body = render_body(variant.body, variant.language)
    attachments, linked, warnings = _files(variant, settings)
    context = {
        "message": {
            "lang": variant.language,
            "dir": text_direction(variant.language),
            "title": variant.title,
            "subtitle": variant.subtitle,
            "kind_label": kind_label(variant.kind.value, variant.language),
            "date_text": _date_text(variant.date, variant.language),
            "dateline": variant.dateline,
            "summary": variant.summary or variant.subtitle or variant.title,
            "embargo_text": _embargo_text(variant, t, moment),
            "body_html": Markup(body.html),  # noqa: S704 - sanitized by nh3 in render_body
            "body_text": body.text,
            "spokespeople": _people(people, variant.language),
            "attachments_linked": [
                {"name": f.name, "url": f.url, "size_text": _size_text(f.size)} for f in linked
            ],
        },
        "brand": {
            "organisation": settings.organisation_in(variant.language),
            "logo_url": settings.logo_url,
            "color": settings.brand_color,
            "postal_address": settings.postal_address_in(variant.language),
        },
        "recipient": dict(PLACEHOLDERS),
        "t": t,
    }
    html_text, plain_text = render_email_parts(settings.templates_dir, context)
    headers = StaticHeaders(
        from_=settings.from_,
        subject=_subject(variant, t, moment, test),
        language=variant.language,
        list_id=f"{settings.list_name} <releases.{sender_domain(settings)}>",
        reply_to=_reply_to(settings, people),
    )
    prepared = prepare(headers, html_text, plain_text, attachments)
    return RenderedVariant(variant, prepared, html_text, plain_text, linked, warnings)


def make_recipient(
    settings: Settings,
    language: str,
    *,
    email: str,
    name: str,
    contact_id: int,
    campaign_id: int,
    delivery_id: int,
    regions: Sequence[str] = (),
) -> Recipient:
    """One journalist's values: greeting, why they receive it, signed links, Message-ID."""
    t = strings(language)
    secret = settings.secret_key.get_secret_value()
    token = make_token(secret, Purpose.UNSUBSCRIBE, contact_id, campaign_id)
    base = settings.public_url.rstrip("/")
    why = (
        t["why_regions"].format(
            organisation=settings.organisation_in(language), regions=", ".join(regions)
        )
        if regions
        else t["why_list"].format(organisation=settings.organisation_in(language))
    )
    greeting = t["greeting"].format(name=name) if name else t["greeting_anonymous"]
    # Stable per delivery, so a resent duplicate carries the first copy's Message-ID.
    mid = make_token(secret, Purpose.VERP, delivery_id, campaign_id)
    return Recipient(
        email=email,
        name=name,
        greeting=greeting,
        why=why,
        unsubscribe_url=f"{base}/u/{token}",
        # The same page: a GET shows the preferences, including "unsubscribe from everything";
        # a POST (RFC 8058 one-click) unsubscribes at once.
        preferences_url=f"{base}/u/{token}",
        unsubscribe_mailto=f"mailto:unsubscribe+{token}@{settings.bounce_domain}",
        message_id=f"<{mid}@{sender_domain(settings)}>",
    )
