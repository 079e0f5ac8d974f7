"""The Celery app. Configured at the edges (`yichuang worker`, the API) from settings by `configure`."""

from __future__ import annotations

from celery import Celery
from kombu import Exchange, Queue

from pipeline.settings import Settings

app = Celery("yichuang", include=["workers.tasks"])

QUEUES = ("counter", "bulk", "webhooks")  # webhooks: deliveries, apart from OCR work


def configure(settings: Settings, *, worker: bool = False) -> Celery:
    """`worker=True` (`yichuang worker`): the consumer's Redis socket timeout is the longer
    `redis_worker_socket_timeout`. A consumer whose read timed out mid-reply (an ack while Redis was frozen) was
    left consuming nothing (Celery/kombu); waiting out a freeze of up to that long keeps it consuming after."""
    broker = settings.resolved_broker_url()
    options: dict = {}
    if broker.startswith("filesystem"):
        folder = settings.broker_folder()
        for sub in ("queue", "processed", "control"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        options = {"data_folder_in": str(folder / "queue"), "data_folder_out": str(folder / "queue"),
                   "processed_folder": str(folder / "processed"), "store_processed": False,
                   "control_folder": str(folder / "control")}
    elif broker.startswith(("redis", "rediss")):
        # Above the hard time limit, so a running task is never handed to a second worker.
        options = {"visibility_timeout": settings.task_time_limit + 2 * settings.lease_margin,
                   "global_keyprefix": f"{settings.redis_key_prefix}:",
                   # A stopped or unreachable Redis fails a publish within seconds instead of holding it.
                   "socket_timeout": settings.redis_worker_socket_timeout if worker else settings.redis_socket_timeout,
                   "socket_connect_timeout": settings.redis_connect_timeout,
                   "retry_on_timeout": False, "health_check_interval": 10,
                   # queues in the order given (counter first), not round robin: strict priority for the counter
                   "queue_order_strategy": "priority"}
    app.conf.update(
        broker_url=broker,
        broker_transport_options=options,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=settings.redis_connect_timeout,
        # One quick retry, then the caller's fallback (the row stays `queued`; the sweeper sends it later).
        task_publish_retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5},
        worker_proc_alive_timeout=settings.worker_start_timeout,
        result_backend=None,
        task_ignore_result=True,
        task_queues=[Queue(q, Exchange(q, type="direct"), routing_key=q) for q in QUEUES],
        task_default_exchange="bulk",
        task_default_routing_key="bulk",
        task_default_queue="bulk",
        task_acks_late=True,  # tasks are idempotent (claims are compare-and-set)
        task_reject_on_worker_lost=False,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=settings.task_soft_time_limit,
        task_time_limit=settings.task_time_limit,
        worker_hijack_root_logger=False,
        worker_concurrency=settings.worker_concurrency,
        task_serializer="json",
        accept_content=["json"],
        timezone="Asia/Shanghai",
        enable_utc=True,
    )
    _drop_cached_connections()
    return app


# Redis serves priority 0 first: an upload sent again (its worker died, its message was lost) goes ahead of
# the queue it already waited in once. The embedded filesystem broker ignores priorities.
NORMAL_PRIORITY, RESEND_PRIORITY = 6, 0


def publish(task, args: list, queue: str, *, resend: bool = False) -> None:
    """Send a task without time limits in the message, so the worker's own settings decide them.

    Celery copies the publisher's limits (bound once per process from its first configuration) into
    every message, and a worker obeys the message over its own settings. The priority is explicit for the
    same reason. `resend`: the sweeper sends a row again."""
    task.apply_async(args=args, queue=queue, time_limit=None, soft_time_limit=None,
                     priority=RESEND_PRIORITY if resend else NORMAL_PRIORITY)


def _drop_cached_connections() -> None:
    """Celery caches its connection and producer pools on first use; a reconfigured app (another data
    folder or broker, as in one test process that builds several services) must not keep publishing to
    the old broker."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


def broker_ping(settings: Settings) -> None:
    """Readiness of the broker (GET /readyz, `yichuang worker` start-up): raises `BrokerUnavailable`."""
    from pipeline.errors import BrokerUnavailable

    url = settings.resolved_broker_url()
    if url.startswith("filesystem"):
        if not settings.broker_folder().is_dir():
            raise BrokerUnavailable(detail="broker folder missing")
        return
    if url.startswith(("redis", "rediss")):
        import redis

        client = redis.Redis.from_url(url, socket_timeout=settings.redis_socket_timeout,
                                      socket_connect_timeout=settings.redis_connect_timeout)
        try:
            client.ping()
        except redis.RedisError as exc:
            raise BrokerUnavailable(detail=type(exc).__name__) from exc
        finally:
            client.close()
