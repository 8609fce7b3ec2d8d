"""Queue policies: limits (reject, ring), last-value queues, priorities and fairshare, message
expiry, alternate exchanges (dead letters), delayed auto-delete, exclusive queues and publisher
flow control. Queues and exchanges are declared with attributes and an `arguments` map through
the $management node (doc/management.md); the semantics asserted here are those of
src/broker/queue_settings.h, queue.h, available_messages.h/.cc, broker.h and
src/amqp/incoming_link.cc (the publisher's credit window).
"""

import time

import pytest
from proton import Delivery, Message
from proton.reactor import Copy
from proton.utils import LinkDetached

from amqp_helpers import (TIMEOUT, ManagementRequests, bodies, connect, consume_all, drain, pump, receive_n, send,
                          unique, wait_for)

ACCEPTED, REJECTED = Delivery.ACCEPTED, Delivery.REJECTED
LIMIT_EXCEEDED = "amqp:resource-limit-exceeded"


# -- management (as test_management.py's Mgmt, with helpers for the entities these tests need) --------

class Mgmt(ManagementRequests):
    def __init__(self, broker):
        conn = connect(broker)
        super().__init__(conn, conn.create_sender("$management"),
                         conn.create_receiver(None, dynamic=True))

    def close(self):
        self.conn.close()

    def queue(self, name=None, arguments=None, **attributes):
        """Creates a queue (attributes use '_' for '-': auto_delete=True); returns its name."""
        name = name or unique("pq")
        body = {k.replace("_", "-"): v for k, v in attributes.items()}
        if arguments is not None:
            body["arguments"] = arguments
        status, desc, _ = self.request("CREATE", "queue", name, body)
        assert status == 201, "CREATE queue %s %r: %s %s" % (name, body, status, desc)
        return name

    def exchange(self, xtype, name=None, arguments=None, **attributes):
        name = name or unique("px")
        body = {k.replace("_", "-"): v for k, v in attributes.items()}
        body["exchange-type"] = xtype
        if arguments is not None:
            body["arguments"] = arguments
        status, desc, _ = self.request("CREATE", "exchange", name, body)
        assert status == 201, "CREATE exchange %s %r: %s %s" % (name, body, status, desc)
        return name

    def bind(self, exchange, queue, key=""):
        status, desc, _ = self.request("CREATE", "binding", None,
                                       {"exchange": exchange, "queue": queue, "key": key})
        assert status == 201, "CREATE binding %s->%s: %s %s" % (exchange, queue, status, desc)

    def read(self, queue):
        status, desc, body = self.request("READ", "queue", queue)
        assert status == 200, "READ queue %s: %s %s" % (queue, status, desc)
        return body

    def exists(self, queue):
        status, desc, _ = self.request("READ", "queue", queue)
        assert status in (200, 404), (status, desc)
        return status == 200

    def delete(self, kind, name):
        return self.request("DELETE", kind, name)[:2]

    def dead_letter_queue(self):
        """A fanout exchange and a queue bound to it: (exchange, queue)."""
        x = self.exchange("fanout", unique("dlx"))
        q = self.queue(unique("dlq"))
        self.bind(x, q)
        return x, q


@pytest.fixture(scope="module")
def mgmt(broker):
    m = Mgmt(broker)
    yield m
    m.close()


@pytest.fixture
def conn(broker):
    c = connect(broker)
    yield c
    c.close()


def publish_all(conn, address, messages):
    """One sender; every message sent and settled by the broker. Returns the deliveries (a
    rejection does not raise: look at remote_state and remote.condition)."""
    snd = conn.create_sender(address)
    out = []
    for m in messages:
        if not isinstance(m, Message):
            m = Message(body=m)
        out.append(snd.send(m, error_states=[]))
    snd.close()
    return out


def states(deliveries):
    return [d.remote_state for d in deliveries]


def assert_limit_condition(delivery, queue, *words):
    cond = delivery.remote.condition
    assert cond is not None, "rejected without a condition"
    assert cond.name == LIMIT_EXCEEDED, "condition %s, expected %s" % (cond.name, LIMIT_EXCEEDED)
    desc = cond.description or ""
    assert "'%s'" % queue in desc, "description %r does not name queue %s" % (desc, queue)
    for w in words:
        assert w in desc, "description %r does not mention %r" % (desc, w)
    return desc


def message_size(broker, mgmt, message):
    """The broker's size (byteDepth) of `message` as this client encodes it."""
    q = mgmt.queue(unique("probe"))
    c = connect(broker)
    try:
        publish_all(c, q, [message])
    finally:
        c.close()
    size = mgmt.read(q)["byteDepth"]
    assert mgmt.delete("queue", q)[0] == 204
    assert size > 0
    return size


