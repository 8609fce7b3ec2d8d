"""Management over AMQP 1.0: requests to the `$management` node (AMQP Management draft style).

Requests carry application-properties `operation` (CREATE, READ, DELETE, QUERY...), `type`, `name`
and a map body; replies carry `statusCode` and `statusDescription` and go to the request's reply-to.
The types and attributes are those of doc/management.md (src/management/protocol.h); these tests
skip, saying so, while the broker has no `$management` node.
"""

import os

import pytest
from proton import Message
from proton.utils import LinkDetached

from amqp_helpers import (TIMEOUT, ManagementRequests, bodies, connect, consume_all, direct_filter, drain,
                          expect_not_found, send, topic_filter, unique)

DOC = os.path.join(os.path.dirname(__file__), "..", "..", "doc", "management.md")

# Entity type names, as src/management/protocol.h spells them (doc/management.md documents them).
TYPES = {"queue": "queue", "exchange": "exchange", "binding": "binding"}


def _type(kind):
    return TYPES[kind]


@pytest.fixture(scope="module")
def mgmt(broker):
    conn = connect(broker)
    try:
        snd = conn.create_sender("$management")
    except LinkDetached as e:
        conn.close()
        pytest.skip("the broker has no $management node yet: %s" % e)
    replies = conn.create_receiver(None, dynamic=True)
    m = Mgmt(conn, snd, replies)
    yield m
    conn.close()


class Mgmt(ManagementRequests):
    def names(self, kind):
        status, desc, body = self.request("QUERY", entityType=_type(kind), type="org.amqp.management",
                                          name="self", body={"attributeNames": []})
        assert status == 200, "QUERY %s: %s %s" % (kind, status, desc)
        names = _query_names(body)
        assert names is not None, "cannot read names from the QUERY reply %r" % (body,)
        return names


def _query_names(body):
    """AMQP Management QUERY reply: {attributeNames: [...], results: [[...], ...]}."""
    if isinstance(body, dict) and "attributeNames" in body and "results" in body:
        attrs = list(body["attributeNames"])
        if "name" not in attrs:
            return None
        i = attrs.index("name")
        return [row[i] for row in body["results"]]
    if isinstance(body, list):  # a list of maps
        return [e.get("name") for e in body if isinstance(e, dict)]
    return None


def test_create_list_delete_queue(broker, mgmt):
    q = unique("mq")
    status, desc, _ = mgmt.request("CREATE", _type("queue"), q, {})
    assert status == 201, "CREATE queue: %s %s" % (status, desc)
    assert q in mgmt.names("queue")
    conn = connect(broker)
    try:
        send(conn, q, ["via-management"])   # exists: no create-on-demand needed
    finally:
        conn.close()
    status, desc, body = mgmt.request("READ", _type("queue"), q)
    assert status == 200, "READ queue: %s %s" % (status, desc)
    assert isinstance(body, dict) and body.get("name") == q
    status, desc, _ = mgmt.request("DELETE", _type("queue"), q)
    assert status == 204, "DELETE queue: %s %s" % (status, desc)
    assert q not in mgmt.names("queue")
    conn = connect(broker)
    try:
        expect_not_found(lambda: conn.create_sender(q), q)
    finally:
        conn.close()


def test_create_existing_and_delete_missing(mgmt):
    q = unique("mq")
    assert mgmt.request("CREATE", _type("queue"), q, {})[0] == 201
    status, desc, _ = mgmt.request("CREATE", _type("queue"), q, {})
    assert status == 409, "second CREATE of %s gave %s %s" % (q, status, desc)
    assert mgmt.request("DELETE", _type("queue"), q)[0] == 204
    status, desc, _ = mgmt.request("DELETE", _type("queue"), q)
    assert status == 404, "DELETE of a missing queue: %s %s" % (status, desc)
    assert q in (desc or ""), "404 description %r does not name %s" % (desc, q)


def test_bad_requests(mgmt):
    status, desc, _ = mgmt.request("FROBNICATE", _type("queue"), unique("mq"))
    assert 400 <= status < 500 and status != 404 or status == 501, (status, desc)
    status, desc, _ = mgmt.request("CREATE", "no-such-type", unique("x"), {})
    assert 400 <= status < 500, (status, desc)
    status, desc, _ = mgmt.request("READ", _type("queue"), unique("missing"))
    assert status == 404, (status, desc)


def test_exchange_subscription_queue_deleted_when_link_closes(broker, mgmt):
    before = set(mgmt.names("queue"))
    conn = connect(broker)
    try:
        r = conn.create_receiver("amq.direct", options=direct_filter(unique("k")))
        during = set(mgmt.names("queue")) - before
        assert len(during) == 1, "expected one private queue for the subscription, got %r" % during
        r.close()
        after = set(mgmt.names("queue"))
        assert not (during & after), "subscription queue %r outlived its link" % during
    finally:
        conn.close()


