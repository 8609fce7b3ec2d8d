"""Recovery after a promotion (doc/ha-protocol.md 7.1, 10): the new primary holds publishers
while `recovering` until the backups that were ready are back or ha-backup-timeout passes, and a
backup that followed a primary the new one does not descend from drops what that primary gave
(history reconciliation)."""

import threading
import time

import pytest
from proton import Delivery, Message

from amqp_helpers import receive_n, send, unique
from ha_cluster import HaCluster, browse_all, ok, wait_until


@pytest.fixture
def cluster(tmp_path):
    """Factory: cluster(n, extra_args) -> a started HaCluster of n brokers, 0 the primary, the
    others ready; stopped (by PID) after the test."""
    made = []

    def make(n, extra_args=()):
        c = HaCluster(tmp_path / ("c%d" % len(made)), n, start=False, extra_args=extra_args)
        made.append(c)
        c.start_all()
        c.start_primary(0)
        return c

    yield make
    errors = []
    for c in made:
        errors += c.close()
    assert not errors, "\n".join(errors)


class BackgroundSend:
    """Sends one message on its own connection and thread; `outcome` is the delivery's remote
    state once settled, or the exception."""

    def __init__(self, c, i, address, body):
        self.outcome = None
        self.settled_at = None
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(c, i, address, body), daemon=True)
        self.thread.start()

    def _run(self, c, i, address, body):
        conn = None
        try:
            conn = c.connect(i)
            d = conn.create_sender(address).send(Message(body=body), timeout=120)
            self.outcome = d.remote_state
        except Exception as e:  # reported by the test
            self.outcome = e
        finally:
            self.settled_at = time.monotonic()
            self.done.set()
            if conn is not None:
                conn.close()


def replica_bodies(c, i, q):
    admin = c.admin_connect(i)
    try:
        return browse_all(admin, q, timeout=0.3)
    finally:
        admin.close()


def consume(c, q, n):
    """Takes and accepts n messages of q on the primary (0); closing the connection settles the
    last acceptances and releases what was prefetched beyond n."""
    conn = c.connect(0)
    try:
        receive_n(conn.create_receiver(q, credit=n), n)
    finally:
        conn.close()


def test_new_primary_holds_publishers_until_expected_backup_returns(cluster):
    """Broker 2 is stopped when primary 0 dies; broker 1, promoted, is `recovering` and holds a
    publisher (on an old queue and on one made after the promotion) until 2 is back and caught
    up, then is `active`."""
    c = cluster(3, extra_args=["--ha-backup-timeout", "120"])
    old_q = unique("held-old")
    ok(c.qpid_config(0, "add", "queue", old_q), "add queue")
    wait_until(lambda: replica_bodies(c, 2, old_q) == [], what="the queue on backup 2")
    c.sigstop(2)
    c.kill(0)
    c.promote(1)
    assert c.status(1) == "recovering"
    new_q = unique("held-new")
    ok(c.qpid_config(1, "add", "queue", new_q), "add queue after the promotion")
    sends = [BackgroundSend(c, 1, q, "while-recovering") for q in (old_q, new_q)]
    time.sleep(2)
    assert not any(s.done.is_set() for s in sends), [s.outcome for s in sends]
    assert c.status(1) == "recovering"

    c.sigcont(2)
    for s in sends:
        assert s.done.wait(60), "publisher still held 60 s after the expected backup returned"
        assert s.outcome == Delivery.ACCEPTED, s.outcome
    c.wait_status(1, "active")
    c.wait_status(2, "ready")
    for q in (old_q, new_q):
        assert replica_bodies(c, 2, q) == ["while-recovering"], q


