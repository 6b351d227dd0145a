"""The Starlette application of `mailer serve`: the journalist-facing pages and a body limit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from mailer.config import Settings
from mailer.contacts.regions import Taxonomy
from mailer.web.limits import MAX_BODY_BYTES, BodyLimit
from mailer.web.unsubscribe import UnsubscribePages

__all__ = ["create_app"]


def create_app(
    settings: Settings,
    engine: Engine,
    extra_routes: Sequence[BaseRoute] = (),
    *,
    max_body_bytes: int = MAX_BODY_BYTES,
    body_limits: Mapping[str, int] | None = None,
    taxonomy: Taxonomy | None = None,
) -> Starlette:
    """The app: /u/{token} and the extra routes (webhooks, health, metrics), every request body
    capped at `max_body_bytes` unless a path prefix in `body_limits` says otherwise (e.g.
    {"/webhooks/": settings.webhook_max_bytes}). `taxonomy` defaults to the built-in regions
    plus settings.regions_file."""
    regions = taxonomy or Taxonomy.load(settings.regions_file)
    pages = UnsubscribePages(settings, engine, regions)
    return Starlette(
        routes=[*pages.routes(), *extra_routes],
        middleware=[Middleware(BodyLimit, max_bytes=max_body_bytes, limits=body_limits)],
    )
