"""Queues: send/receive/accept, content intact, FIFO, outcomes, requeue order, browse, credit,
settlement modes, create-on-demand and not-found."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from proton import Delivery, Handler, Link, Message, Timeout, symbol, ulong, int32, char
from proton.reactor import AtMostOnce, AtLeastOnce, Copy
from proton.utils import LinkDetached

from amqp_helpers import (TIMEOUT, bodies, connect, consume_all, create_queue, drain,
                          expect_not_found, on_demand, pump, receive_n, send, unique, wait_for)

HERE = os.path.dirname(os.path.abspath(__file__))


def rich_messages():
    """Messages with every kind of body and most header/properties fields set."""
    body_values = [
        "h\u00e9llo w\u00f6rld \u2713",                                  # str (amqp-value string)
        b"\x00\x01\x02\xff binary \x00 with nulls",                      # bytes (data section)
        {"k": "v", "n": 42, "nested": {"l": [1, 2.5, "x"]}, "t": True},   # dict (amqp-value map)
        [1, "two", 3.5, None, b"\x00\xff", {"a": 1}, [True, False]],     # list (amqp-value list)
        "",                                                              # empty string
        b"",                                                             # empty data section
    ]
    msgs = []
    for i, body in enumerate(body_values):
        m = Message(body=body)
        m.id = "msg-%d" % i
        m.correlation_id = ulong(1000 + i)
        m.subject = "subject-%d" % i
        m.reply_to = "some-reply-address"
        m.content_type = "application/x-qpidd-test"
        m.group_id = "group-a"
        m.group_sequence = i
        m.creation_time = 1700000000.0 + i
        m.durable = bool(i % 2)
        m.priority = 7
        m.properties = {"index": i, "str": "v%d" % i, "neg": -5, "float": 1.25, "bool": True,
                        "big": 2 ** 40, "i32": int32(7), "ch": char("c"), "none": None}
        m.annotations = {symbol("x-opt-test-annotation"): "ann-%d" % i}
        msgs.append(m)
    return msgs


FIELDS = ["body", "id", "correlation_id", "subject", "reply_to", "content_type", "group_id",
          "group_sequence", "creation_time", "durable", "priority", "properties"]


def assert_same_message(got, sent):
    for f in FIELDS:
        g, s = getattr(got, f), getattr(sent, f)
        assert g == s and type(g) == type(s), "field %s: sent %r (%s), received %r (%s)" % (
            f, s, type(s).__name__, g, type(g).__name__)
    for k, v in sent.annotations.items():
        assert (got.annotations or {}).get(k) == v, "message annotation %s lost: %r" % (k, got.annotations)


# -- basics ------------------------------------------------------------------------------------------

def test_send_receive_accept_content_intact(broker):
    q = unique()
    conn = connect(broker)
    try:
        sent = rich_messages()
        send(conn, q, sent, options=on_demand())
        rcv = conn.create_receiver(q)
        got = receive_n(rcv, len(sent))
        for g, s in zip(got, sent):
            assert_same_message(g, s)
        assert drain(rcv, timeout=0.5) == [], "more messages than were sent"
    finally:
        conn.close()
    assert consume_all(broker, q) == [], "accepted messages were not removed from the queue"


def test_fifo_order_with_prefetch(broker):
    q = unique()
    conn = connect(broker)
    try:
        send(conn, q, ["m%d" % i for i in range(200)], options=on_demand())
        rcv = conn.create_receiver(q, credit=25)
        got = receive_n(rcv, 200)
        assert bodies(got) == ["m%d" % i for i in range(200)]
    finally:
        conn.close()


def test_messages_sent_before_and_after_consumer_attach(broker):
    q = unique()
    conn = connect(broker)
    try:
        create_queue(conn, q)
        send(conn, q, ["before-0", "before-1"])
        rcv = conn.create_receiver(q, credit=10)
        assert bodies(receive_n(rcv, 2)) == ["before-0", "before-1"]
        other = connect(broker)
        try:
            send(other, q, ["after-0", "after-1", "after-2"])
        finally:
            other.close()
        assert bodies(receive_n(rcv, 3)) == ["after-0", "after-1", "after-2"]
    finally:
        conn.close()


class _RawCollector(Handler):
    """Takes each delivery's bytes exactly as they came off the wire."""

    def __init__(self):
        super().__init__()
        self.got = []

    def on_delivery(self, event):
        dlv = event.delivery
        if dlv.readable and not dlv.partial:
            self.got.append(event.link.recv(dlv.pending))
            dlv.update(Delivery.ACCEPTED)
            dlv.settle()