def test_expected_backup_timeout_releases_publishers(cluster):
    """An expected backup that never comes back: after ha-backup-timeout (5 s here) the new
    primary logs it, is `active` and accepts the held message."""
    c = cluster(3)  # --ha-backup-timeout 5
    q = unique("timeout")
    ok(c.qpid_config(0, "add", "queue", q), "add queue")
    with c.management(2) as m:
        wait_until(lambda: m.read("queue", q), what="the queue on backup 2")
    c.sigstop(2)
    c.kill(0)
    since = c[1].log_size()
    promoted_at = time.monotonic()
    c.promote(1)
    held = BackgroundSend(c, 1, q, "held")
    assert held.done.wait(60), "publisher still held 60 s after the promotion"
    assert held.outcome == Delivery.ACCEPTED, held.outcome
    waited = held.settled_at - promoted_at
    assert waited > 3, "released %.1f s after the promotion: before ha-backup-timeout" % waited
    c.wait_status(1, "active", timeout=10)
    assert "expected backup" in c[1].log(since) and "timed out" in c[1].log(since)
    c.kill(2)


def test_backup_drops_messages_of_a_primary_the_new_one_does_not_descend_from(cluster):
    """Two brokers promoted with the same epoch (2) after the first primary died: 1 while 2 was
    stopped, then 2 while 1 was stopped. Backup 3 followed 1 and received a message with id
    (2 << 48) + 1; on joining 2, whose history differs at epoch 2, it drops that message, so it
    receives 2's own message with that id rather than keeping the wrong one (7.1)."""
    c = cluster(4)
    q = unique("history")
    ok(c.qpid_config(0, "add", "queue", q), "add queue")
    conn = c.connect(0)
    send(conn, q, ["from-0"])
    conn.close()
    for i in (1, 2, 3):
        wait_until(lambda i=i: replica_bodies(c, i, q) == ["from-0"], what="from-0 on %d" % i)

    c.sigstop(2)
    c.kill(0)
    c.promote(1)  # epoch 2: history (1, b0), (2, b1); waits for 2 until ha-backup-timeout
    conn = c.connect(1)
    send(conn, q, ["from-1"])  # accepted once 3 holds it and 2 timed out
    conn.close()
    assert replica_bodies(c, 3, q) == ["from-0", "from-1"]

    since = c[3].log_size()
    c.sigstop(1)
    c.sigcont(2)
    c.promote(2)  # also epoch 2: history (1, b0), (2, b2)
    c.wait_status(3, "ready", timeout=60)
    conn = c.connect(2)
    send(conn, q, ["from-2"])
    conn.close()
    wait_until(lambda: replica_bodies(c, 3, q) == ["from-0", "from-2"], timeout=30,
               what="backup 3 to hold exactly primary 2's messages (has %s)"
               % replica_bodies(c, 3, q))
    log = c[3].log(since)
    assert "does not share this broker's epochs 2: dropped the 1 replicated messages" in log, log
    c.kill(1)


def test_stale_primary_stops_when_it_meets_the_new_one(cluster):
    """Primary 0 hangs (SIGSTOP) and 1 is promoted (epoch 2). When 0 runs again, its probe finds
    a primary of a higher epoch: it logs that it is stale and exits with status 1; 1 carries on
    and 2 follows it (doc 11.2)."""
    c = cluster(3)
    c.sigstop(0)
    c.promote(1)
    c.wait_status(1, "active", timeout=60)  # 2 noticed 0 silent, followed 1 and caught up
    c.sigcont(0)
    old = c[0]
    wait_until(lambda: not old.alive(), timeout=30, what="the stale primary to exit")
    rc = c.stop(0, expect_status=1)
    assert rc == 1
    assert "is a stale primary: shutting down" in old.log(), old.log()
    assert c.status(1) == "active"
    c.wait_status(2, "ready")


