"""Exchanges: the built-in amq.direct, amq.topic, amq.fanout and amq.match.

Sending to an exchange address routes by the message's subject. Receiving from an exchange
address gives the link a private queue bound with the link's filter (qpidd's
legacy-amqp-{direct,topic,headers}-binding filters); with no filter it is bound with the empty key
(direct), '#' (topic) or unconditionally (fanout). An unroutable message is accepted and dropped.
"""

import pytest
from proton import Delivery, Message

from amqp_helpers import (TIMEOUT, bodies, connect, direct_filter, drain, headers_filter, send,
                          topic_filter, unique)


def _recv(conn, exchange, flt=None):
    # Proton names a link <container>-<address>; several subscriptions to one exchange on one
    # connection need names of their own (AMQP: a link name is unique per connection and role).
    return conn.create_receiver(exchange, credit=50, options=flt, name=unique("sub"))


def _publish(conn, exchange, items):
    """items: (body, subject, application-properties) tuples; every one must be accepted."""
    msgs = []
    for body, subject, props in items:
        m = Message(body=body)
        if subject is not None:
            m.subject = subject
        if props:
            m.properties = props
        msgs.append(m)
    send(conn, exchange, msgs)


def _got(rcv):
    return bodies(drain(rcv, timeout=0.7))


def test_builtin_exchanges_exist(broker):
    conn = connect(broker)
    try:
        for name in ("amq.direct", "amq.topic", "amq.fanout", "amq.match"):
            snd = conn.create_sender(name)  # no create-on-demand: they must already exist
            assert snd.link.remote_target.address == name
            snd.close()
    finally:
        conn.close()


def test_direct_routes_by_subject(broker):
    k1, k2 = unique("k1"), unique("k2")
    conn = connect(broker)
    try:
        r1 = _recv(conn, "amq.direct", direct_filter(k1))
        r2 = _recv(conn, "amq.direct", direct_filter(k2))
        r1b = _recv(conn, "amq.direct", direct_filter(k1))  # its own queue: gets copies too
        pub = connect(broker)
        try:
            _publish(pub, "amq.direct", [("a", k1, None), ("b", k2, None), ("c", unique("k3"), None),
                                         ("d", k1, None), ("e", k1 + ".x", None)])
        finally:
            pub.close()
        assert _got(r1) == ["a", "d"]
        assert _got(r2) == ["b"]
        assert _got(r1b) == ["a", "d"]
    finally:
        conn.close()


def test_direct_without_filter_binds_empty_key(broker):
    conn = connect(broker)
    try:
        r = _recv(conn, "amq.direct")
        pub = connect(broker)
        try:
            _publish(pub, "amq.direct", [("keyed", unique("k"), None), ("no-subject", None, None),
                                         ("empty-subject", "", None)])
        finally:
            pub.close()
        got = _got(r)
        assert "keyed" not in got
        assert got == ["no-subject", "empty-subject"]
    finally:
        conn.close()


@pytest.mark.parametrize("pattern,expected", [
    ("{p}.*", ["{p}.b", "{p}.c"]),
    ("{p}.#", ["{p}", "{p}.b", "{p}.b.c", "{p}.c"]),
    ("#.{p}", ["{p}", "x.{p}", "x.y.{p}"]),
    ("*.{p}", ["x.{p}"]),
    ("{p}.*.c", ["{p}.b.c"]),
    ("{p}.#.c", ["{p}.b.c", "{p}.c"]),
    ("{p}", ["{p}"]),
])
def test_topic_wildcards(broker, pattern, expected):
    p = unique("t").replace("-", "")
    subjects = [s.format(p=p) for s in
                ["{p}", "{p}.b", "{p}.b.c", "x.{p}", "x.y.{p}", "{p}.c", "{p}b", "b.{p}.c"]]
    conn = connect(broker)
    try:
        r = _recv(conn, "amq.topic", topic_filter(pattern.format(p=p)))
        pub = connect(broker)
        try:
            _publish(pub, "amq.topic", [(s, s, None) for s in subjects])
        finally:
            pub.close()
        want = [s.format(p=p) for s in expected]
        assert _got(r) == [s for s in subjects if s in want], "pattern %s" % pattern
    finally:
        conn.close()


