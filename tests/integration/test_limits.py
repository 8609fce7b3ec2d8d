"""Queue limits: the classic `reject` policy. A publish that would take a queue past its
qpid.max_count or qpid.max_size (default: the broker's --default-queue-limit) is rejected with
amqp:resource-limit-exceeded naming the queue; the queue keeps what it had, and accepts again once
consumers make room. The other classic policies (ring...) are refused until they are built."""

from proton import Delivery, Message
from proton.utils import SendException

from amqp_helpers import connect, consume_all, create_queue, receive_n, unique


def publish(conn, address, body):
    """Sends one message and returns (remote_state, remote condition or None)."""
    snd = conn.create_sender(address)
    try:
        d = snd.send(Message(body=body))
        return d.remote_state, None
    except SendException as e:
        return e.state, getattr(snd.link, "remote_condition", None)
    finally:
        snd.close()


def test_default_queue_limit_rejects_the_publish_that_would_pass_it(fresh_broker):
    broker = fresh_broker("--default-queue-limit", "4000")
    conn = connect(broker)
    try:
        q = create_queue(conn, unique("deflimit"))
        payload = "x" * 1000
        states = [publish(conn, q, payload)[0] for _ in range(5)]
        # Each message is a little over 1000 bytes: three fit in 4000, the fourth does not.
        assert states[:3] == [Delivery.ACCEPTED] * 3
        assert states[3] == Delivery.REJECTED and states[4] == Delivery.REJECTED
        # Nothing was lost or added: the three accepted messages are there, in order.
        assert len(consume_all(broker, q)) == 3
        # Room again: publishing works.
        assert publish(conn, q, "after")[0] == Delivery.ACCEPTED
    finally:
        conn.close()


def test_default_queue_limit_zero_means_no_limit(fresh_broker):
    broker = fresh_broker("--default-queue-limit", "0")
    conn = connect(broker)
    try:
        q = create_queue(conn, unique("nolimit"))
        snd = conn.create_sender(q)
        for _ in range(200):
            assert snd.send(Message(body="y" * 1000)).remote_state == Delivery.ACCEPTED
        snd.close()
        rcv = conn.create_receiver(q)
        assert len(receive_n(rcv, 200)) == 200
    finally:
        conn.close()
