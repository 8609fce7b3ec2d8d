"""Connections: heartbeats, the broker's idle timeout, bad input on the socket, --max-connections,
and a clean SIGTERM with clients attached."""

import socket
import time

import pytest
from proton import Endpoint, Message
from proton.utils import BlockingConnection

from amqp_helpers import (TIMEOUT, RawClient, bodies, connect, consume_all, pump, receive_n, send,
                          socket_closed_by_peer, unique)

AMQP_HEADER = b"AMQP\x00\x01\x00\x00"
SASL_HEADER = b"AMQP\x03\x01\x00\x00"


def assert_serving(broker, conn=None):
    """The broker still does a full send/receive round trip (on `conn` if given, else a new one)."""
    own = conn is None
    conn = conn or connect(broker)
    try:
        from amqp_helpers import on_demand
        q = unique("alive")
        send(conn, q, ["ping"], options=on_demand())
        rcv = conn.create_receiver(q)
        assert bodies(receive_n(rcv, 1)) == ["ping"]
        rcv.close()
    finally:
        if own:
            conn.close()


# -- heartbeats ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("idle,silent", [(2, 7), (0.4, 3)])
def test_client_idle_timeout_kept_alive_by_broker_heartbeats(broker, idle, silent):
    """A client asking for an idle timeout (2 s; 0.4 s: durations below a second must be honoured),
    silent for several times that, keeps its connection: the broker sends empty frames often
    enough."""
    conn = connect(broker, heartbeat=idle)
    try:
        assert conn.conn.transport.idle_timeout == idle
        frames_before = conn.conn.transport.frames_input
        pump(conn, silent)  # raises ConnectionException if our side timed the broker out
        assert conn.conn.state & Endpoint.REMOTE_ACTIVE
        got = conn.conn.transport.frames_input - frames_before
        assert got >= silent / idle, "only %d frames from the broker in %s s" % (got, silent)
        assert_serving(broker, conn)
    finally:
        conn.close()


def test_broker_idle_timeout_is_advertised(fresh_broker):
    b = fresh_broker("--idle-timeout", "2")
    raw = RawClient(b.port)
    try:
        raw.open()
        remote = raw.transport.remote_idle_timeout
        assert 0 < remote <= 2, "broker advertised idle-time-out %r s with --idle-timeout 2" % remote
    finally:
        raw.close()


def test_broker_without_idle_timeout_advertises_none(broker):
    raw = RawClient(broker.port)
    try:
        raw.open()
        assert raw.transport.remote_idle_timeout == 0
        # ... and does not drop a silent client.
        assert raw.wait_eof(4) is None, "broker without --idle-timeout dropped a silent connection"
    finally:
        raw.close()


def test_broker_idle_timeout_drops_silent_client(fresh_broker):
    """--idle-timeout 2: a client that opens and then sends nothing at all is dropped within ~10 s
    (and not at once)."""
    b = fresh_broker("--idle-timeout", "2")
    raw = RawClient(b.port)
    try:
        raw.open()
        waited = raw.wait_eof(12)
        assert waited is not None, "silent client still connected 12 s after open (--idle-timeout 2)"
        assert waited >= 1.0, "silent client dropped after only %.2f s" % waited
        assert waited <= 10.0, "silent client dropped only after %.2f s" % waited
    finally:
        raw.close()
    assert_serving(b)


def test_broker_idle_timeout_keeps_heartbeating_client(fresh_broker):
    """--idle-timeout 2: a normal client (Proton sends empty frames at the interval the broker
    advertised) that does nothing for 7 s keeps its connection."""
    b = fresh_broker("--idle-timeout", "2")
    conn = connect(b)
    try:
        pump(conn, 7)
        assert conn.conn.state & Endpoint.REMOTE_ACTIVE
        assert_serving(b, conn)
    finally:
        conn.close()


# -- bad input ------------------------------------------------------------------------------------------

def _raw(broker):
    return socket.create_connection(("127.0.0.1", broker.port), timeout=TIMEOUT)