@pytest.mark.parametrize("xtype,key,subjects,expected", [
    ("direct", "k1", ["k1", "k2", "k1"], [0, 2]),
    ("topic", "a.#", ["a", "a.b.c", "b.a"], [0, 1]),
    ("fanout", "", ["x", "y"], [0, 1]),
])
def test_user_declared_exchange(broker, mgmt, xtype, key, subjects, expected):
    x = unique("x-" + xtype)
    status, desc, _ = mgmt.request("CREATE", _type("exchange"), x, {"exchange-type": xtype})
    assert status == 201, "CREATE %s exchange: %s %s" % (xtype, status, desc)
    try:
        conn = connect(broker)
        try:
            flt = topic_filter(key) if xtype == "topic" else (direct_filter(key) if key else None)
            r = conn.create_receiver(x, credit=20, options=flt)
            msgs = [Message(body="m%d" % i, subject=s) for i, s in enumerate(subjects)]
            send(conn, x, msgs)
            assert bodies(drain(r, 0.7)) == ["m%d" % i for i in expected]
        finally:
            conn.close()
    finally:
        assert mgmt.request("DELETE", _type("exchange"), x)[0] in (200, 204)


def test_user_declared_headers_exchange(broker, mgmt):
    x = unique("x-headers")
    status, desc, _ = mgmt.request("CREATE", _type("exchange"), x, {"exchange-type": "headers"})
    assert status == 201, "CREATE headers exchange: %s %s" % (status, desc)
    from amqp_helpers import headers_filter
    conn = connect(broker)
    try:
        r = conn.create_receiver(x, credit=20, options=headers_filter({"x-match": "any", "a": "1", "b": "2"}))
        send(conn, x, [Message(body="yes", properties={"a": "1"}), Message(body="no", properties={"a": "2"}),
                       Message(body="yes2", properties={"b": "2", "a": "9"})])
        assert bodies(drain(r, 0.7)) == ["yes", "yes2"]
    finally:
        conn.close()
        mgmt.request("DELETE", _type("exchange"), x)


def test_builtin_exchange_cannot_be_deleted(mgmt):
    status, desc, _ = mgmt.request("DELETE", _type("exchange"), "amq.direct")
    assert status == 403, "DELETE amq.direct: %s %s" % (status, desc)
    conn = mgmt.conn
    assert conn.create_sender("amq.direct", name=unique("still")).link.remote_target.address == "amq.direct"


def test_binding_via_management(broker, mgmt):
    q, x = unique("bq"), unique("bx")
    assert mgmt.request("CREATE", _type("queue"), q, {})[0] == 201
    assert mgmt.request("CREATE", _type("exchange"), x, {"exchange-type": "direct"})[0] == 201
    try:
        status, desc, _ = mgmt.request("CREATE", _type("binding"), None,
                                       {"exchange": x, "queue": q, "key": "rk"})
        assert status == 201, "CREATE binding: %s %s" % (status, desc)
        conn = connect(broker)
        try:
            send(conn, x, [Message(body="routed", subject="rk"), Message(body="not", subject="other")])
        finally:
            conn.close()
        assert bodies(consume_all(broker, q)) == ["routed"]
    finally:
        mgmt.request("DELETE", _type("exchange"), x)
        mgmt.request("DELETE", _type("queue"), q)


def _read(mgmt, q):
    status, desc, body = mgmt.request("READ", _type("queue"), q)
    assert status == 200, "READ %s: %s %s" % (q, status, desc)
    return body


def test_queue_statistics(broker, mgmt):
    q = unique("stats")
    assert mgmt.request("CREATE", _type("queue"), q, {})[0] == 201
    conn = connect(broker)
    try:
        send(conn, q, ["a", "bb", "ccc"])
        st = _read(mgmt, q)
        assert (st["msgDepth"], st["msgTotalEnqueues"], st["msgTotalDequeues"], st["consumerCount"]) == (3, 3, 0, 0), st
        assert st["byteDepth"] > 0
        rcv = conn.create_receiver(q)
        m = rcv.receive(timeout=TIMEOUT)   # acquired, not yet accepted
        st = _read(mgmt, q)
        assert (st["msgDepth"], st["msgAcquired"], st["consumerCount"]) == (3, 1, 1), st
        rcv.accept()
        from amqp_helpers import pump
        pump(conn, 0.3)
        st = _read(mgmt, q)
        assert (st["msgDepth"], st["msgAcquired"], st["msgTotalDequeues"]) == (2, 0, 1), st
        rcv.close()
        st = _read(mgmt, q)
        assert st["consumerCount"] == 0, st
    finally:
        conn.close()
        mgmt.request("DELETE", _type("queue"), q)


