"""Stand-alone queue replication (doc/ha-protocol.md 17): a queue of one broker made a replica of
the queue of the same name on another broker, or on an HA cluster whose primary it follows.

Every broker here runs `--ha-queue-replication yes --link-maintenance-interval 0.1
--link-heartbeat-interval 1` (unless a test needs it without) on a port chosen in advance, so a
source can be restarted on its own address. Replicas are made with the management operation
REPLICATE, `qpid-ha replicate` (both argument orders) and `qpid-config add queue --start-replica`,
and checked by browsing them with the Proton Python client.
"""

import os
import signal
import subprocess
import time

import pytest
from proton import Delivery, Message
from proton.utils import BlockingConnection, LinkDetached, SendException

from amqp_helpers import unique
from ha_cluster import (QPID_CONFIG, QPID_HA, HaBroker, HaCluster, Management, PortInUse,
                        browse_all, free_ports, send_pipelined, wait_until)

REPLICATION = ["--ha-queue-replication", "yes", "--link-maintenance-interval", "0.1",
               "--link-heartbeat-interval", "1"]
WAIT = 30  # s: a deadline for what takes well under a second


class Brokers:
    """Stand-alone brokers on fixed ports, stopped by PID (SIGCONT first if stopped)."""

    def __init__(self, tmp_path):
        self.dir = str(tmp_path)
        self.started = []
        self.stopped = set()

    def start(self, args=REPLICATION, port=None, name="node"):
        for attempt in range(20):
            p = port or free_ports(1)[0]
            d = os.path.join(self.dir, "%s.%d.%d" % (name, len(self.started), attempt))
            os.makedirs(d)
            try:
                b = HaBroker(d, p, list(args), name=name).start()
            except PortInUse:
                time.sleep(0.25)
                continue
            self.started.append(b)
            return b
        raise AssertionError("no free port for %s" % name)

    def restart(self, b, args=REPLICATION):
        """SIGTERM by PID, then a new, empty broker on the same port."""
        in_time, rc = b.stop()
        assert in_time and rc == 0, "%s (pid %d) stopped with %s" % (b.name, b.pid, rc)
        return self.start(args, port=b.port, name=b.name)

    def sigstop(self, b):
        os.kill(b.pid, signal.SIGSTOP)
        self.stopped.add(b.pid)

    def sigcont(self, b):
        os.kill(b.pid, signal.SIGCONT)
        self.stopped.discard(b.pid)

    def close(self):
        errors = []
        for b in self.started:
            if b.pid in self.stopped and b.alive():
                os.kill(b.pid, signal.SIGCONT)
            if not b.alive():
                continue
            in_time, rc = b.stop()
            if not in_time or rc != 0:
                errors.append("%s (pid %d): %s" % (b.name, b.pid, "no exit" if not in_time
                                                   else "exit status %s" % rc))
        return errors


@pytest.fixture
def brokers(tmp_path):
    bs = Brokers(tmp_path)
    yield bs
    errors = bs.close()
    assert not errors, "\n".join(errors)


@pytest.fixture
def ha_cluster(tmp_path):
    clusters = []

    def make(*args, **kwargs):
        c = HaCluster(tmp_path / ("cluster%d" % len(clusters)), *args, **kwargs)
        clusters.append(c)
        return c

    yield make
    errors = []
    for c in clusters:
        errors += c.close()
    assert not errors, "\n".join(errors)


# -- helpers -------------------------------------------------------------------------------------

def connect(b):
    return BlockingConnection("amqp://" + b.address, timeout=10)


class Admin:
    """Management requests over one connection to broker b."""

    def __init__(self, b):
        self.conn = connect(b)
        self.m = Management(self.conn, self.conn.create_sender("$management"),
                            self.conn.create_receiver(None, dynamic=True))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.conn.close()

    def create_queue(self, name, **attributes):
        status, desc, _ = self.m.request("CREATE", type="queue", name=name, body=attributes)
        assert status == 201, "CREATE queue %s: %s %s" % (name, status, desc)

    def replicate(self, source, queue):
        """REPLICATE: (status, description, body)."""
        return self.m.request("REPLICATE", type="ha-broker", name="ha-broker",
                              body={"source": source, "queue": queue})

    def replicate_stop(self, queue):
        return self.m.request("REPLICATE-STOP", type="ha-broker", name="ha-broker",
                              body={"queue": queue})

    def replicas(self):
        """{queue: replica attributes} from the ha-broker entity."""
        return {r["queue"]: r for r in self.m.read("ha-broker")["replicas"]}

    def queue(self, name):
        return self.m.read("queue", name)


