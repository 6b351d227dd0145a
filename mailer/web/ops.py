"""Operations endpoints of `mailer serve`: /healthz and /metrics (Prometheus text format)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeVar

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select, text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mailer.models import BounceEvent, Delivery, DeliveryStatus, utcnow

__all__ = ["Health", "ServiceMetrics", "ops_routes"]

_D = Delivery.__table__  # type: ignore[attr-defined]
_B = BounceEvent.__table__  # type: ignore[attr-defined]
RATE_WINDOW_SECONDS = 60
PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8"
PROBE_SECONDS = 5.0
T = TypeVar("T")


@dataclass
class ServiceMetrics:
    """Counters kept in this process; the database supplies the rest at each scrape."""

    webhook_auth_failures: Counter[str] = field(default_factory=Counter)
    inbound: Callable[[], Counter[str]] = Counter
    worker_sent: int = 0

    def auth_failure(self, provider: str) -> None:
        """Called by the webhook routes when a request fails authentication."""
        self.webhook_auth_failures[provider] += 1


def _database_figures(engine: Engine) -> tuple[dict[str, int], dict[str, int], int]:
    since = utcnow() - timedelta(seconds=RATE_WINDOW_SECONDS)
    with engine.connect() as conn:
        statuses: dict[object, int] = dict(
            conn.execute(select(_D.c.status, func.count()).group_by(_D.c.status)).tuples().all()
        )
        bounces: dict[object, int] = dict(
            conn.execute(select(_B.c.kind, func.count()).group_by(_B.c.kind)).tuples().all()
        )
        recent = conn.execute(select(func.count()).where(_D.c.sent_at >= since)).scalar_one()
    return (
        {str(getattr(k, "value", k)): int(v) for k, v in statuses.items()},
        {str(getattr(k, "value", k)): int(v) for k, v in bounces.items()},
        int(recent),
    )


class _Collector(Collector):
    """Reads the figures at scrape time, so every worker sharing the database is counted."""

    def __init__(self, engine: Engine, local: ServiceMetrics) -> None:
        self.engine, self.local = engine, local

    def collect(self) -> Iterator[Metric]:
        statuses, bounces, recent = _database_figures(self.engine)
        deliveries = GaugeMetricFamily(
            "mailer_deliveries", "Deliveries by status, all campaigns", labels=["status"]
        )
        for status in DeliveryStatus:
            deliveries.add_metric([status.value], statuses.get(status.value, 0))
        yield deliveries
        yield GaugeMetricFamily(
            "mailer_retry_queue_depth",
            "Deferred deliveries waiting for their next attempt",
            value=statuses.get(DeliveryStatus.DEFERRED.value, 0),
        )
        yield GaugeMetricFamily(
            "mailer_send_rate",
            f"Messages sent per second over the last {RATE_WINDOW_SECONDS} s, all workers",
            value=recent / RATE_WINDOW_SECONDS,
        )
        kinds = CounterMetricFamily("mailer_bounces", "Bounce events by kind", labels=["kind"])
        for kind in ("hard", "soft", "block", "complaint"):
            kinds.add_metric([kind], bounces.get(kind, 0))
        yield kinds
        yield from self._local()

    def _local(self) -> Iterator[Metric]:
        failures = CounterMetricFamily(
            "mailer_webhook_auth_failures",
            "Webhook requests refused for failed authentication",
            labels=["provider"],
        )
        for provider, count in sorted(self.local.webhook_auth_failures.items()):
            failures.add_metric([provider], count)
        yield failures
        inbound = CounterMetricFamily(
            "mailer_inbound_messages",
            "Messages taken by the inbound SMTP receiver",
            labels=["outcome"],
        )
        for outcome, count in sorted(self.local.inbound().items()):
            inbound.add_metric([outcome], count)
        yield inbound
        yield CounterMetricFamily(
            "mailer_worker_sent",
            "Messages sent by this process's worker",
            value=self.local.worker_sent,
        )


@dataclass
class Health:
    """What /healthz reports on besides the database: the worker, when this process runs one."""

    worker: Callable[[], bool] | None = None


def _database_ok(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database is "unreachable", never a 500
        return False
    return True


def ops_routes(engine: Engine, metrics: ServiceMetrics, health: Health) -> list[Route]:
    """GET /healthz (200 or 503, JSON) and GET /metrics."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(engine, metrics))

    # Probes run on threads of their own: a database that hangs (rather than refuses) keeps at
    # most these two busy, never the pool that sending and the SMTP receiver use.
    probes = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mailer-probe")

    async def probe(call: Callable[[], T], seconds: float) -> T:
        loop = asyncio.get_running_loop()
        return await asyncio.wait_for(loop.run_in_executor(probes, call), timeout=seconds)

    async def healthz(request: Request) -> Response:
        try:
            db_ok = await probe(lambda: _database_ok(engine), PROBE_SECONDS)
        except TimeoutError:
            db_ok = False
        worker = "off" if health.worker is None else "running" if health.worker() else "stopped"
        ok = db_ok and worker != "stopped"
        body = {
            "status": "ok" if ok else "unhealthy",
            "database": "ok" if db_ok else "unreachable",
            "worker": worker,
        }
        return JSONResponse(body, status_code=200 if ok else 503)

    async def metrics_endpoint(request: Request) -> Response:
        try:
            payload = await probe(lambda: generate_latest(registry), 2 * PROBE_SECONDS)
        except Exception:  # the database went away or hangs: say so, without a traceback
            return Response("database unreachable\n", status_code=503, media_type="text/plain")
        return Response(payload, media_type=PROMETHEUS_TYPE)

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
    ]
