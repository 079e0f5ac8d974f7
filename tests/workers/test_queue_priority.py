"""The counter keeps strict priority on a worker consuming `counter,bulk` (issue 25): with the broker options
`configure` gives, Redis is asked for the queues in the order given, so every waiting counter message comes before
any bulk one (kombu's default turns the order round after each message: a bulk message would come second)."""

from __future__ import annotations

import pytest
from kombu import Connection, Consumer, Exchange, Producer, Queue

from pipeline.settings import Settings
from workers.celery_app import QUEUES, configure

pytestmark = pytest.mark.integration


def test_a_worker_on_counter_and_bulk_takes_every_counter_message_first(redis_broker, tmp_path):
    url, prefix = redis_broker
    app = configure(Settings(data_dir=tmp_path, broker_url=url, redis_key_prefix=prefix))
    queues = [Queue(q, Exchange(q, type="direct"), routing_key=q) for q in QUEUES if q in ("counter", "bulk")]
    taken: list[str] = []
    with Connection(url, transport_options=app.conf.broker_transport_options) as conn:
        producer = Producer(conn.channel())
        for queue, body in [("bulk", "b1"), ("bulk", "b2"), ("bulk", "b3"), ("counter", "c1"), ("counter", "c2")]:
            producer.publish(body, exchange=queue, routing_key=queue, declare=queues)

        def take(body, message):
            taken.append(body)
            message.ack()

        with Consumer(conn.channel(), queues=queues, callbacks=[take], prefetch_count=1):
            while len(taken) < 5:
                conn.drain_events(timeout=5)
    assert taken == ["c1", "c2", "b1", "b2", "b3"]
