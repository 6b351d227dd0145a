"""The HTTP side of `mailer serve`: unsubscribe and preferences pages (see mailer.web.app)."""

from mailer.web.app import create_app

__all__ = ["create_app"]