def make_queue(b, name):
    with Admin(b) as admin:
        admin.create_queue(name)


def replica_of(b, queue):
    with Admin(b) as admin:
        return admin.replicas().get(queue)


def replica_with_error(b, queue):
    """The replica's attributes once it reports a last error, else None."""
    replica = replica_of(b, queue)
    return replica if replica and replica["lastError"] else None


def wait_replica_status(b, queue, status, timeout=WAIT):
    return wait_until(lambda: (replica_of(b, queue) or {}).get("status") == status
                      and replica_of(b, queue), timeout=timeout,
                      what="replica %s on %s to be %s (now %r)" % (
                          queue, b.address, status, replica_of(b, queue)))


def browse(b, queue):
    conn = connect(b)
    try:
        return browse_all(conn, queue, timeout=0.5)
    finally:
        conn.close()


def wait_bodies(b, queue, expected, timeout=WAIT):
    """Waits until browsing `queue` on b gives exactly `expected`, in order."""
    last = []

    def check():
        last[:] = browse(b, queue)
        return last == expected
    try:
        wait_until(check, timeout=timeout, what="replica %s on %s" % (queue, b.address))
    except AssertionError:
        raise AssertionError("replica %s on %s holds %d messages %r..., expected %d %r..." % (
            queue, b.address, len(last), last[:8], len(expected), expected[:8]))


def send(b, queue, bodies):
    conn = connect(b)
    try:
        send_pipelined(conn, queue, bodies)
    finally:
        conn.close()


def consume(b, queue, n):
    """Takes (accepts) n messages from queue on b; returns their bodies."""
    conn = connect(b)
    try:
        rcv = conn.create_receiver(queue, credit=n)
        out = []
        for _ in range(n):
            out.append(rcv.receive(timeout=10).body)
            rcv.accept()
        rcv.close()
        return out
    finally:
        conn.close()


def tool(*cmd):
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


def qpid_ha(*args):
    return tool(QPID_HA, *args)


def qpid_config(*args):
    return tool(QPID_CONFIG, *args)


def bodies(prefix, n, start=0):
    return ["%s-%d" % (prefix, i) for i in range(start, start + n)]


# -- (a) a replica copies enqueues and dequeues ---------------------------------------------------

def test_replica_follows_enqueues_and_dequeues(brokers):
    node1, node2 = brokers.start(name="node1"), brokers.start(name="node2")
    q = unique("orders")
    make_queue(node1, q)
    make_queue(node2, q)
    send(node1, q, bodies("before", 10))
    with Admin(node2) as admin:
        status, desc, replica = admin.replicate(node1.address, q)
        assert status == 200, "REPLICATE: %s %s" % (status, desc)
        assert replica["queue"] == q and replica["source"] == node1.address
    wait_bodies(node2, q, bodies("before", 10))
    send(node1, q, bodies("after", 5))
    wait_bodies(node2, q, bodies("before", 10) + bodies("after", 5))
    replica = wait_replica_status(node2, q, "replicating")
    assert replica["connected"] == node1.address
    assert replica["messages"] == 15

    # A consumer on the source takes 12: they leave the replica too.
    assert consume(node1, q, 12) == bodies("before", 10) + bodies("after", 2)
    wait_bodies(node2, q, bodies("after", 3, start=2))
    with Admin(node1) as admin:
        assert admin.queue(q)["msgDepth"] == 3


