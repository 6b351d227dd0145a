"""Fuzz signed tokens: read_token raises only InvalidToken for forged, truncated, non-ASCII or
huge input, and the /u/<token> pages answer 400 for any such link, never 500."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from mailer.db import ensure_current, make_engine
from mailer.tokens import InvalidToken, Purpose, make_token, read_token
from mailer.web import create_app
from tests.fuzz.budget import bounded, fuzz
from tests.integration.newsroom_links import SECRET, Newsroom, seed, settings_for

fields = st.lists(st.integers(min_value=0, max_value=2**70), max_size=4)
genuine = st.builds(
    lambda purpose, values: make_token(SECRET, purpose, *values),
    st.sampled_from(list(Purpose)),
    fields,
)


@st.composite
def damaged(draw: st.DrawFn) -> str:
    """A genuine token changed: a character replaced, cut, extended, case changed, padded."""
    token = draw(genuine)
    op = draw(st.sampled_from(["replace", "cut", "extend", "case", "pad", "wrap"]))
    at = draw(st.integers(0, max(len(token) - 1, 0)))
    if op == "replace":
        char = draw(st.characters(codec="utf-8", exclude_categories=["Cs"]))
        return token[:at] + char + token[at + 1 :]
    if op == "cut":
        return token[:at]
    if op == "extend":
        return token + draw(st.text(max_size=8))
    if op == "case":
        return token.upper()
    if op == "pad":
        return token + "=" * draw(st.integers(1, 7))
    return draw(st.sampled_from([" ", "\t", "\n", "\u00a0", "\u3000"])) + token


tokens = st.one_of(
    damaged(),
    genuine,
    st.text(max_size=40),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz234567ABCXYZ", max_size=130),
    st.sampled_from(["²³", "ＡＢＣ２３４", "ǅ" * 20, "ß" * 30, "١٢٣" * 10, "a" * 10_000, "0" * 64]),
)


@fuzz(1000)
@given(token=tokens, purpose=st.sampled_from(list(Purpose)), secret=st.sampled_from([SECRET, "é"]))
@bounded
def test_read_token_returns_fields_or_raises_invalid_token(
    token: str, purpose: Purpose, secret: str
) -> None:
    """Whatever the text: a tuple of non-negative integers, or InvalidToken; nothing else."""
    try:
        values = read_token(secret, purpose, token)
    except InvalidToken:
        return
    assert isinstance(values, tuple)
    assert all(isinstance(v, int) and v >= 0 for v in values)
    assert make_token(secret, purpose, *values) == token.strip().lower()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Newsroom]]:
    """The unsubscribe pages on an SQLite newsroom of five journalists and one campaign."""
    url = f"sqlite:///{tmp_path_factory.mktemp('links') / 'links.db'}"
    engine = make_engine(url)
    ensure_current(engine)
    newsroom = seed(engine)
    with TestClient(create_app(settings_for(url), engine), raise_server_exceptions=False) as client:
        yield client, newsroom
    engine.dispose()


def _genuine_link(token: str, newsroom: Newsroom) -> bool:
    """Whether the token names one of the newsroom's journalists in its campaign."""
    try:
        values = read_token(SECRET, Purpose.UNSUBSCRIBE, token)
    except InvalidToken:
        return False
    return (
        len(values) == 2
        and values[0] in newsroom.contacts.values()
        and values[1] == newsroom.campaign
    )


@fuzz(150)
@given(token=tokens, method=st.sampled_from(["GET", "POST"]))
@example(token=".", method="GET")  # found by Hypothesis: the client resolves "/u/." to "/u/"
@example(token="0/", method="GET")  # found by Hypothesis: an encoded slash reached the page
@bounded
def test_unsubscribe_pages_answer_400_for_any_bad_link(
    pages: tuple[TestClient, Newsroom], token: str, method: str
) -> None:
    """A link that is not genuine gets the plain 400 page (GET or one-click POST); a path that
    is no link at all (empty, or "." or ".." which the client resolves away, RFC 3986 section
    5.2.4) is 404, and one with a slash 404 or 400; nothing is ever a 500."""
    client, newsroom = pages
    path = "/u/" + quote(token, safe="")
    if method == "GET":
        status = client.get(path).status_code
    else:
        status = client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code
    if not token or token in (".", ".."):
        assert status == 404, (status, token)
    elif "/" in token:  # an encoded slash reaches the page, or leaves no route at all
        assert status in (400, 404), (status, token)
    elif _genuine_link(token, newsroom):
        assert status == 200, (status, token)
    else:
        assert status == 400, (status, token)
