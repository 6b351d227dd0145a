"""`mailer release check` and `mailer preview`: a release validated; the exact email written."""

from __future__ import annotations

import webbrowser
from pathlib import Path
from typing import Annotated

import typer

from mailer.cli.output import console, err_console, print_json, table, warn
from mailer.cli.state import state
from mailer.contacts.store import find_contact
from mailer.db import session_scope
from mailer.errors import MailerError, UsageError
from mailer.release import ReleaseInvalid, load_release
from mailer.release_check import CheckReport, check_release, roster_for
from mailer.render.variant import make_recipient, render_variant

app = typer.Typer(
    help="Releases: check a release file and preview the email.\n\n"
    "Example: mailer release check examples/immunization-release.md",
    no_args_is_help=True,
)

ReleaseArg = Annotated[Path, typer.Argument(help="The release's Markdown file.", dir_okay=False)]


def _print_invalid(exc: ReleaseInvalid) -> None:
    for err in exc.errors:
        err_console.print(str(err), highlight=False, markup=False)


def _summary(report: CheckReport) -> None:
    rel = report.release
    console.print(
        table(
            f"{rel.path}: {len(rel.variants)} language(s)",
            ["language", "title", "file", "message size", "recipients"],
            (
                [
                    lang,
                    v.title,
                    v.path.name,
                    f"{report.sizes.get(lang, 0):,} bytes",
                    report.audience_by_variant.get(lang, 0),
                ]
                for lang, v in rel.variants.items()
            ),
        )
    )
    people = ", ".join(rel.main.spokespeople) or "none"
    console.print(f"spokespeople: {people}", highlight=False, markup=False)
    if rel.main.embargo:
        console.print(f"embargo: {rel.main.embargo.isoformat()}", highlight=False, markup=False)
    regions = ", ".join(f"{slug} {n}" for slug, n in report.audience_by_region.most_common())
    console.print(
        f"audience: {report.audience_size} journalists ({regions or 'no regions'})",
        highlight=False,
        markup=False,
    )


@app.command("check")
def check_cmd(
    ctx: typer.Context,
    release: ReleaseArg,
    region: Annotated[
        list[str] | None,
        typer.Option("--region", "-r", help="Audience regions (default: the release's)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Validate a release and every translation; print problems as file:line: messages.

    Example: mailer release check examples/immunization-release.md
    """
    app_state = state(ctx)
    try:
        with session_scope(app_state.engine) as session:
            report = check_release(
                session, app_state.taxonomy, app_state.settings, release, tuple(region or ())
            )
    except ReleaseInvalid as exc:
        _print_invalid(exc)
        raise
    for message in report.warnings:
        warn(message)
    if as_json:
        print_json(
            {
                "file": str(release),
                "hash": report.release.source_hash,
                "variants": {
                    lang: {"title": v.title, "file": str(v.path), "bytes": report.sizes.get(lang)}
                    for lang, v in report.release.variants.items()
                },
                "spokespeople": list(report.release.main.spokespeople),
                "embargo": report.release.main.embargo.isoformat()
                if report.release.main.embargo
                else None,
                "audience": report.audience_size,
                "audience_by_region": dict(report.audience_by_region),
                "audience_by_language": dict(report.audience_by_variant),
                "warnings": report.warnings,
            }
        )
        return
    _summary(report)


def preview(
    ctx: typer.Context,
    release: ReleaseArg,
    lang: Annotated[str | None, typer.Option("--lang", help="Only this language variant.")] = None,
    for_email: Annotated[
        str | None, typer.Option("--for", help="Personalise for this journalist (an address).")
    ] = None,
    out: Annotated[
        Path,
        typer.Option("--out", help="Folder for the .eml, .html and .txt files.", file_okay=False),
    ] = Path("preview"),
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the HTML in a browser.")
    ] = False,
) -> None:
    """Write the exact message that would be sent, as .eml, plus its .html and .txt parts.

    Example: mailer preview examples/immunization-release.md --lang fr --open
    """
    app_state = state(ctx)
    settings = app_state.settings
    try:
        loaded = load_release(release)
    except ReleaseInvalid as exc:
        _print_invalid(exc)
        raise
    with session_scope(app_state.engine) as session:
        contact = find_contact(session, for_email) if for_email else None
        if lang:
            variants = [v for code, v in loaded.variants.items() if code.lower() == lang.lower()]
            if not variants:
                raise UsageError(
                    f"no {lang} variant; the release has: {', '.join(loaded.variants)}"
                )
        elif contact is not None:
            variants = [loaded.variant_for(contact.languages)]
        else:
            variants = list(loaded.variants.values())
        rosters = {v.language: roster_for(session, v) for v in variants}
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MailerError(f"cannot create {out}: {exc.strerror}") from None
    regions = (
        [
            r
            for r in loaded.main.regions
            if contact is None or app_state.taxonomy.contains(r, contact.country, contact.regions)
        ]
        if loaded.main.regions
        else []
    )
    names = {r: app_state.taxonomy.get(r).name for r in regions if r in app_state.taxonomy}
    written = []
    for variant in variants:
        people, errors = rosters[variant.language]
        if errors:
            raise ReleaseInvalid(errors)
        rendered = render_variant(variant, people, settings)
        for message in rendered.warnings:
            warn(message)
        recipient = make_recipient(
            settings,
            variant.language,
            email=contact.email if contact else "journalist@example.org",
            name=contact.name if contact else "Sample Journalist",
            contact_id=contact.id or 0 if contact else 0,
            campaign_id=0,
            delivery_id=0,
            regions=list(names.values()),
        )
        data = rendered.prepared.personalise(recipient)
        stem = f"{release.stem}.{variant.language}"
        values = recipient.body_values()
        (out / f"{stem}.eml").write_bytes(data)
        (out / f"{stem}.html").write_text(rendered.prepared.html_part.text(values), "utf-8")
        (out / f"{stem}.txt").write_text(rendered.prepared.text_part.text(values), "utf-8")
        written.append(out / f"{stem}.html")
        console.print(
            f"{variant.language}: {stem}.eml ({len(data):,} bytes), .html, .txt",
            highlight=False,
            markup=False,
        )
    if open_browser and written:
        webbrowser.open(written[0].resolve().as_uri())


app.command("preview")(preview)
