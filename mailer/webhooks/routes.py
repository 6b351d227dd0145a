"""The webhook routes of `mailer serve`: size limit, authentication, then reading and recording.

Answers: 200 with counts; 400 one-line reason (authenticated, unreadable); 401 (Postmark, with a
basic auth challenge) or 403 (signatures) without detail; 404 for a provider that is not
configured; 405 for anything but POST; 413 over `webhook_max_bytes`; 503 when an SNS certificate or
subscription URL cannot be fetched (the provider retries).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from mailer.config import Settings
from mailer.webhooks import sns
from mailer.webhooks.errors import BadPayload, TooLarge, Unauthenticated, WebhookError
from mailer.webhooks.events import Batch, Provider
from mailer.webhooks.generic import GenericReceiver
from mailer.webhooks.ingest import ingest
from mailer.webhooks.mailgun import MailgunReceiver
from mailer.webhooks.postmark import PostmarkReceiver
from mailer.webhooks.sendgrid import SendGridReceiver, public_key
from mailer.webhooks.ses import SesReceiver

__all__ = ["Receiver", "receivers", "webhook_routes"]

log = logging.getLogger("mailer.webhooks")


class Receiver(Protocol):
    """One provider's webhook: authenticates a request, then reads its events."""

    provider: Provider

    def receive(self, headers: Mapping[str, str], body: bytes) -> Batch: ...


def _ses(settings: Settings, fetch: sns.Fetch) -> Receiver | None:
    if not settings.ses_topic_arns:
        return None
    topics = None if "*" in settings.ses_topic_arns else frozenset(settings.ses_topic_arns)
    host = re.compile(settings.sns_cert_host_pattern, re.IGNORECASE)
    return SesReceiver(topics, sns.Certificates(fetch, host), fetch, host)


def receivers(settings: Settings, fetch: sns.Fetch) -> dict[Provider, Receiver | None]:
    """Each provider's receiver, or None where its secret is not configured."""
    s = settings
    return {
        Provider.SES: _ses(s, fetch),
        Provider.SENDGRID: (
            SendGridReceiver(public_key(s.sendgrid_public_key)) if s.sendgrid_public_key else None
        ),
        Provider.MAILGUN: (
            MailgunReceiver(s.mailgun_signing_key.get_secret_value(), s.webhook_max_age_seconds)
            if s.mailgun_signing_key
            else None
        ),
        Provider.POSTMARK: (
            PostmarkReceiver(
                s.postmark_webhook_user, s.postmark_webhook_password.get_secret_value()
            )
            if s.postmark_webhook_user and s.postmark_webhook_password
            else None
        ),
        Provider.GENERIC: (
            GenericReceiver(s.generic_webhook_secret.get_secret_value(), s.webhook_max_age_seconds)
            if s.generic_webhook_secret
            else None
        ),
    }


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it is known to be over the limit (before it is all read)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge("body over the limit")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge("body over the limit")
        chunks.append(chunk)
    return b"".join(chunks)


def _refused(provider: Provider, exc: WebhookError) -> Response:
    log.warning("webhook_refused provider=%s status=%d reason=%s", provider, exc.status, exc)
    if isinstance(exc, BadPayload):
        return PlainTextResponse(" ".join(str(exc).split())[:300] + "\n", status_code=400)
    challenge = exc.challenge if isinstance(exc, Unauthenticated) else None
    headers = {"WWW-Authenticate": challenge} if challenge else None
    return Response(status_code=exc.status, headers=headers)


def _endpoint(
    receiver: Receiver,
    settings: Settings,
    engine: Engine,
    on_auth_failure: Callable[[str], None] | None,
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            body = await read_body(request, settings.webhook_max_bytes)
            batch = await run_in_threadpool(receiver.receive, request.headers, body)
        except WebhookError as exc:
            if isinstance(exc, Unauthenticated) and on_auth_failure is not None:
                on_auth_failure(receiver.provider.value)
            return _refused(receiver.provider, exc)
        outcome = await run_in_threadpool(ingest, engine, settings, batch.notices)
        counts = {"recorded": outcome.recorded, "duplicates": outcome.duplicates}
        return JSONResponse({**counts, "ignored": batch.ignored})

    return endpoint


async def _not_configured(request: Request) -> Response:
    return PlainTextResponse("Not Found", status_code=404)


def webhook_routes(
    settings: Settings,
    engine: Engine,
    on_auth_failure: Callable[[str], None] | None = None,
    *,
    fetch: sns.Fetch | None = None,
) -> list[Route]:
    """POST /webhooks/<provider> for each provider; an unconfigured one answers 404. `fetch`
    (GET a URL, return its body) is used for SNS certificates and subscription confirmations."""
    found = receivers(settings, fetch or sns.default_fetch)
    enabled = [p.value for p, r in found.items() if r is not None]
    log.info("webhooks_enabled providers=%s", ",".join(enabled) or "none")
    return [
        Route(
            f"/webhooks/{provider}",
            _not_configured
            if receiver is None
            else _endpoint(receiver, settings, engine, on_auth_failure),
            methods=["POST"],
            name=f"webhook_{provider}",
        )
        for provider, receiver in found.items()
    ]