def browse_all(conn, q, timeout=0.7):
    rcv = conn.create_receiver(q, credit=50, options=Copy())
    got = []
    while wait_for(conn, lambda: rcv.fetcher.has_message, timeout=timeout):
        got.append(rcv.fetcher.pop())
    while rcv.fetcher.unsettled:
        rcv.fetcher.settle(ACCEPTED)
    rcv.close()
    return got


# -- reject policy ------------------------------------------------------------------------------------

@pytest.mark.parametrize("via", ["queue-link", "anonymous-relay"])
def test_reject_count_limit(broker, mgmt, conn, via):
    # Flow control off (explicit 0), so the direct publisher is not held back before the limit.
    q = mgmt.queue(arguments={"qpid.max_count": 3, "qpid.flow_stop_count": 0})
    msgs = ["m%d" % i for i in range(5)]
    if via == "queue-link":
        ds = publish_all(conn, q, msgs)
    else:
        ds = publish_all(conn, None, [Message(address=q, body=b) for b in msgs])
    assert states(ds) == [ACCEPTED] * 3 + [REJECTED] * 2
    desc = assert_limit_condition(ds[3], q, "qpid.max_count")
    assert "holds 3 messages" in desc, desc
    assert_limit_condition(ds[4], q, "qpid.max_count")
    st = mgmt.read(q)
    assert (st["msgDepth"], st["msgTotalEnqueues"], st["limit-policy"], st["maxCount"]) == (3, 3, "reject", 3)
    # Room again after one is consumed.
    rcv = conn.create_receiver(q)
    assert bodies(receive_n(rcv, 1)) == ["m0"]
    rcv.close()
    assert states(publish_all(conn, q, ["m5"])) == [ACCEPTED]
    assert states(publish_all(conn, q, ["m6"])) == [REJECTED]
    assert bodies(consume_all(broker, q)) == ["m1", "m2", "m5"]


def test_reject_byte_limit(broker, mgmt, conn):
    size = message_size(broker, mgmt, Message(body="b" * 200))
    limit = 2 * size + size // 2
    q = mgmt.queue(arguments={"qpid.max_size": limit, "qpid.flow_stop_size": 0})
    ds = publish_all(conn, q, [Message(body=c * 200) for c in "abcd"])
    assert states(ds) == [ACCEPTED, ACCEPTED, REJECTED, REJECTED]
    desc = assert_limit_condition(ds[2], q, "qpid.max_size", "limit of %d bytes" % limit)
    assert "%d + %d bytes" % (2 * size, size) in desc, desc
    st = mgmt.read(q)
    assert (st["msgDepth"], st["byteDepth"], st["maxSize"]) == (2, 2 * size, limit)
    # A smaller message that fits is still accepted.
    assert states(publish_all(conn, q, [Message(body="s")])) == [ACCEPTED]
    assert [m.body[:1] for m in consume_all(broker, q)] == ["a", "b", "s"]


@pytest.mark.parametrize("xtype", ["fanout", "direct"])
def test_reject_through_exchange_names_the_full_queue(broker, mgmt, conn, xtype):
    # Default flow thresholds stay on: they hold back publishers attached to the queue itself,
    # not publishers to an exchange, which meet the limit.
    q = mgmt.queue(arguments={"qpid.max_count": 2})
    x = mgmt.exchange(xtype)
    mgmt.bind(x, q, "key")
    ds = publish_all(conn, x, [Message(body="e%d" % i, subject="key") for i in range(4)])
    assert states(ds) == [ACCEPTED, ACCEPTED, REJECTED, REJECTED]
    assert_limit_condition(ds[2], q, "qpid.max_count", "holds 2 messages")
    assert bodies(consume_all(broker, q)) == ["e0", "e1"]


# -- ring policy -------------------------------------------------------------------------------------

def test_ring_count_keeps_the_newest_in_order(broker, mgmt, conn):
    q = mgmt.queue(arguments={"qpid.max_count": 5, "qpid.policy_type": "ring"})
    send(conn, q, ["m%02d" % i for i in range(13)])     # asserts every one accepted
    st = mgmt.read(q)
    assert (st["msgDepth"], st["discardsRing"], st["limit-policy"]) == (5, 8, "ring"), st
    assert bodies(consume_all(broker, q)) == ["m%02d" % i for i in range(8, 13)]


