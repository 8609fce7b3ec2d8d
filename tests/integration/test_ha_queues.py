"""Every queue type across an HA failover (doc/ha-protocol.md 7.6, doc/queues.md): last-value,
ring, reject, priority and fairshare queues, expiry and alternate exchanges, exclusive and
auto-delete queues, messages consumers hold acquired, a same-name queue replaced while a backup
was away, and objects deleted while a backup was away.

One three-broker cluster (--ha-replicate all, --queue-purge-interval 1) serves the module. The
`failover` fixture, with broker 0 primary:
  1. SIGSTOPs backup 2 until the primary drops it, deletes objects and replaces a queue meanwhile,
     SIGCONTs it and waits until it is ready again;
  2. sets every feature up on the primary (Proton Python client and management);
  3. records what backups 1 and 2 hold, browsing with admin connections;
  4. kills broker 0 (SIGKILL) and promotes broker 2, the backup that was away.
Each test then asserts its feature's replicas, and the contents and behaviour on the new primary
(and on backup 1, which follows it). The expiry test comes first: it checks a message is still
there shortly before its original expiry time, and gone before the time a ttl counted again from
the promotion would give, so it must not run after an unknown amount of other tests' time.
"""

import time

import pytest
from proton import Delivery, Message, Timeout
from proton.reactor import Copy
from proton.utils import LinkDetached

from amqp_helpers import TIMEOUT, bodies, drain, pump, send, unique, wait_for
from ha_cluster import HaCluster, created, wait_until

OLD, NEW, OTHER = 0, 2, 1  # the killed primary, the promoted backup, the backup that follows
WAIT = 30                  # s: a deadline for what takes well under a second
CONVERGE = 15              # s: for a backup to hold what its primary holds
TTL_LATER = 12.0           # s: ttl of a message that must expire after the promotion
MIN_AGE_AT_KILL = 4.0      # s: that message's age when the primary is killed, at least
LIMIT_EXCEEDED = "amqp:resource-limit-exceeded"
RESOURCE_LOCKED = "amqp:resource-locked"


# -- client helpers ------------------------------------------------------------------------------

def browse_many(conn, counts, patience=TIMEOUT, idle=0.2):
    """Browses (distribution-mode copy) every address of `counts` ({address: count}) at once:
    waits up to `patience` s for each to deliver its count, then takes whatever else arrives
    within `idle` s. Returns {address: bodies}."""
    receivers = {a: conn.create_receiver(a, options=Copy(), credit=n + 20, name=unique("browse"))
                 for a, n in counts.items()}
    try:
        wait_for(conn, lambda: all(r.fetcher.has_message >= counts[a]
                                   for a, r in receivers.items()), timeout=patience)
        pump(conn, idle)
        out = {}
        for a, r in receivers.items():
            out[a] = [r.fetcher.pop().body for _ in range(r.fetcher.has_message)]
            while r.fetcher.unsettled:
                r.fetcher.settle(Delivery.ACCEPTED)
        return out
    finally:
        for r in receivers.values():
            r.close()


def browse(conn, address, count):
    """Bodies on `address`, browsed: `count` are expected (browse_many)."""
    return browse_many(conn, {address: count})[address]


def converged_many(conn, expected, timeout=CONVERGE):
    """Browses every address of `expected` ({address: bodies}) until each holds exactly its
    bodies, in order, or `timeout` passes; returns what each held last. Dequeues reach backups
    asynchronously."""
    deadline = time.monotonic() + timeout
    got = {}
    pending = dict(expected)
    while True:
        got.update(browse_many(conn, {a: len(b) for a, b in pending.items()}))
        pending = {a: b for a, b in pending.items() if got[a] != b}
        if not pending or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


def converged(conn, address, expected, timeout=CONVERGE):
    return converged_many(conn, {address: expected}, timeout)[address]


def take(conn, address, count, idle=0.3):
    """Consumes (accepts) `count` messages, then (idle > 0) anything else arriving within `idle`
    s: their bodies, in delivery order. With idle 0 the link never has credit for more than
    `count`, so no further message is acquired (and released at the detach) behind the test's
    back."""
    rcv = conn.create_receiver(address, credit=count, name=unique("take"))
    out = []
    try:
        while len(out) < count:
            try:
                out.append(rcv.receive(timeout=TIMEOUT).body)
            except Timeout:
                return out
            rcv.accept()
        if idle:
            rcv.link.flow(20)
            out += bodies(drain(rcv, timeout=idle))
        return out
    finally:
        rcv.close()