def test_replica_is_browse_only(brokers):
    node1, node2 = brokers.start(name="node1"), brokers.start(name="node2")
    q = unique("browse-only")
    make_queue(node1, q)
    make_queue(node2, q)
    send(node1, q, ["one"])
    with Admin(node2) as admin:
        assert admin.replicate(node1.address, q)[0] == 200
    wait_bodies(node2, q, ["one"])
    conn = connect(node2)
    try:
        # Taking messages is refused: the source decides what leaves the replica.
        with pytest.raises(LinkDetached) as refused:
            conn.create_receiver(q)
        assert "browse only" in str(refused.value)
        # Publishing is refused: the replica holds what the source holds.
        snd = conn.create_sender(q)
        with pytest.raises(SendException) as rejected:
            snd.send(Message(body="local"), timeout=10)
        assert rejected.value.state == Delivery.REJECTED
    finally:
        conn.close()
    with Admin(node2) as admin:
        status, desc, _ = admin.m.request("PURGE", type="queue", name=q)
        assert status == 409 and "replica" in desc
    assert browse(node2, q) == ["one"]


# -- (b) the tools ---------------------------------------------------------------------------------

def test_qpid_config_start_replica(brokers):
    node1, node2 = brokers.start(name="node1"), brokers.start(name="node2")
    q = unique("cfg")
    make_queue(node1, q)
    send(node1, q, bodies("m", 4))
    r = qpid_config("-b", node2.address, "add", "queue", q, "--start-replica", node1.address)
    assert r.returncode == 0, r.stderr
    wait_bodies(node2, q, bodies("m", 4))
    wait_replica_status(node2, q, "replicating")


@pytest.mark.parametrize("source_first", [True, False], ids=["source-queue", "queue-source"])
def test_qpid_ha_replicate_either_order(brokers, source_first):
    node1, node2 = brokers.start(name="node1"), brokers.start(name="node2")
    q = unique("ha")
    make_queue(node1, q)
    make_queue(node2, q)
    send(node1, q, bodies("m", 3))
    words = [node1.address, q] if source_first else [q, node1.address]
    r = qpid_ha("replicate", "-b", node2.address, *words)
    assert r.returncode == 0, r.stderr
    wait_bodies(node2, q, bodies("m", 3))
    wait_replica_status(node2, q, "replicating")
    r = qpid_ha("replicas", "-b", node2.address)
    assert r.returncode == 0, r.stderr
    rows = [line.split() for line in r.stdout.splitlines()[2:]]
    assert [q, node1.address, "replicating", "3", "3", node1.address] in rows, r.stdout


def test_qpid_ha_replicate_stop(brokers):
    node1, node2 = brokers.start(name="node1"), brokers.start(name="node2")
    q = unique("stop")
    make_queue(node1, q)
    make_queue(node2, q)
    send(node1, q, bodies("m", 3))
    assert qpid_ha("replicate", "-b", node2.address, node1.address, q).returncode == 0
    wait_bodies(node2, q, bodies("m", 3))
    r = qpid_ha("replicate-stop", "-b", node2.address, q)
    assert r.returncode == 0, r.stderr
    assert replica_of(node2, q) is None
    r = qpid_ha("replicate-stop", "-b", node2.address, q)
    assert r.returncode == 1 and "is not a replica" in r.stderr, r.stderr
    assert qpid_ha("replicas", "-b", node2.address).stdout == ""


# -- (c) refusals ----------------------------------------------------------------------------------

def test_refused_without_queue_replication(brokers):
    plain = brokers.start(args=[], name="plain")
    node1 = brokers.start(name="node1")
    q = unique("off")
    make_queue(plain, q)
    make_queue(node1, q)
    # This broker cannot keep replicas.
    r = qpid_ha("replicate", "-b", plain.address, node1.address, q)
    assert r.returncode == 1
    assert "--ha-queue-replication yes" in r.stderr, r.stderr
    # Nor serve them: the replica says why its source refuses it.
    with Admin(node1) as admin:
        assert admin.replicate(plain.address, q)[0] == 200
    replica = wait_until(lambda: replica_with_error(node1, q), timeout=WAIT,
                         what="the source's refusal")
    assert "--ha-queue-replication yes" in replica["lastError"]
    assert replica["status"] == "connecting"
    r = qpid_ha("replicas", "-b", node1.address)
    assert "--ha-queue-replication yes" in r.stdout, r.stdout


