"""The body-size middleware: 413 for a declared or streamed body over the limit, per path."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from mailer.web.limits import BodyLimit


async def _echo_length(request: Request) -> PlainTextResponse:
    return PlainTextResponse(str(len(await request.body())))


@pytest.fixture
def client() -> Iterator[TestClient]:
    """An app that answers the length of what it read: 1,000 bytes by default, 5,000 under
    /hooks/."""
    app = Starlette(
        routes=[Route("/{path:path}", _echo_length, methods=["POST"])],
        middleware=[Middleware(BodyLimit, max_bytes=1000, limits={"/hooks/": 5000})],
    )
    with TestClient(app) as test_client:
        yield test_client


def _stream(size: int) -> Iterator[bytes]:
    for _ in range(size // 100):
        yield b"z" * 100


@pytest.mark.parametrize(
    ("path", "size", "status"),
    [
        ("/u/x", 1000, 200),
        ("/u/x", 1001, 413),
        ("/hooks/ses", 5000, 200),
        ("/hooks/ses", 5001, 413),
        ("/hooksy", 1001, 413),
    ],
)
def test_declared_length_over_the_limit_is_refused(
    client: TestClient, path: str, size: int, status: int
) -> None:
    """A Content-Length over the path's limit gets 413; at the limit the app reads it all."""
    response = client.post(path, content=b"a" * size)
    assert response.status_code == status
    if status == 200:
        assert response.text == str(size)


def test_streamed_body_over_the_limit_is_refused(client: TestClient) -> None:
    """A chunked body is counted as it arrives: over the limit, 413; under it, read whole."""
    assert client.post("/u/x", content=_stream(2000)).status_code == 413
    ok = client.post("/u/x", content=_stream(900))
    assert (ok.status_code, ok.text) == (200, "900")