def publish(conn, address, messages):
    """Sends each message and waits for its settlement; returns the deliveries (a rejection does
    not raise: see remote_state and remote.condition)."""
    snd = conn.create_sender(address)
    try:
        return [snd.send(m if isinstance(m, Message) else Message(body=m), error_states=[])
                for m in messages]
    finally:
        snd.close()


def refusal(conn, address):
    """Attaches a consumer to `address`: the refusal's (condition, description), or None if it
    was admitted (it is closed again)."""
    try:
        rcv = conn.create_receiver(address, name=unique("refused"))
    except LinkDetached as e:
        cond = e.link.remote_condition
        return (cond.name, cond.description or "") if cond else ("no condition", "")
    rcv.close()
    return None


def keyed(key, body):
    return Message(body=body, properties={"key": key})


def uuid_of(queue):
    return queue["arguments"].get("qpid.ha-uuid") if queue else None


# -- the scenario ----------------------------------------------------------------------------------

class Scenario:
    """The cluster, the names of everything made on it, and what was seen before the failover."""

    def __init__(self, cluster):
        self.c = cluster
        self.names = {}
        self.expect = {}       # queue key -> the bodies every backup must hold before the failover
        self.replicas = {}     # (queue key, backup index) -> the bodies it held
        self.seen = {}         # other observations, by name
        self.held = []         # client connections to the old primary, left to die with it

    def name(self, key):
        if key not in self.names:
            self.names[key] = unique(key)
        return self.names[key]

    def connect_new(self):
        return self.c.connect(NEW)

    def admin(self, i):
        return self.c.admin_connect(i)

    def hold(self):
        conn = self.c.connect(OLD)
        self.held.append(conn)
        return conn

    def drop_held(self):
        broker_gone = not self.c[OLD].alive()
        for conn in self.held:
            try:
                if broker_gone:
                    # Until it has seen its transport close it would wait for a close frame.
                    conn.wait(lambda: False, timeout=5)
            except Exception:
                pass
            try:
                conn.close()
            except Exception:  # its broker was killed: nothing to close cleanly
                pass
        self.held = []


def declare(m, kind, name, **body):
    created(m.request("CREATE", type=kind, name=name, body=body), "%s %s" % (kind, name))


def bind(m, exchange, queue, key):
    created(m.request("CREATE", type="binding",
                      body={"exchange": exchange, "queue": queue, "key": key}),
            "binding %s/%s/%s" % (exchange, queue, key))


def members(c, i):
    with c.management(i) as m:
        return {e["address"]: e["status"] for e in m.ha()["members"]}


# 1. A backup away (SIGSTOP past its heartbeat) while objects are deleted and a queue replaced.

def _while_backup_away(s):
    c = s.c
    stale, kept_q, gone_q = s.name("stale"), s.name("kept-q"), s.name("gone-q")
    kept_x, gone_x, stale_x = s.name("kept-x"), s.name("gone-x"), s.name("stale-x")
    # The alternate sorts before its user: a backup deleting in name order meets it first.
    gone_alt, gone_user = s.name("gone-alt"), s.name("gone-user")
    assert gone_alt < gone_user
    p = c.connect(OLD)
    with c.management(OLD, admin=False) as m:
        declare(m, "queue", stale)
        send(p, stale, ["old0", "old1"])
        declare(m, "queue", kept_q)
        declare(m, "queue", gone_q)
        send(p, gone_q, ["g0"])
        declare(m, "exchange", kept_x, **{"exchange-type": "topic"})
        declare(m, "exchange", gone_x, **{"exchange-type": "topic"})
        declare(m, "exchange", stale_x, **{"exchange-type": "topic"})
        declare(m, "exchange", gone_alt, **{"exchange-type": "fanout"})
        declare(m, "exchange", gone_user, **{"exchange-type": "direct",
                                             "alternate-exchange": gone_alt})
        bind(m, gone_x, kept_q, "k")
        bind(m, stale_x, kept_q, "sx")
        bind(m, kept_x, kept_q, "gone-key")
        bind(m, kept_x, kept_q, "kept-key")  # the last change: the others reached backups first
    with c.management(NEW) as m:
        wait_until(lambda: (kept_x, kept_q, "kept-key") in m.bindings(), timeout=WAIT,
                   what="the last binding on backup %d" % NEW)
        s.seen["stale-uuid-before"] = uuid_of(m.read("queue", stale))
        s.seen["stale-x-uuid-before"] = uuid_of(m.read("exchange", stale_x))

    c.sigstop(NEW)
    wait_until(lambda: c.address(NEW) not in members(c, OLD), timeout=WAIT,
               what="the primary to drop the stopped backup")
    with c.management(OLD, admin=False) as m:
        for kind, name in (("queue", stale), ("queue", gone_q), ("exchange", gone_x),
                           ("exchange", gone_user), ("exchange", gone_alt),
                           ("exchange", stale_x)):
            status, desc, _ = m.request("DELETE", type=kind, name=name)
            assert status == 204, "DELETE %s %s: %s %s" % (kind, name, status, desc)
        status, desc, _ = m.request("DELETE", type="binding",
                                    body={"exchange": kept_x, "queue": kept_q, "key": "gone-key"})
        assert status == 204, "DELETE binding: %s %s" % (status, desc)
        declare(m, "queue", stale)
        send(p, stale, ["new0", "new1", "new2"])
        s.seen["stale-uuid-primary"] = uuid_of(m.read("queue", stale))
        declare(m, "exchange", stale_x, **{"exchange-type": "fanout"})  # another type too
        bind(m, stale_x, kept_q, "")
        s.seen["stale-x-uuid-primary"] = uuid_of(m.read("exchange", stale_x))
    p.close()
    c.sigcont(NEW)
    # The primary decides readiness; the backup's own word may be its state from before.
    wait_until(lambda: members(c, OLD).get(c.address(NEW)) == "ready"
               and c.status(NEW) == "ready", timeout=WAIT,
               what="backup %d ready again after SIGCONT" % NEW)

    for i in (NEW, OTHER):
        with c.management(i) as m:
            s.seen[("queues", i)] = set(m.queues())
            s.seen[("exchanges", i)] = m.exchanges()
            s.seen[("bindings", i)] = m.bindings()
            s.seen[("stale-uuid", i)] = uuid_of(m.read("queue", stale))
    s.expect["stale"] = ["new0", "new1", "new2"]