def test_ring_byte_limit(broker, mgmt, conn):
    size = message_size(broker, mgmt, Message(body="r00"))
    q = mgmt.queue(arguments={"qpid.max_size": 3 * size + size // 2, "qpid.policy_type": "ring"})
    send(conn, q, [Message(body="r%02d" % i) for i in range(10)])
    assert mgmt.read(q)["byteDepth"] == 3 * size
    # A message bigger than the whole ring can never fit: rejected, and nothing is dropped for it.
    big = publish_all(conn, q, [Message(body="B" * (4 * size))])
    assert states(big) == [REJECTED]
    assert_limit_condition(big[0], q)
    assert bodies(consume_all(broker, q)) == ["r07", "r08", "r09"]


def test_ring_never_rejects_nor_holds_back_its_publisher(broker, mgmt, conn):
    q = mgmt.queue(arguments={"qpid.max_count": 10, "qpid.policy_type": "ring"})
    snd = conn.create_sender(q)
    for i in range(150):
        # Each send waits for credit and settlement (BlockingSender): a held-back publisher
        # would time out here.
        d = snd.send(Message(body="n%03d" % i), timeout=5, error_states=[])
        assert d.remote_state == ACCEPTED, "message %d: %s" % (i, d.remote_state)
    snd.close()
    st = mgmt.read(q)
    assert (st["msgDepth"], st["flowStopped"], st["discardsRing"]) == (10, False, 140), st
    assert bodies(consume_all(broker, q)) == ["n%03d" % i for i in range(140, 150)]


# -- last-value queue ----------------------------------------------------------------------------------

LVQ_SEQUENCE = [("a", "a1"), (None, "x1"), ("b", "b1"), ("a", "a2"), (None, "x2"),
                ("c", "c1"), ("b", "b2"), (None, "x3")]
LVQ_EXPECTED = ["x1", "a2", "x2", "c1", "b2", "x3"]


def _lvq_messages():
    return [Message(body=b, properties=({"key": k} if k is not None else {"other": "v"}))
            for k, b in LVQ_SEQUENCE]


def test_lvq_keeps_newest_value_per_key(broker, mgmt, conn):
    q = mgmt.queue(arguments={"qpid.last_value_queue_key": "key"})
    send(conn, q, _lvq_messages())
    st = mgmt.read(q)
    assert (st["msgDepth"], st["discardsLvq"], st["lvqKey"]) == (6, 2, "key"), st
    # One per key, the newest value, in the order the replacing messages arrived; messages
    # without the key are all kept in their place.
    assert bodies(consume_all(broker, q)) == LVQ_EXPECTED


def test_lvq_browser_sees_the_same(broker, mgmt, conn):
    q = mgmt.queue(arguments={"qpid.last_value_queue_key": "key"})
    send(conn, q, _lvq_messages())
    assert bodies(browse_all(conn, q)) == LVQ_EXPECTED
    assert bodies(browse_all(conn, q)) == LVQ_EXPECTED, "browsing consumed"
    # A new value replaces an old one also after browsing.
    send(conn, q, [Message(body="a3", properties={"key": "a"})])
    assert bodies(browse_all(conn, q)) == ["x1", "x2", "c1", "b2", "x3", "a3"]
    assert bodies(consume_all(broker, q)) == ["x1", "x2", "c1", "b2", "x3", "a3"]


def test_lvq_key_values_are_typed(broker, mgmt, conn):
    q = mgmt.queue(arguments={"qpid.last_value_queue_key": "key"})
    send(conn, q, [Message(body="int1", properties={"key": 1}),
                   Message(body="str1", properties={"key": "1"}),
                   Message(body="int1b", properties={"key": 1})])
    assert bodies(consume_all(broker, q)) == ["str1", "int1b"]


def test_lvq_replacement_fits_a_full_queue(broker, mgmt, conn):
    """A last-value message that replaces one frees that one's place: it is accepted by a full
    reject queue; a message with a new key is not."""
    q = mgmt.queue(arguments={"qpid.last_value_queue_key": "key", "qpid.max_count": 2,
                              "qpid.flow_stop_count": 0})
    ds = publish_all(conn, q, [Message(body=b, properties={"key": k})
                               for k, b in [("a", "a1"), ("b", "b1"), ("a", "a2"), ("c", "c1")]])
    assert states(ds) == [ACCEPTED, ACCEPTED, ACCEPTED, REJECTED]
    assert_limit_condition(ds[3], q, "qpid.max_count")
    assert bodies(consume_all(broker, q)) == ["b1", "a2"]


def test_lvq_released_message_replaced_while_out_is_dropped(broker, mgmt, conn):
    q = mgmt.queue(arguments={"qpid.last_value_queue_key": "key"})
    send(conn, q, [Message(body="a1", properties={"key": "a"}),
                   Message(body="b1", properties={"key": "b"})])
    rcv = conn.create_receiver(q)
    assert rcv.receive(timeout=TIMEOUT).body == "a1"     # acquired, not settled
    send(conn, q, [Message(body="a2", properties={"key": "a"})])
    rcv.release(delivered=False)                         # a2 is newer: a1 does not come back
    pump(conn, 0.2)
    rcv.close()
    assert bodies(consume_all(broker, q)) == ["b1", "a2"]


# -- priority and fairshare ------------------------------------------------------------------------------

def _publish_priorities(conn, q, spec):
    send(conn, q, [Message(body=b, priority=p) for p, b in spec])


def test_ten_levels_priority_then_fifo(broker, mgmt, conn):
    q = mgmt.queue(arguments={"qpid.priorities": 10})
    spec = [(3, "p3a"), (7, "p7a"), (0, "p0a"), (9, "p9a"), (7, "p7b"), (3, "p3b"), (5, "p5a"),
            (9, "p9b"), (0, "p0b"), (4, "p4a"), (8, "p8a"), (1, "p1a"), (2, "p2a"), (6, "p6a")]
    _publish_priorities(conn, q, spec)
    assert mgmt.read(q)["priorities"] == 10
    # By priority, highest first; FIFO (publish order) within a priority.
    expected = [b for i, (p, b) in sorted(enumerate(spec), key=lambda e: (-e[1][0], e[0]))]
    assert expected[:3] == ["p9a", "p9b", "p8a"]
    assert bodies(consume_all(broker, q)) == expected


def test_two_levels_fifo_within_a_level(broker, mgmt, conn):
    q = mgmt.queue(arguments={"qpid.priorities": 2})
    # 0-4 is the low level, 5-9 the high one: FIFO within each, whatever the exact priority.
    spec = [(1, "a"), (6, "b"), (4, "c"), (9, "d"), (0, "e"), (5, "f"), (4, "g"), (7, "h")]
    _publish_priorities(conn, q, spec)
    assert bodies(consume_all(broker, q)) == ["b", "d", "f", "h", "a", "c", "e", "g"]


def test_fairshare_two_levels(broker, mgmt, conn):
    q = mgmt.queue(arguments={"qpid.priorities": 10, "qpid.fairshare": 2})
    spec = [(9, "H%d" % i) for i in range(6)] + [(0, "L%d" % i) for i in range(6)]
    _publish_priorities(conn, q, spec)
    # The levels take turns, each giving up to 2 in a row (doc/queues.md).
    assert bodies(consume_all(broker, q)) == [
        "H0", "H1", "L0", "L1", "H2", "H3", "L2", "L3", "H4", "H5", "L4", "L5"]


def test_fairshare_lowest_of_three_levels_is_not_starved(broker, mgmt, conn):
    """With fairshare 2 and three busy levels, every level should get its turn in each round
    (classic qpidd's Fairshare serves each level up to the limit, then the next lower one,
    wrapping to the top: H H M M L L H H ...). The lowest level must not wait until both higher
    levels are empty."""
    q = mgmt.queue(arguments={"qpid.priorities": 10, "qpid.fairshare": 2})
    n = 12
    spec = ([(9, "H%02d" % i) for i in range(n)] + [(5, "M%02d" % i) for i in range(n)]
            + [(0, "L%02d" % i) for i in range(n)])
    _publish_priorities(conn, q, spec)
    got = bodies(consume_all(broker, q))
    assert sorted(got) == sorted(b for _, b in spec)
    assert got[:6] == ["H00", "H01", "M00", "M01", "L00", "L01"]
    first_low = next(i for i, b in enumerate(got) if b.startswith("L"))
    high_left = sum(1 for b in got[first_low:] if b.startswith("H"))
    assert high_left > 0 and first_low < 12, (
        "the lowest level was starved: its first message came %d-th, after every high one "
        "(delivery order %s)" % (first_low + 1, got))


# -- message expiry ----------------------------------------------------------------------------------------

def test_expired_messages_are_never_delivered(broker, mgmt, conn):
    q = mgmt.queue()
    send(conn, q, [Message(body="ttl", ttl=0.2),
                   Message(body="past", expiry_time=time.time() - 60),
                   Message(body="keeper")])
    time.sleep(0.5)
    got = consume_all(broker, q)
    assert bodies(got) == ["keeper"]
    st = mgmt.read(q)
    assert (st["msgDepth"], st["discardsTtl"]) == (0, 2), st


def test_expired_messages_not_browsable(broker, mgmt, conn):
    q = mgmt.queue()
    send(conn, q, [Message(body="ttl", ttl=0.2), Message(body="keeper")])
    time.sleep(0.4)
    assert bodies(browse_all(conn, q)) == ["keeper"]


def test_unexpired_messages_are_delivered(broker, mgmt, conn):
    q = mgmt.queue()
    send(conn, q, [Message(body="long-ttl", ttl=60),
                   Message(body="future", expiry_time=time.time() + 60),
                   Message(body="both", ttl=60, expiry_time=time.time() + 120)])
    time.sleep(0.3)
    got = consume_all(broker, q)
    assert bodies(got) == ["long-ttl", "future", "both"]
    assert abs(got[0].ttl - 60) < 0.01


def test_expired_messages_swept_to_alternate_exchange(fresh_broker):
    broker = fresh_broker("--queue-purge-interval", "1")
    m = Mgmt(broker)
    c = connect(broker)
    try:
        dlx, dlq = m.dead_letter_queue()
        q = m.queue(alternate_exchange=dlx)
        assert m.read(q)["alternate-exchange"] == dlx
        dead = c.create_receiver(dlq, credit=10)
        send(c, q, [Message(body="expiring", ttl=0.3, properties={"n": 1}), Message(body="keeper")])
        # No consumer ever meets it on q: only the sweep (every second) can move it.
        start = time.monotonic()
        got = dead.receive(timeout=4)
        dead.accept()
        assert got.body == "expiring" and got.properties == {"n": 1}
        assert time.monotonic() - start >= 0.25
        st = m.read(q)
        assert (st["msgDepth"], st["discardsTtl"], st["reroutes"]) == (1, 1, 1), st
        assert bodies(consume_all(broker, q)) == ["keeper"]
    finally:
        c.close()
        m.close()


def test_expired_message_met_by_consumer_goes_to_alternate_exchange(broker, mgmt, conn):
    dlx, dlq = mgmt.dead_letter_queue()
    q = mgmt.queue(alternate_exchange=dlx)
    send(conn, q, [Message(body="expiring", ttl=0.2), Message(body="keeper")])
    time.sleep(0.4)
    dead = conn.create_receiver(dlq, credit=10)
    pump(conn, 0.3)
    assert dead.fetcher.has_message == 0, "expired message moved before anyone met it"
    rcv = conn.create_receiver(q)
    assert bodies(receive_n(rcv, 1)) == ["keeper"]
    assert dead.receive(timeout=TIMEOUT).body == "expiring"
    dead.accept()
    st = mgmt.read(q)
    assert (st["discardsTtl"], st["reroutes"]) == (1, 1), st


def test_dead_lettered_expired_messages_stay_on_the_dead_letter_queue(fresh_broker):
    """An expired message sent to the alternate exchange should be kept by the queue bound to
    it for a consumer that comes later (that is what dead-lettering expired messages is for):
    it must not expire again there, neither by its ttl restarting on the dead-letter queue nor
    by an absolute-expiry-time that is already past."""
    broker = fresh_broker("--queue-purge-interval", "1")
    m = Mgmt(broker)
    c = connect(broker)
    try:
        dlx, dlq = m.dead_letter_queue()
        q = m.queue(alternate_exchange=dlx)
        send(c, q, [Message(body="ttl", ttl=0.3), Message(body="past", expiry_time=time.time() - 5)])
        deadline = time.monotonic() + 5
        while m.read(q)["discardsTtl"] < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert m.read(q)["discardsTtl"] == 2, "the sweep did not expire both messages"
        time.sleep(1.5)   # past another sweep and past the ttl again
        st = m.read(dlq)
        got = consume_all(broker, dlq)
        assert sorted(bodies(got)) == ["past", "ttl"], (
            "dead-lettered expired messages were lost from %s (its stats: msgDepth %s, "
            "msgTotalEnqueues %s, discardsTtl %s)" % (dlq, st["msgDepth"], st["msgTotalEnqueues"],
                                                       st["discardsTtl"]))
    finally:
        c.close()
        m.close()


# -- alternate exchanges -------------------------------------------------------------------------------------

def test_consumer_reject_goes_to_alternate_exchange(broker, mgmt, conn):
    dlx, dlq = mgmt.dead_letter_queue()
    q = mgmt.queue(alternate_exchange=dlx)
    originals = [Message(body="text", subject="s0", properties={"i": 0}),
                 Message(body=b"\x00\x01\xffbinary", properties={"i": 1}),
                 Message(body={"k": [1, 2, "three"]}, properties={"i": 2}, correlation_id="cid-2"),
                 Message(body="accepted", properties={"i": 3})]
    send(conn, q, originals)
    rcv = conn.create_receiver(q)
    for i in range(4):
        msg = rcv.receive(timeout=TIMEOUT)
        assert msg.properties["i"] == i
        if i == 3:
            rcv.accept()
        else:
            rcv.reject()
    pump(conn, 0.3)
    dead = consume_all(broker, dlq)
    assert [d.body for d in dead] == ["text", b"\x00\x01\xffbinary", {"k": [1, 2, "three"]}]
    assert [d.properties for d in dead] == [{"i": 0}, {"i": 1}, {"i": 2}]
    assert dead[0].subject == "s0" and dead[2].correlation_id == "cid-2"
    st = mgmt.read(q)
    assert (st["msgDepth"], st["discardsSubscriber"], st["reroutes"]) == (0, 3, 3), st
    assert consume_all(broker, q, timeout=0.3) == []


def test_deleting_a_queue_sends_its_messages_to_the_alternate_exchange(broker, mgmt, conn):
    dlx, dlq = mgmt.dead_letter_queue()
    q = mgmt.queue(alternate_exchange=dlx)
    send(conn, q, ["d%d" % i for i in range(5)])
    assert mgmt.delete("queue", q)[0] == 204
    assert bodies(consume_all(broker, dlq)) == ["d%d" % i for i in range(5)]


def test_deleting_a_queue_also_dead_letters_messages_still_being_delivered(broker, mgmt, conn):
    """Messages acquired by a consumer when the queue is deleted go to the alternate exchange
    once they are released (here: the broker detaches the consumer, which never settled)."""
    dlx, dlq = mgmt.dead_letter_queue()
    q = mgmt.queue(alternate_exchange=dlx)
    send(conn, q, ["d%d" % i for i in range(4)])
    c = connect(broker)
    try:
        rcv = c.create_receiver(q)
        assert rcv.receive(timeout=TIMEOUT).body == "d0"   # acquired, unsettled
        assert mgmt.delete("queue", q)[0] == 204
        with pytest.raises(LinkDetached) as detached:   # the broker detaches the consumer
            pump(c, 2.0)
        assert detached.value.link.remote_condition.name == "amqp:resource-deleted"
    finally:
        c.close()
    assert sorted(bodies(consume_all(broker, dlq))) == ["d0", "d1", "d2", "d3"]


def test_exchange_alternate_gets_unmatched_messages(broker, mgmt, conn):
    ax = mgmt.exchange("fanout")
    aq = mgmt.queue()
    mgmt.bind(ax, aq)
    x = mgmt.exchange("direct", alternate_exchange=ax)
    q = mgmt.queue()
    mgmt.bind(x, q, "known")
    ds = publish_all(conn, x, [Message(body="m-known", subject="known"),
                               Message(body="m-other", subject="other"),
                               Message(body="m-none")])
    assert states(ds) == [ACCEPTED] * 3
    assert bodies(consume_all(broker, q)) == ["m-known"]
    assert bodies(consume_all(broker, aq)) == ["m-other", "m-none"]


def test_exchange_alternate_exchange_as_argument(broker, mgmt, conn):
    ax = mgmt.exchange("fanout")
    aq = mgmt.queue()
    mgmt.bind(ax, aq)
    x = mgmt.exchange("topic", arguments={"alternate-exchange": ax})
    status, _, body = mgmt.request("READ", "exchange", x)
    assert status == 200 and body["alternate-exchange"] == ax
    send(conn, x, [Message(body="nobody", subject="a.b")])
    assert bodies(consume_all(broker, aq)) == ["nobody"]


def test_missing_alternate_exchange_is_refused(mgmt):
    missing = unique("no-such-x")
    q = unique("pq")
    status, desc, _ = mgmt.request("CREATE", "queue", q, {"alternate-exchange": missing})
    assert status == 404, (status, desc)
    assert "'%s'" % missing in (desc or ""), desc
    assert not mgmt.exists(q), "queue created despite its missing alternate exchange"
    status, desc, _ = mgmt.request("CREATE", "queue", q, {"arguments": {"alternate-exchange": missing}})
    assert status == 404 and missing in (desc or ""), (status, desc)
    x = unique("px")
    status, desc, _ = mgmt.request("CREATE", "exchange", x,
                                   {"exchange-type": "direct", "alternate-exchange": missing})
    assert status == 404 and "'%s'" % missing in (desc or ""), (status, desc)
    assert mgmt.request("READ", "exchange", x)[0] == 404


def test_exchange_in_use_as_alternate_cannot_be_deleted(mgmt):
    ax = mgmt.exchange("fanout")
    q = mgmt.queue(alternate_exchange=ax)
    status, desc = mgmt.delete("exchange", ax)
    assert status == 409, (status, desc)
    assert ax in desc and "queue '%s'" % q in desc, desc
    assert mgmt.request("READ", "exchange", ax)[0] == 200
    # The same when an exchange uses it.
    assert mgmt.delete("queue", q)[0] == 204
    x = mgmt.exchange("direct", alternate_exchange=ax)
    status, desc = mgmt.delete("exchange", ax)
    assert status == 409 and "exchange '%s'" % x in desc, (status, desc)
    assert mgmt.delete("exchange", x)[0] == 204
    assert mgmt.delete("exchange", ax)[0] == 204


def test_rejected_without_alternate_is_dropped_and_logged(broker, mgmt, conn):
    q = mgmt.queue()
    send(conn, q, ["r0", "r1"])
    rcv = conn.create_receiver(q)
    assert rcv.receive(timeout=TIMEOUT).body == "r0"
    rcv.reject()
    pump(conn, 0.3)
    rcv.close()
    assert bodies(consume_all(broker, q)) == ["r1"]
    line = ("queue %s: 1 message(s) dropped, rejected by its consumer, and the queue has no "
            "alternate exchange" % q)
    deadline = time.monotonic() + 3
    while line not in broker.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert line in broker.log()


# -- auto-delete ---------------------------------------------------------------------------------------------

def _wait_gone(mgmt, q, timeout):
    start = time.monotonic()
    while mgmt.exists(q):
        if time.monotonic() - start > timeout:
            return None
        time.sleep(0.1)
    return time.monotonic() - start


def test_auto_delete_with_delay(broker, mgmt):
    q = mgmt.queue(auto_delete=True, arguments={"qpid.auto_delete_timeout": 2})
    c = connect(broker)
    try:
        c.create_receiver(q).close()
        left = time.monotonic()
        time.sleep(0.5)
        assert mgmt.exists(q), "deleted at once despite qpid.auto_delete_timeout=2"
        gone = _wait_gone(mgmt, q, 6 - (time.monotonic() - left))
        assert gone is not None, "still there 6 s after its last consumer left"
        assert time.monotonic() - left >= 1.5, "deleted before its delay"
    finally:
        c.close()


def test_auto_delete_delay_consumer_returns(broker, mgmt):
    q = mgmt.queue(auto_delete=True, arguments={"qpid.auto_delete_timeout": 2})
    c = connect(broker)
    try:
        c.create_receiver(q, name="first").close()
        time.sleep(0.5)
        rcv = c.create_receiver(q, name="second")
        send(c, q, ["kept"])
        time.sleep(2.5)   # past the first delay
        assert mgmt.exists(q), "deleted although a consumer came back within the delay"
        assert bodies(receive_n(rcv, 1)) == ["kept"]
        rcv.close()
        assert _wait_gone(mgmt, q, 6) is not None
    finally:
        c.close()


def test_auto_delete_delay_counts_from_the_last_consumer_leaving(broker, mgmt):
    """A consumer comes back within the delay and leaves again: the queue must stay for the
    whole delay after that second departure (the timer started by the first one must not
    delete it early)."""
    q = mgmt.queue(auto_delete=True, arguments={"qpid.auto_delete_timeout": 2})
    c = connect(broker)
    try:
        c.create_receiver(q, name="first").close()
        first_left = time.monotonic()
        time.sleep(0.9)
        c.create_receiver(q, name="second").close()
        last_left = time.monotonic()
        assert last_left - first_left < 1.5
        # Past the first departure's delay, within the second's.
        time.sleep(max(0.0, first_left + 2.5 - time.monotonic()))
        assert time.monotonic() - last_left < 1.9
        checked = time.monotonic() - last_left
        assert mgmt.exists(q), (
            "gone %.1f s after its last consumer left (the second), before its 2 s delay: the "
            "timer armed when the first consumer left fired" % checked)
        assert _wait_gone(mgmt, q, 6) is not None
    finally:
        c.close()


def test_auto_delete_without_delay(broker, mgmt):
    q = mgmt.queue(auto_delete=True)
    c = connect(broker)
    try:
        r1 = c.create_receiver(q, name="r1")
        r2 = c.create_receiver(q, name="r2")
        r1.close()
        assert mgmt.exists(q)
        r2.close()
        assert _wait_gone(mgmt, q, 1.0) is not None, "auto-delete queue outlived its last consumer"
    finally:
        c.close()


# -- exclusive ---------------------------------------------------------------------------------------------

def test_exclusive_queue_refuses_second_consumer(broker, mgmt):
    q = mgmt.queue(exclusive=True)
    c1, c2 = connect(broker), connect(broker)
    try:
        first = c1.create_receiver(q)
        with pytest.raises(LinkDetached) as refused:
            c2.create_receiver(q)
        cond = refused.value.link.remote_condition
        assert cond.name == "amqp:resource-locked", cond
        assert "'%s'" % q in cond.description and "exclusive" in cond.description
        send(c2, q, ["to-first"])
        assert bodies(receive_n(first, 1)) == ["to-first"]
        first.close()
        second = c2.create_receiver(q)
        send(c1, q, ["to-second"])
        assert bodies(receive_n(second, 1)) == ["to-second"]
        assert mgmt.read(q)["consumerCount"] == 1
    finally:
        c1.close()
        c2.close()


# -- publisher flow control -------------------------------------------------------------------------------

def _send_while_credited(conn, snd, messages, idle=1.0):
    """Sends from the iterator while the broker grants credit; stops when none comes for `idle`
    seconds. Waits for every sent message to be settled; returns the deliveries."""
    sent = []
    for m in messages:
        if not wait_for(conn, lambda: snd.link.credit > 0, timeout=idle):
            return sent, m
        sent.append(snd.link.send(m))
    assert wait_for(conn, lambda: all(d.remote_state for d in sent)), "unsettled publishes"
    return sent, None


def test_flow_control_holds_publisher_back(broker, mgmt):
    """qpid.max_count=100, reject policy, default thresholds: flow stops at 80 and resumes at 70.
    IncomingLink::Window() is max_count - flow_stop_count = 20 credits, topped up when at most
    10 are left (the very first grant is 1 credit: the queue also has the default byte limit,
    and its window waits for the first message's size); at the 80th message the queue stops
    flow with at most 20 credits outstanding, so the publisher gets 80 to 100 in and then no
    more credit (never a rejection)."""
    q = mgmt.queue(arguments={"qpid.max_count": 100})
    total = 150
    msgs = iter([Message(body="f%03d" % i) for i in range(total)])
    pc, cc = connect(broker), connect(broker)
    try:
        snd = pc.create_sender(q)
        first, pending = _send_while_credited(pc, snd, msgs)
        n = len(first)
        assert 80 <= n <= 100 and states(first) == [ACCEPTED] * n, \
            "%d sent: %s" % (n, set(states(first)))
        assert snd.link.credit == 0
        st = mgmt.read(q)
        assert (st["msgDepth"], st["flowStopped"]) == (n, True), st
        pump(pc, 0.5)
        assert snd.link.credit == 0, "credit granted while the queue is over its stop threshold"

        # Consume down to 71, still above the resume threshold.
        rcv = cc.create_receiver(q)
        got = receive_n(rcv, n - 71)
        pump(cc, 0.2)
        assert not wait_for(pc, lambda: snd.link.credit > 0, timeout=0.5), "resumed above 70"
        got += receive_n(rcv, 1)   # 70: resumed
        rcv.close()
        assert wait_for(pc, lambda: snd.link.credit > 0), "no credit once the queue was at 70"
        assert snd.link.credit == 20
        second, pending2 = _send_while_credited(pc, snd, _chain(pending, msgs))
        assert states(second) == [ACCEPTED] * 20, len(second)
        assert mgmt.read(q)["msgDepth"] == 90

        # Drain everything; the publisher gets the rest in.
        rcv = cc.create_receiver(q, credit=50)
        got += drain(rcv, timeout=0.5)
        third, left = _send_while_credited(pc, snd, _chain(pending2, msgs))
        assert left is None
        assert states(third) == [ACCEPTED] * (total - n - 20)
        got += drain(rcv, timeout=0.5)
        rcv.close()
        snd.close()
    finally:
        pc.close()
        cc.close()
    assert bodies(got) == ["f%03d" % i for i in range(total)], "messages lost or reordered"
    st = mgmt.read(q)
    assert (st["msgDepth"], st["msgTotalEnqueues"], st["flowStopped"]) == (0, total, False), st


def _chain(first, rest):
    if first is not None:
        yield first
    yield from rest


def test_flow_control_by_bytes_holds_publisher_back(broker, mgmt):
    """qpid.max_size of 10 messages, reject policy, default thresholds (stop at 80%, resume at
    70%): a publisher attached to the queue must be held back (no credit) rather than rejected,
    as with a count limit. IncomingLink::Window() for bytes is
    (max_size - flow_stop_size) / largest message = 2 credits here."""
    size = message_size(broker, mgmt, Message(body="g000"))
    q = mgmt.queue(arguments={"qpid.max_size": 10 * size})
    total = 30
    msgs = iter([Message(body="g%03d" % i) for i in range(total)])
    pc = connect(broker)
    try:
        snd = pc.create_sender(q)
        sent, pending = _send_while_credited(pc, snd, msgs)
        outcome = states(sent)
        st = mgmt.read(q)
        assert REJECTED not in outcome, (
            "publisher rejected instead of held back: %d accepted, %d rejected of %d sent; "
            "credit left %d; queue depth %s, flowStopped %s" % (
                outcome.count(ACCEPTED), outcome.count(REJECTED), len(sent), snd.link.credit,
                st["msgDepth"], st["flowStopped"]))
        assert pending is not None and len(sent) <= 10
        assert st["flowStopped"] is True
        # Each time a consumer drains it, the publisher gets more in: the rest all go, none
        # rejected, in order.
        got = []
        left = pending
        for _ in range(total):
            got += consume_all(broker, q, timeout=0.5)
            if left is None:
                break
            rest, left = _send_while_credited(pc, snd, _chain(left, msgs))
            assert REJECTED not in states(rest)
        assert left is None
        assert bodies(got) == ["g%03d" % i for i in range(total)]
    finally:
        pc.close()