def test_reconnecting_backup_receives_only_what_it_lacks(cluster):
    """A backup dropped by the primary (SIGSTOP past the heartbeat) keeps its replicas; when it
    reconnects, the primary sends only the messages published meanwhile, and the backup drops
    those consumed meanwhile (7.4)."""
    c = cluster(2, extra_args=["--log-enable", "debug+:ha"])
    q = unique("lacks")
    ok(c.qpid_config(0, "add", "queue", q), "add queue")
    c.qpid_send(0, q, 1000)
    consume(c, q, 300)
    wait_until(lambda: len(replica_bodies(c, 1, q)) == 700, what="700 messages on the backup")
    with c.management(1) as m:
        backup_id = m.ha()["brokerId"]

    c.sigstop(1)
    with c.management(0) as m:
        wait_until(lambda: all(mb["broker-id"] != backup_id for mb in m.ha()["members"]),
                   what="the primary to drop the stopped backup")
    c.qpid_send(0, q, 50)
    consume(c, q, 100)
    since = c[0].log_size()
    c.sigcont(1)
    c.wait_status(1, "ready", timeout=60)
    wanted = "queue %s caught up for backup %s: sent 50 messages, 600 held there already" % (
        q, backup_id)
    wait_until(lambda: wanted in c[0].log(since), what="the primary's catch-up line")
    admin = c.admin_connect(0)
    primary_has = browse_all(admin, q, timeout=0.3)
    admin.close()
    assert len(primary_has) == 650
    wait_until(lambda: replica_bodies(c, 1, q) == primary_has, what="the backup to match")


def test_primary_lost_command_runs_when_the_primary_process_is_gone(cluster, tmp_path):
    """--ha-primary-lost-command (11.1): each backup runs it once when the primary's process dies
    (its link breaks, its port then refuses), with the primary's address and id; a primary that
    only hangs (SIGSTOP: heartbeats lapse, connections time out) does not run it."""
    out = tmp_path / "lost.txt"
    command = 'echo "$QPIDD_HA_BROKER_ID $QPIDD_HA_PRIMARY_ID $QPIDD_HA_PRIMARY_ADDRESS" >> %s' % out
    c = cluster(3, extra_args=["--ha-primary-lost-command", command])
    ids = {}
    for i in range(3):
        with c.management(i) as m:
            ids[i] = m.ha()["brokerId"]

    # Hung primary: the backups lose it after 2 heartbeats (2 s) and find no process gone.
    c.sigstop(0)
    time.sleep(4)
    assert not out.exists(), out.read_text()
    c.sigcont(0)
    c.wait_status(1, "ready", timeout=30)
    c.wait_status(2, "ready", timeout=30)

    killed_at = time.monotonic()
    c.kill(0)
    wait_until(lambda: out.exists() and len(out.read_text().splitlines()) == 2, timeout=10,
               what="both backups to run the command")
    print("command run by both backups %.2f s after the kill" % (time.monotonic() - killed_at))
    lines = sorted(out.read_text().splitlines())
    assert lines == sorted("%s %s %s" % (ids[i], ids[0], c.address(0)) for i in (1, 2)), lines
    time.sleep(2)
    assert len(out.read_text().splitlines()) == 2, "run more than once: %s" % out.read_text()


def test_primary_stopped_on_purpose_is_not_reported_lost(cluster, tmp_path):
    """A primary stopped with SIGTERM (a cluster manager's stop or demotion) closes its backups'
    connections with an AMQP close before its sockets go: the backups know it stopped on purpose
    and run no --ha-primary-lost-command (else Pacemaker would record a failure of a stop it
    asked for). Then a backup is promoted and the old primary returns as a backup."""
    out = tmp_path / "lost.txt"
    command = 'echo "$QPIDD_HA_BROKER_ID" >> %s' % out
    c = cluster(3, extra_args=["--ha-primary-lost-command", command])
    c.stop(0)
    for i in (1, 2):
        wait_until(lambda i=i: "the primary is shutting down" in c[i].log(), timeout=10,
                   what="backup %d to be told the primary is shutting down" % i)
    time.sleep(2)  # a backup that missed the close would have probed the port and run it by now
    assert not out.exists(), out.read_text()
    c.promote(1)
    c.wait_status(1, "active", timeout=30)
    c.restart(0)
    c.wait_status(0, "ready", timeout=30)
    c.wait_status(2, "ready", timeout=30)
    assert not out.exists(), out.read_text()