# 2. Every feature, set up on the primary.

def _set_up_lvq(s, p, m):
    q = s.name("lvq")
    declare(m, "queue", q, arguments={"qpid.last_value_queue_key": "key"})
    send(p, q, [keyed("a", "a1"), keyed("b", "b1"), Message(body="x1")])
    consumer = s.hold().create_receiver(q)
    s.seen["lvq-held"] = consumer.receive(timeout=TIMEOUT).body  # a1, acquired, never settled
    send(p, q, [keyed("a", "a2"), keyed("b", "b2"), keyed("c", "c1")])
    # b2 replaced b1; a1 is held by the consumer, so a2 replaced nothing.
    s.seen["lvq-primary"] = browse(p, q, 4)
    s.expect["lvq"] = ["a1", "x1", "a2", "b2", "c1"]


def _set_up_ring(s, p, m):
    q = s.name("ring")
    declare(m, "queue", q, arguments={"qpid.max_count": 5, "qpid.policy_type": "ring"})
    send(p, q, ["r%d" % i for i in range(8)])
    s.expect["ring"] = ["r%d" % i for i in range(3, 8)]


def _set_up_reject(s, p, m):
    q = s.name("reject")
    declare(m, "queue", q, arguments={"qpid.max_count": 3, "qpid.policy_type": "reject",
                                      "qpid.flow_stop_count": 0})
    s.seen["reject-states"] = [d.remote_state for d in publish(p, q, ["j%d" % i for i in range(5)])]
    s.expect["reject"] = ["j0", "j1", "j2"]


PRIORITY_BEFORE = [(3, "p3a"), (7, "p7a"), (0, "p0a"), (9, "p9a"), (7, "p7b"), (5, "p5a"),
                   (0, "p0b")]
PRIORITY_AFTER = [(9, "p9b"), (0, "p0c"), (5, "p5b")]


def _set_up_priority(s, p, m):
    q = s.name("prio")
    declare(m, "queue", q, arguments={"qpid.priorities": 10})
    send(p, q, [Message(body=b, priority=pr) for pr, b in PRIORITY_BEFORE])
    s.expect["prio"] = [b for _, b in PRIORITY_BEFORE]  # browsing shows arrival order
    fair = s.name("fair")
    declare(m, "queue", fair, arguments={"qpid.priorities": 10, "qpid.fairshare": 2})
    spec = [(9, "H%d" % i) for i in range(4)] + [(0, "L%d" % i) for i in range(4)]
    send(p, fair, [Message(body=b, priority=pr) for pr, b in spec])
    s.expect["fair"] = [b for _, b in spec]