def _skip_section(data, pos):
    """Skips one described section (descriptor + list/map) at pos; returns the new position."""
    assert data[pos] == 0x00, "not a described type at %d" % pos
    pos += 1
    code = data[pos]
    if code == 0x53:       # smallulong descriptor
        pos += 2
    elif code == 0x80:     # ulong descriptor
        pos += 9
    elif code == 0xa3:     # sym8 descriptor
        pos += 2 + data[pos + 1]
    else:
        raise AssertionError("unexpected descriptor constructor 0x%02x" % code)
    c = data[pos]
    if c == 0x45:
        return pos + 1
    if c in (0xc0, 0xc1):
        return pos + 2 + data[pos + 1]
    if c in (0xd0, 0xd1):
        return pos + 5 + int.from_bytes(data[pos + 1:pos + 5], "big")
    raise AssertionError("unexpected section constructor 0x%02x" % c)


def _section_code(data, pos):
    if data[pos] != 0x00:
        return None
    if data[pos + 1] == 0x53:
        return data[pos + 2]
    if data[pos + 1] == 0x80:
        return int.from_bytes(data[pos + 2:pos + 10], "big")
    return None


def bare_message(data):
    """The bare message: what follows the header, delivery-annotations and message-annotations."""
    pos = 0
    while pos < len(data) and _section_code(data, pos) in (0x70, 0x71, 0x72):
        pos = _skip_section(data, pos)
    return data[pos:]


def test_bare_message_passes_byte_for_byte(broker):
    """AMQP 1.0 3.2: the bare message is immutable; the broker may only touch the header and
    annotations. Sent as pre-encoded bytes, compared as raw bytes."""
    q = unique()
    conn = connect(broker)
    try:
        create_queue(conn, q)
        snd = conn.create_sender(q)
        raws = [m.encode() for m in rich_messages()]
        deliveries = []
        for i, raw in enumerate(raws):
            dlv = snd.link.delivery("t%d" % i)
            snd.link.stream(raw)
            snd.link.advance()
            deliveries.append(dlv)
        assert wait_for(conn, lambda: all(d.settled for d in deliveries))
        assert all(d.remote_state == Delivery.ACCEPTED for d in deliveries)
        collector = _RawCollector()
        rcv = conn.create_receiver(q, handler=collector)
        rcv.link.flow(len(raws))
        assert wait_for(conn, lambda: len(collector.got) == len(raws)), (
            "received %d of %d" % (len(collector.got), len(raws)))
        for i, (got, raw) in enumerate(zip(collector.got, raws)):
            assert bare_message(got) == bare_message(raw), (
                "message %d: bare message changed\n sent %s\n got  %s" % (
                    i, bare_message(raw).hex(), bare_message(got).hex()))
    finally:
        conn.close()


@pytest.mark.parametrize("size", [70 * 1024, 1024 * 1024, 4 * 1024 * 1024 + 17])
def test_large_multi_frame_message(broker, size):
    q = unique()
    payload = bytes((i * 7 + size) % 251 for i in range(size))
    conn = connect(broker)
    try:
        send(conn, q, [Message(body=payload, subject="big")], options=on_demand())
        rcv = conn.create_receiver(q)
        m = rcv.receive(timeout=TIMEOUT)
        rcv.accept()
        assert len(m.body) == size and m.body == payload
    finally:
        conn.close()


def test_interleaved_large_messages_on_one_connection(broker):
    """Two links on one connection carry multi-frame messages at the same time, both ways
    (a partial-message buffer per connection instead of per link would mix them up)."""
    qa, qb = unique("qa"), unique("qb")
    size = 600 * 1024
    pa = [bytes([65 + i]) * size for i in range(3)]
    pb = [bytes([97 + i]) * (size + 1000) for i in range(3)]
    conn = connect(broker)
    try:
        sa = conn.create_sender(qa, options=on_demand())
        sb = conn.create_sender(qb, options=on_demand())
        ds = []
        for a, b in zip(pa, pb):
            ds.append(sa.link.send(Message(body=a)))
            ds.append(sb.link.send(Message(body=b)))
        assert wait_for(conn, lambda: all(d.settled for d in ds), timeout=30)
        assert all(d.remote_state == Delivery.ACCEPTED for d in ds)
        ra = conn.create_receiver(qa, credit=3)
        rb = conn.create_receiver(qb, credit=3)
        assert wait_for(conn, lambda: ra.fetcher.has_message == 3 and rb.fetcher.has_message == 3,
                        timeout=30)
        got_a = [ra.fetcher.pop().body for _ in range(3)]
        got_b = [rb.fetcher.pop().body for _ in range(3)]
        assert got_a == pa
        assert got_b == pb
    finally:
        conn.close()


