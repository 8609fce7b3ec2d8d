"""Small helpers over the Proton Python client (python3-qpid-proton 0.37) for the tests."""

import os
import socket
import time
import uuid

from proton import (Connection, Data, Delivery, Described, Endpoint, Message, Timeout, Transport,
                    symbol)
from proton.reactor import LinkOption, Filter
from proton.utils import BlockingConnection, LinkDetached

TIMEOUT = float(os.environ.get("QPIDD_TEST_TIMEOUT", "10"))

CREATE_ON_DEMAND = "create-on-demand"
DIRECT_FILTER = "apache.org:legacy-amqp-direct-binding:string"
TOPIC_FILTER = "apache.org:legacy-amqp-topic-binding:string"
HEADERS_FILTER = "apache.org:legacy-amqp-headers-binding:map"


def unique(prefix="q"):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


def connect(broker, **kwargs):
    """A BlockingConnection to the broker; never reconnects (Proton 0.37 crashes on reconnect=True)."""
    kwargs.setdefault("timeout", TIMEOUT)
    return BlockingConnection(broker.url, **kwargs)


class Capabilities(LinkOption):
    """Puts symbols in our terminus' capabilities: the target for a sender, the source for a receiver."""

    def __init__(self, *caps):
        self.caps = caps

    def apply(self, link):
        terminus = link.target if link.is_sender else link.source
        data = terminus.capabilities
        data.put_array(False, Data.SYMBOL)
        data.enter()
        for c in self.caps:
            data.put_symbol(symbol(c))
        data.exit()


def on_demand():
    return Capabilities(CREATE_ON_DEMAND)


def create_queue(conn, name):
    """Creates queue `name` by attaching a sender with create-on-demand, then detaches it."""
    snd = conn.create_sender(name, options=on_demand())
    snd.close()
    return name


def send(conn, address, messages, options=None):
    """Sends each message (at-least-once), returns the deliveries; asserts each was accepted."""
    snd = conn.create_sender(address, options=options)
    deliveries = []
    for m in messages:
        if not isinstance(m, Message):
            m = Message(body=m)
        d = snd.send(m)
        assert d.remote_state == Delivery.ACCEPTED, (
            "publisher got %s, not ACCEPTED, for %r" % (d.remote_state, m.body))
        deliveries.append(d)
    snd.close()
    return deliveries


def wait_for(conn, condition, timeout=TIMEOUT):
    """Processes events until condition() is true; returns its final value (False on timeout)."""
    try:
        conn.wait(condition, timeout=timeout)
    except Timeout:
        pass
    return condition()


def pump(conn, seconds):
    """Processes events for `seconds` (to let dispositions/flow reach the broker, or to idle)."""
    wait_for(conn, lambda: False, timeout=seconds)


def receive_n(rcv, n, timeout=TIMEOUT, accept=True):
    """Receives n messages one by one (credit 1 each, no prefetch unless the link was given some)."""
    out = []
    for _ in range(n):
        m = rcv.receive(timeout=timeout)
        if accept:
            rcv.accept()
        out.append(m)
    return out


def drain(rcv, timeout=1.0, accept=True):
    """Receives until nothing arrives for `timeout` seconds."""
    out = []
    while True:
        try:
            m = rcv.receive(timeout=timeout)
        except Timeout:
            return out
        if accept:
            rcv.accept()
        out.append(m)


def consume_all(broker, address, timeout=1.0, options=None):
    """Opens its own connection and takes (accepts) everything on `address`."""
    conn = connect(broker)
    try:
        rcv = conn.create_receiver(address, options=options)
        return drain(rcv, timeout=timeout)
    finally:
        conn.close()


def bodies(msgs):
    return [m.body for m in msgs]


def expect_not_found(fn, address):
    """fn() must fail to attach with amqp:not-found and a description naming `address`."""
    try:
        link = fn()
    except LinkDetached as e:
        cond = e.link.remote_condition
        assert cond is not None, "link detached without an error condition: %s" % e
        assert cond.name == "amqp:not-found", "expected amqp:not-found, got %s" % cond
        assert address in (cond.description or ""), (
            "the not-found description %r does not name %r" % (cond.description, address))
        return cond
    raise AssertionError("attach to missing node %r succeeded (link %s)" % (address, link))


