"""`release check`: a release validated against the roster, the regions and the audience."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, col, select

from mailer.config import Settings
from mailer.contacts.audience import AudienceFilter, resolve_audience
from mailer.contacts.regions import Taxonomy
from mailer.errors import DataError, UnknownRegionError
from mailer.models import Spokesperson
from mailer.release import Release, ReleaseInvalid, Variant, load_release
from mailer.render.compose import HeaderInjection
from mailer.render.variant import RenderedVariant, make_recipient, render_variant

__all__ = ["CheckReport", "check_release", "roster_for"]


@dataclass
class CheckReport:
    """Everything `release check` says: problems, warnings and the summary figures."""

    release: Release
    rendered: dict[str, RenderedVariant] = field(default_factory=dict)
    errors: list[DataError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    audience_by_region: Counter[str] = field(default_factory=Counter)
    audience_by_variant: Counter[str] = field(default_factory=Counter)
    audience_size: int = 0
    sizes: dict[str, int] = field(default_factory=dict)


def roster_for(session: Session, variant: Variant) -> tuple[list[Spokesperson], list[DataError]]:
    """The variant's spokespeople in its order, and an error for each unknown handle."""
    found = {
        p.handle: p
        for p in session.exec(
            select(Spokesperson).where(col(Spokesperson.handle).in_(variant.spokespeople))
        )
    }
    errors = [
        DataError(
            f"unknown spokesperson {h!r}; `mailer spokespeople list` shows the roster",
            variant.where("spokespeople"),
        )
        for h in variant.spokespeople
        if h not in found
    ]
    return [found[h] for h in variant.spokespeople if h in found], errors


def _check_regions(variant: Variant, taxonomy: Taxonomy) -> list[DataError]:
    errors = []
    for slug in variant.regions:
        try:
            taxonomy.validate_slug(slug)
        except UnknownRegionError as exc:
            errors.append(DataError(exc.message, variant.where("regions")))
    return errors


def _sample_size(rendered: RenderedVariant, settings: Settings) -> int:
    sample = make_recipient(
        settings,
        rendered.variant.language,
        email="journalist@example.org",
        name="Sample Journalist",
        contact_id=1,
        campaign_id=1,
        delivery_id=1,
    )
    return len(rendered.prepared.personalise(sample))


def check_release(
    session: Session,
    taxonomy: Taxonomy,
    settings: Settings,
    path: Path,
    regions: tuple[str, ...] = (),
) -> CheckReport:
    """Validate and render every variant; raises ReleaseInvalid listing every problem."""
    release = load_release(path)
    report = CheckReport(release=release)
    now = datetime.now(UTC)
    for language, variant in release.variants.items():
        people, errors = roster_for(session, variant)
        report.errors += errors + _check_regions(variant, taxonomy)
        if errors:
            continue
        try:
            rendered = render_variant(variant, people, settings, now=now)
        except HeaderInjection as exc:
            if exc.header != "Reply-To" or settings.reply_to:
                raise
            # Without a reply_to setting the lead spokesperson's address is the Reply-To.
            report.errors.append(DataError(exc.message, variant.where("spokespeople")))
            continue
        report.rendered[language] = rendered
        report.warnings += [f"{variant.path}: {w}" for w in rendered.warnings]
        size = report.sizes[language] = _sample_size(rendered, settings)
        if size > settings.max_message_bytes:
            report.errors.append(
                DataError(
                    f"the {language} message is {size:,} bytes, over max_message_bytes "
                    f"({settings.max_message_bytes:,}); link large attachments instead",
                    variant.where("attachments"),
                )
            )
        if variant.embargo is not None and variant.embargo <= now:
            report.warnings.append(
                f"{variant.path}: embargo {variant.embargo.isoformat()} has "
                "passed; the release will go out without an embargo line"
            )
    if report.errors:
        raise ReleaseInvalid(report.errors)
    _audience(session, taxonomy, release, regions or release.main.regions, report)
    return report


def _audience(
    session: Session,
    taxonomy: Taxonomy,
    release: Release,
    regions: tuple[str, ...],
    report: CheckReport,
) -> None:
    audience = resolve_audience(session, taxonomy, AudienceFilter(regions=regions, release=release))
    fallback = 0
    for contact in audience.contacts:
        variant = release.variant_for(contact.languages)
        report.audience_by_variant[variant.language] += 1
        for slug in audience.regions_of.get(contact.id or 0, []) or ["(all)"]:
            report.audience_by_region[slug] += 1
        reads = any(
            lang.split("-")[0] == variant.language.split("-")[0] for lang in contact.languages
        )
        if contact.languages and not reads:
            fallback += 1
    report.audience_size = len(audience.contacts)
    if fallback:
        langs = ", ".join(release.variants)
        report.warnings.append(
            f"{fallback} journalists read none of {langs}; they will get the "
            f"{release.main.language} variant"
        )
