"""`mailer regions`: the region taxonomy with contact counts."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

import typer
from sqlmodel import select

from mailer.cli.completion import complete_region
from mailer.cli.output import console, print_json, table
from mailer.cli.state import state
from mailer.contacts.countries import country_name
from mailer.contacts.regions import Region, Taxonomy
from mailer.db import session_scope
from mailer.models import Contact, ContactStatus

app = typer.Typer(
    help="Regions: the UN M49 geoscheme plus your own (contacts/regions.yaml).\n\n"
    "Example: mailer regions show central-asia",
    no_args_is_help=True,
)


def _counts(ctx: typer.Context) -> dict[str, int]:
    """Active contacts per region slug (a contact counts once per region it belongs to)."""
    app_state = state(ctx)
    taxonomy = app_state.taxonomy
    with session_scope(app_state.engine) as session:
        rows = session.exec(
            select(Contact.country, Contact.regions).where(Contact.status == ContactStatus.ACTIVE)
        ).all()
    counts: Counter[str] = Counter()
    by_country: dict[str | None, set[str]] = {}
    by_tag: dict[str, set[str]] = {}
    for country, tags in rows:
        if country not in by_country:
            by_country[country] = set(taxonomy.regions_of_country(country)) if country else set()
        member = set(by_country[country])
        for tag in tags:
            if tag not in by_tag:
                by_tag[tag] = set(taxonomy.regions_of_tag(tag))
            member |= by_tag[tag]
        counts.update(member)
    return dict(counts)


def _depth(taxonomy: Taxonomy, region: Region) -> int:
    depth, parent = 0, region.parent
    while parent:
        depth, parent = depth + 1, taxonomy.get(parent).parent
    return depth


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """List every region with its number of countries and active contacts."""
    taxonomy = state(ctx).taxonomy
    counts = _counts(ctx)
    regions = taxonomy.all()
    if as_json:
        print_json(
            [
                {
                    "slug": r.slug,
                    "name": r.name,
                    "parent": r.parent,
                    "builtin": r.builtin,
                    "countries": sorted(taxonomy.countries(r.slug)),
                    "contacts": counts.get(r.slug, 0),
                }
                for r in regions
            ]
        )
        return
    console.print(
        table(
            f"{len(regions)} regions",
            ["slug", "name", "countries", "contacts", "source"],
            (
                [
                    "  " * _depth(taxonomy, r) + r.slug,
                    r.name,
                    len(taxonomy.countries(r.slug)),
                    counts.get(r.slug, 0),
                    "built-in" if r.builtin else "yours",
                ]
                for r in regions
            ),
        )
    )


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="Region slug.", autocompletion=complete_region)],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Show a region: its countries, sub-regions and contact counts.

    Example: mailer regions show western-balkans
    """
    taxonomy = state(ctx).taxonomy
    region = taxonomy.get(slug)
    counts = _counts(ctx)
    with session_scope(state(ctx).engine) as session:
        per_country = Counter(
            session.exec(
                select(Contact.country).where(Contact.status == ContactStatus.ACTIVE)
            ).all()
        )
    countries = sorted(taxonomy.countries(region.slug))
    children = taxonomy.children(region.slug)
    if as_json:
        print_json(
            {
                "slug": region.slug,
                "name": region.name,
                "parent": region.parent,
                "builtin": region.builtin,
                "contacts": counts.get(region.slug, 0),
                "subregions": [
                    {"slug": c.slug, "name": c.name, "contacts": counts.get(c.slug, 0)}
                    for c in children
                ],
                "countries": [
                    {"code": c, "name": country_name(c), "contacts": per_country.get(c, 0)}
                    for c in countries
                ],
            }
        )
        return
    console.print(
        f"[bold]{region.name}[/bold] ({region.slug}): {counts.get(region.slug, 0)} active contacts",
        highlight=False,
    )
    if region.parent:
        console.print(f"part of: {region.parent}", highlight=False, markup=False)
    if children:
        console.print(
            table(
                "sub-regions",
                ["slug", "name", "contacts"],
                ([c.slug, c.name, counts.get(c.slug, 0)] for c in children),
            )
        )
    console.print(
        table(
            "countries",
            ["code", "name", "contacts"],
            ([c, country_name(c), per_country.get(c, 0)] for c in countries),
        )
    )
