"""Robustness under load and abuse: a thousand concurrent connections with traffic, a consumer that
never grants credit in front of a byte-limited queue (broker memory stays bounded), and a publisher
that sends half a frame and then goes silent under --idle-timeout.

Python Proton's Container/BlockingConnection waits with select.select(), which cannot watch a file
descriptor numbered 1024 or more, so it cannot hold a thousand connections in one process. These
tests drive Proton transports by hand instead (amqp_helpers.RawClient over a non-blocking socket),
all from one epoll loop.
"""

import collections
import os
import resource
import selectors
import subprocess
import time

import pytest
from proton import Delivery, Endpoint, Message, TransportException

from amqp_helpers import (TIMEOUT, RawClient, bodies, connect, consume_all, on_demand, pump,
                          unique)
from conftest import BUILDDIR
from test_connections import assert_serving

QPID_CONFIG = os.path.join(BUILDDIR, "src", "tools", "qpid-config")

CONNECTIONS = 1000


# -- a non-blocking, hand-pumped client and an epoll loop over many of them --------------------------

class Pumped(RawClient):
    """A RawClient whose socket is non-blocking; `Loop` pumps it. Subclasses put their AMQP logic in
    step(), which runs after each batch of input (and once at the start)."""

    def __init__(self, port):
        super().__init__(port)
        self.sock.setblocking(False)

    def flush(self):
        """Writes what the transport has; True once nothing is left (or the socket is gone)."""
        while True:
            try:
                n = self.transport.pending()
            except TransportException:
                return True
            if n <= 0:
                return True
            data = self.transport.peek(min(n, 1 << 16))
            try:
                sent = self.sock.send(data)
            except BlockingIOError:
                return False
            except OSError:
                self.eof = True
                return True
            self.transport.pop(sent)

    def read_available(self):
        while not self.eof:
            try:
                data = self.sock.recv(1 << 18)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self.eof = True
                try:
                    self.transport.close_tail()
                except TransportException:
                    pass
                return
            while data:
                cap = self.transport.capacity()
                if cap <= 0:   # the transport closed its input (an error): treat as gone
                    self.eof = True
                    return
                self.transport.push(data[:cap])
                data = data[cap:]

    def step(self):
        pass

    @property
    def remote_open(self):
        return bool(self.connection.state & Endpoint.REMOTE_ACTIVE)


def run(clients, until, timeout, what, on_idle=None):
    """Pumps `clients` until until() is true; fails naming `what` after `timeout` seconds."""
    sel = selectors.DefaultSelector()
    try:
        for c in clients:
            if not c.eof:
                sel.register(c.sock, selectors.EVENT_READ, c)
        unflushed = set()
        for c in clients:
            c.step()
            if not c.flush():
                unflushed.add(c)
        deadline = time.monotonic() + timeout
        while not until():
            if time.monotonic() > deadline:
                raise AssertionError("%s: not done after %s s" % (what, timeout))
            for c in list(unflushed):
                if c.flush():
                    unflushed.discard(c)
            for key, _ in sel.select(0.01 if unflushed else 0.2):
                c = key.data
                c.read_available()
                c.step()
                if not c.flush():
                    unflushed.add(c)
                if c.eof:
                    sel.unregister(c.sock)
                    unflushed.discard(c)
            if on_idle is not None:
                on_idle()
    finally:
        sel.close()