def _set_up_acquired(s, p, m):
    q = s.name("acq")
    declare(m, "queue", q)
    send(p, q, ["m%d" % i for i in range(6)])
    consumer = s.hold().create_receiver(q)
    assert consumer.receive(timeout=TIMEOUT).body == "m0"
    consumer.accept()
    s.seen["acq-held"] = [consumer.receive(timeout=TIMEOUT).body for _ in range(3)]  # unsettled
    s.seen["acq-primary"] = converged(p, q, ["m4", "m5"])
    s.expect["acq"] = ["m%d" % i for i in range(1, 6)]


def _set_up_exclusive(s, p, m):
    q = s.name("excl")
    declare(m, "queue", q, exclusive=True)
    s.hold().create_receiver(q)  # its one consumer, with no credit
    s.seen["excl-second"] = refusal(p, q)
    send(p, q, ["e0", "e1"])
    s.expect["excl"] = ["e0", "e1"]


def _set_up_auto_delete(s, p, m):
    delayed, unused, gone = s.name("ad-delayed"), s.name("ad-unused"), s.name("ad-gone")
    temp, session = s.name("temp"), s.name("session")
    declare(m, "queue", delayed, **{"auto-delete": True},
            arguments={"qpid.auto_delete_timeout": 3})
    declare(m, "queue", unused, **{"auto-delete": True})
    declare(m, "queue", gone, **{"auto-delete": True})
    declare(m, "queue", temp, **{"auto-delete": True}, exclusive=True)  # temporary: not replicated
    declare(m, "queue", session, **{"auto-delete": True}, exclusive=True,
            arguments={"qpid.replicate": "all"})
    send(p, unused, ["u0"])
    send(p, delayed, ["d0"])
    holder = s.hold()
    for q in (delayed, temp, session):
        holder.create_receiver(q)  # used, until the primary dies
    p.create_receiver(gone).close()  # used and left: deleted on the primary
    wait_until(lambda: m.read("queue", gone) is None, timeout=WAIT,
               what="auto-delete queue %s deleted on the primary" % gone)
    s.expect["ad-unused"] = ["u0"]
    s.expect["ad-delayed"] = ["d0"]


def _set_up_alternate(s, p, m):
    dlx, dlq = s.name("dlx"), s.name("dlq")
    rejq, delq, xalt = s.name("rejq"), s.name("delq"), s.name("xalt")
    declare(m, "exchange", dlx, **{"exchange-type": "fanout"})
    declare(m, "queue", dlq)
    bind(m, dlx, dlq, "")
    declare(m, "queue", rejq, **{"alternate-exchange": dlx})
    declare(m, "queue", delq, **{"alternate-exchange": dlx})
    declare(m, "exchange", xalt, **{"exchange-type": "direct", "alternate-exchange": dlx})
    send(p, rejq, ["rej-before", "rej-after", "keep"])
    send(p, delq, ["deleted-with-queue"])
    rcv = p.create_receiver(rejq)
    assert rcv.receive(timeout=TIMEOUT).body == "rej-before"
    rcv.reject()
    rcv.close()
    s.expect["rejq"] = ["rej-after", "keep"]
    s.expect["delq"] = ["deleted-with-queue"]
    s.expect["dlq"] = ["rej-before"]


def _set_up_expiry(s, p, m):
    """Last, so that the primary dies soon after: one message expires before the failover, one
    after it, at the time its ttl gives from its arrival on the old primary."""
    dlx, dlq, q = s.name("ttl-dlx"), s.name("ttl-dlq"), s.name("ttl")
    declare(m, "exchange", dlx, **{"exchange-type": "fanout"})
    declare(m, "queue", dlq)
    bind(m, dlx, dlq, "")
    declare(m, "queue", q, **{"alternate-exchange": dlx})
    s.seen["ttl-sent-at"] = time.time()
    send(p, q, [Message(body="expired-early", ttl=0.5),
                Message(body="expires-later", ttl=TTL_LATER),
                Message(body="long", ttl=120),
                Message(body="plain")])
    # The primary's sweep (every second) expires it and sends it to the alternate exchange.
    wait_until(lambda: m.read("queue", q)["discardsTtl"] == 1, timeout=WAIT,
               what="the primary to expire a message with ttl 0.5 s")
    s.expect["ttl"] = ["expires-later", "long", "plain"]
    s.expect["ttl-dlq"] = ["expired-early"]