@pytest.mark.parametrize("garbage", [
    b"\x00\x01\x02garbage that is not AMQP at all\xff\xfe" * 20,
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    b"\xff" * 4096,
], ids=["binary", "http", "ff"])
def test_garbage_is_dropped_and_others_keep_working(broker, garbage):
    bystander = connect(broker)
    try:
        s = _raw(broker)
        try:
            try:
                s.sendall(garbage)
            except (BrokenPipeError, ConnectionResetError):
                pass
            closed, _ = socket_closed_by_peer(s, 5)
            assert closed, "broker kept a connection that sent garbage"
        finally:
            s.close()
        assert_serving(broker)              # new connections
        assert_serving(broker, bystander)   # an existing connection
    finally:
        bystander.close()


@pytest.mark.parametrize("header", [
    b"AMQP\x00\x00\x09\x01",   # AMQP 0-10
    b"AMQP\x01\x01\x00\x0a",   # AMQP 1.0 over TLS, which we do not offer here
    b"AMQP\x00\x02\x00\x00",   # AMQP 2.0
    b"AMQQ\x00\x01\x00\x00",
], ids=["0-10", "tls", "2.0", "AMQQ"])
def test_wrong_protocol_header_is_dropped(broker, header):
    s = _raw(broker)
    try:
        s.sendall(header)
        closed, received = socket_closed_by_peer(s, 5)
        assert closed, "broker kept a connection with protocol header %r" % header
        # AMQP 1.0 2.2: the peer may answer with the header it supports before closing.
        assert received == b"" or received.startswith(b"AMQP"), (
            "unexpected reply to a bad header: %r" % received[:64])
    finally:
        s.close()
    assert_serving(broker)


def test_half_a_frame_then_close(broker):
    # A valid SASL header, then the first 6 bytes of a frame whose size says 0x40.
    s = _raw(broker)
    s.sendall(SASL_HEADER + b"\x00\x00\x00\x40\x02\x01")
    time.sleep(0.2)
    s.close()
    # A plain AMQP header, then half an open frame.
    s = _raw(broker)
    s.sendall(AMQP_HEADER + b"\x00\x00\x00\x30\x02\x00\x00\x00\x00\x53\x10")
    time.sleep(0.2)
    s.close()
    assert_serving(broker)


def test_half_a_transfer_then_close(broker):
    """After a real open, a frame cut short in the middle, then the socket closes."""
    raw = RawClient(broker.port)
    try:
        raw.open()
        raw.sock.sendall(b"\x00\x00\x10\x00\x02\x00\x00\x00\x00\x53\x14\xc0")  # 4 KiB promised
    finally:
        raw.close()
    time.sleep(0.2)
    assert_serving(broker)


def test_frame_size_too_large_is_dropped(broker):
    """The broker bounds its max-frame-size (else any client can make it buffer a 4 GiB frame),
    and a frame larger than it is a connection error; the broker carries on."""
    raw = RawClient(broker.port)
    try:
        raw.open()
        limit = raw.transport.remote_max_frame_size
        assert 512 <= limit < 0xFFFFFFFF, (
            "broker advertises max-frame-size %d (unbounded): it would buffer any frame a client "
            "announces" % limit)
        size = limit + 4096
        raw.sock.sendall(size.to_bytes(4, "big") + b"\x02\x00\x00\x00" + b"\x00" * 1024)
        closed, _ = socket_closed_by_peer(raw.sock, 5)
        assert closed, "broker waits for a frame of %d bytes, above its own max-frame-size %d" % (
            size, limit)
    finally:
        raw.close()
    assert_serving(broker)


def test_many_abrupt_disconnects(broker):
    """Connections that vanish at every stage of the handshake do not hurt the broker."""
    for i in range(30):
        s = _raw(broker)
        if i % 3 == 1:
            s.sendall(SASL_HEADER)
        elif i % 3 == 2:
            s.sendall(AMQP_HEADER)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()  # linger 0: RST
    assert_serving(broker)


