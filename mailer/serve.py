"""`mailer serve`: one asyncio process for the web routes, the inbound SMTP receiver and, with
--worker, the delivery worker and the scheduler; SIGTERM stops all of them gracefully."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Generator
from dataclasses import dataclass

import uvicorn
from sqlalchemy import Engine

from mailer.bounces.inbound import InboundHandler, smtp_factory
from mailer.config import Settings
from mailer.errors import MailerError
from mailer.send.schedule import run_scheduler
from mailer.send.worker import Progress, Sender
from mailer.web.app import create_app
from mailer.web.ops import Health, ServiceMetrics, ops_routes
from mailer.webhooks.routes import webhook_routes

__all__ = ["ServeOptions", "serve"]

log = logging.getLogger("mailer.serve")
SMTP_CLOSE_SECONDS = 5.0


@dataclass(frozen=True)
class ServeOptions:
    """Where to listen and what to run."""

    host: str = "127.0.0.1"
    port: int = 8080
    smtp_port: int | None = 2525  # None: no inbound SMTP receiver
    worker: bool = False


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the service stops every part on SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def _app_server(
    settings: Settings,
    engine: Engine,
    options: ServeOptions,
    metrics: ServiceMetrics,
    health: Health,
) -> _Server:
    routes = [
        *webhook_routes(settings, engine, on_auth_failure=metrics.auth_failure),
        *ops_routes(engine, metrics, health),
    ]
    app = create_app(
        settings, engine, routes, body_limits={"/webhooks/": settings.webhook_max_bytes}
    )
    config = uvicorn.Config(
        app,
        host=options.host,
        port=options.port,
        lifespan="off",
        access_log=False,
        log_level="warning",
        server_header=False,
    )
    return _Server(config)


async def _listen_smtp(
    handler: InboundHandler, options: ServeOptions, hostname: str
) -> asyncio.Server | None:
    if options.smtp_port is None:
        return None
    loop = asyncio.get_running_loop()
    try:
        return await loop.create_server(
            smtp_factory(handler, hostname), options.host, options.smtp_port
        )
    except OSError as exc:
        raise MailerError(
            f"cannot listen for SMTP on {options.host}:{options.smtp_port}: {exc.strerror}; "
            "choose another --smtp-port"
        ) from None


async def serve(settings: Settings, engine: Engine, options: ServeOptions) -> Progress | None:
    """Run until SIGTERM or SIGINT; in-flight deliveries finish or go back to the queue."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    inbound = InboundHandler(engine, settings)
    metrics = ServiceMetrics(inbound=lambda: inbound.stats.outcomes)
    sender = Sender(engine, settings, foreground=False, on_progress=lambda p: _count(metrics, p))
    work: asyncio.Task[Progress] | None = None
    health = Health()
    server = _app_server(settings, engine, options, metrics, health)
    smtp = await _listen_smtp(inbound, options, settings.bounce_domain)
    web = asyncio.create_task(_serve_web(server, options))
    try:
        await _started(server, web)
    except BaseException:
        if smtp is not None:
            smtp.close()
        raise
    # The worker starts only once both listeners are up: a port in use must not interrupt a
    # send half-way.
    scheduler = asyncio.create_task(run_scheduler(engine, stop)) if options.worker else None
    if options.worker:
        work = asyncio.create_task(sender.run())
        health.worker = lambda: not work.done()
    log.info("serving http://%s:%d", options.host, options.port)
    try:
        await _until_stopped(stop, web, work)
    finally:
        await _shutdown(server, web, smtp, sender, work, scheduler, stop)
    return work.result() if work is not None and not work.cancelled() else None


def _count(metrics: ServiceMetrics, progress: Progress) -> None:
    metrics.worker_sent = progress.done


async def _serve_web(server: _Server, options: ServeOptions) -> None:
    try:
        await server.serve()
    except SystemExit:
        # uvicorn logs why and calls sys.exit() when it cannot start; the usual cause is the port.
        raise MailerError(
            f"cannot listen for HTTP on {options.host}:{options.port}; choose another --port"
        ) from None


async def _started(server: _Server, web: asyncio.Task[None]) -> None:
    while not server.started:
        if web.done():
            web.result()  # raises the MailerError above
            raise MailerError("the web server stopped while starting")
        await asyncio.sleep(0.02)


async def _until_stopped(
    stop: asyncio.Event, web: asyncio.Task[None], work: asyncio.Task[Progress] | None
) -> None:
    waiters: list[asyncio.Task[object]] = [asyncio.create_task(stop.wait()), web]
    if work is not None:
        waiters.append(work)
    await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    waiters[0].cancel()


async def _shutdown(
    server: _Server,
    web: asyncio.Task[None],
    smtp: asyncio.Server | None,
    sender: Sender,
    work: asyncio.Task[Progress] | None,
    scheduler: asyncio.Task[None] | None,
    stop: asyncio.Event,
) -> None:
    stop.set()
    sender.stop.set()  # in-flight messages finish and are recorded; the rest go back queued
    if smtp is not None:
        smtp.close()  # no new SMTP clients
    server.should_exit = True
    for task in (work, scheduler, web):
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task
    if smtp is not None:
        # Python 3.12+ waits here for open client connections (an idle one could hold us for
        # minutes); what a client sent is committed before it is answered, so a transaction
        # cut short is only resent by its MTA.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(smtp.wait_closed(), timeout=SMTP_CLOSE_SECONDS)
    log.info("stopped")