def _set_up_features(s):
    c = s.c
    p = c.connect(OLD)
    try:
        with c.management(OLD, admin=False) as m:
            for set_up in (_set_up_lvq, _set_up_ring, _set_up_reject, _set_up_priority,
                           _set_up_acquired, _set_up_exclusive, _set_up_auto_delete,
                           _set_up_alternate, _set_up_expiry):
                set_up(s, p, m)
            # Configuration reaches backups in order: the marker comes after every change above.
            declare(m, "queue", s.name("marker"))
    finally:
        p.close()


# 3. What the backups hold.

def _record_replicas(s):
    c = s.c
    for i in (OTHER, NEW):
        with c.management(i) as m:
            wait_until(lambda: m.read("queue", s.name("marker")), timeout=WAIT,
                       what="the marker queue on backup %d" % i)
            s.seen[("queues-before", i)] = m.queues()
            s.seen[("exchanges-before", i)] = m.exchanges()
        admin = s.admin(i)
        try:
            held = converged_many(admin, {s.name(k): b for k, b in s.expect.items()})
        finally:
            admin.close()
        for key in s.expect:
            s.replicas[(key, i)] = held[s.name(key)]


# 4. The failover.

def sleep_until(when):
    """Sleeps until wall-clock time `when`: for a message's age, which nothing can be polled for."""
    time.sleep(max(0.0, when - time.time()))


def _fail_over(s):
    c = s.c
    sleep_until(s.seen["ttl-sent-at"] + MIN_AGE_AT_KILL)
    c.kill(OLD)
    s.seen["promoting-at"] = time.time()
    c.promote(NEW)
    s.seen["promoted-at"] = time.time()
    conn = s.connect_new()
    try:
        s.seen["ttl-after-promotion"] = browse(conn, s.name("ttl"), 3)
    finally:
        conn.close()
    with c.management(NEW) as m:
        s.seen["queues-after-promotion"] = set(m.queues())
    s.drop_held()
    c.wait_status(OTHER, "ready", timeout=WAIT)
    c.wait_status(NEW, "active", timeout=WAIT)


@pytest.fixture(scope="module")
def failover(tmp_path_factory):
    c = HaCluster(tmp_path_factory.mktemp("ha-queues"), 3, replicate="all",
                  extra_args=["--queue-purge-interval", "1"], start=False)
    s = Scenario(c)
    try:
        c.start_all()
        c.start_primary(OLD)
        _while_backup_away(s)
        _set_up_features(s)
        _record_replicas(s)
        _fail_over(s)
        yield s
    finally:
        s.drop_held()
        errors = c.close()
    assert not errors, "\n".join(errors)


def assert_replicas(s, key):
    for i in (OTHER, NEW):
        assert s.replicas[(key, i)] == s.expect[key], "backup %d's replica of %s" % (i, key)


def follows(s, key, expected):
    """Asserts that backup OTHER, following the new primary, comes to hold `expected`."""
    admin = s.admin(OTHER)
    try:
        assert converged(admin, s.name(key), expected) == expected, (
            "backup %d's replica of %s after the failover" % (OTHER, key))
    finally:
        admin.close()


def read_queue(s, key, i=NEW):
    with s.c.management(i) as m:
        return m.read("queue", s.name(key))


# -- expiry: first, while the promotion is recent -------------------------------------------------

def test_expiry_keeps_the_original_time(failover):
    """Backups never expire; a message expired on the old primary reached the dead-letter queue
    once and never comes back; one still alive at the promotion expires on the new primary at
    the time its ttl gave on the old one (not counted again from the promotion), and goes to
    the alternate exchange."""
    s = failover
    q, dlq = s.name("ttl"), s.name("ttl-dlq")
    sent_at, promoted_at = s.seen["ttl-sent-at"], s.seen["promoted-at"]
    promoting_at = s.seen["promoting-at"]  # before the promotion began
    assert_replicas(s, "ttl")
    assert_replicas(s, "ttl-dlq")
    assert promoting_at - sent_at >= MIN_AGE_AT_KILL
    assert promoted_at < sent_at + TTL_LATER - 1, (
        "the promotion came %.1f s after the ttl messages: too late to see one expire after it"
        % (promoted_at - sent_at))
    assert s.seen["ttl-after-promotion"] == ["expires-later", "long", "plain"]
    # It arrived on the old primary after sent_at, so it expires after sent_at + TTL_LATER;
    # counted again from the promotion, its ttl would keep it until after
    # promoting_at + TTL_LATER, at least MIN_AGE_AT_KILL s later.
    conn = s.connect_new()
    try:
        sleep_until(sent_at + TTL_LATER - 2)
        assert time.time() < sent_at + TTL_LATER - 1, (
            "the fixture ended %.1f s after the ttl messages were sent: too late to check that "
            "one is still there before its expiry" % (time.time() - sent_at))
        assert browse(conn, q, 3) == ["expires-later", "long", "plain"], "expired early"
        wait_until(lambda: browse(conn, q, 2) == ["long", "plain"],
                   timeout=promoting_at + TTL_LATER - 1 - time.time(),
                   what="expires-later to expire at its original time (sent %.1f s before the "
                        "promotion, ttl %.0f s)" % (promoted_at - sent_at, TTL_LATER))
        expected = ["expired-early", "expires-later"]
        assert converged(conn, dlq, expected, timeout=WAIT) == expected
        stats = read_queue(s, "ttl")
        assert (stats["discardsTtl"], stats["reroutes"], stats["msgDepth"]) == (1, 1, 2), stats
    finally:
        conn.close()
    follows(s, "ttl", ["long", "plain"])
    follows(s, "ttl-dlq", expected)


