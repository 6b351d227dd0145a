"""Renders the journalist-facing HTML pages: templates, strings in their language, safe headers."""

from __future__ import annotations

from typing import Any

from starlette.responses import HTMLResponse

from mailer.config import Settings
from mailer.render.i18n import PAGE_STRINGS, page_strings, text_direction
from mailer.render.templates import environment

__all__ = ["SECURITY_HEADERS", "Pages", "accepted_language", "readable_on", "written_in"]

# No script at all, styles only inline, forms post only back here, never framed (a framed
# unsubscribe button invites clickjacking), and the token in the URL never leaks in a Referer.
# No cookie is ever set: the token in the URL is the only credential (RFC 8058 section 3.2).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}


def _luminance(colour: str) -> float:
    # WCAG 2.x relative luminance of #rrggbb.
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def readable_on(colour: str) -> str:
    """White or near-black, whichever contrasts more with the colour (WCAG contrast ratio)."""
    lum = _luminance(colour)
    on_white = 1.05 / (lum + 0.05)
    on_black = (lum + 0.05) / (_luminance("#111111") + 0.05)
    return "#ffffff" if on_white >= on_black else "#111111"


def written_in(language: str) -> str:
    """The language a page for this tag is written in: the tag when the pages have strings for
    it, else English (so that lang= always names the language of the text)."""
    return language if page_strings(language) != PAGE_STRINGS["en"] else "en"


def accepted_language(header: str | None) -> str:
    """The best language of an Accept-Language header that the pages are written in, else en."""
    ranked: list[tuple[float, str]] = []
    for part in (header or "").split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        quality = params.strip().removeprefix("q=")
        try:
            q = float(quality) if params else 1.0
        except ValueError:
            continue
        ranked.append((q, tag.strip()))
    for q, tag in sorted(ranked, key=lambda item: -item[0]):
        if q > 0 and written_in(tag) != "en":
            return tag
    return "en"


class Pages:
    """Renders templates/web/*.html.j2 (overridable from templates_dir), autoescaped."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def render(self, name: str, language: str, status: int = 200, **context: Any) -> HTMLResponse:
        """One page in the language (English where the pages lack it), with the security
        headers."""
        language = written_in(language)
        template = environment(self.settings.templates_dir).get_template(f"web/{name}.html.j2")
        html = template.render(
            lang=language,
            dir=text_direction(language),
            t=page_strings(language),
            organisation=self.settings.organisation_in(language),
            brand=self.settings.brand_color,
            on_brand=readable_on(self.settings.brand_color),
            **context,
        )
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