# -- exchange filters (as qpidd's AMQP 1.0 module reads them) ------------------------------------------

def direct_filter(key):
    return Filter({symbol("legacy-amqp-direct-binding"): Described(symbol(DIRECT_FILTER), key)})


def topic_filter(pattern):
    return Filter({symbol("legacy-amqp-topic-binding"): Described(symbol(TOPIC_FILTER), pattern)})


def headers_filter(match):
    return Filter({symbol("legacy-amqp-headers-binding"): Described(symbol(HEADERS_FILTER), match)})


# -- raw sockets and a hand-pumped Proton transport -----------------------------------------------------

class RawClient:
    """A Proton Transport pumped by hand over a plain socket: it never ticks, so it never sends
    heartbeats, and after open() it can go completely silent."""

    def __init__(self, port, idle_timeout=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.transport = Transport()
        if idle_timeout is not None:
            self.transport.idle_timeout = idle_timeout
        self.transport.sasl().allowed_mechs("ANONYMOUS")
        self.connection = Connection()
        self.connection.container = unique("raw")
        self.connection.hostname = "127.0.0.1"
        self.transport.bind(self.connection)
        self.eof = False

    def flush(self):
        while True:
            n = self.transport.pending()
            if n <= 0:
                return
            data = self.transport.peek(n)
            self.sock.sendall(data)
            self.transport.pop(len(data))

    def read_once(self, timeout):
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return None
        except ConnectionResetError:
            data = b""
        if not data:
            self.eof = True
            self.transport.close_tail()
            return b""
        if self.transport.capacity() > 0:
            self.transport.push(data)
        return data

    def open(self, timeout=TIMEOUT):
        self.connection.open()
        deadline = time.monotonic() + timeout
        while not (self.connection.state & Endpoint.REMOTE_ACTIVE):
            self.flush()
            if self.eof or time.monotonic() > deadline:
                raise AssertionError("no AMQP open from the broker (eof=%s, condition=%s)" % (
                    self.eof, self.transport.condition))
            self.read_once(0.2)
        self.flush()

    def wait_eof(self, timeout):
        """Reads (without ever writing) until the broker closes the socket; returns seconds waited
        or None if it was still open after `timeout`."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if self.eof:
                return time.monotonic() - start
            self.read_once(0.2)
        return time.monotonic() - start if self.eof else None

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def socket_closed_by_peer(sock, timeout):
    """Reads until EOF/reset; returns (closed, bytes_received)."""
    received = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            data = sock.recv(65536)
        except socket.timeout:
            break
        except (ConnectionResetError, BrokenPipeError):
            return True, received
        if not data:
            return True, received
        received += data
    return False, received


# -- management requests --------------------------------------------------------------------------

class ManagementRequests:
    """Requests to the broker's $management node: `snd` sends to it, `replies` is a dynamic
    receiver the replies come back on."""

    def __init__(self, conn, snd, replies):
        self.conn, self.snd, self.replies = conn, snd, replies
        self.reply_to = replies.link.remote_source.address
        self.n = 0

    def request(self, operation, type=None, name=None, body=None, **props):
        """Returns (statusCode, statusDescription, body) of the reply."""
        self.n += 1
        ap = {"operation": operation}
        if type is not None:
            ap["type"] = type
        if name is not None:
            ap["name"] = name
        ap.update(props)
        cid = "req-%d" % self.n
        self.snd.send(Message(body=body if body is not None else {}, reply_to=self.reply_to,
                              correlation_id=cid, properties=ap))
        resp = self.replies.receive(timeout=TIMEOUT)
        self.replies.accept()
        assert resp.correlation_id == cid, "reply correlation-id %r for %r" % (resp.correlation_id, cid)
        status = resp.properties.get("statusCode")
        assert status is not None, "reply without statusCode: %r" % resp.properties
        return int(status), resp.properties.get("statusDescription"), resp.body