# -- the features ----------------------------------------------------------------------------------

def test_last_value_queue(failover):
    """Backups never replace: they hold the value a consumer held acquired on the old primary.
    At promotion the newest value of each key is kept, the older one dropped as replaced; then
    the queue replaces by key again."""
    s = failover
    q = s.name("lvq")
    assert s.seen["lvq-held"] == "a1"
    assert s.seen["lvq-primary"] == ["x1", "a2", "b2", "c1"]
    assert_replicas(s, "lvq")
    conn = s.connect_new()
    try:
        assert browse(conn, q, 4) == ["x1", "a2", "b2", "c1"]
        assert read_queue(s, "lvq")["discardsLvq"] == 1, "a1 not counted as replaced"
        send(conn, q, [keyed("a", "a3")])
        assert browse(conn, q, 4) == ["x1", "b2", "c1", "a3"]
        stats = read_queue(s, "lvq")
        assert (stats["msgDepth"], stats["discardsLvq"], stats["lvqKey"]) == (4, 2, "key"), stats
    finally:
        conn.close()
    follows(s, "lvq", ["x1", "b2", "c1", "a3"])


def test_ring_queue(failover):
    """The ring's drops on the primary reach the backups; the promoted ring keeps its limit and
    drops its oldest."""
    s = failover
    q = s.name("ring")
    assert_replicas(s, "ring")
    conn = s.connect_new()
    try:
        assert browse(conn, q, 5) == ["r%d" % i for i in range(3, 8)]
        send(conn, q, ["r8", "r9"])  # every one accepted
        assert browse(conn, q, 5) == ["r%d" % i for i in range(5, 10)]
        stats = read_queue(s, "ring")
        assert (stats["msgDepth"], stats["discardsRing"], stats["limit-policy"]) == (
            5, 2, "ring"), stats
    finally:
        conn.close()
    follows(s, "ring", ["r%d" % i for i in range(5, 10)])


def test_reject_queue(failover):
    """A full reject queue refuses publishers on the new primary as it did on the old one, with
    the same condition, and takes messages again once there is room."""
    s = failover
    q = s.name("reject")
    assert s.seen["reject-states"] == [Delivery.ACCEPTED] * 3 + [Delivery.REJECTED] * 2
    assert_replicas(s, "reject")
    conn = s.connect_new()
    try:
        (refused,) = publish(conn, q, ["j5"])
        assert refused.remote_state == Delivery.REJECTED
        cond = refused.remote.condition
        assert cond is not None and cond.name == LIMIT_EXCEEDED, cond
        assert "'%s'" % q in cond.description and "qpid.max_count" in cond.description, cond
        assert take(conn, q, 1, idle=0) == ["j0"]
        (accepted,) = publish(conn, q, ["j6"])
        assert accepted.remote_state == Delivery.ACCEPTED
        assert browse(conn, q, 3) == ["j1", "j2", "j6"]
    finally:
        conn.close()
    follows(s, "reject", ["j1", "j2", "j6"])


def test_priority_and_fairshare_queues(failover):
    """Replicas hold the messages in the primary's places; the new primary delivers by priority,
    then FIFO, messages published before and after the failover together; a fairshare queue
    gives each level its turn."""
    s = failover
    assert_replicas(s, "prio")
    assert_replicas(s, "fair")
    conn = s.connect_new()
    try:
        send(conn, s.name("prio"), [Message(body=b, priority=pr) for pr, b in PRIORITY_AFTER])
        spec = PRIORITY_BEFORE + PRIORITY_AFTER
        expected = [b for _, (pr, b) in sorted(enumerate(spec), key=lambda e: (-e[1][0], e[0]))]
        assert take(conn, s.name("prio"), len(spec)) == expected
        assert take(conn, s.name("fair"), 8) == ["H0", "H1", "L0", "L1", "H2", "H3", "L2", "L3"]
    finally:
        conn.close()
    follows(s, "prio", [])
    follows(s, "fair", [])


