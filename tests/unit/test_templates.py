"""The email templates: complete context, escaping, the same words in both parts, short
per-recipient lines, and CSS that survives inlining."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import css_inline
import pytest
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from mailer.render.compose import PLACEHOLDERS
from mailer.render.i18n import kind_label, strings, text_direction
from mailer.render.markdown import render_body

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
HTML = "email/release.html.j2"
TEXT = "email/release.txt.j2"
PREHEADER_FILLERS = "\u2007\u034f"

BODY = """\
More than **1.2 million children** will be vaccinated by March, says the
[Ministry of Health](https://health.example.org/news).

## Key facts

- The campaign runs in *all* regions[^1]
- Vaccines are free of charge

| Region | Doses |
|--------|-------|
| Chui   | 120,000 |
| Osh    | 98,500 |

> "We owe it to every child," said the minister.

### Background

The plan is at https://health.example.org/plan.

[^1]: Except two mountain districts, reached in January.
"""

OPTIONAL = ["logo", "subtitle", "embargo", "attachments", "postal_address"]


def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "html.j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _recipient(language: str) -> dict[str, str]:
    t = strings(language)
    return {
        "greeting": t["greeting"].format(name="Aizada Karimova"),
        "why": t["why_regions"].format(organisation="UNFFC Press Office", regions="Central Asia"),
        "unsubscribe_url": "https://press.unffc.example.org/u/tok3n-unsub",
        "preferences_url": "https://press.unffc.example.org/p/tok3n-prefs",
    }


def context(
    language: str = "en",
    *,
    omit: tuple[str, ...] = (),
    title: str = "Kyrgyzstan launches a nationwide measles campaign",
    placeholders: bool = False,
) -> dict[str, Any]:
    """The context render_variant builds, with the optional parts named in `omit` left out."""
    t = strings(language)
    body = render_body(BODY, language)
    return {
        "message": {
            "lang": language,
            "dir": text_direction(language),
            "title": title,
            "subtitle": None if "subtitle" in omit else "Free vaccination for every child",
            "kind_label": kind_label("press release", language),
            "date_text": "4 December 2026",
            "dateline": "BISHKEK",
            "summary": "Measles vaccination is free for every child from 8 December.",
            "embargo_text": None
            if "embargo" in omit
            else t["embargo"].format(when="4 December 2026, 09:00 UTC"),
            "body_html": Markup(body.html),
            "body_text": body.text,
            "spokespeople": [
                {
                    "name": "Ana One",
                    "title": "Communication Officer",
                    "organisation": "UNFFC",
                    "office": "Pristina",
                    "email": "a.one@unffc.example.org",
                    "phones": [
                        {"display": "+383 38 000 001", "tel": "+38338000001"},
                        {"display": "+383 44 000 002", "tel": "+38344000002"},
                    ],
                },
                {
                    "name": "Bakyt Two",
                    "title": "",
                    "organisation": "",
                    "office": "Bishkek",
                    "email": "b.two@unffc.example.org",
                    "phones": [],
                },
            ],
            "attachments_linked": []
            if "attachments" in omit
            else [
                {
                    "name": "campaign-plan.pdf",
                    "url": "https://press.unffc.example.org/files/ab12/campaign-plan.pdf",
                    "size_text": "12.3 MB",
                },
                {"name": "photo.jpg", "url": "https://cdn.example.org/photo.jpg", "size_text": ""},
            ],
        },
        "brand": {
            "organisation": "UNFFC Press Office",
            "logo_url": None if "logo" in omit else "https://press.unffc.example.org/logo.png",
            "color": "#1d5c96",
            "postal_address": ""
            if "postal_address" in omit
            else "Palais des Nations Fictives, 1211 Geneva, Switzerland",
        },
        "recipient": dict(PLACEHOLDERS) if placeholders else _recipient(language),
        "t": t,
    }


def render(ctx: dict[str, Any]) -> tuple[str, str]:
    """(HTML, text) rendered with the same Environment settings as the mailer's renderer."""
    env = _env()
    return env.get_template(HTML).render(ctx), env.get_template(TEXT).render(ctx)


# Elements that end a word where they start or stop, as mail filters read them.
_BREAKS = frozenset({
    "br", "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "table", "tr", "td",
    "th", "blockquote", "section", "hr", "pre",
})  # fmt: skip


class _VisibleText(HTMLParser):
    """The text a reader sees: no head, no style blocks, no comments."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("head", "style", "title", "script"):
            self._skip += 1
        elif tag in _BREAKS:
            self.chunks.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "style", "title", "script"):
            self._skip -= 1
        elif tag in _BREAKS:
            self.chunks.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.chunks.append(data)


def visible_text(html: str) -> str:
    """The HTML part's visible text, preheader fillers removed."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    text = "".join(parser.chunks)
    return text.translate({ord(ch): " " for ch in PREHEADER_FILLERS})


def words(text: str) -> set[str]:
    """The set of words (letters and digits) in a text, case-folded."""
    return set(re.findall(r"\w+", text.casefold()))


VARIANTS = [pytest.param((), id="everything"), pytest.param(tuple(OPTIONAL), id="nothing")] + [
    pytest.param((part,), id=f"without-{part}") for part in OPTIONAL
]
LANGUAGES = ["en", "fr", "ru", "ar", "sr-Latn", "hy"]


@pytest.mark.parametrize("omit", VARIANTS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_templates_render_with_the_documented_context(language: str, omit: tuple[str, ...]) -> None:
    """Both templates render under StrictUndefined with and without each optional part."""
    html, text = render(context(language, omit=omit))
    assert html.startswith("<!DOCTYPE html>")
    assert text.strip()


@pytest.mark.parametrize("language", LANGUAGES)
def test_html_holds_the_essentials(language: str) -> None:
    """The HTML part has the title, contact heading, tel: and mailto: links and unsubscribe URL."""
    ctx = context(language)
    html, _ = render(ctx)
    t = ctx["t"]
    assert f'<html lang="{language}" dir="{text_direction(language)}"' in html
    assert re.search(r"<h1[^>]*>" + re.escape(str(escape(ctx["message"]["title"]))) + "</h1>", html)
    assert str(escape(t["contact_heading"])) in html
    assert '<a href="tel:+38338000001" dir="ltr">+383 38 000 001</a>' in html
    assert '<a href="mailto:a.one@unffc.example.org" dir="ltr">a.one@unffc.example.org</a>' in html
    assert 'href="https://press.unffc.example.org/u/tok3n-unsub"' in html
    assert 'href="https://press.unffc.example.org/p/tok3n-prefs"' in html
    assert str(escape(t["unsubscribe"])) in html


def test_html_document_head() -> None:
    """The head declares charset, viewport, both colour schemes and the title."""
    html, _ = render(context())
    head = html.split("</head>", 1)[0]
    assert '<meta charset="utf-8">' in head
    assert '<meta name="viewport"' in head
    assert '<meta name="color-scheme" content="light dark">' in head
    assert '<meta name="supported-color-schemes" content="light dark">' in head
    assert "<title>Kyrgyzstan launches a nationwide measles campaign</title>" in head
    assert "@media (prefers-color-scheme: dark)" in head
    assert "[data-ogsc]" in head
    assert "max-width: 620px" in head


def test_html_layout_suits_outlook() -> None:
    """Presentation tables, a 600px MSO ghost table and no flexbox or grid."""
    html, _ = render(context())
    assert 'role="presentation"' in html
    assert re.search(r"<!--\[if mso\]>\s*<table[^>]*width=\"600\"", html)
    assert "max-width: 600px" in html
    assert not re.search(r"display:\s*(flex|grid)", html)


def test_html_has_nothing_active_or_remote_but_the_logo() -> None:
    """No script, form, external stylesheet, web font or background image."""
    html, _ = render(context())
    lowered = html.lower()
    for banned in (
        "<script",
        "<form",
        "<link",
        "@import",
        "@font-face",
        "background-image",
        "url(",
    ):
        assert banned not in lowered, banned


def test_preheader_comes_first_and_is_hidden() -> None:
    """The summary is in a hidden div right after <body>, followed by filler characters."""
    ctx = context()
    html, _ = render(ctx)
    after_body = html.split("<body", 1)[1].split(">", 1)[1].lstrip()
    assert after_body.startswith("<div")
    preheader = after_body.split("</div>", 1)[0]
    for rule in ("display: none", "max-height: 0", "overflow: hidden", "mso-hide: all"):
        assert rule in preheader
    assert ctx["message"]["summary"] in preheader
    assert "&#8199;&#847;" in preheader


def test_title_is_escaped_in_html() -> None:
    """A title with markup is shown as text, never run as a script."""
    html, text = render(context(title="Results <script>alert(1)</script> & more"))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert "Results <script>alert(1)</script> & more" in text


def test_optional_parts_appear_only_when_given() -> None:
    """Logo, subtitle, embargo, attachments and postal address show up only when set."""
    full_html, full_text = render(context())
    bare_html, bare_text = render(context(omit=tuple(OPTIONAL)))
    assert '<img class="logo" src="https://press.unffc.example.org/logo.png"' in full_html
    assert 'alt="UNFFC Press Office" width="160"' in full_html
    assert "<img" not in bare_html
    for html, text, present in ((full_html, full_text, True), (bare_html, bare_text, False)):
        assert ("Free vaccination for every child" in html) is present
        assert ("Free vaccination for every child" in text) is present
        assert ("Embargoed until" in html) is present
        assert ("*** Embargoed until 4 December 2026, 09:00 UTC ***" in text) is present
        assert ("campaign-plan.pdf" in html) is present
        assert ("Palais des Nations Fictives" in html) is present
        assert ("Palais des Nations Fictives" in text) is present
    assert (
        "- campaign-plan.pdf: https://press.unffc.example.org/files/ab12/campaign-plan.pdf "
        "(12.3 MB)" in full_text
    )
    assert "- photo.jpg: https://cdn.example.org/photo.jpg\n" in full_text


@pytest.mark.parametrize("omit", VARIANTS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_text_part_carries_every_word_of_the_html_part(
    language: str, omit: tuple[str, ...]
) -> None:
    """Every word a reader sees in the HTML part is in the text part (MPART_ALT_DIFF)."""
    html, text = render(context(language, omit=omit))
    missing = words(visible_text(html)) - words(text)
    assert not missing


def test_word_comparison_notices_a_missing_word() -> None:
    """The word check fails when the text part lacks a line the HTML part shows."""
    html, text = render(context())
    without_heading = text.replace("For more information, please contact:", "")
    missing = words(visible_text(html)) - words(without_heading)
    assert missing == {"information", "please", "contact"}


def test_text_part_layout() -> None:
    """The text part opens with the summary, frames the embargo, and ends with the footer."""
    ctx = context()
    _, text = render(ctx)
    lines = text.splitlines()
    assert lines[0] == ctx["message"]["summary"]
    assert "*** Embargoed until 4 December 2026, 09:00 UTC ***" in lines
    assert "Dear Aizada Karimova," in lines
    assert "For more information, please contact:" in lines
    assert "+383 44 000 002" in lines
    assert "a.one@unffc.example.org" in lines
    # One address in the text part: the page behind it unsubscribes or changes preferences.
    assert "Unsubscribe · Manage your preferences:" in lines
    assert "https://press.unffc.example.org/p/tok3n-prefs" in lines
    assert lines[-1] == "Palais des Nations Fictives, 1211 Geneva, Switzerland"
    static = [line for line in lines if "://" not in line]  # a URL is as long as it is
    assert all(len(line) < 78 for line in static), max(static, key=len)


def test_text_part_wraps_long_data() -> None:
    """A long title is wrapped at 72 columns without splitting words."""
    title = " ".join(["Ministry"] * 30)
    _, text = render(context(title=title))
    title_lines = [line for line in text.splitlines() if line.startswith("Ministry")]
    assert len(title_lines) > 1
    assert all(len(line) <= 72 for line in title_lines)


@pytest.mark.parametrize("name", [HTML, TEXT])
def test_recipient_values_sit_on_short_lines(name: str) -> None:
    """Each source line with a recipient value is short, so per-journalist re-encoding is cheap."""
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    lines = [line for line in source.splitlines() if "recipient." in line]
    assert len(lines) >= 4
    for line in lines:
        assert len(line) <= 120, line
        assert line.count("recipient.") == 1, line


def test_placeholders_stay_on_short_lines_after_inlining() -> None:
    """After CSS inlining each recipient placeholder is on a short line of its own."""
    html, text = render(context(placeholders=True))
    inlined = css_inline.CSSInliner(keep_style_tags=True, load_remote_stylesheets=False).inline(
        html
    )
    for part, expected in ((inlined, len(PLACEHOLDERS)), (text, len(PLACEHOLDERS) - 1)):
        marked = [line for line in part.splitlines() if "\ue000" in line]
        assert len(marked) == expected
        for line in marked:
            assert line.count("\ue000") == 1, line
            assert len(line) <= 200, line


def test_html_survives_css_inlining_with_media_queries() -> None:
    """css-inline inlines the styles and keeps the phone and dark-mode media queries."""
    html, _ = render(context())
    inlined = css_inline.CSSInliner(keep_style_tags=True, load_remote_stylesheets=False).inline(
        html
    )
    assert "@media only screen and (max-width: 620px)" in inlined
    assert "@media (prefers-color-scheme: dark)" in inlined
    assert "[data-ogsc]" in inlined
    h1 = re.search(r"<h1[^>]*>", inlined)
    assert h1 is not None
    assert "font-size: 28px" in h1.group(0)
    assert "<!--[if mso]>" in inlined
    assert "Kyrgyzstan launches a nationwide measles campaign" in inlined


def test_right_to_left_language() -> None:
    """An Arabic release is marked right to left and aligned to the right."""
    html, _ = render(context("ar"))
    assert '<html lang="ar" dir="rtl"' in html
    assert 'align="right"' in html
    assert "border-right: 4px solid" in html