# -- limits and shutdown -----------------------------------------------------------------------------

def test_max_connections(fresh_broker):
    """--max-connections 2: the third connection is refused with amqp:resource-limit-exceeded
    (README); once one closes, a new one is admitted."""
    from proton import ConnectionException
    b = fresh_broker("--max-connections", "2")
    c1, c2 = connect(b), connect(b)
    try:
        with pytest.raises(ConnectionException) as ei:
            c3 = connect(b, timeout=5)
            try:
                assert_serving(b, c3)   # refused after open? Then using it must fail.
            finally:
                c3.close()
        assert getattr(ei.value, "condition", None) == "amqp:resource-limit-exceeded", (
            "third connection failed with %s" % ei.value)
        c1.close()
        # The freed slot can be used again (allow the broker a moment to see the close).
        deadline = time.monotonic() + 5
        while True:
            try:
                c4 = connect(b, timeout=3)
                assert_serving(b, c4)
                c4.close()
                break
            except ConnectionException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert_serving(b, c2)
    finally:
        for c in (c1, c2):
            try:
                c.close()
            except Exception:
                pass


def test_many_connections_at_once(broker):
    conns = []
    try:
        for _ in range(100):
            conns.append(connect(broker))
        q = unique()
        from amqp_helpers import on_demand
        for i, c in enumerate(conns):
            send(c, q, ["c%d" % i], options=on_demand() if i == 0 else None)
        assert bodies(consume_all(broker, q)) == ["c%d" % i for i in range(100)]
    finally:
        for c in conns:
            c.close()


def test_many_links_on_one_connection(broker):
    conn = connect(broker)
    try:
        from amqp_helpers import on_demand
        qs = [unique("ml") for _ in range(150)]
        rcvs = [conn.create_receiver(q, options=on_demand(), name="r-" + q) for q in qs]
        snds = [conn.create_sender(q, name="s-" + q) for q in qs]
        for q, s_ in zip(qs, snds):
            s_.send(Message(body=q))
        for q, r in zip(qs, rcvs):
            assert r.receive(timeout=TIMEOUT).body == q
            r.accept()
    finally:
        conn.close()


def test_transaction_coordinator_is_refused_cleanly(broker):
    """No transactions: attaching to a coordinator fails on the link, the connection survives."""
    from proton import Terminus
    from proton.reactor import LinkOption
    from proton.utils import LinkDetached
    from proton import LinkException

    class Coordinator(LinkOption):
        def apply(self, link):
            link.target.type = Terminus.COORDINATOR

    conn = connect(broker)
    try:
        with pytest.raises((LinkDetached, LinkException)) as ei:
            conn.create_sender(None, options=Coordinator(), name=unique("txn"))
        if isinstance(ei.value, LinkDetached):
            assert ei.value.link.remote_condition is not None, "refused without a reason"
        assert_serving(broker, conn)
    finally:
        conn.close()


def test_mgmt_enable_no_has_no_management_node(fresh_broker):
    from amqp_helpers import expect_not_found
    b = fresh_broker("--mgmt-enable", "no")
    conn = connect(b)
    try:
        expect_not_found(lambda: conn.create_sender("$management"), "$management")
    finally:
        conn.close()


def test_sigterm_with_clients_attached_exits_cleanly(fresh_broker):
    b = fresh_broker()
    conns = [connect(b) for _ in range(3)]
    q = unique()
    from amqp_helpers import on_demand
    send(conns[0], q, ["m%d" % i for i in range(5)], options=on_demand())
    rcv = conns[1].create_receiver(q, credit=5)
    receive_n(rcv, 5, accept=False)   # unacked deliveries outstanding
    conns[2].create_sender(q)
    in_time, rc = b.stop()
    assert in_time, "qpidd did not exit within 10 s of SIGTERM with clients attached"
    assert rc == 0, "qpidd exited with %s\n%s" % (rc, b.log()[-5000:])
    for c in conns:
        try:
            c.close()
        except Exception:
            pass