def test_acquired_messages_are_available_again_in_order(failover):
    """Messages a consumer held unsettled on the old primary are on every backup, and available
    again on the new primary in their places; the one it accepted is gone."""
    s = failover
    assert s.seen["acq-held"] == ["m1", "m2", "m3"]
    assert s.seen["acq-primary"] == ["m4", "m5"], "the primary lets browsers see acquired ones"
    assert_replicas(s, "acq")
    conn = s.connect_new()
    try:
        assert take(conn, s.name("acq"), 5) == ["m%d" % i for i in range(1, 6)]
    finally:
        conn.close()
    follows(s, "acq", [])


def test_exclusive_queue(failover):
    """The replication senders never counted as consumers; on the new primary the queue still
    takes one consumer at a time."""
    s = failover
    q = s.name("excl")
    second = s.seen["excl-second"]
    assert second is not None and second[0] == RESOURCE_LOCKED, second
    assert_replicas(s, "excl")
    for i in (OTHER, NEW):
        assert s.seen[("queues-before", i)][q]["exclusive"] is True
    conn, other = s.connect_new(), s.connect_new()
    try:
        first = conn.create_receiver(q, credit=10)
        assert [first.receive(timeout=TIMEOUT).body for _ in range(2)] == ["e0", "e1"]
        first.accept()
        first.accept()
        cond = refusal(other, q)
        assert cond is not None and cond[0] == RESOURCE_LOCKED, cond
        assert "'%s'" % q in cond[1] and "exclusive" in cond[1], cond
        first.close()
        assert refusal(other, q) is None, "refused after the only consumer left"
    finally:
        conn.close()
        other.close()
    follows(s, "excl", [])


def test_auto_delete_queues(failover):
    """Temporary queues are not replicated; an auto-delete queue deleted on the primary goes from
    the backups; after the failover a used one goes (at once, or after its
    qpid.auto_delete_timeout), an unused one stays and is auto-deleted once used."""
    s = failover
    c = s.c
    delayed, unused, gone = s.name("ad-delayed"), s.name("ad-unused"), s.name("ad-gone")
    temp, session = s.name("temp"), s.name("session")
    for i in (OTHER, NEW):
        before = s.seen[("queues-before", i)]
        assert temp not in before, "temporary queue %s replicated to backup %d" % (temp, i)
        assert gone not in before, "auto-deleted %s still on backup %d" % (gone, i)
        assert {delayed, unused, session} <= set(before), sorted(before)
        assert before[session]["exclusive"] and before[session]["auto-delete"]
    assert_replicas(s, "ad-unused")
    assert_replicas(s, "ad-delayed")
    after = s.seen["queues-after-promotion"]
    assert temp not in after and gone not in after
    assert delayed in after, "%s deleted at once despite qpid.auto_delete_timeout 3" % delayed

    def queues():
        with c.management(NEW) as m:
            return set(m.queues())

    wait_until(lambda: session not in queues(), timeout=WAIT,
               what="used auto-delete queue %s deleted by the new primary" % session)
    wait_until(lambda: delayed not in queues(), timeout=WAIT,
               what="%s deleted after its delay" % delayed)
    assert unused in queues(), "an unused auto-delete queue must stay"
    conn = s.connect_new()
    try:
        assert take(conn, unused, 1) == ["u0"]  # used now, and left
    finally:
        conn.close()
    wait_until(lambda: unused not in queues(), timeout=WAIT,
               what="%s auto-deleted once its consumer left" % unused)
    with c.management(OTHER) as m:
        wait_until(lambda: not {unused, delayed, session} & set(m.queues()), timeout=WAIT,
                   what="the auto-deletes to reach backup %d" % OTHER)


