"""The /u/{token} pages: RFC 8058 one-click unsubscribe, and the preferences page and its form.

GET never changes anything (mail scanners fetch links); POST with `List-Unsubscribe=One-Click`
unsubscribes at once; POST from the page's own form saves preferences or unsubscribes. No
cookie and no session: the signed token in the URL is the only credential, so a forged
cross-site form cannot act for anyone whose link it does not already hold.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import partial
from urllib.parse import parse_qs

from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from mailer.config import Settings
from mailer.contacts.preferences import muted_of
from mailer.contacts.regions import Taxonomy
from mailer.db import session_scope
from mailer.models import ContactStatus, PreferenceChannel
from mailer.render.i18n import page_strings
from mailer.unsubscribe import (
    REASON_MAX,
    InvalidLink,
    Link,
    open_link,
    page_language,
    save_preferences,
    unsubscribe_link,
)
from mailer.web.choices import Choices, offer
from mailer.web.pages import SECURITY_HEADERS, Pages, accepted_language, written_in

__all__ = ["UnsubscribePages"]

log = logging.getLogger("mailer.web")
Form = dict[str, list[str]]
Action = Callable[[Session, Link], Response]
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_MAX_FIELDS = 500


async def _read_form(request: Request) -> Form:
    """The submitted fields (text only). RFC 8058 section 3.2 says mail clients send
    multipart/form-data or urlencoded; a body without either type is read as urlencoded."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in _FORM_TYPES:
        text = (await request.body()).decode("utf-8", "replace")
        return parse_qs(text, max_num_fields=_MAX_FIELDS)
    form: Form = {}
    async with request.form(max_files=0, max_fields=_MAX_FIELDS) as data:
        for key, value in data.multi_items():
            if isinstance(value, str):
                form.setdefault(key, []).append(value)
    return form


def _first(form: Form, key: str) -> str:
    return next(iter(form.get(key, [])), "")


class UnsubscribePages:
    """The routes of /u/{token}, sharing settings, the engine and the region taxonomy."""

    def __init__(self, settings: Settings, engine: Engine, taxonomy: Taxonomy) -> None:
        self.settings, self.engine, self.taxonomy = settings, engine, taxonomy
        self.pages = Pages(settings)
        # SQLite has one writer at a time, and a waiting writer polls the file lock with sleeps
        # of up to 100 ms (busy_timeout): queue this process's writers on a lock instead.
        sqlite = engine.dialect.name == "sqlite"
        self._writing: AbstractContextManager[object] = (
            threading.Lock() if sqlite else contextlib.nullcontext()
        )

    def routes(self) -> list[Route]:
        """GET shows, POST acts."""
        return [
            Route("/u/{token}", self.show, methods=["GET"]),
            Route("/u/{token}", self.submit, methods=["POST"]),
        ]

    async def show(self, request: Request) -> Response:
        """The preferences page, or the unsubscribed page once they have left."""
        saved = request.query_params.get("saved") == "1"
        page = partial(self._page, saved=saved)
        return await self._with_link(request, page, writes=False)

    async def submit(self, request: Request) -> Response:
        """One-click unsubscribe, or the page's form (preferences or unsubscribe)."""
        form = await _read_form(request)
        # RFC 8058 section 3.2: the one-click POST body is exactly this key and value.
        if _first(form, "List-Unsubscribe") == "One-Click":
            return await self._with_link(request, self._one_click)
        action = _first(form, "action")
        if action == "unsubscribe":
            reason = _first(form, "reason")
            return await self._with_link(request, lambda s, link: self._leave(s, link, reason))
        if action == "preferences":
            return await self._with_link(request, lambda s, link: self._save(s, link, form))
        return PlainTextResponse("unknown form\n", status_code=400, headers=SECURITY_HEADERS)

    async def _with_link(self, request: Request, act: Action, *, writes: bool = True) -> Response:
        """Open the request's link in a worker thread (the database calls block) and act on it
        in one transaction; a bad link gets the 400 page."""
        token = request.path_params["token"]
        accept = request.headers.get("accept-language")
        return await run_in_threadpool(self._in_session, token, accept, act, writes)

    def _in_session(self, token: str, accept: str | None, act: Action, writes: bool) -> Response:
        with (
            self._writing if writes else contextlib.nullcontext(),
            session_scope(self.engine) as session,
        ):
            try:
                link = open_link(session, self.settings, token)
            except InvalidLink as exc:
                # One page for every problem: nothing tells a prober which tokens exist.
                log.info("link_refused problem=%s", exc.problem.value)
                return self.pages.render("invalid", accepted_language(accept), status=400)
            return act(session, link)

    def _page(
        self, session: Session, link: Link, *, saved: bool = False, error: str | None = None
    ) -> Response:
        language = written_in(page_language(session, link))
        if link.contact.status == ContactStatus.UNSUBSCRIBED:
            return self.pages.render("unsubscribed", language, email=link.contact.email)
        return self.pages.render(
            "preferences",
            language,
            status=400 if error else 200,
            email=link.contact.email,
            choices=self._choices(session, link, language),
            saved=saved,
            error=error,
            reason_max=REASON_MAX,
            action=link.token,  # relative to /u/: works behind a path prefix too
        )

    def _choices(self, session: Session, link: Link, language: str) -> Choices:
        muted = muted_of(session, link.contact.id or 0)
        return offer(session, self.taxonomy, link.contact, link.campaign, muted, language)

    def _one_click(self, session: Session, link: Link) -> Response:
        # RFC 8058 section 3.1: answer the POST itself, never with a redirect.
        unsubscribe_link(session, link, via=PreferenceChannel.ONE_CLICK)
        language = page_language(session, link)
        return self.pages.render("unsubscribed", language, email=link.contact.email)

    def _leave(self, session: Session, link: Link, reason: str) -> Response:
        unsubscribe_link(session, link, via=PreferenceChannel.WEB, reason=reason)
        # Post/redirect/get: reloading the result page does not post the form again.
        return RedirectResponse(link.token, status_code=303, headers=SECURITY_HEADERS)

    def _save(self, session: Session, link: Link, form: Form) -> Response:
        if link.contact.status == ContactStatus.UNSUBSCRIBED:
            return self._page(session, link)
        language = written_in(page_language(session, link))
        choices = self._choices(session, link, language)
        muted = choices.muted_from(
            form.get("region", []), form.get("beat", []), form.get("language", [])
        )
        if choices.languages and len(muted.languages) == len(choices.languages):
            return self._page(session, link, error=page_strings(language)["need_language"])
        save_preferences(session, link, muted, reason=_first(form, "reason"))
        return RedirectResponse(f"{link.token}?saved=1", status_code=303, headers=SECURITY_HEADERS)
