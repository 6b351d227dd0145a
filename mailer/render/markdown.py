"""Release Markdown to sanitized HTML and to wrapped plain text carrying the same words."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

__all__ = ["RenderedBody", "render_body"]

WIDTH = 72
# Typographic quotes per primary language: primary pair, then secondary pair. French puts a
# narrow no-break space inside its guillemets.
_QUOTES: dict[str, list[str]] = {
    "en": ["“", "”", "‘", "’"],
    "fr": ["«\u202f", "\u202f»", "‹\u202f", "\u202f›"],
    "de": ["„", "“", "‚", "‘"],
    "ru": ["«", "»", "„", "“"],
    "uk": ["«", "»", "„", "“"],
    "ky": ["«", "»", "„", "“"],
    "kk": ["«", "»", "„", "“"],
    "uz": ["«", "»", "„", "“"],
    "tg": ["«", "»", "„", "“"],
    "sq": ["«", "»", "‹", "›"],
    "sr": ["„", "“", "‘", "’"],
    "bs": ["„", "“", "‘", "’"],
    "hr": ["„", "“", "‘", "’"],
    "mk": ["„", "“", "’", "‘"],
    "ro": ["„", "”", "«", "»"],
    "es": ["«", "»", "“", "”"],
    "tr": ["“", "”", "‘", "’"],
}
_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "del",
    "sub",
    "sup",
    "small",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
    "section",
    "span",
    "abbr",
}
_ATTRIBUTES = {
    "a": {"href", "title", "id", "class"},
    "img": {"src", "alt", "width", "height", "title"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start", "class"},
    "li": {"id", "class"},
    "sup": {"class", "id"},
    "section": {"class"},
    "hr": {"class"},
    "abbr": {"title"},
}


@dataclass(frozen=True)
class RenderedBody:
    """The body of one variant: sanitized HTML and its plain-text twin."""

    html: str
    text: str


@cache
def _parser(language: str) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"typographer": True, "html": True})
    md.enable(["table", "replacements", "smartquotes", "strikethrough"])
    md.use(footnote_plugin)
    primary = language.split("-")[0].lower()
    md.options["quotes"] = _QUOTES.get(primary, _QUOTES["en"])
    # A "back to text" arrow is no use in an email, and it would add a word the text lacks.
    md.add_render_rule("footnote_anchor", lambda *_args, **_kw: "")
    return md


def sanitize(html: str) -> str:
    """Keep only inert markup: no scripts, styles, event handlers, forms or javascript: URLs."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener",
        strip_comments=True,
    )


def render_body(markdown: str, language: str) -> RenderedBody:
    """Render the Markdown body of a release for one language."""
    md = _parser(language)
    tokens = md.parse(markdown)
    html = sanitize(md.renderer.render(tokens, md.options, {}))
    return RenderedBody(html=html, text=_TextRenderer(tokens).render())