# -- outcomes ----------------------------------------------------------------------------------------

def _modified(rcv, failed=True, undeliverable=False):
    dlv = rcv.fetcher.unsettled.popleft()
    dlv.local.failed = failed
    dlv.local.undeliverable = undeliverable
    dlv.update(Delivery.MODIFIED)
    dlv.settle()


def test_released_message_is_redelivered_first_unchanged(broker):
    """released: the same message comes back first in line. AMQP 1.0 3.4.4: 'the delivery-count
    of the header of the released message MUST NOT be incremented' (qpidd does the same)."""
    q = unique()
    conn = connect(broker)
    try:
        send(conn, q, [Message(body="m%d" % i, properties={"i": i}) for i in range(3)],
             options=on_demand())
        rcv = conn.create_receiver(q)  # no prefetch: one credit per receive()
        m = rcv.receive(timeout=TIMEOUT)
        assert m.body == "m0" and m.delivery_count == 0
        rcv.release(delivered=False)
        pump(conn, 0.3)
        again = rcv.receive(timeout=TIMEOUT)
        assert again.body == "m0", "released m0 was not redelivered first (got %r)" % again.body
        assert again.properties == {"i": 0}
        assert again.delivery_count == 0, (
            "delivery-count after release is %d; AMQP 1.0 says released must not increment it"
            % again.delivery_count)
        rcv.accept()
        assert bodies(receive_n(rcv, 2)) == ["m1", "m2"]
    finally:
        conn.close()


def test_modified_delivery_failed_increments_delivery_count(broker):
    q = unique()
    conn = connect(broker)
    try:
        send(conn, q, ["m0", "m1"], options=on_demand())
        rcv = conn.create_receiver(q)
        m = rcv.receive(timeout=TIMEOUT)
        assert m.body == "m0" and m.delivery_count == 0
        _modified(rcv, failed=True)
        pump(conn, 0.3)
        m = rcv.receive(timeout=TIMEOUT)
        assert m.body == "m0", "modified m0 was not redelivered first (got %r)" % m.body
        assert m.delivery_count == 1
        _modified(rcv, failed=True)
        pump(conn, 0.3)
        m = rcv.receive(timeout=TIMEOUT)
        assert m.body == "m0" and m.delivery_count == 2
        rcv.accept()
        m = rcv.receive(timeout=TIMEOUT)
        assert m.body == "m1" and m.delivery_count == 0
        rcv.accept()
    finally:
        conn.close()


def test_modified_without_delivery_failed_keeps_delivery_count(broker):
    q = unique()
    conn = connect(broker)
    try:
        send(conn, q, ["m0"], options=on_demand())
        rcv = conn.create_receiver(q)
        assert rcv.receive(timeout=TIMEOUT).body == "m0"
        _modified(rcv, failed=False)
        pump(conn, 0.3)
        m = rcv.receive(timeout=TIMEOUT)
        assert m.body == "m0" and m.delivery_count == 0
        rcv.accept()
    finally:
        conn.close()


def test_modified_undeliverable_here_goes_to_another_link(broker):
    """AMQP 1.0 3.4.5: undeliverable-here 'the message MUST NOT be redelivered to the same link'.
    It must not be lost either: another consumer gets it."""
    q = unique()
    conn = connect(broker)
    try:
        send(conn, q, ["m0"], options=on_demand())
        a = conn.create_receiver(q, name=unique("a"))
        assert a.receive(timeout=TIMEOUT).body == "m0"
        _modified(a, failed=True, undeliverable=True)
        a.link.flow(5)
        pump(conn, 1.0)
        assert a.fetcher.has_message == 0, "undeliverable-here message came back to the same link"
        b = conn.create_receiver(q, name=unique("b"))
        m = b.receive(timeout=TIMEOUT)
        assert m.body == "m0"
        b.accept()
    finally:
        conn.close()


def test_expired_message_is_not_delivered(broker):
    """A message whose ttl runs out while queued is discarded (AMQP 1.0 3.2.1 header ttl);
    the one behind it, without ttl, is delivered."""
    q = unique()
    conn = connect(broker)
    try:
        send(conn, q, [Message(body="short-lived", ttl=0.3), Message(body="keeper")],
             options=on_demand())
        time.sleep(1.0)
    finally:
        conn.close()
    assert bodies(consume_all(broker, q)) == ["keeper"]


def test_rejected_message_is_dropped(broker):
    q = unique()
    conn = connect(broker)
    try:
        send(conn, q, ["m0", "m1", "m2"], options=on_demand())
        rcv = conn.create_receiver(q)
        assert rcv.receive(timeout=TIMEOUT).body == "m0"
        rcv.reject()
        assert rcv.receive(timeout=TIMEOUT).body == "m1"
        rcv.accept()
    finally:
        conn.close()
    # m0 never comes back, m2 is still there.
    assert bodies(consume_all(broker, q)) == ["m2"]