def test_topic_without_filter_gets_everything(broker):
    conn = connect(broker)
    try:
        r = _recv(conn, "amq.topic")
        pub = connect(broker)
        try:
            _publish(pub, "amq.topic", [("1", "a.b", None), ("2", "zzz", None), ("3", None, None)])
        finally:
            pub.close()
        got = _got(r)
        # Other tests may publish to amq.topic at the same time only under their own unique
        # subjects; these three must all be here, in order.
        assert [b for b in got if b in ("1", "2", "3")] == ["1", "2", "3"]
    finally:
        conn.close()


def test_fanout_delivers_to_every_subscriber(broker):
    tag = unique("f")
    conn = connect(broker)
    try:
        r1 = _recv(conn, "amq.fanout")
        r2 = _recv(conn, "amq.fanout")
        pub = connect(broker)
        try:
            _publish(pub, "amq.fanout", [(tag + "-1", "any.subject", None), (tag + "-2", None, None)])
        finally:
            pub.close()
        for r in (r1, r2):
            assert [b for b in _got(r) if b.startswith(tag)] == [tag + "-1", tag + "-2"]
    finally:
        conn.close()


def test_headers_exchange_x_match_all_and_any(broker):
    color = unique("red")
    conn = connect(broker)
    try:
        r_all = _recv(conn, "amq.match", headers_filter({"x-match": "all", "color": color, "size": "big"}))
        r_any = _recv(conn, "amq.match", headers_filter({"x-match": "any", "color": color, "size": "big"}))
        pub = connect(broker)
        try:
            _publish(pub, "amq.match", [
                ("both", "s", {"color": color, "size": "big"}),
                ("both-plus", None, {"color": color, "size": "big", "extra": 1}),
                ("color-only", None, {"color": color, "size": "small"}),
                ("size-only", None, {"size": "big", "other": "x"}),
                ("neither", None, {"color": "blue", "size": "small"}),
                ("no-props", None, None),
            ])
        finally:
            pub.close()
        assert _got(r_all) == ["both", "both-plus"]
        got_any = _got(r_any)
        # "size-only" matches any through size=big (other tests' publishers use their own colours).
        assert got_any == ["both", "both-plus", "color-only", "size-only"]
    finally:
        conn.close()


def test_headers_without_filter_gets_everything(broker):
    tag = unique("h")
    conn = connect(broker)
    try:
        r = _recv(conn, "amq.match")
        pub = connect(broker)
        try:
            _publish(pub, "amq.match", [(tag + "-1", None, {"a": 1}), (tag + "-2", "s", None)])
        finally:
            pub.close()
        assert [b for b in _got(r) if b.startswith(tag)] == [tag + "-1", tag + "-2"]
    finally:
        conn.close()


def test_unroutable_message_is_accepted_and_dropped(broker):
    conn = connect(broker)
    try:
        snd = conn.create_sender("amq.direct")
        d = snd.send(Message(body="nobody", subject=unique("nobody-bound")))
        assert d.remote_state == Delivery.ACCEPTED
        # The sender link and connection are unharmed.
        d = snd.send(Message(body="again", subject=unique("nobody-bound")))
        assert d.remote_state == Delivery.ACCEPTED
    finally:
        conn.close()


def test_subscription_ends_with_its_link(broker):
    """After the receiver link closes, its private queue no longer collects messages: a new
    subscriber with the same filter gets only what was sent after it attached."""
    key = unique("k")
    conn = connect(broker)
    try:
        r = _recv(conn, "amq.direct", direct_filter(key))
        r.close()
        pub = connect(broker)
        try:
            _publish(pub, "amq.direct", [("while-unsubscribed", key, None)])
            r2 = _recv(conn, "amq.direct", direct_filter(key))
            _publish(pub, "amq.direct", [("subscribed", key, None)])
        finally:
            pub.close()
        assert _got(r2) == ["subscribed"]
    finally:
        conn.close()


def test_exchange_subscriber_disconnect_does_not_disturb_others(broker):
    key = unique("k")
    conn1, conn2 = connect(broker), connect(broker)
    try:
        r1 = _recv(conn1, "amq.direct", direct_filter(key))
        r2 = _recv(conn2, "amq.direct", direct_filter(key))
        pub = connect(broker)
        try:
            _publish(pub, "amq.direct", [("1", key, None)])
            conn1.close()
            _publish(pub, "amq.direct", [("2", key, None)])
        finally:
            pub.close()
        assert _got(r2) == ["1", "2"]
    finally:
        conn2.close()