@dataclass
class _TextRenderer:
    """Plain text from the same token stream the HTML came from."""

    tokens: Sequence[Token]
    out: list[str] = field(default_factory=list)

    def render(self) -> str:
        self._blocks(list(self.tokens), indent="", first_prefix="")
        return "\n\n".join(block.rstrip() for block in self.out if block.strip()) + "\n"

    def _blocks(self, tokens: list[Token], indent: str, first_prefix: str) -> None:
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            end = _closing(tokens, i)
            inner = tokens[i + 1 : end]
            handler = getattr(self, f"_{tok.type}", None)
            if handler is not None:
                handler(tok, inner, indent, first_prefix)
                first_prefix = ""
            i = end + 1

    def _wrap(self, text: str, indent: str, first_prefix: str = "") -> str:
        lines = []
        for part in text.split("\n"):
            lines.append(
                textwrap.fill(
                    part,
                    WIDTH,
                    initial_indent=indent + first_prefix,
                    subsequent_indent=indent + " " * len(first_prefix),
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )
            first_prefix = ""
        return "\n".join(lines)

    def _paragraph_open(self, _tok: Token, inner: list[Token], indent: str, prefix: str) -> None:
        self.out.append(self._wrap(self._inline(inner), indent, prefix))

    def _heading_open(self, tok: Token, inner: list[Token], indent: str, _prefix: str) -> None:
        text = self._inline(inner)
        rule = "=" if tok.tag in ("h1", "h2") else "-"
        self.out.append(f"{self._wrap(text, indent)}\n{indent}{rule * min(len(text), WIDTH)}")

    def _bullet_list_open(self, tok: Token, inner: list[Token], indent: str, _p: str) -> None:
        self._list(inner, indent, ordered=False, start=1)

    def _ordered_list_open(self, tok: Token, inner: list[Token], indent: str, _p: str) -> None:
        self._list(inner, indent, ordered=True, start=int(tok.attrGet("start") or 1))

    def _list(self, inner: list[Token], indent: str, ordered: bool, start: int) -> None:
        number = start
        i = 0
        while i < len(inner):
            end = _closing(inner, i)
            if inner[i].type == "list_item_open":
                marker = f"{number}. " if ordered else "- "
                self._blocks(inner[i + 1 : end], indent, marker)
                number += 1
            i = end + 1

    def _blockquote_open(self, _tok: Token, inner: list[Token], indent: str, _p: str) -> None:
        self._blocks(inner, indent + "> ", "")

    def _table_open(self, _tok: Token, inner: list[Token], indent: str, _p: str) -> None:
        rows: list[list[str]] = []
        for tok in inner:
            if tok.type == "tr_open":
                rows.append([])
            elif tok.type == "inline" and rows:
                rows[-1].append(self._inline([tok]))
        widths = [max(len(r[c]) for r in rows if c < len(r)) for c in range(max(map(len, rows)))]
        lines = [
            " | ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=False)).rstrip()
            for r in rows
        ]
        if len(lines) > 1:
            lines.insert(1, "-+-".join("-" * w for w in widths))
        self.out.append("\n".join(indent + line for line in lines))

    def _hr(self, tok: Token, _inner: list[Token], indent: str, _p: str) -> None:
        if tok.attrGet("class") != "footnotes-sep":
            self.out.append(indent + "-" * 24)

    def _fence(self, tok: Token, _inner: list[Token], indent: str, _p: str) -> None:
        self.out.append("\n".join(indent + "    " + line for line in tok.content.splitlines()))

    _code_block = _fence

    def _html_block(self, tok: Token, _inner: list[Token], indent: str, _p: str) -> None:
        text = _strip_tags(sanitize(tok.content))
        if text.strip():
            self.out.append(self._wrap(" ".join(text.split()), indent))

    def _footnote_block_open(self, _tok: Token, inner: list[Token], indent: str, _p: str) -> None:
        i = 0
        while i < len(inner):
            end = _closing(inner, i)
            if inner[i].type == "footnote_open":
                label = f"[{int(inner[i].meta.get('id', 0)) + 1}] "
                self._blocks(inner[i + 1 : end], indent, label)
            i = end + 1

    def _inline(self, tokens: list[Token]) -> str:
        parts: list[str] = []
        for tok in tokens:
            parts.append(self._inline_children(tok.children or []) if tok.type == "inline" else "")
        return "".join(parts).strip()

    def _inline_children(self, children: list[Token]) -> str:
        parts: list[str] = []
        href_stack: list[tuple[str, int]] = []
        for tok in children:
            kind = tok.type
            if kind in ("text", "code_inline"):
                parts.append(tok.content)
            elif kind == "softbreak":
                parts.append(" ")
            elif kind == "hardbreak":
                parts.append("\n")
            elif kind == "image":
                parts.append(tok.content or str(tok.attrGet("alt") or ""))
            elif kind == "html_inline":
                parts.append(_strip_tags(sanitize(tok.content)))
            elif kind == "footnote_ref":
                parts.append(f"[{int(tok.meta.get('id', 0)) + 1}]")
            elif kind == "link_open":
                href_stack.append((str(tok.attrGet("href") or ""), len(parts)))
            elif kind == "link_close" and href_stack:
                href, start = href_stack.pop()
                parts.append(self._link_suffix(href, start, parts))
        return "".join(parts)

    @staticmethod
    def _link_suffix(href: str, start: int, parts: list[str]) -> str:
        label = "".join(parts[start:]).strip()
        if not href or href.startswith("#"):
            return ""
        target = href.removeprefix("mailto:").removeprefix("tel:")
        if label in (href, target):
            return ""
        # RFC 3986 appendix C: a URL in plain text is delimited by angle brackets.
        return f" <{target}>"


def _closing(tokens: Sequence[Token], i: int) -> int:
    """Index of the token that closes tokens[i] (itself when it opens nothing)."""
    if tokens[i].nesting != 1:
        return i
    depth = 0
    for j in range(i, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    return len(tokens) - 1


def _strip_tags(html: str) -> str:
    chunks: list[str] = []

    class _Text(HTMLParser):
        def handle_data(self, data: str) -> None:
            chunks.append(data)

    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(chunks)
