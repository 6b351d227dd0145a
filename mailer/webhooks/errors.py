"""Why a webhook request is refused, and the HTTP status each reason answers with.

WebhookError          the base; never shown to the caller beyond its status
├── Unauthenticated   403 (401 with a challenge for basic auth): missing, forged, stale, replayed
├── TooLarge          413: the body is over `webhook_max_bytes`
├── Unavailable       503: what verification needs (an SNS certificate) cannot be fetched now
└── BadPayload        400 with a one-line reason: authenticated, but not what the provider sends
"""

from __future__ import annotations

from mailer.errors import MailerError

__all__ = ["BadPayload", "TooLarge", "Unauthenticated", "Unavailable", "WebhookError"]


class WebhookError(MailerError):
    """A webhook request that is not processed."""

    status = 500


class Unauthenticated(WebhookError):
    """The request does not prove it comes from the provider; the reason is logged, not sent."""

    status = 403

    def __init__(self, reason: str, challenge: str | None = None) -> None:
        super().__init__(reason)
        # RFC 9110 section 11.6.1: a 401 carries WWW-Authenticate; signature schemes answer 403.
        self.challenge = challenge
        if challenge is not None:
            self.status = 401


class TooLarge(WebhookError):
    """The body is larger than the configured limit."""

    status = 413


class Unavailable(WebhookError):
    """Verification cannot finish now; the provider retries later."""

    status = 503


class BadPayload(WebhookError):
    """An authenticated body that cannot be read; the message is the one-line reason."""

    status = 400
