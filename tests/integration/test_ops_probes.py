"""/healthz and /metrics answer 503 when the database hangs instead of hanging with it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine
from starlette.applications import Starlette
from starlette.testclient import TestClient

from mailer.web import ops
from mailer.web.ops import Health, ServiceMetrics, ops_routes


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A TCP port that accepts connections and never says a word (a hung database server)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield server.getsockname()[1]


def test_a_hung_database_gives_503_not_a_hang(
    silent_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ops, "PROBE_SECONDS", 0.5)
    engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{silent_port}/none")
    app = Starlette(routes=ops_routes(engine, ServiceMetrics(), Health()))
    answers: dict[str, tuple[int, str]] = {}

    def ask() -> None:
        with TestClient(app) as client:
            for path in ("/healthz", "/metrics", "/healthz"):
                response = client.get(path)
                answers[path] = (response.status_code, response.text)

    asker = threading.Thread(target=ask, daemon=True)
    asker.start()
    asker.join(60)  # liveness only: without the probe timeout this would never return
    assert not asker.is_alive(), "a probe hung with the database"
    assert answers["/healthz"][0] == 503
    assert '"database":"unreachable"' in answers["/healthz"][1]
    assert answers["/metrics"] == (503, "database unreachable\n")