def test_refusals_name_what_is_wrong(brokers):
    node1, node2 = brokers.start(name="node1"), brokers.start(name="node2")
    q = unique("refused")
    make_queue(node1, q)
    make_queue(node2, q)

    # No such local queue: both words are named, as either could have been meant.
    r = qpid_ha("replicate", "-b", node2.address, node1.address, "no-such-queue")
    assert r.returncode == 1
    assert "'no-such-queue'" in r.stderr and "'%s'" % node1.address in r.stderr, r.stderr
    with Admin(node2) as admin:
        status, desc, _ = admin.replicate(node1.address, "no-such-queue")
        assert status == 404 and "no-such-queue" in desc

    # A bad URL is named.
    r = qpid_ha("replicate", "-b", node2.address, q, "127.0.0.1:99999")
    assert r.returncode == 1 and "bad source URL '127.0.0.1:99999'" in r.stderr, r.stderr
    r = qpid_config("-b", node2.address, "add", "queue", unique("x"), "--start-replica",
                    "127.0.0.1:99999")
    assert r.returncode == 2 and "127.0.0.1:99999" in r.stderr, r.stderr
    with Admin(node2) as admin:
        status, desc, _ = admin.replicate("127.0.0.1:99999", q)
        assert status == 400 and "127.0.0.1:99999" in desc

    # Two local queues that could both be the URL: ambiguous, both named.
    other = "localhost"
    make_queue(node2, other)
    r = qpid_ha("replicate", "-b", node2.address, other, q)
    assert r.returncode == 1 and "ambiguous" in r.stderr, r.stderr
    assert "'%s'" % other in r.stderr and "'%s'" % q in r.stderr

    # A queue already replicating names its source.
    assert qpid_ha("replicate", "-b", node2.address, node1.address, q).returncode == 0
    r = qpid_ha("replicate", "-b", node2.address, q, node1.address)
    assert r.returncode == 1 and "already a replica of '%s'" % node1.address in r.stderr, r.stderr

    # A queue holding messages would not hold exactly what the source holds.
    full = unique("full")
    make_queue(node2, full)
    send(node2, full, ["local"])
    r = qpid_ha("replicate", "-b", node2.address, node1.address, full)
    assert r.returncode == 1 and "holds 1 messages" in r.stderr, r.stderr
    assert browse(node2, full) == ["local"]


# -- (d) reconnection and restarts -----------------------------------------------------------------

def test_reconnection_sends_only_what_the_replica_lacks(brokers):
    node1, node2 = brokers.start(name="node1"), brokers.start(name="node2")
    q = unique("held")
    make_queue(node1, q)
    make_queue(node2, q)
    send(node1, q, bodies("m", 30))
    with Admin(node2) as admin:
        assert admin.replicate(node1.address, q)[0] == 200
    wait_bodies(node2, q, bodies("m", 30))
    assert wait_replica_status(node2, q, "replicating")["msgsReceived"] == 30

    # The source hangs past two heartbeats: the replica drops it and keeps trying.
    brokers.sigstop(node1)
    try:
        wait_replica_status(node2, q, "connecting")
    finally:
        brokers.sigcont(node1)
    wait_replica_status(node2, q, "replicating")
    send(node1, q, bodies("m", 5, start=30))
    consume(node1, q, 2)
    wait_bodies(node2, q, bodies("m", 33, start=2))
    # It attached with the ids it held: only the 5 new messages came again.
    assert replica_of(node2, q)["msgsReceived"] == 35