# -- unacknowledged messages when a consumer goes away -------------------------------------------------

def _fill(broker, n=10):
    q = unique()
    conn = connect(broker)
    try:
        send(conn, q, [Message(body="m%d" % i, properties={"i": i}) for i in range(n)],
             options=on_demand())
    finally:
        conn.close()
    return q


def _run_child_and_kill(broker, q, n, settle):
    child = subprocess.Popen([sys.executable, os.path.join(HERE, "consumer_child.py"),
                              broker.url, q, str(n), settle],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not line.startswith("READY"):
            line = child.stdout.readline()
            if not line and child.poll() is not None:
                break
        assert line.startswith("READY"), "consumer child failed: %s %s" % (line, child.stderr.read())
        got = json.loads(line[len("READY "):])
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
        child.wait()
    return got


def test_close_with_all_unacked_requeues_in_order(broker):
    q = _fill(broker)
    conn = connect(broker)
    try:
        rcv = conn.create_receiver(q, credit=10)
        assert bodies(receive_n(rcv, 10, accept=False)) == ["m%d" % i for i in range(10)]
    finally:
        conn.close()  # an AMQP close with 10 unsettled deliveries
    got = consume_all(broker, q)
    assert bodies(got) == ["m%d" % i for i in range(10)]
    assert [m.properties["i"] for m in got] == list(range(10))


def test_detach_link_with_unacked_requeues_in_order(broker):
    q = _fill(broker)
    conn = connect(broker)
    try:
        rcv = conn.create_receiver(q, credit=10)
        receive_n(rcv, 10, accept=False)
        rcv.close()  # the link goes, the connection stays
        assert bodies(consume_all(broker, q)) == ["m%d" % i for i in range(10)]
    finally:
        conn.close()


def test_killed_consumer_with_all_unacked_requeues_in_order(broker):
    q = _fill(broker)
    got = _run_child_and_kill(broker, q, 10, "." * 10)
    assert got == ["m%d" % i for i in range(10)]
    assert bodies(consume_all(broker, q, timeout=3)) == ["m%d" % i for i in range(10)]


def test_released_then_killed_requeues_in_original_order(broker):
    """Release m0-m4, then the connection dies with m5-m9 unacked: next consumer gets m0..m9."""
    q = _fill(broker)
    got = _run_child_and_kill(broker, q, 10, "rrrrr.....")
    assert got == ["m%d" % i for i in range(10)]
    assert bodies(consume_all(broker, q, timeout=3)) == ["m%d" % i for i in range(10)]


def test_released_in_reverse_then_closed_requeues_in_original_order(broker):
    q = _fill(broker)
    conn = connect(broker)
    try:
        rcv = conn.create_receiver(q)
        receive_n(rcv, 10, accept=False)
        dl = list(rcv.fetcher.unsettled)
        for d in reversed(dl[:5]):   # release m4, m3, ..., m0
            d.update(Delivery.RELEASED)
            d.settle()
        pump(conn, 0.3)
    finally:
        conn.close()
    assert bodies(consume_all(broker, q)) == ["m%d" % i for i in range(10)]


def test_released_message_goes_back_to_its_original_place(broker):
    """Take m0, m1, m2; release m1 only; accept m0 and m2: the next consumer gets m1, m3, m4."""
    q = _fill(broker, 5)
    conn = connect(broker)
    try:
        rcv = conn.create_receiver(q)
        assert bodies(receive_n(rcv, 3, accept=False)) == ["m0", "m1", "m2"]
        d0, d1, d2 = list(rcv.fetcher.unsettled)
        d1.update(Delivery.RELEASED)
        d1.settle()
        for d in (d0, d2):
            d.update(Delivery.ACCEPTED)
            d.settle()
        rcv.fetcher.unsettled.clear()
        pump(conn, 0.3)
    finally:
        conn.close()
    assert bodies(consume_all(broker, q)) == ["m1", "m3", "m4"]


def test_killed_consumer_holding_part_of_the_queue(broker):
    """The consumer holds m0-m4 unacked while m5-m9 wait in the queue; it dies: m0..m9 in order."""
    q = _fill(broker)
    got = _run_child_and_kill(broker, q, 5, ".....")
    assert got == ["m%d" % i for i in range(5)]
    assert bodies(consume_all(broker, q, timeout=3)) == ["m%d" % i for i in range(10)]


def test_requeued_messages_go_before_later_ones_for_a_live_consumer(broker):
    """c1 holds m0-m2 unacked; c2 takes m3 and accepts it; c1 dies: c2 next gets m0, m1, m2, m4."""
    q = _fill(broker, 5)
    got = _run_child_and_kill_later(broker, q, 3)
    try:
        c2 = connect(broker)
        try:
            r2 = c2.create_receiver(q)
            assert r2.receive(timeout=TIMEOUT).body == "m3"
            r2.accept()
            got.kill()
            # r2 has no credit now; give the broker a moment to see c1's socket die and requeue.
            pump(c2, 1.0)
            assert bodies(receive_n(r2, 4)) == ["m0", "m1", "m2", "m4"]
        finally:
            c2.close()
    finally:
        got.kill()


class _Child:
    def __init__(self, proc, bodies):
        self.proc, self.bodies = proc, bodies

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


def _run_child_and_kill_later(broker, q, n):
    child = subprocess.Popen([sys.executable, os.path.join(HERE, "consumer_child.py"),
                              broker.url, q, str(n), "." * n],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = child.stdout.readline()
    if not line.startswith("READY"):
        child.kill()
        child.wait()
        raise AssertionError("consumer child failed: %s %s" % (line, child.stderr.read()))
    c = _Child(child, json.loads(line[len("READY "):]))
    assert c.bodies == ["m%d" % i for i in range(n)]
    return c


def test_consumer_on_deleted_queue_is_detached(broker):
    """Deleting a queue (through management) detaches its consumers."""
    from proton.utils import LinkDetached
    from proton import Endpoint
    q = _fill(broker, 2)
    conn = connect(broker)
    mconn = connect(broker)
    try:
        rcv = conn.create_receiver(q)
        replies = mconn.create_receiver(None, dynamic=True)
        msnd = mconn.create_sender("$management")
        msnd.send(Message(body={}, reply_to=replies.link.remote_source.address, correlation_id="d1",
                          properties={"operation": "DELETE", "type": "queue", "name": q}))
        resp = replies.receive(timeout=TIMEOUT)
        replies.accept()
        assert resp.properties.get("statusCode") in (200, 204), resp.properties
        try:
            wait_for(conn, lambda: rcv.link.state & Endpoint.REMOTE_CLOSED)
        except LinkDetached:
            pass
        assert rcv.link.state & Endpoint.REMOTE_CLOSED, "consumer still attached to a deleted queue"
    finally:
        mconn.close()
        try:
            conn.close()
        except Exception:
            pass


def test_some_accepted_then_killed_requeues_the_rest_in_order(broker):
    q = _fill(broker)
    got = _run_child_and_kill(broker, q, 10, "a.a.a.a.a.")
    assert got == ["m%d" % i for i in range(10)]
    assert bodies(consume_all(broker, q, timeout=3)) == ["m1", "m3", "m5", "m7", "m9"]


def test_killed_consumer_with_modified_counts_delivery(broker):
    q = _fill(broker, 3)
    got = _run_child_and_kill(broker, q, 3, "m..")
    assert got == ["m0", "m1", "m2"]
    again = consume_all(broker, q, timeout=3)
    assert bodies(again) == ["m0", "m1", "m2"]
    assert again[0].delivery_count >= 1


def test_competing_consumers_each_message_once(broker):
    q = _fill(broker, 20)
    c1, c2 = connect(broker), connect(broker)
    try:
        r1, r2 = c1.create_receiver(q), c2.create_receiver(q)
        got1, got2 = [], []
        for _ in range(10):
            got1.append(r1.receive(timeout=TIMEOUT).body)
            r1.accept()
            got2.append(r2.receive(timeout=TIMEOUT).body)
            r2.accept()
        assert sorted(got1 + got2, key=lambda b: int(b[1:])) == ["m%d" % i for i in range(20)]
        assert got1 == sorted(got1, key=lambda b: int(b[1:]))
        assert got2 == sorted(got2, key=lambda b: int(b[1:]))
        assert drain(r1, 0.3) == [] and drain(r2, 0.3) == []
    finally:
        c1.close()
        c2.close()


# -- browse -------------------------------------------------------------------------------------------

def _browse(conn, q, timeout=1.0):
    rcv = conn.create_receiver(q, credit=20, options=Copy())
    got = []
    while True:
        if not wait_for(conn, lambda: rcv.fetcher.has_message, timeout=timeout):
            break
        got.append(rcv.fetcher.pop())
    # Settle whatever came unsettled with 'accepted': for a browsed (not acquired) message that
    # must not consume it.
    while rcv.fetcher.unsettled:
        rcv.fetcher.settle(Delivery.ACCEPTED)
    pump(conn, 0.2)
    return rcv, got


def test_browse_does_not_consume(broker):
    q = _fill(broker, 5)
    expected = ["m%d" % i for i in range(5)]
    conn = connect(broker)
    try:
        rcv, got = _browse(conn, q)
        assert bodies(got) == expected
        rcv.close()
        rcv2, got2 = _browse(conn, q)
        assert bodies(got2) == expected, "a second browser did not see everything"
        rcv2.close()
    finally:
        conn.close()
    assert bodies(consume_all(broker, q)) == expected, "a consumer after the browsers lost messages"
    conn = connect(broker)
    try:
        _, got3 = _browse(conn, q, timeout=0.5)
        assert got3 == [], "consumed messages are still browsable"
    finally:
        conn.close()


def test_browser_sees_new_messages_and_does_not_steal_from_consumer(broker):
    q = _fill(broker, 2)
    conn = connect(broker)
    try:
        rcv, got = _browse(conn, q)
        assert bodies(got) == ["m0", "m1"]
        send(conn, q, ["m2", "m3"])
        assert wait_for(conn, lambda: rcv.fetcher.has_message == 2)
        assert [rcv.fetcher.pop().body for _ in range(2)] == ["m2", "m3"]
        while rcv.fetcher.unsettled:
            rcv.fetcher.settle(Delivery.ACCEPTED)
        pump(conn, 0.2)
    finally:
        conn.close()
    assert bodies(consume_all(broker, q)) == ["m0", "m1", "m2", "m3"]


# -- credit -------------------------------------------------------------------------------------------

def test_receiver_gets_exactly_its_credit(broker):
    q = _fill(broker, 12)
    conn = connect(broker)
    try:
        rcv = conn.create_receiver(q)   # no credit until we grant it
        pump(conn, 0.5)
        assert rcv.fetcher.has_message == 0, "messages arrived with no credit"
        rcv.link.flow(5)
        assert wait_for(conn, lambda: rcv.fetcher.has_message >= 5)
        pump(conn, 1.0)
        assert rcv.fetcher.has_message == 5, "credit 5 but %d messages" % rcv.fetcher.has_message
        assert rcv.link.credit == 0
        rcv.link.flow(5)
        assert wait_for(conn, lambda: rcv.fetcher.has_message >= 10)
        pump(conn, 1.0)
        assert rcv.fetcher.has_message == 10
        rcv.link.flow(5)
        assert wait_for(conn, lambda: rcv.fetcher.has_message >= 12)
        pump(conn, 0.5)
        assert rcv.fetcher.has_message == 12
        assert [rcv.fetcher.pop().body for _ in range(12)] == ["m%d" % i for i in range(12)]
        # 3 credits left over: the next message sent arrives at once.
        send(conn, q, ["late"])
        assert wait_for(conn, lambda: rcv.fetcher.has_message == 1)
        assert rcv.fetcher.pop().body == "late"
    finally:
        conn.close()


def test_drain_with_no_messages_leaves_no_credit(broker):
    """A drain request on an empty queue is answered (credit consumed, flow echoed)."""
    q = _fill(broker, 1)
    conn = connect(broker)
    try:
        rcv = conn.create_receiver(q)
        rcv.link.drain(10)
        assert wait_for(conn, lambda: rcv.fetcher.has_message == 1)
        assert wait_for(conn, lambda: rcv.link.credit == 0 and not rcv.link.draining()), (
            "drain not completed: credit %d" % rcv.link.credit)
        assert rcv.fetcher.pop().body == "m0"
    finally:
        conn.close()


# -- settlement modes ---------------------------------------------------------------------------------

def test_publisher_gets_accepted_for_each_message(broker):
    q = unique()
    conn = connect(broker)
    try:
        snd = conn.create_sender(q, options=[on_demand(), AtLeastOnce()])
        ds = [snd.link.send(Message(body="m%d" % i)) for i in range(50)]
        assert wait_for(conn, lambda: all(d.settled for d in ds))
        states = [d.remote_state for d in ds]
        assert states == [Delivery.ACCEPTED] * 50, states
    finally:
        conn.close()
    assert bodies(consume_all(broker, q)) == ["m%d" % i for i in range(50)]


def test_presettled_sender(broker):
    q = unique()
    conn = connect(broker)
    try:
        create_queue(conn, q)
        snd = conn.create_sender(q, options=AtMostOnce())
        for i in range(20):
            snd.send(Message(body="m%d" % i))
        assert wait_for(conn, lambda: snd.link.queued == 0), "pre-settled messages not sent"
        pump(conn, 0.3)
    finally:
        conn.close()
    assert bodies(consume_all(broker, q)) == ["m%d" % i for i in range(20)]


def test_presettled_receiver_removes_messages(broker):
    q = _fill(broker, 5)
    conn = connect(broker)
    try:
        rcv = conn.create_receiver(q, options=AtMostOnce())
        assert rcv.link.remote_snd_settle_mode == Link.SND_SETTLED, (
            "broker did not agree to send pre-settled (snd-settle-mode %s)"
            % rcv.link.remote_snd_settle_mode)
        got = [rcv.receive(timeout=TIMEOUT) for _ in range(5)]
        assert bodies(got) == ["m%d" % i for i in range(5)]
        assert len(rcv.fetcher.unsettled) == 0, "deliveries arrived unsettled"
    finally:
        conn.close()  # nothing settled by us: they must be gone anyway
    assert consume_all(broker, q) == []


# -- create-on-demand and not-found -------------------------------------------------------------------

def test_sender_to_missing_node_is_not_found(broker):
    addr = unique("missing")
    conn = connect(broker)
    try:
        expect_not_found(lambda: conn.create_sender(addr), addr)
        # A link error, not a connection error: the connection still works.
        q = unique()
        send(conn, q, ["still-works"], options=on_demand())
        assert bodies(receive_n(conn.create_receiver(q), 1)) == ["still-works"]
    finally:
        conn.close()


def test_receiver_from_missing_node_is_not_found(broker):
    addr = unique("missing")
    conn = connect(broker)
    try:
        expect_not_found(lambda: conn.create_receiver(addr), addr)
    finally:
        conn.close()
    # The failed attach did not create it either.
    conn = connect(broker)
    try:
        expect_not_found(lambda: conn.create_sender(addr), addr)
    finally:
        conn.close()


def test_create_on_demand_from_receiver_side(broker):
    q = unique()
    conn = connect(broker)
    try:
        rcv = conn.create_receiver(q, options=on_demand())
        send(conn, q, ["x"])  # no capability needed now that it exists
        assert rcv.receive(timeout=TIMEOUT).body == "x"
        rcv.accept()
    finally:
        conn.close()


def test_create_on_demand_on_existing_queue_keeps_its_messages(broker):
    q = _fill(broker, 3)
    conn = connect(broker)
    try:
        create_queue(conn, q)  # a declare, not a re-create
    finally:
        conn.close()
    assert bodies(consume_all(broker, q, options=on_demand())) == ["m0", "m1", "m2"]


def test_other_capabilities_do_not_create(broker):
    from amqp_helpers import Capabilities
    addr = unique("missing")
    conn = connect(broker)
    try:
        expect_not_found(lambda: conn.create_sender(addr, options=Capabilities("queue")), addr)
    finally:
        conn.close()


# -- the anonymous relay -------------------------------------------------------------------------------

def test_anonymous_relay_to_queue_and_exchange(broker):
    q = unique()
    key = unique("k")
    conn = connect(broker)
    try:
        create_queue(conn, q)
        from amqp_helpers import direct_filter
        sub = conn.create_receiver("amq.direct", options=direct_filter(key), name=unique("sub"))
        snd = conn.create_sender(None)
        d = snd.send(Message(address=q, body="to-queue"))
        assert d.remote_state == Delivery.ACCEPTED
        d = snd.send(Message(address="amq.direct", subject=key, body="to-exchange"))
        assert d.remote_state == Delivery.ACCEPTED
        assert bodies(receive_n(conn.create_receiver(q), 1)) == ["to-queue"]
        assert bodies(receive_n(sub, 1)) == ["to-exchange"]
    finally:
        conn.close()


def test_anonymous_relay_to_missing_node_is_rejected(broker):
    missing = unique("missing")
    conn = connect(broker)
    try:
        snd = conn.create_sender(None)
        d = snd.send(Message(address=missing, body="x"), error_states=[])
        assert d.remote_state == Delivery.REJECTED, "got %s" % d.remote_state
        cond = d.remote.condition
        assert cond is not None and cond.name == "amqp:not-found", cond
        assert missing in (cond.description or "")
        d = snd.send(Message(body="no to"), error_states=[])
        assert d.remote_state == Delivery.REJECTED, "a message with no 'to' got %s" % d.remote_state
        # The link is still usable.
        q = create_queue(conn, unique())
        assert snd.send(Message(address=q, body="ok")).remote_state == Delivery.ACCEPTED
    finally:
        conn.close()


# -- create-on-demand with the topic capability --------------------------------------------------------

def test_create_on_demand_topic_makes_a_topic_exchange(broker):
    from amqp_helpers import Capabilities, topic_filter
    t = unique("topic")
    conn = connect(broker)
    try:
        snd = conn.create_sender(t, options=Capabilities("create-on-demand", "topic"))
        # An exchange keeps nothing: a message with no subscriber is accepted and dropped.
        assert snd.send(Message(body="nobody", subject="a.b")).remote_state == Delivery.ACCEPTED
        r1 = conn.create_receiver(t, options=topic_filter("a.*"), name=unique("s"))
        r2 = conn.create_receiver(t, options=topic_filter("#"), name=unique("s"))
        for subj in ("a.b", "x.y"):
            assert snd.send(Message(body=subj, subject=subj)).remote_state == Delivery.ACCEPTED
        assert bodies(drain(r1, 0.7)) == ["a.b"]
        assert bodies(drain(r2, 0.7)) == ["a.b", "x.y"]
    finally:
        conn.close()


# -- concurrency ---------------------------------------------------------------------------------------

def test_concurrent_producers_and_consumers(broker):
    """3 producers and 2 consumers on one queue at once, over 2 worker threads: every message
    exactly once, and each producer's messages in order at each consumer."""
    import threading
    q = create_queue_on(broker)
    n_per, producers = 1500, 3
    errors, received = [], [[], []]

    def produce(p):
        try:
            c = connect(broker)
            try:
                snd = c.create_sender(q)
                ds = [snd.link.send(Message(body="p%d-%d" % (p, i))) for i in range(n_per)]
                c.wait(lambda: all(d.settled for d in ds), timeout=60)
                bad = [d.remote_state for d in ds if d.remote_state != Delivery.ACCEPTED]
                if bad:
                    errors.append("producer %d: %d not accepted" % (p, len(bad)))
            finally:
                c.close()
        except Exception as e:  # noqa: BLE001
            errors.append("producer %d: %r" % (p, e))

    stop = threading.Event()

    def consume(k):
        try:
            c = connect(broker)
            try:
                r = c.create_receiver(q, credit=50)
                while not stop.is_set() or r.fetcher.has_message:
                    try:
                        m = r.receive(timeout=0.5)
                    except Timeout:
                        continue
                    r.accept()
                    received[k].append(m.body)
            finally:
                c.close()
        except Exception as e:  # noqa: BLE001
            errors.append("consumer %d: %r" % (k, e))

    cons = [threading.Thread(target=consume, args=(k,)) for k in range(2)]
    prods = [threading.Thread(target=produce, args=(p,)) for p in range(producers)]
    for t in cons + prods:
        t.start()
    for t in prods:
        t.join(120)
    deadline = time.monotonic() + 60
    while sum(map(len, received)) < n_per * producers and time.monotonic() < deadline and not errors:
        time.sleep(0.2)
    stop.set()
    for t in cons:
        t.join(30)
    assert not errors, errors
    everything = received[0] + received[1]
    assert len(everything) == n_per * producers, "received %d of %d" % (len(everything), n_per * producers)
    assert len(set(everything)) == len(everything), "duplicates"
    for k in range(2):
        for p in range(producers):
            seq = [int(b.split("-")[1]) for b in received[k] if b.startswith("p%d-" % p)]
            assert seq == sorted(seq), "consumer %d saw producer %d out of order" % (k, p)


def create_queue_on(broker):
    conn = connect(broker)
    try:
        return create_queue(conn, unique())
    finally:
        conn.close()


def test_aborted_delivery_is_not_enqueued(broker):
    """A multi-frame message aborted half-way is dropped; the link carries on."""
    q = unique()
    conn = connect(broker)
    try:
        snd = conn.create_sender(q, options=on_demand())
        raw = Message(body=b"z" * (512 * 1024)).encode()
        dlv = snd.link.delivery("aborted")
        snd.link.stream(raw[: len(raw) // 2])
        pump(conn, 0.5)          # half of it goes out, in several frames
        dlv.abort()
        pump(conn, 0.3)
        d = snd.send(Message(body="after-abort"))
        assert d.remote_state == Delivery.ACCEPTED
    finally:
        conn.close()
    assert bodies(consume_all(broker, q)) == ["after-abort"]


def test_dynamic_target_sender(broker):
    """A sender with a dynamic target gets a temporary queue's address."""
    from proton.reactor import LinkOption

    class DynamicTarget(LinkOption):
        def apply(self, link):
            link.target.dynamic = True

    conn = connect(broker)
    try:
        snd = conn.create_sender(None, options=DynamicTarget(), name=unique("dyn-snd"))
        addr = snd.link.remote_target.address
        assert addr, "no address for the dynamic target"
        assert snd.send(Message(body="into-dynamic")).remote_state == Delivery.ACCEPTED
        rcv = conn.create_receiver(addr)
        assert bodies(receive_n(rcv, 1)) == ["into-dynamic"]
    finally:
        conn.close()