def test_purge_removes_available_not_acquired(broker, mgmt):
    q = unique("purge")
    assert mgmt.request("CREATE", _type("queue"), q, {})[0] == 201
    conn = connect(broker)
    try:
        send(conn, q, ["m0", "m1", "m2", "m3"])
        rcv = conn.create_receiver(q)
        assert rcv.receive(timeout=TIMEOUT).body == "m0"   # acquired
        status, desc, body = mgmt.request("PURGE", _type("queue"), q)
        assert status == 200, (status, desc)
        assert body == {"messages": 3}, body
        rcv.release(delivered=False)   # m0 goes back
    finally:
        conn.close()
    assert bodies(consume_all(broker, q)) == ["m0"]


def test_delete_if_empty_and_if_unused(broker, mgmt):
    q = unique("guarded")
    assert mgmt.request("CREATE", _type("queue"), q, {})[0] == 201
    conn = connect(broker)
    try:
        send(conn, q, ["x"])
        status, desc, _ = mgmt.request("DELETE", _type("queue"), q, {"if-empty": True})
        assert status == 409, (status, desc)
        rcv = conn.create_receiver(q, credit=0)
        status, desc, _ = mgmt.request("DELETE", _type("queue"), q, {"if-unused": True})
        assert status == 409, (status, desc)
        rcv.close()
        assert _read(mgmt, q)["msgDepth"] == 1
        assert mgmt.request("DELETE", _type("queue"), q, {"if-unused": True})[0] == 204
    finally:
        conn.close()


def test_auto_delete_queue_goes_with_its_last_consumer(broker, mgmt):
    q = unique("auto")
    assert mgmt.request("CREATE", _type("queue"), q, {"auto-delete": True})[0] == 201
    conn = connect(broker)
    try:
        r1 = conn.create_receiver(q, name=unique("r"))
        r2 = conn.create_receiver(q, name=unique("r"))
        r1.close()
        assert mgmt.request("READ", _type("queue"), q)[0] == 200, "deleted while a consumer remained"
        r2.close()
        import time
        deadline = time.monotonic() + 5
        while mgmt.request("READ", _type("queue"), q)[0] != 404:
            if time.monotonic() > deadline:
                pytest.fail("auto-delete queue %s still exists 5 s after its last consumer detached" % q)
            time.sleep(0.1)
    finally:
        conn.close()


def test_publisher_to_deleted_queue_is_not_told_accepted(broker, mgmt):
    """Once its queue is deleted, a publisher's message must not be settled 'accepted' (that
    would claim a message is safe that went nowhere): the link is detached or the message rejected."""
    from proton import Delivery
    from proton.utils import SendException
    from proton import ConnectionException, LinkException
    q = unique("gone")
    assert mgmt.request("CREATE", _type("queue"), q, {})[0] == 201
    conn = connect(broker)
    try:
        snd = conn.create_sender(q)
        assert mgmt.request("DELETE", _type("queue"), q)[0] == 204
        try:
            d = snd.send(Message(body="into the void"), error_states=[])
        except (LinkDetached, LinkException, SendException) as e:
            return
        assert d.remote_state != Delivery.ACCEPTED, "message to a deleted queue was accepted"
    finally:
        try:
            conn.close()
        except Exception:
            pass


def test_plain_query_by_type(mgmt):
    q = unique("pq")
    assert mgmt.request("CREATE", _type("queue"), q, {})[0] == 201
    try:
        status, desc, body = mgmt.request("QUERY", _type("queue"), body={"attributeNames": ["name", "msgDepth"]})
        assert status == 200, (status, desc)
        assert body["attributeNames"] == ["name", "msgDepth"]
        assert [q, 0] in [list(r) for r in body["results"]]
        status, desc, _ = mgmt.request("QUERY", _type("queue"), body={"attributeNames": ["nosuchattr"]})
        assert status == 400 and "nosuchattr" in (desc or ""), (status, desc)
    finally:
        mgmt.request("DELETE", _type("queue"), q)


def test_exchange_with_another_type_is_a_conflict(mgmt):
    x = unique("xc")
    assert mgmt.request("CREATE", _type("exchange"), x, {"exchange-type": "direct"})[0] == 201
    try:
        status, desc, _ = mgmt.request("CREATE", _type("exchange"), x, {"exchange-type": "topic"})
        assert status == 409, (status, desc)
    finally:
        assert mgmt.request("DELETE", _type("exchange"), x)[0] == 204


def test_exclusive_queue_takes_one_consumer_at_a_time(broker, mgmt):
    q = unique("excl")
    status, desc, _ = mgmt.request("CREATE", _type("queue"), q, {"exclusive": True})
    assert status == 201, desc
    conn = connect(broker)
    try:
        first = conn.create_receiver(q, name="first")
        with pytest.raises(LinkDetached) as refused:
            conn.create_receiver(q, name="second")
        assert "amqp:resource-locked" in str(refused.value)
        assert "queue '%s' is exclusive" % q in str(refused.value)
        first.close()
        # Once the first consumer is gone, another may take its place.
        second = conn.create_receiver(q, name="third")
        send(conn, q, ["after"])
        assert bodies(drain(second)) == ["after"]
    finally:
        conn.close()