def test_source_restart_replaces_what_the_replica_held(brokers):
    node1, node2 = brokers.start(name="node1"), brokers.start(name="node2")
    q = unique("restart")
    make_queue(node1, q)
    make_queue(node2, q)
    send(node1, q, bodies("old", 6))
    with Admin(node2) as admin:
        assert admin.replicate(node1.address, q)[0] == 200
    wait_bodies(node2, q, bodies("old", 6))

    # A new, empty broker on the source's address: its queue is another queue, whose ids mean
    # other messages. The replica drops what it held and copies the new queue, no duplicate.
    node1 = brokers.restart(node1)
    wait_until(lambda: "no queue" in ((replica_of(node2, q) or {}).get("lastError") or ""),
               timeout=WAIT, what="the replica to find no queue at the restarted source")
    assert browse(node2, q) == bodies("old", 6)  # kept while the source has no such queue
    make_queue(node1, q)
    send(node1, q, bodies("new", 4))
    wait_bodies(node2, q, bodies("new", 4))
    wait_replica_status(node2, q, "replicating")
    send(node1, q, bodies("new", 2, start=4))
    wait_bodies(node2, q, bodies("new", 6))


# -- (e) a replica of a cluster's queue follows the primary ---------------------------------------

def test_replica_follows_cluster_failover(brokers, ha_cluster):
    cluster = ha_cluster(3, replicate="all")
    cluster.start_primary(0)
    replica_broker = brokers.start(name="replica")
    q = unique("clustered")
    with cluster.management(0) as m:
        status, desc, _ = m.request("CREATE", type="queue", name=q)
        assert status == 201, desc
    make_queue(replica_broker, q)
    # Every member's address: the backups drop the replicator, the primary serves it.
    with Admin(replica_broker) as admin:
        status, desc, _ = admin.replicate(cluster.url(), q)
        assert status == 200, desc
    conn = cluster.connect(0)
    send_pipelined(conn, q, bodies("before", 20))
    conn.close()
    wait_bodies(replica_broker, q, bodies("before", 20))
    assert wait_replica_status(replica_broker, q, "replicating")["connected"] == cluster.address(0)

    cluster.kill(0)
    cluster.promote(1)
    cluster.wait_status(1, ("recovering", "active"))
    conn = cluster.connect(1)
    send_pipelined(conn, q, bodies("after", 20))
    conn.close()
    expected = bodies("before", 20) + bodies("after", 20)
    wait_bodies(replica_broker, q, expected)
    replica = wait_replica_status(replica_broker, q, "replicating")
    assert replica["connected"] == cluster.address(1)
    # It went on from the ids it held: the 20 it had were not sent again.
    assert replica["msgsReceived"] == 40

    # Consumed on the new primary: gone from the replica.
    assert consume_cluster(cluster, 1, q, 25) == expected[:25]
    wait_bodies(replica_broker, q, expected[25:])


def consume_cluster(cluster, i, queue, n):
    conn = cluster.connect(i)
    try:
        rcv = conn.create_receiver(queue, credit=n)
        out = []
        for _ in range(n):
            out.append(rcv.receive(timeout=10).body)
            rcv.accept()
        rcv.close()
        return out
    finally:
        conn.close()


# -- (f) REPLICATE-STOP ----------------------------------------------------------------------------

def test_stopped_replica_keeps_its_messages_and_serves_clients(brokers):
    node1, node2 = brokers.start(name="node1"), brokers.start(name="node2")
    q = unique("let-go")
    make_queue(node1, q)
    make_queue(node2, q)
    send(node1, q, bodies("m", 5))
    with Admin(node2) as admin:
        assert admin.replicate(node1.address, q)[0] == 200
    wait_bodies(node2, q, bodies("m", 5))
    with Admin(node2) as admin:
        status, desc, replica = admin.replicate_stop(q)
        assert status == 200, desc
        assert replica["status"] == "stopped" and replica["messages"] == 5
        assert admin.replicas() == {}
    # The source goes on alone; the former replica no longer follows it.
    send(node1, q, ["source-only"])
    consume(node1, q, 6)
    time.sleep(1)
    assert browse(node2, q) == bodies("m", 5)
    # An ordinary queue again: publishers and consumers are served.
    send(node2, q, ["local"])
    assert consume(node2, q, 6) == bodies("m", 5) + ["local"]
    # And it may become a replica again once empty.
    with Admin(node2) as admin:
        status, desc, _ = admin.replicate(node1.address, q)
        assert status == 200, desc
    send(node1, q, ["again"])
    wait_bodies(node2, q, ["again"])