def test_alternate_exchanges(failover):
    """A message rejected on the old primary reached the dead-letter queue once, through
    replication (backups never reroute); on the new primary rejected, deleted-with-the-queue and
    unmatched messages go to the alternate exchange."""
    s = failover
    dlq, rejq, delq, xalt = (s.name(k) for k in ("dlq", "rejq", "delq", "xalt"))
    for key in ("dlq", "rejq", "delq"):
        assert_replicas(s, key)
    for i in (OTHER, NEW):
        assert s.seen[("exchanges-before", i)][xalt]["alternate-exchange"] == s.name("dlx")
        assert s.seen[("queues-before", i)][rejq]["alternate-exchange"] == s.name("dlx")
    conn = s.connect_new()
    try:
        assert browse(conn, dlq, 1) == ["rej-before"]
        rcv = conn.create_receiver(rejq)
        assert rcv.receive(timeout=TIMEOUT).body == "rej-after"
        rcv.reject()
        rcv.close()
        with s.c.management(NEW, admin=False) as m:
            status, desc, _ = m.request("DELETE", type="queue", name=delq)
            assert status == 204, (status, desc)
        send(conn, xalt, [Message(body="unmatched", subject="no-such-key")])
        expected = ["rej-before", "rej-after", "deleted-with-queue", "unmatched"]
        assert converged(conn, dlq, expected) == expected
        stats = read_queue(s, "rejq")
        assert (stats["discardsSubscriber"], stats["reroutes"]) == (1, 1), stats
        assert browse(conn, rejq, 1) == ["keep"]
    finally:
        conn.close()
    follows(s, "dlq", expected)
    follows(s, "rejq", ["keep"])
    with s.c.management(OTHER) as m:
        wait_until(lambda: m.read("queue", delq) is None, timeout=WAIT,
                   what="%s deleted on backup %d" % (delq, OTHER))


# -- a backup that was away -----------------------------------------------------------------------

def test_stale_same_name_queue_is_replaced(failover):
    """A queue and an exchange deleted and created again under their names while a backup was
    stopped: the backup ends with the primary's objects (their identities, the exchange's new
    type and bindings) and the queue's contents, and serves them once promoted."""
    s = failover
    q = s.name("stale")
    before, primary = s.seen["stale-uuid-before"], s.seen["stale-uuid-primary"]
    assert before and primary and before != primary
    for i in (NEW, OTHER):
        assert s.seen[("stale-uuid", i)] == primary, "backup %d's %s" % (i, q)
    assert_replicas(s, "stale")
    x, kept_q = s.name("stale-x"), s.name("kept-q")
    x_before, x_primary = s.seen["stale-x-uuid-before"], s.seen["stale-x-uuid-primary"]
    assert x_before and x_primary and x_before != x_primary
    for i in (NEW, OTHER):
        exchange = s.seen[("exchanges", i)][x]
        assert (uuid_of(exchange), exchange["exchange-type"]) == (x_primary, "fanout"), (
            "backup %d's %s: %s" % (i, x, exchange))
        bindings = {b for b in s.seen[("bindings", i)] if b[0] == x}
        assert bindings == {(x, kept_q, "")}, "backup %d: %s" % (i, bindings)
    conn = s.connect_new()
    try:
        assert uuid_of(read_queue(s, "stale")) == primary
        assert take(conn, q, 3) == ["new0", "new1", "new2"]
    finally:
        conn.close()
    follows(s, "stale", [])


def test_objects_deleted_while_a_backup_was_away_are_deleted_on_it(failover):
    """Queues and exchanges deleted on the primary while a backup was SIGSTOPped past its
    heartbeat are deleted on it when it returns (the snapshot lacks them), with the bindings
    that went with them."""
    s = failover
    gone = {s.name("gone-q"), s.name("gone-x"), s.name("gone-user")}
    kept_q, kept_x = s.name("kept-q"), s.name("kept-x")
    queues, exchanges = s.seen[("queues", NEW)], set(s.seen[("exchanges", NEW)])
    assert kept_q in queues and kept_x in exchanges
    left = gone & (queues | exchanges)
    assert not left, "still on the backup: %s" % left
    bindings = s.seen[("bindings", NEW)]
    assert (s.name("gone-x"), kept_q, "k") not in bindings
    assert (kept_x, kept_q, "kept-key") in bindings


def test_binding_removed_while_a_backup_was_away_is_removed_on_it(failover):
    """doc 6.5: snapshot-end removes the bindings between replicated objects that the snapshot
    lacked."""
    s = failover
    stale = (s.name("kept-x"), s.name("kept-q"), "gone-key")
    assert stale not in s.seen[("bindings", NEW)], "binding %s/%s/%s still on the backup" % stale


def test_alternate_exchange_deleted_while_a_backup_was_away_is_deleted_on_it(failover):
    """doc 6.5: snapshot-end deletes exchanges users before their alternates, so an alternate
    exchange deleted with its user is deleted too, whatever their names."""
    s = failover
    alternate = s.name("gone-alt")
    assert alternate not in s.seen[("exchanges", NEW)], (
        "alternate exchange %s still on the backup" % alternate)
