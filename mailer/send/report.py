"""Campaign reports: outcomes overall, per region and per language, the problems, as data."""

from __future__ import annotations

import csv
import html
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from mailer.models import BounceEvent, Campaign, Contact, ContactStatus, Delivery, DeliveryStatus

__all__ = ["CampaignReport", "build_report", "write_csv", "write_html"]

_PROBLEMS = (DeliveryStatus.FAILED, DeliveryStatus.BOUNCED, DeliveryStatus.DEFERRED)


@dataclass
class CampaignReport:
    """Everything `mailer report` shows about one campaign."""

    campaign: Campaign
    totals: Counter[str] = field(default_factory=Counter)
    by_region: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    by_language: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    bounces: Counter[str] = field(default_factory=Counter)
    unsubscribed: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    timeline: Counter[str] = field(default_factory=Counter)

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        c = self.campaign
        return {
            "campaign": c.id,
            "title": c.title,
            "status": c.status.value,
            "recipients": c.recipients,
            "totals": dict(self.totals),
            "bounces": dict(self.bounces),
            "unsubscribed": self.unsubscribed,
            "by_region": {k: dict(v) for k, v in self.by_region.items()},
            "by_language": {k: dict(v) for k, v in self.by_language.items()},
            "problems": self.problems,
            "sent_per_minute": dict(sorted(self.timeline.items())),
        }


def build_report(session: Session, campaign: Campaign) -> CampaignReport:
    """Count the campaign's deliveries every way the report shows them."""
    report = CampaignReport(campaign)
    d = Delivery.__table__.c  # type: ignore[attr-defined]
    rows = session.execute(
        select(
            d.id,
            d.email,
            d.name,
            d.language,
            d.regions,
            d.status,
            d.smtp_code,
            d.smtp_reply,
            d.sent_at,
            d.contact_id,
        ).where(d.campaign_id == campaign.id)
    ).all()
    contact_ids = [r.contact_id for r in rows if r.contact_id]
    c = Contact.__table__.c  # type: ignore[attr-defined]
    unsubscribed = (
        set(
            session.execute(
                select(c.id).where(c.id.in_(contact_ids), c.status == ContactStatus.UNSUBSCRIBED)
            ).scalars()
        )
        if contact_ids
        else set()
    )
    for r in rows:
        status = str(r.status)
        report.totals[status] += 1
        report.by_language[r.language][status] += 1
        for region in r.regions or ["(no region)"]:
            report.by_region[region][status] += 1
        if r.sent_at is not None:
            report.timeline[_minute(r.sent_at)] += 1
        if r.status in _PROBLEMS:
            report.problems.append(
                {
                    "email": r.email,
                    "name": r.name,
                    "status": status,
                    "code": r.smtp_code,
                    "reply": r.smtp_reply or "",
                }
            )
    report.unsubscribed = len(unsubscribed)
    b = BounceEvent.__table__.c  # type: ignore[attr-defined]
    ids = [r.id for r in rows]
    if ids:
        for kind in session.execute(select(b.kind).where(b.delivery_id.in_(ids))).scalars():
            report.bounces[str(kind)] += 1
    return report


def _minute(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M")


def write_csv(report: CampaignReport, path: Path) -> None:
    """One row per recipient with a problem (address, status, SMTP code and reply)."""
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        out = csv.writer(fh)
        out.writerow(["email", "name", "status", "code", "reply"])
        for p in report.problems:
            out.writerow([p["email"], p["name"], p["status"], p["code"] or "", p["reply"]])


def _bars(title: str, groups: dict[str, Counter[str]]) -> str:
    colours = {
        "sent": "#2e7d32",
        "deferred": "#f9a825",
        "failed": "#c62828",
        "bounced": "#6a1b9a",
        "queued": "#90a4ae",
        "sending": "#42a5f5",
        "cancelled": "#bdbdbd",
    }
    rows = []
    width = 420
    top = max((sum(v.values()) for v in groups.values()), default=1) or 1
    for i, (name, counts) in enumerate(sorted(groups.items())):
        x, parts = 160.0, []
        for status, n in counts.items():
            w = width * n / top
            parts.append(
                f'<rect x="{x:.1f}" y="{i * 26}" width="{w:.1f}" height="20" '
                f'fill="{colours.get(status, "#777")}"><title>{html.escape(status)}: '
                f"{n}</title></rect>"
            )
            x += w
        label = html.escape(name)
        rows.append(
            f'<text x="0" y="{i * 26 + 15}" font-size="13">{label}</text>'
            + "".join(parts)
            + f'<text x="{x + 6:.1f}" y="{i * 26 + 15}" font-size="12">'
            f"{sum(counts.values())}</text>"
        )
    height = max(26 * len(groups), 26)
    return (
        f'<h2>{html.escape(title)}</h2><svg role="img" aria-label="{html.escape(title)}" '
        f'width="640" height="{height}">{"".join(rows)}</svg>'
    )


def write_html(report: CampaignReport, path: Path) -> None:
    """A self-contained one-page report with charts (inline SVG; no scripts, no network)."""
    c = report.campaign
    totals = "".join(
        f"<li><strong>{n}</strong> {html.escape(s)}</li>" for s, n in sorted(report.totals.items())
    )
    bounces = "".join(f"<li>{n} {html.escape(k)}</li>" for k, n in sorted(report.bounces.items()))
    problems = "".join(
        f"<tr><td>{html.escape(p['email'])}</td><td>{html.escape(p['status'])}</td>"
        f"<td>{p['code'] or ''}</td><td>{html.escape(p['reply'])}</td></tr>"
        for p in report.problems[:500]
    )
    timeline = {k: Counter({"sent": v}) for k, v in sorted(report.timeline.items())}
    finished = f", finished {c.finished_at:%Y-%m-%d %H:%M} UTC" if c.finished_at else ""
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Report: {html.escape(c.title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:760px;margin:2em auto;color:#1f2933}}
table{{border-collapse:collapse;width:100%}}
td,th{{border:1px solid #ccd;padding:4px;font-size:13px;text-align:left}}</style>
</head><body>
<h1>{html.escape(c.title)}</h1>
<p>Campaign {c.id}, {html.escape(c.status.value)}; {c.recipients} recipients; created
{c.created_at:%Y-%m-%d %H:%M} UTC{finished}.</p>
<ul>{totals}</ul>
<p>Bounces by kind:</p><ul>{bounces or "<li>none</li>"}</ul>
<p>Unsubscribed since: {report.unsubscribed}</p>
{_bars("Outcomes per region", report.by_region)}
{_bars("Outcomes per language", report.by_language)}
{_bars("Deliveries per minute", timeline)}
<h2>Recipients with problems ({len(report.problems)})</h2>
<table><tr><th>address</th><th>status</th><th>code</th><th>reply</th></tr>{problems}</table>
</body></html>
"""
    path.write_text(page, encoding="utf-8")
