"""Dynamic nodes: a receiver with dynamic=True gets a temporary queue; request/response over it."""

from proton import Message

from amqp_helpers import TIMEOUT, connect, create_queue, expect_not_found, send, unique


def test_dynamic_receiver_gets_a_fresh_address(broker):
    conn = connect(broker)
    try:
        r1 = conn.create_receiver(None, dynamic=True)
        r2 = conn.create_receiver(None, dynamic=True)
        a1, a2 = r1.link.remote_source.address, r2.link.remote_source.address
        assert a1 and a2, "no address for the dynamic node: %r %r" % (a1, a2)
        assert a1 != a2
        # The node exists: a plain sender (no create-on-demand) can attach to it.
        send(conn, a1, ["to-1"])
        send(conn, a2, ["to-2"])
        assert r1.receive(timeout=TIMEOUT).body == "to-1"
        r1.accept()
        assert r2.receive(timeout=TIMEOUT).body == "to-2"
        r2.accept()
    finally:
        conn.close()


def test_request_response_over_dynamic_reply_queue(broker):
    requests = unique("requests")
    server = connect(broker)
    client = connect(broker)
    try:
        create_queue(server, requests)
        server_rcv = server.create_receiver(requests)

        replies = client.create_receiver(None, dynamic=True)
        reply_to = replies.link.remote_source.address
        client_snd = client.create_sender(requests)
        for i in range(3):
            client_snd.send(Message(body="question %d" % i, reply_to=reply_to,
                                    correlation_id="c%d" % i))

        for i in range(3):
            req = server_rcv.receive(timeout=TIMEOUT)
            assert req.reply_to == reply_to
            resp_snd = server.create_sender(req.reply_to)
            d = resp_snd.send(Message(body=req.body.upper(), correlation_id=req.correlation_id))
            assert d.remote_state is not None
            server_rcv.accept()
            resp_snd.close()

        for i in range(3):
            resp = replies.receive(timeout=TIMEOUT)
            replies.accept()
            assert resp.body == "QUESTION %d" % i
            assert resp.correlation_id == "c%d" % i
    finally:
        server.close()
        client.close()


def test_dynamic_queue_disappears_when_its_link_closes(broker):
    conn = connect(broker)
    other = connect(broker)
    try:
        r = conn.create_receiver(None, dynamic=True)
        addr = r.link.remote_source.address
        assert addr
        send(other, addr, ["left-behind"])  # exists now
        r.close()
        expect_not_found(lambda: other.create_sender(addr), addr)
    finally:
        conn.close()
        other.close()


def test_dynamic_queue_disappears_when_its_connection_drops(broker):
    conn = connect(broker)
    r = conn.create_receiver(None, dynamic=True)
    addr = r.link.remote_source.address
    assert addr
    conn.close()
    other = connect(broker)
    try:
        # The broker may notice the close a moment later: allow it 5 s.
        import time
        from proton.utils import LinkDetached
        deadline = time.monotonic() + 5
        while True:
            try:
                snd = other.create_sender(addr)
            except LinkDetached as e:
                assert e.link.remote_condition.name == "amqp:not-found"
                break
            snd.close()
            if time.monotonic() > deadline:
                raise AssertionError("dynamic node %s still exists 5 s after its connection closed" % addr)
            time.sleep(0.2)
    finally:
        other.close()


def test_dynamic_queue_keeps_fifo_order(broker):
    conn = connect(broker)
    try:
        r = conn.create_receiver(None, dynamic=True)
        addr = r.link.remote_source.address
        send(conn, addr, ["r%d" % i for i in range(5)])
        got = []
        for _ in range(5):
            got.append(r.receive(timeout=TIMEOUT).body)
            r.accept()
        assert got == ["r%d" % i for i in range(5)]
    finally:
        conn.close()
