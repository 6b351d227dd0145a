"""The Jinja2 environment (built-in templates, overridable from a folder) and CSS inlining."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import css_inline
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)

from mailer.errors import ConfigError, DataError, Location

__all__ = ["builtin_templates_dir", "environment", "render_email_parts"]

PACKAGE_DIR = Path(__file__).resolve().parent.parent
HTML_TEMPLATE = "email/release.html.j2"
TEXT_TEMPLATE = "email/release.txt.j2"


def builtin_templates_dir() -> Path:
    """The shipped templates: inside the installed wheel, or templates/ in a checkout."""
    for candidate in (PACKAGE_DIR / "_templates", PACKAGE_DIR.parent / "templates"):
        if (candidate / HTML_TEMPLATE).is_file():
            return candidate
    raise ConfigError("built-in templates not found; reinstall the package")


@cache
def environment(user_dir: Path | None) -> Environment:
    """Templates from the user's folder first, then the built-in ones; autoescaped HTML."""
    if user_dir is not None and not user_dir.is_dir():
        raise ConfigError(f"templates_dir (or MAILER_TEMPLATES_DIR): not a folder: {user_dir}")
    loaders = [FileSystemLoader(str(user_dir))] if user_dir else []
    loaders.append(FileSystemLoader(str(builtin_templates_dir())))
    return Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )


@cache
def _inliner() -> css_inline.CSSInliner:
    # Keep the <style> block too: media queries (phones, dark mode) cannot be inlined.
    return css_inline.CSSInliner(keep_style_tags=True, load_remote_stylesheets=False)


def render_email_parts(user_dir: Path | None, context: dict[str, Any]) -> tuple[str, str]:
    """(HTML with CSS inlined, plain text) for one template context."""
    env = environment(user_dir)
    try:
        html = env.get_template(HTML_TEMPLATE).render(context)
        text = env.get_template(TEXT_TEMPLATE).render(context)
    except TemplateError as exc:
        name = getattr(exc, "filename", None) or getattr(exc, "name", None) or "template"
        line = getattr(exc, "lineno", None)
        raise DataError(
            f"template error: {exc.message or exc}", Location(str(name), line)
        ) from None
    try:
        return _inliner().inline(html), text
    except ValueError as exc:
        raise DataError(f"cannot inline the email's CSS: {exc}", Location(HTML_TEMPLATE)) from None