def raise_fd_limit(needed):
    """Raises this process' soft RLIMIT_NOFILE to at least `needed` (brokers started afterwards
    inherit it: conftest starts them with subprocess.Popen, which keeps rlimits)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            pytest.skip("RLIMIT_NOFILE hard limit %d is below the %d descriptors needed" % (
                hard, needed))
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def proc_status_kib(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError("no %s in /proc/%d/status" % (field, pid))


# -- 1. a thousand concurrent connections, each with traffic -------------------------------------------

class EchoClient(Pumped):
    """One connection, one session, a sender and a receiver on its own queue (both offer
    create-on-demand); sends one message, receives it back, accepts it."""

    def __init__(self, port, queue):
        super().__init__(port)
        self.queue = queue
        ssn = self.connection.session()
        self.snd = ssn.sender("s-" + queue)
        self.snd.target.address = queue
        on_demand().apply(self.snd)
        self.rcv = ssn.receiver("r-" + queue)
        self.rcv.source.address = queue
        on_demand().apply(self.rcv)
        self.connection.open()
        ssn.open()
        self.snd.open()
        self.rcv.open()
        self.rcv.flow(1)
        self.out = None
        self.received = []

    def step(self):
        if self.out is None and self.snd.credit > 0:
            self.out = self.snd.delivery("0")
            self.snd.send(Message(body="from " + self.queue).encode())
            self.snd.advance()
        d = self.rcv.current
        if d is not None and d.readable and not d.partial:
            data = self.rcv.recv(d.pending)
            self.rcv.advance()
            m = Message()
            m.decode(data)
            self.received.append(m.body)
            d.update(Delivery.ACCEPTED)
            d.settle()

    @property
    def done(self):
        return (self.out is not None and self.out.remote_state == Delivery.ACCEPTED
                and len(self.received) == 1)

    @property
    def closed(self):
        return self.eof or bool(self.connection.state & Endpoint.REMOTE_CLOSED)


def test_thousand_concurrent_connections_with_traffic(fresh_broker):
    """1,000 connections open at once (qpidd's --max-connections default is 500, so it is raised),
    each sending one message to its own queue and receiving it back: every message arrives, the
    broker holds all 1,000 sockets at once, gives its descriptors back when they close, and
    serves a new connection afterwards."""
    raise_fd_limit(2 * CONNECTIONS + 512)   # this process' sockets, then the broker's
    b = fresh_broker("--max-connections", str(CONNECTIONS + 100))
    fds_idle = open_fds(b.pid)
    start = time.monotonic()
    prefix = unique("conn1k")
    clients = []
    try:
        for i in range(CONNECTIONS):
            clients.append(EchoClient(b.port, "%s-%d" % (prefix, i)))
        opened = time.monotonic()
        run(clients, lambda: all(c.done or c.closed for c in clients), 60,
            "1,000 connections sending and receiving one message each")
        finished = time.monotonic()
        lost = [c for c in clients if c.closed]
        assert not lost, "%d connections were closed by the broker, first: %s (condition %s)" % (
            len(lost), lost[0].queue, lost[0].connection.remote_condition)
        assert all(c.remote_open for c in clients)
        assert [c.received for c in clients] == [["from " + c.queue] for c in clients]
        held = open_fds(b.pid)
        assert held >= fds_idle + CONNECTIONS, (
            "broker holds %d descriptors (%d idle) with %d connections open" % (
                held, fds_idle, CONNECTIONS))

        for c in clients:
            c.connection.close()
        run(clients, lambda: all(c.closed for c in clients), 30, "closing 1,000 connections")
    finally:
        for c in clients:
            c.close()
    # The broker gives the sockets back (it may take a moment to see every close).
    deadline = time.monotonic() + 10
    while open_fds(b.pid) > fds_idle + 5 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert open_fds(b.pid) <= fds_idle + 5, (
        "broker still holds %d descriptors (%d idle) 10 s after 1,000 connections closed" % (
            open_fds(b.pid), fds_idle))
    assert_serving(b)
    print("1,000 connections: opened in %.1f s, traffic done in %.1f s, total %.1f s" % (
        opened - start, finished - opened, time.monotonic() - start))


# -- 2. a consumer that never grants credit: memory bounded by the queue's limit ------------------------

class Publisher(Pumped):
    """Sends `total` copies of one encoded message to `address` (None: the anonymous relay, the
    message's `to` says where), at most `window` unsettled at a time, and tallies the outcomes."""

    def __init__(self, port, address, encoded, total, window=500):
        super().__init__(port)
        ssn = self.connection.session()
        self.snd = ssn.sender(unique("pub"))
        self.snd.target.address = address
        self.connection.open()
        ssn.open()
        self.snd.open()
        self.encoded = encoded
        self.total = total
        self.window = window
        self.sent = 0
        self.last_progress = time.monotonic()
        self.unsettled = collections.deque()
        self.outcomes = collections.Counter()
        self.first_rejected_at = None      # index of the first rejected publish
        self.accepted_after_reject = 0
        self.conditions = collections.Counter()   # (name, description) of rejections

    def step(self):
        while self.unsettled and self.unsettled[0][1].remote_state:
            i, d = self.unsettled.popleft()
            state = d.remote_state
            self.outcomes[state] += 1
            if state == Delivery.REJECTED:
                if self.first_rejected_at is None:
                    self.first_rejected_at = i
                cond = d.remote.condition
                self.conditions[(cond.name, cond.description) if cond else None] += 1
            elif state == Delivery.ACCEPTED and self.first_rejected_at is not None:
                self.accepted_after_reject += 1
            d.settle()
            self.last_progress = time.monotonic()
        while (self.sent < self.total and self.snd.credit > 0
               and len(self.unsettled) < self.window):
            d = self.snd.delivery(str(self.sent))
            self.snd.send(self.encoded)
            self.snd.advance()
            self.unsettled.append((self.sent, d))
            self.sent += 1
            self.last_progress = time.monotonic()

    @property
    def done(self):
        return self.eof or (self.sent == self.total and not self.unsettled)

    def stalled(self, seconds):
        """Out of credit, nothing unsettled, no progress for `seconds`."""
        return (self.snd.credit <= 0 and not self.unsettled
                and time.monotonic() - self.last_progress > seconds)


class Consumer(Pumped):
    """A receiver on `address` that grants no credit until told to; accepts what it gets."""

    def __init__(self, port, address, expected_body):
        super().__init__(port)
        self.expected_body = expected_body
        ssn = self.connection.session()
        self.rcv = ssn.receiver(unique("stuck"))
        self.rcv.source.address = address
        self.connection.open()
        ssn.open()
        self.rcv.open()
        self.received = 0
        self.bad = 0

    def step(self):
        while True:
            d = self.rcv.current
            if d is None or not d.readable or d.partial:
                return
            data = self.rcv.recv(d.pending)
            self.rcv.advance()
            m = Message()
            m.decode(data)
            if m.body != self.expected_body:
                self.bad += 1
            self.received += 1
            d.update(Delivery.ACCEPTED)
            d.settle()

    @property
    def attached(self):
        return bool(self.rcv.state & Endpoint.REMOTE_ACTIVE)


LIMIT = 20 * 1000 * 1000
BODY = b"m" * 1024


@pytest.mark.parametrize("mode", ["reject", "anonymous-relay", "flow-control"])
def test_creditless_consumer_does_not_grow_broker_memory_past_queue_limit(fresh_broker, mode):
    """A 20 MB (qpid.max_size, set with qpid-config --max-queue-size) queue whose only consumer
    never grants credit, and a publisher of 1 KiB messages that tries to send four times the limit:

    - reject: --default-flow-stop-threshold 0 (no flow control): the queue fills, then every
      publish is rejected with amqp:resource-limit-exceeded naming the queue;
    - anonymous-relay: flow control on (the default), but the publisher's link goes to the
      anonymous relay (each message's `to` names the queue), which flow control does not hold
      back: rejected as above;
    - flow-control: the defaults, a link to the queue: the broker stops giving the publisher
      credit at 80 % of the limit (--default-flow-stop-threshold); the publisher waits.

    Either way the broker's RSS grows by less than 3 x limit + 30 MB (peak and final), and the
    consumer, once it grants credit, gets exactly the accepted messages, intact; then publishing
    works again."""
    args = ("--default-flow-stop-threshold", "0") if mode == "reject" else ()
    b = fresh_broker(*args)
    q = unique("nocredit")
    cfg = subprocess.run([QPID_CONFIG, "-b", "127.0.0.1:%d" % b.port, "add", "queue", q,
                          "--max-queue-size", str(LIMIT)],
                         capture_output=True, text=True, timeout=30)
    assert cfg.returncode == 0, "qpid-config add queue failed (%d): %s%s" % (
        cfg.returncode, cfg.stdout, cfg.stderr)

    consumer = Consumer(b.port, q, BODY)
    if mode == "anonymous-relay":
        encoded = Message(address=q, body=BODY).encode()
        publisher = Publisher(b.port, None, encoded, (4 * LIMIT) // len(BODY))
    else:
        encoded = Message(body=BODY).encode()
        publisher = Publisher(b.port, q, encoded, (4 * LIMIT) // len(BODY))
    total = publisher.total
    clients = [consumer, publisher]
    try:
        run([consumer], lambda: consumer.attached or consumer.eof, TIMEOUT,
            "attaching the consumer")
        assert consumer.attached, "consumer not attached: %s" % consumer.connection.remote_condition
        assert consumer.rcv.credit == 0
        time.sleep(0.2)
        rss_before = proc_status_kib(b.pid, "VmRSS") * 1024
        peak = [rss_before]

        def sample():
            peak[0] = max(peak[0], proc_status_kib(b.pid, "VmRSS") * 1024)

        if mode == "flow-control":
            # The publisher keeps wanting to send; it must sit without credit for 3 s.
            run(clients, lambda: publisher.done or publisher.stalled(3.0), 90,
                "publishing until the broker stops giving credit", on_idle=sample)
        else:
            run(clients, lambda: publisher.done, 90, "publishing %d messages" % total,
                on_idle=sample)
        assert not publisher.eof, "publisher's connection closed: %s" % (
            publisher.connection.remote_condition)
        sample()
        time.sleep(0.5)
        rss_after = proc_status_kib(b.pid, "VmRSS") * 1024
        peak[0] = max(peak[0], rss_after)

        accepted = publisher.outcomes[Delivery.ACCEPTED]
        rejected = publisher.outcomes[Delivery.REJECTED]
        settled = sum(publisher.outcomes.values())
        assert accepted + rejected == settled, "outcomes other than accepted/rejected: %s" % (
            dict(publisher.outcomes))
        assert accepted * len(encoded) <= LIMIT, (
            "%d messages of %d bytes accepted on a %d-byte queue" % (accepted, len(encoded), LIMIT))
        if mode == "flow-control":
            assert not publisher.done, (
                "the broker gave credit for all %d messages (%d accepted, %d rejected) to a "
                "publisher of a full queue with flow control on" % (total, accepted, rejected))
            assert publisher.snd.credit <= 0
            # Stopped at the flow-stop threshold (80 %), short of the limit.
            assert 0.7 * LIMIT <= accepted * len(encoded) <= LIMIT, (
                "flow control stopped the publisher after %d bytes, limit %d" % (
                    accepted * len(encoded), LIMIT))
            assert rejected == 0, "rejections with flow control on: %s" % publisher.conditions
        else:
            assert settled == total
            # The queue filled to its limit (each message is 1 KiB plus a few bytes of
            # encoding) ...
            assert accepted * len(encoded) > LIMIT - 2 * len(encoded), (
                "only %d messages accepted before the first reject" % accepted)
            # ... and from then on every publish was rejected, naming the queue.
            assert publisher.first_rejected_at == accepted
            assert publisher.accepted_after_reject == 0
            assert rejected >= 3 * LIMIT // len(BODY) - 1
        for cond, n in publisher.conditions.items():
            assert cond is not None, "%d rejections carried no error condition" % n
            name, description = cond
            assert name == "amqp:resource-limit-exceeded", "rejected with %s: %s" % (name, description)
            assert q in (description or ""), "rejection %r does not name the queue %s" % (
                description, q)

        bound = 3 * LIMIT + 30 * 1000 * 1000
        growth, peak_growth = rss_after - rss_before, peak[0] - rss_before
        print("%s: RSS before %.1f MB, after %.1f MB (growth %.1f MB), peak growth %.1f MB, "
              "%d accepted, %d rejected, %d not sent" % (
                  mode, rss_before / 1e6, rss_after / 1e6, growth / 1e6, peak_growth / 1e6,
                  accepted, rejected, total - publisher.sent))
        assert growth < bound, "broker RSS grew by %.1f MB with a %.0f MB queue (bound %.0f MB)" % (
            growth / 1e6, LIMIT / 1e6, bound / 1e6)
        assert peak_growth < bound, (
            "broker RSS peaked %.1f MB above its start with a %.0f MB queue (bound %.0f MB)" % (
                peak_growth / 1e6, LIMIT / 1e6, bound / 1e6))

        # The consumer finally grants credit: it gets exactly what was accepted, intact.
        if mode == "flow-control":
            publisher.total = publisher.sent    # no more: else it would refill the queue
        consumer.rcv.flow(accepted + 10)
        run(clients, lambda: consumer.received >= accepted or consumer.eof, 60,
            "receiving the %d queued messages" % accepted)
        pump_until = time.monotonic() + 0.5
        run(clients, lambda: time.monotonic() > pump_until, 5, "checking for extra messages")
        assert consumer.received == accepted and consumer.bad == 0, (
            "consumer got %d messages (%d damaged); %d were accepted" % (
                consumer.received, consumer.bad, accepted))
        # With the queue emptied, publishing works again (flow control: credit comes back).
        publisher.total += 10
        run(clients, lambda: publisher.done, TIMEOUT, "publishing after the queue drained")
        assert publisher.outcomes[Delivery.ACCEPTED] == accepted + 10, dict(publisher.outcomes)
    finally:
        for c in clients:
            c.close()
    assert_serving(b)


# -- 3. half a frame, then silence, under --idle-timeout ------------------------------------------------
# test_connections.py covers a client silent right after open (dropped under --idle-timeout) and half
# a frame followed by a close; not a publisher that stops in the middle of a frame or of a message and
# keeps its socket open.

class HalfPublisher(RawClient):
    """Opens, attaches a sender to a (created) queue and waits for credit, blocking."""

    def attach(self, address):
        ssn = self.connection.session()
        self.snd = ssn.sender(unique("half"))
        self.snd.target.address = address
        on_demand().apply(self.snd)
        ssn.open()
        self.snd.open()
        deadline = time.monotonic() + TIMEOUT
        while self.snd.credit <= 0:
            self.flush()
            if self.eof or time.monotonic() > deadline:
                raise AssertionError("no credit for the publisher (eof=%s)" % self.eof)
            self.read_once(0.2)
        self.flush()


IDLE = 2


@pytest.mark.parametrize("cut", ["half-frame", "half-message"])
def test_publisher_stalled_mid_frame_is_dropped_after_idle_timeout(fresh_broker, cut):
    """--idle-timeout 2. A publisher sends (half-frame) the first 16 bytes of a transfer frame
    announcing 4 KiB, or (half-message) one complete transfer frame of a message marked `more`,
    then sends nothing while keeping its socket open: the broker drops it after about the idle
    timeout (between 1 s and 4 x 2 s), while a normal client keeps working all along."""
    b = fresh_broker("--idle-timeout", str(IDLE))
    log_from = b.log_size()
    bystander = connect(b)
    q = unique("stall")
    raw = HalfPublisher(b.port)
    try:
        raw.open()
        raw.attach(q)
        if cut == "half-frame":
            # frame size 4096, doff 2, type 0 (AMQP), channel 0, then the start of a transfer.
            raw.sock.sendall(b"\x00\x00\x10\x00\x02\x00\x00\x00\x00\x53\x14\xc0\x10\x05\x43\x43")
        else:
            raw.snd.delivery("t")
            raw.snd.send(Message(body="x" * 100000).encode()[:2000])   # not advanced: more=true
            raw.flush()
        stalled = time.monotonic()

        waited = None
        last_check = 0.0
        while time.monotonic() - stalled < 4 * IDLE + 2:
            raw.read_once(0.1)
            if raw.eof:
                waited = time.monotonic() - stalled
                break
            pump(bystander, 0.1)            # keeps the bystander's heartbeats going
            if time.monotonic() - last_check > 1.0:
                assert_serving(b, bystander)   # the broker serves others all along
                last_check = time.monotonic()
        log = b.log(log_from)
        assert waited is not None, (
            "publisher stalled mid-%s still connected %.1f s later (--idle-timeout %d)\n%s" % (
                cut.split("-")[1], time.monotonic() - stalled, IDLE, log[-3000:]))
        assert waited >= 1.0, "stalled publisher dropped after only %.2f s" % waited
        assert waited <= 4 * IDLE, "stalled publisher dropped only after %.2f s (--idle-timeout %d)" % (
            waited, IDLE)
        # ... and for the idle timeout, not because the half frame or half message was refused.
        deadline = time.monotonic() + 2
        while "idle-timeout expired" not in log and time.monotonic() < deadline:
            time.sleep(0.1)
            log = b.log(log_from)
        assert "idle-timeout expired" in log, "no idle-timeout in the broker's log:\n" + log[-3000:]
        print("%s: dropped %.2f s after the stall" % (cut, waited))
    finally:
        raw.close()
    assert bystander.conn.state & Endpoint.REMOTE_ACTIVE
    assert_serving(b, bystander)
    assert_serving(b)
    bystander.close()
    # Nothing of the cut message reached the queue.
    assert bodies(consume_all(b, q, timeout=0.5)) == []
