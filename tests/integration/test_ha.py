"""HA clusters of real brokers (doc/ha-protocol.md): replication levels, catch-up of a late
backup, admission on backups, promotion rules, failover of Proton clients, hung backups.

Clusters come from ha_cluster.HaCluster: brokers on 127.0.0.1 with --link-heartbeat-interval 1,
--link-maintenance-interval 0.1 and --ha-backup-timeout 5. Replication is asynchronous except for
publishers to level-all queues, so checks on a backup poll with generous deadlines.
"""

import os
import re
import subprocess
import sys
import time

import pytest
from proton import ConnectionException, Delivery, Endpoint, Message, Timeout, symbol
from proton.utils import LinkDetached

import conftest
from amqp_helpers import RawClient, bodies, drain, receive_n, send, unique
from ha_cluster import (QPID_SEND, HaCluster, browse_all, created, ok, send_pipelined,
                        started_cluster, wait_until)

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT = os.path.join(HERE, "ha_client.py")
WAIT = 30  # seconds: a deadline for things that take well under a second


# -- fixtures ------------------------------------------------------------------------------------

@pytest.fixture
def ha_cluster(tmp_path):
    """Factory: ha_cluster(n, replicate=..., extra_args=..., indexes=...) -> a started HaCluster,
    its brokers stopped (by PID) after the test, each of them required to exit with status 0."""
    clusters = []

    def make(n, indexes=None, **kwargs):
        c = HaCluster(tmp_path / ("cluster%d" % len(clusters)), n, start=False, **kwargs)
        clusters.append(c)
        return c.start_all(indexes)

    yield make
    errors = []
    for c in clusters:
        errors += c.close()
    assert not errors, "\n".join(errors)


@pytest.fixture(scope="module")
def none_cluster(tmp_path_factory):
    """Two brokers with --ha-replicate none: 0 active, 1 ready. Tests use unique names."""
    with started_cluster(tmp_path_factory.mktemp("ha-none"), 2, replicate="none") as c:
        yield c


# -- management: the ha-broker type (doc 12.1) ------------------------------------------------------

HA_BROKER_ATTRIBUTES = {"name", "identity", "type", "status", "brokerId", "address", "brokersUrl",
                        "publicUrl", "replicate", "protocol", "epoch", "primary", "members",
                        "expectedBackups", "catchupQueues"}


def _read_ha_brokers(c):
    out = []
    for i in (0, 1):
        with c.management(i) as m:
            out.append((m.ha(), m.read("broker"), m.request("READ", type="ha-broker", name="x")[0],
                        m.request("GET-OPERATIONS", type="org.amqp.management",
                                  entityType="ha-broker")[::2],
                        m.request("UPDATE", type="ha-broker", body={"replicate": "all"})[0]))
    return out


def test_ha_broker_management_type_on_primary_and_backup(none_cluster):
    """READ ha-broker (12.1) on the primary and on the backup, 404 for another name, the
    operations, UPDATE 501."""
    c = none_cluster
    (p, p_broker, p_404, p_ops, p_update), (b, b_broker, b_404, b_ops, b_update) = \
        _read_ha_brokers(c)
    p_ref = "%s@%s" % (p["brokerId"], c.address(0))
    for ha, broker, i in ((p, p_broker, 0), (b, b_broker, 1)):
        assert ha["name"] == ha["identity"] == ha["type"] == "ha-broker", ha
        assert ha["brokerId"] == broker["identity"], (ha, broker)
        assert ha["address"] == c.address(i)
        assert ha["brokersUrl"] == c.url() and ha["publicUrl"] == ""
        assert ha["replicate"] == "none" and ha["protocol"] == 1 and ha["epoch"] == 1, ha
        assert ha["primary"] == p_ref, ha
        assert sorted((e["broker-id"], e["address"], e["status"]) for e in ha["members"]) == \
            sorted([(p["brokerId"], c.address(0), "active"), (b["brokerId"], c.address(1), "ready")])
        assert list(ha["expectedBackups"]) == []
    assert p["status"] == "active" and b["status"] == "ready"
    assert p_404 == 404 and b_404 == 404
    for status, ops in (p_ops, b_ops):
        assert status == 200 and sorted(ops["ha-broker"]) == [
            "PROMOTE", "QUERY", "READ", "REPLICATE", "REPLICATE-STOP"], ops
    assert p_update == 501 and b_update == 501
    missing = HA_BROKER_ATTRIBUTES - set(p) | HA_BROKER_ATTRIBUTES - set(b)
    assert not missing, "ha-broker lacks %s" % sorted(missing)
    assert p["catchupQueues"] == 0 and b["catchupQueues"] == 0


# -- 1, 2: replication levels ----------------------------------------------------------------------

def test_queue_levels_through_qpid_config_and_management(none_cluster):
    """With --ha-replicate none: `all` replicates the queue and its messages (enqueues and
    dequeues), `configuration` the queue only, `none` and the default nothing."""
    c = none_cluster
    q = {k: unique("lvl-" + k) for k in
         ("default", "none-mgmt", "conf-cfg", "conf-mgmt", "all-cfg", "all-mgmt", "last")}
    ok(c.qpid_config(0, "add", "queue", q["default"]), "qpid-config add queue")
    ok(c.qpid_config(0, "add", "queue", q["conf-cfg"], "--replicate", "configuration"),
       "qpid-config add queue --replicate configuration")
    ok(c.qpid_config(0, "add", "queue", q["all-cfg"], "--replicate", "all"),
       "qpid-config add queue --replicate all")
    with c.management(0, admin=False) as m:
        created(m.request("CREATE", type="queue", name=q["none-mgmt"],
                          body={"arguments": {"qpid.replicate": "none"}}), q["none-mgmt"])
        created(m.request("CREATE", type="queue", name=q["conf-mgmt"],
                          body={"replicate": "configuration"}), q["conf-mgmt"])
        created(m.request("CREATE", type="queue", name=q["all-mgmt"],
                          body={"arguments": {"qpid.replicate": "all"}}), q["all-mgmt"])
        on_primary = m.queues()

    # The primary writes the level and a fresh qpid.ha-uuid into replicated queues only.
    for k in ("default", "none-mgmt"):
        assert "qpid.ha-uuid" not in on_primary[q[k]]["arguments"], on_primary[q[k]]
    for k, level in (("conf-cfg", "configuration"), ("conf-mgmt", "configuration"),
                     ("all-cfg", "all"), ("all-mgmt", "all")):
        args = on_primary[q[k]]["arguments"]
        assert args.get("qpid.replicate") == level and args.get("qpid.ha-uuid"), (k, args)

    conn = c.connect(0)
    for k in ("default", "none-mgmt", "conf-cfg", "conf-mgmt", "all-cfg", "all-mgmt"):
        send(conn, q[k], ["%s-%d" % (k, i) for i in range(5)])
    for k in ("all-cfg", "all-mgmt", "conf-cfg"):
        rcv = conn.create_receiver(q[k])
        receive_n(rcv, 2)
        rcv.close()
    conn.close()
    with c.management(0, admin=False) as m:
        created(m.request("CREATE", type="queue", name=q["last"], body={"replicate": "all"}),
                q["last"])

    with c.management(1) as m:
        # Configuration events come in order: once the last queue is there, all the others are.
        wait_until(lambda: m.read("queue", q["last"]), what="queue %s on the backup" % q["last"])
        wait_until(lambda: all(m.read("queue", q[k])["msgDepth"] == 3
                               for k in ("all-cfg", "all-mgmt")),
                   what="dequeues replicated to the backup")
        on_backup = m.queues()
    for k in ("default", "none-mgmt"):
        assert q[k] not in on_backup, "level-none queue %s was replicated" % q[k]
    for k in ("conf-cfg", "conf-mgmt", "all-cfg", "all-mgmt", "last"):
        assert q[k] in on_backup, "queue %s was not replicated" % q[k]
        assert (on_backup[q[k]]["arguments"]["qpid.ha-uuid"]
                == on_primary.get(q[k], on_backup[q[k]])["arguments"]["qpid.ha-uuid"])
    for k in ("conf-cfg", "conf-mgmt"):
        assert on_backup[q[k]]["msgDepth"] == 0, (
            "level-configuration queue %s got messages: %s" % (q[k], on_backup[q[k]]))

    # The replicas hold exactly the primary's messages, in order.
    admin = c.admin_connect(1)
    try:
        for k in ("all-cfg", "all-mgmt"):
            assert browse_all(admin, q[k]) == ["%s-%d" % (k, i) for i in range(2, 5)]
    finally:
        admin.close()


def test_exchange_and_binding_levels(none_cluster):
    """Exchanges replicate at `configuration` and `all` (which means configuration); a binding
    only when both its exchange and its queue are replicated, never to a built-in exchange, and
    not when its own arguments say qpid.replicate none."""
    c = none_cluster
    x_none, x_conf, x_all = unique("x-none"), unique("x-conf"), unique("x-all")
    q_rep, q_none = unique("bq-all"), unique("bq-none")
    ok(c.qpid_config(0, "add", "exchange", "topic", x_none), "add exchange")
    ok(c.qpid_config(0, "add", "exchange", "topic", x_conf, "--replicate", "configuration"),
       "add exchange --replicate configuration")
    ok(c.qpid_config(0, "add", "queue", q_rep, "--replicate", "all"), "add queue")
    ok(c.qpid_config(0, "add", "queue", q_none), "add queue")
    with c.management(0, admin=False) as m:
        created(m.request("CREATE", type="exchange", name=x_all,
                          body={"exchange-type": "direct", "replicate": "all"}), x_all)
        ok(c.qpid_config(0, "bind", x_conf, q_rep, "k1"), "bind")
        created(m.request("CREATE", type="binding",
                          body={"exchange": x_all, "queue": q_rep, "key": "k2"}), "binding k2")
        ok(c.qpid_config(0, "bind", x_conf, q_none, "k3"), "bind")  # level-none queue
        ok(c.qpid_config(0, "bind", x_none, q_rep, "k4"), "bind")  # level-none exchange
        ok(c.qpid_config(0, "bind", "amq.topic", q_rep, "k5"), "bind")  # built-in
        created(m.request("CREATE", type="binding",
                          body={"exchange": "amq.direct", "queue": q_rep, "key": "k6"}), "k6")
        created(m.request("CREATE", type="binding",
                          body={"exchange": x_all, "queue": q_rep, "key": "k7",
                                "arguments": {"qpid.replicate": "none"}}), "binding k7")
        ok(c.qpid_config(0, "bind", x_conf, q_rep, "k-last"), "bind")
        on_primary = m.exchanges()
    for x in (x_conf, x_all):
        assert on_primary[x]["arguments"].get("qpid.replicate") in ("configuration", "all")
        assert on_primary[x]["arguments"].get("qpid.ha-uuid"), on_primary[x]
    assert "qpid.ha-uuid" not in on_primary[x_none]["arguments"]

    mine = {x_none, x_conf, x_all, q_rep, q_none}
    with c.management(1) as m:
        wait_until(lambda: (x_conf, q_rep, "k-last") in m.bindings(),
                   what="the last binding on the backup")
        bindings = {b for b in m.bindings() if b[0] in mine or b[1] in mine}
        exchanges = m.exchanges()
    assert bindings == {(x_conf, q_rep, "k1"), (x_all, q_rep, "k2"), (x_conf, q_rep, "k-last")}
    assert x_conf in exchanges and x_all in exchanges
    assert x_none not in exchanges, "level-none exchange %s was replicated" % x_none
    for x in ("amq.direct", "amq.topic", "amq.fanout", "amq.match"):
        assert exchanges[x]["builtin"] is True
        assert "qpid.ha-uuid" not in exchanges[x]["arguments"], exchanges[x]


def test_qpid_config_replicate_all_on_a_none_cluster(none_cluster):
    """qpid-config --replicate all on a cluster with --ha-replicate none: queue, exchange and
    messages reach the backup; qpid-config --ha-admin lists them there."""
    c = none_cluster
    q, x = unique("cfg-q"), unique("cfg-x")
    ok(c.qpid_config(0, "add", "queue", q, "--replicate", "all"), "add queue --replicate all")
    ok(c.qpid_config(0, "add", "exchange", "fanout", x, "--replicate", "all"),
       "add exchange --replicate all")
    ok(c.qpid_config(0, "bind", x, q), "bind")
    conn = c.connect(0)
    send(conn, x, ["via-exchange-%d" % i for i in range(3)])
    conn.close()

    queues = wait_until(lambda: q in ok(c.qpid_config(1, "queues", admin=True), "queues")
                        and c.qpid_config(1, "queues", admin=True).stdout,
                        what="queue %s listed on the backup" % q)
    line = [l for l in queues.splitlines() if l.split() and l.split()[0] == q][0]
    assert "all" in line.split(), line
    # The replica's identity is the cluster's own business, not a declare argument to copy.
    assert "qpid.ha-uuid" not in line, line
    exchanges = ok(c.qpid_config(1, "exchanges", admin=True), "exchanges")
    assert x in exchanges, exchanges
    admin = c.admin_connect(1)
    try:
        assert browse_all(admin, q) == ["via-exchange-%d" % i for i in range(3)]
    finally:
        admin.close()


def test_invalid_replication_level_is_refused_naming_it(none_cluster, tmp_path):
    c = none_cluster
    q, x = unique("bogus-q"), unique("bogus-x")
    with c.management(0, admin=False) as m:
        for body in ({"arguments": {"qpid.replicate": "bogus"}}, {"replicate": "bogus"}):
            status, desc, _ = m.request("CREATE", type="queue", name=q, body=body)
            assert status == 400 and "bogus" in (desc or ""), (body, status, desc)
        status, desc, _ = m.request("CREATE", type="exchange", name=x,
                                    body={"exchange-type": "topic", "replicate": "bogus"})
        assert status == 400 and "bogus" in (desc or ""), (status, desc)
        assert m.read("queue", q) is None and m.read("exchange", x) is None

    r = c.qpid_config(0, "add", "queue", q, "--replicate", "bogus")
    assert r.returncode == 2 and "bogus" in r.stderr, r
    for kind in (["queue", q], ["exchange", "topic", x]):
        r = c.qpid_config(0, "add", *kind, "--argument", "qpid.replicate=bogus")
        assert r.returncode == 1, r
        assert "bogus" in r.stdout + r.stderr, r
    with c.management(0, admin=False) as m:
        assert m.read("queue", q) is None and m.read("exchange", x) is None

    # The broker option too: qpidd does not start.
    d = tmp_path / "bogus"
    d.mkdir()
    (d / "empty.conf").write_text("")
    r = subprocess.run([conftest.QPIDD, "--port", "0", "--interface", "127.0.0.1",
                        "--data-dir", str(d), "--config", str(d / "empty.conf"),
                        "--ha-cluster", "yes", "--ha-brokers-url", c.url(),
                        "--ha-replicate", "bogus"],
                       capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert r.returncode != 0 and "bogus" in r.stderr, r


# -- 5: admission on a backup --------------------------------------------------------------------

def test_backup_drops_clients_at_the_transport_and_admits_admins(none_cluster):
    c = none_cluster
    backup = c[1]
    q = unique("adm")
    ok(c.qpid_config(0, "add", "queue", q, "--replicate", "all"), "add queue")
    conn = c.connect(0)
    send(conn, q, ["m0", "m1"])
    conn.close()

    # A Proton client (no reconnect) fails to connect: disconnected, not timed out.
    with pytest.raises(ConnectionException, match="disconnected"):
        c.connect(1, timeout=5).close()

    # On the wire: the socket is closed with no AMQP open and no close frame.
    log_start = backup.log_size()
    raw = RawClient(backup.port)
    local_port = raw.sock.getsockname()[1]
    with pytest.raises(AssertionError, match="no AMQP open"):
        raw.open(timeout=10)
    assert raw.eof, "the backup did not close the socket"
    state = raw.connection.state
    assert not state & Endpoint.REMOTE_ACTIVE, "the backup sent an AMQP open"
    assert not state & Endpoint.REMOTE_CLOSED, "the backup sent an AMQP close"
    raw.close()
    # The log names the client and why: a backup (in its state) does not serve clients.
    line = r"(dropped|refused) connection from 127\.0\.0\.1:%d: (.*)" % local_port
    why = wait_until(lambda: re.search(line, backup.log(log_start)),
                     what="the backup's log line about the dropped client")
    reason = why.group(2)
    assert re.search("backup|not a primary", reason) and "ready" in reason, why.group(0)

    # An admin connection is admitted: it reads management and browses replicas.
    with c.management(1) as m:
        ha = m.ha()
        assert ha["status"] == "ready" and ha["address"] == c.address(1), ha
        assert m.read("queue", q)["msgDepth"] == 2
    admin = c.admin_connect(1)
    try:
        assert browse_all(admin, q) == ["m0", "m1"]
    finally:
        admin.close()
    assert ok(c.qpid_config(1, "queues", admin=True), "qpid-config --ha-admin queues")


# The tests below keep no Proton object in their frames when they fail (pytest keeps the
# traceback, and a BlockingReceiver finalised at interpreter exit prints an error).

def _create_on_backup(c, q_none, q_all, x_all):
    with c.management(1) as m:
        none = m.request("CREATE", type="queue", name=q_none, body={})[:2]
        rep = m.request("CREATE", type="queue", name=q_all, body={"replicate": "all"})[:2]
        xrep = m.request("CREATE", type="exchange", name=x_all,
                         body={"exchange-type": "topic", "arguments": {"qpid.replicate": "all"}})[:2]
        return none, rep, xrep, m.read("queue", q_all), m.read("exchange", x_all)


def test_backup_refuses_replicated_objects_from_admins(none_cluster):
    """Admins may create level-none objects on a backup, not replicated ones (4.2, P1)."""
    c = none_cluster
    q_none, q_all, x_all = unique("adm-none"), unique("adm-all"), unique("adm-x")
    none, rep, xrep, q_read, x_read = _create_on_backup(c, q_none, q_all, x_all)
    assert none[0] == 201, "CREATE of a level-none queue on a backup: %s" % (none,)
    for name, result in ((q_all, rep), (x_all, xrep)):
        assert result[0] >= 400 and name in (result[1] or ""), (
            "CREATE of replicated %s on a backup by an admin: %s" % (name, result))
    assert q_read is None and x_read is None
    r = c.qpid_config(1, "add", "queue", q_all, "--replicate", "configuration", admin=True)
    assert r.returncode == 1 and q_all in r.stdout + r.stderr, r


def _consume_on_backup(c, q):
    """Attaches an acquiring consumer to replica q with an admin connection: returns the
    refusal's condition name, or what happened instead."""
    admin = c.admin_connect(1)
    try:
        wait_until(lambda: browse_all(admin, q, timeout=0.2) == ["m0"], what="m0 on the backup")
        try:
            rcv = admin.create_receiver(q, name="consumer")
        except LinkDetached as e:
            cond = e.link.remote_condition
            return cond.name if cond else "detached without condition"
        try:
            return "attached, received %r" % rcv.receive(timeout=1).body
        except Timeout:
            return "attached, nothing received"
    finally:
        admin.close()


def test_backup_refuses_consumers_on_replicas(none_cluster):
    """An admin may browse a replica, not consume from it: amqp:not-allowed (4.2, P5)."""
    c = none_cluster
    q = unique("adm-cons")
    ok(c.qpid_config(0, "add", "queue", q, "--replicate", "all"), "add queue")
    conn = c.connect(0)
    send(conn, q, ["m0"])
    conn.close()
    outcome = _consume_on_backup(c, q)
    with c.management(1) as m:
        depth = m.read("queue", q)["msgDepth"]
    assert depth == 1, "a consumer on the backup took a replica's message"
    assert outcome == "amqp:not-allowed", outcome


def _purge_on_backup(c, q):
    with c.management(1) as m:
        wait_until(lambda: m.read("queue", q), what="the replica")
        status, desc, body = m.request("PURGE", type="queue", name=q)
        return status, desc, body, m.read("queue", q)["msgDepth"]


def test_backup_refuses_purge_of_replicas(none_cluster):
    c = none_cluster
    q = unique("adm-purge")
    ok(c.qpid_config(0, "add", "queue", q, "--replicate", "all"), "add queue")
    conn = c.connect(0)
    send(conn, q, ["m0"])
    conn.close()
    status, desc, body, depth = _purge_on_backup(c, q)
    assert depth == 1, "PURGE emptied a replica"
    assert status >= 400 and "replica" in (desc or ""), "PURGE of a replica: %s %s %s" % (
        status, desc, body)


# -- 4: a late backup catches up exactly ----------------------------------------------------------

def test_late_backup_catches_up_exactly(ha_cluster):
    """A third broker started once the primary holds 1000 messages, 300 of them consumed, becomes
    ready with exactly the primary's 700; later enqueues and dequeues follow. Exchanges (level
    all = configuration) and their bindings come too, bindings of built-in exchanges never."""
    c = ha_cluster(3, indexes=[0, 1])  # --ha-replicate all
    c.start_primary(0)
    q, x = unique("late"), unique("late-x")
    ok(c.qpid_config(0, "add", "queue", q), "add queue")
    ok(c.qpid_config(0, "add", "exchange", "topic", x), "add exchange")
    ok(c.qpid_config(0, "bind", x, q, "a.#"), "bind")
    ok(c.qpid_config(0, "bind", "amq.topic", q, "b"), "bind")
    conn = c.connect(0)
    send_pipelined(conn, q, list(range(1000)))
    rcv = conn.create_receiver(q, credit=100)
    assert [m.body for m in receive_n(rcv, 300)] == list(range(300))
    rcv.close()

    c.start(2)
    c.wait_status(2, "ready", timeout=60)
    assert browse_all(conn, q) == list(range(300, 1000))
    for i in (1, 2):
        admin = c.admin_connect(i)
        try:
            assert browse_all(admin, q) == list(range(300, 1000)), "backup %d" % i
        finally:
            admin.close()
        with c.management(i) as m:
            bindings = {b for b in m.bindings() if b[1] == q}
        assert bindings == {(x, q, "a.#")}, "backup %d: %s" % (i, bindings)

    # Replication goes on: 100 more consumed, 50 more sent.
    rcv = conn.create_receiver(q, credit=100)
    assert [m.body for m in receive_n(rcv, 100)] == list(range(300, 400))
    rcv.close()
    send_pipelined(conn, q, list(range(1000, 1050)))
    conn.close()
    admin = c.admin_connect(2)
    try:
        wait_until(lambda: browse_all(admin, q, timeout=0.3) == list(range(400, 1050)),
                   what="the late backup's replica to follow the primary")
    finally:
        admin.close()


# -- 6: promotion rules --------------------------------------------------------------------------

def test_promotion_rules(ha_cluster, fresh_broker):
    c = ha_cluster(3, indexes=[0, 1])

    # Without --cluster-manager: refused by qpid-ha itself.
    r = c.promote(0, check=False, cluster_manager=False)
    assert r.returncode == 1 and "qpid-ha: 'promote' is for the cluster manager only" in r.stderr \
        and "Use 'promote --cluster-manager'" in r.stderr, r
    assert c.status(0) == "joining"

    # A joining broker whose peers are all joining (or unreachable: broker 2) is promoted.
    c.start_primary(0)
    # Promoting the primary again: a no-op success.
    log_start = c[0].log_size()
    c.promote(0)
    assert c.status(0) == "active"
    assert "ignoring promotion, already primary" in c[0].log(log_start)

    # Broker 1 stays ready after the primary dies; a new joining broker 2 cannot be promoted
    # over it, and the refusal names it and its state.
    with c.management(1) as m:
        backup_id = m.ha()["brokerId"]
    c.kill(0)
    c.start(2)
    assert c.status(2) == "joining"
    assert c.status(1) == "ready"
    r = c.promote(2, check=False)
    msg = r.stdout + r.stderr
    assert r.returncode == 1, r
    assert msg.startswith("qpid-ha: ") and "joining" in msg, msg
    assert "%s@%s is ready" % (backup_id, c.address(1)) in msg, msg
    assert c.status(2) == "joining"

    # The ready one is promoted; broker 2 then follows it.
    c.promote(1)
    c.wait_status(1, "active")
    c.wait_status(2, "ready")

    # A standalone broker refuses.
    b = fresh_broker()
    r = c.qpid_ha("promote", "--cluster-manager", "-b", "127.0.0.1:%d" % b.port)
    assert r.returncode == 1 and "not a cluster member" in r.stdout + r.stderr, r
    r = c.qpid_ha("status", "-b", "127.0.0.1:%d" % b.port)
    assert r.stdout.strip() == "standalone", r


def test_catchup_broker_cannot_be_promoted(ha_cluster):
    """A backup in catchup is never promotable (doc 3). To hold it there, it grants one message
    of credit at a time (--ha-flow-messages 1) for 50,000 messages, and once it is seen in
    catchup the primary is SIGSTOPped."""
    c = ha_cluster(2, indexes=[0], broker_args={1: ["--ha-flow-messages", "1"]})
    c.start_primary(0, backups=[])
    q = unique("catchup")
    ok(c.qpid_config(0, "add", "queue", q), "add queue")
    c.qpid_send(0, q, 50000, "--content-size", "10")
    c.start(1)
    with c.management(1) as m:
        seen = wait_until(lambda: m.ha()["status"] in ("catchup", "ready") and m.ha()["status"],
                          interval=0.005, what="broker 1 to leave joining")
        if seen == "catchup":
            c.sigstop(0)
            ha = m.ha()
            seen = ha["status"]
        if seen != "catchup":
            if c[0].stopped:
                c.sigcont(0)
            pytest.skip("the backup caught up before it could be seen in catchup")
        assert ha["catchupQueues"] == 1, ha
    r = c.promote(1, check=False)
    msg = r.stdout + r.stderr
    assert r.returncode == 1 and re.search("catch(ing )?up", msg), r
    assert c.status(1) == "catchup"
    c.sigcont(0)
    c.wait_status(1, "ready", timeout=60)
    with c.management(1) as m:
        assert m.read("queue", q)["msgDepth"] == 50000


# -- 7: Proton clients fail over ------------------------------------------------------------------

class Child:
    """A ha_client.py process (stopped by its PID), its output in a file."""

    def __init__(self, tmp_path, mode, address, urls):
        self.out_path = str(tmp_path / ("%s.out" % mode))
        self.err_path = str(tmp_path / ("%s.err" % mode))
        self.stop_file = str(tmp_path / ("%s.stop" % mode))
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen([sys.executable, CLIENT, mode, address, self.stop_file]
                                         + urls, stdout=out, stderr=err,
                                         stdin=subprocess.DEVNULL)

    def lines(self):
        with open(self.out_path) as f:
            return [l.split() for l in f.read().splitlines() if l.strip()]

    def numbers(self, word):
        return [int(l[1]) for l in self.lines() if l[0] == word]

    def stop(self, timeout=WAIT):
        open(self.stop_file, "w").close()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("%s did not stop: %s" % (self.out_path, self.report()))

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def report(self):
        with open(self.err_path) as f:
            err = f.read()
        with open(self.out_path) as f:
            out = f.read()
        return "stdout (last lines):\n%s\nstderr:\n%s" % (
            "\n".join(out.splitlines()[-30:]), err[-5000:])


@pytest.mark.parametrize("how", ["kill", "stop"])
def test_proton_clients_fail_over(ha_cluster, tmp_path, how):
    """A sender (each message sent again until accepted) and a receiver, both given every
    address, carry on across the loss of the primary (kill -9, or SIGTERM: a stopping primary
    closes its backups' links before the clients' and must accept nothing after) and the
    promotion of a ready backup: the receiver gets every number with no gap (duplicates
    allowed), every acknowledged one too."""
    c = ha_cluster(3)
    c.start_primary(0)
    q = unique("failover")
    ok(c.qpid_config(0, "add", "queue", q), "add queue")
    receiver = Child(tmp_path, "receive", q, c.urls())
    sender = Child(tmp_path, "send", q, c.urls())
    try:
        wait_until(lambda: len(sender.numbers("ACK")) >= 100 and len(receiver.numbers("RECV")) >= 50,
                   what="traffic before the failover")
        if how == "kill":
            c.kill(0)
        else:
            c.stop(0)
        acked_before = len(sender.numbers("ACK"))
        c.promote(1)
        wait_until(lambda: len(sender.numbers("ACK")) >= acked_before + 100,
                   what="the sender to go on after the failover")
        c.wait_status(2, "ready")
        sender.stop()
        acked = sender.numbers("ACK")
        assert acked == list(range(len(acked))), "the sender skipped a number"
        last = acked[-1]
        wait_until(lambda: set(range(last + 1)) <= set(receiver.numbers("RECV")),
                   what="the receiver to get every acknowledged message (0..%d)" % last)
        receiver.stop()
        received = receiver.numbers("RECV")
        assert set(received) == set(range(last + 1)), "gap or stray number: %s" % sorted(
            set(range(last + 1)).symmetric_difference(received))[:20]
        for child in (sender, receiver):
            assert ["DISCONNECTED"] in child.lines(), "%s never lost its connection" % child.out_path
    except Exception:
        print("sender:", sender.report())
        print("receiver:", receiver.report())
        raise
    finally:
        sender.kill()
        receiver.kill()


def test_primary_advertises_public_url_and_qpid_send_follows_it(tmp_path):
    """With --ha-public-url the primary's open carries failover-server-list (4.3), a backup's
    does not; qpid-send --reconnect, given only the primary's address, follows the list to the
    promoted backup and every line it read reaches the queue there."""
    c = HaCluster(tmp_path, 2, start=False)
    c.extra_args = ["--ha-public-url", c.url()]
    sender = None
    try:
        c.start_all()
        c.start_primary(0)
        q = unique("public")
        ok(c.qpid_config(0, "add", "queue", q), "add queue")
        expected = [{symbol("network-host"): "127.0.0.1", symbol("hostname"): "127.0.0.1",
                     symbol("port"): str(port), symbol("scheme"): "amqp"} for port in c.ports]
        conn = c.connect(0)
        assert conn.conn.remote_properties.get(symbol("failover-server-list")) == expected, (
            conn.conn.remote_properties)
        conn.close()
        admin = c.admin_connect(1)
        assert symbol("failover-server-list") not in admin.conn.remote_properties
        admin.close()

        sender = subprocess.Popen(
            [QPID_SEND, "-b", c.address(0), "-a", q, "-m", "0", "--content-stdin", "--reconnect",
             "--capacity", "1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        lines = ["line-%d" % n for n in range(200)]
        for line in lines[:100]:
            sender.stdin.write(line + "\n")
        sender.stdin.flush()
        with c.management(0) as m:
            wait_until(lambda: m.read("queue", q)["msgDepth"] >= 99, what="99 lines on " + q)
        c.kill(0)
        c.promote(1)
        out, err = sender.communicate("".join(line + "\n" for line in lines[100:]), timeout=60)
        assert sender.returncode == 0, "qpid-send: %d %s%s" % (sender.returncode, out, err)
        conn = c.connect(1)
        got = bodies(drain(conn.create_receiver(q), timeout=1.0))
        conn.close()
        assert set(got) == set(lines), "missing: %s" % sorted(set(lines) - set(got))[:10]
    finally:
        if sender is not None and sender.poll() is None:
            sender.kill()
            sender.wait()
        errors = c.close()
    assert not errors, "\n".join(errors)


# -- 8: two failovers in a row ---------------------------------------------------------------------

def test_two_failovers_in_a_row_keep_messages(ha_cluster):
    c = ha_cluster(3)
    c.start_primary(0)
    q = unique("twice")
    ok(c.qpid_config(0, "add", "queue", q), "add queue")
    conn = c.connect(0)
    send_pipelined(conn, q, list(range(100)))
    conn.close()

    c.kill(0)
    c.promote(1)
    c.wait_status(2, "ready")
    c.wait_status(1, "active")
    c.restart(0)  # a new, empty member
    c.wait_status(0, "ready")
    conn = c.connect(1)
    assert browse_all(conn, q) == list(range(100))
    send_pipelined(conn, q, list(range(100, 150)))
    conn.close()

    c.kill(1)
    c.promote(2)
    c.wait_status(0, "ready")
    c.wait_status(2, "active")
    conn = c.connect(2)
    assert browse_all(conn, q) == list(range(150))
    send_pipelined(conn, q, list(range(150, 160)))
    admin = c.admin_connect(0)
    try:
        wait_until(lambda: browse_all(admin, q, timeout=0.3) == list(range(160)),
                   what="the restarted backup to hold every message")
    finally:
        admin.close()
    rcv = conn.create_receiver(q, credit=100)
    assert [m.body for m in receive_n(rcv, 160)] == list(range(160))
    conn.close()


# -- 9: an empty primary is active at once ----------------------------------------------------------

def test_empty_primary_is_active_at_once(ha_cluster):
    """No replicated queue: nothing to wait for. A first promotion gives `active` at once; after
    a failover the new primary is active as soon as the other backup is back (well before the
    ha-backup-timeout, set to 60 s here)."""
    c = ha_cluster(3, extra_args=["--ha-backup-timeout", "60"])
    c.promote(0)
    assert c.status(0) == "active"
    c.wait_status(1, "ready")
    c.wait_status(2, "ready")
    c.kill(0)
    c.promote(1)
    assert c.status(1) in ("recovering", "active")
    c.wait_status(2, "ready")
    c.wait_status(1, "active", timeout=WAIT)


# -- 10: a hung backup ------------------------------------------------------------------------------

def test_hung_backup_stops_holding_publishers(ha_cluster):
    """A SIGSTOPped backup holds publishers to level-all queues for about 2 x the heartbeat
    interval (1 s here), not longer; after SIGCONT it comes back and catches up."""
    c = ha_cluster(2)
    c.start_primary(0)
    q = unique("hung")
    ok(c.qpid_config(0, "add", "queue", q), "add queue")
    conn = c.connect(0, timeout=WAIT)
    send(conn, q, ["before"])
    snd = conn.create_sender(q)
    c.sigstop(1)
    start = time.monotonic()
    d = snd.send(Message(body="during"), timeout=10)
    held = time.monotonic() - start
    assert d.remote_state == Delivery.ACCEPTED, d.remote_state
    # The bound is 2 x 1 s from the backup's last frame; 2 s more for a loaded machine.
    assert held < 4, "the publisher was held %.2f s by a stopped backup" % held
    # ... but it was held: the stopped backup could not acknowledge it.
    assert held > 0.5, "the publisher was settled %.2f s after SIGSTOP of the backup" % held
    snd.close()
    c.sigcont(1)
    admin = c.admin_connect(1)
    try:
        wait_until(lambda: browse_all(admin, q, timeout=0.3) == ["before", "during"],
                   what="the backup to catch up after SIGCONT")
    finally:
        admin.close()
    c.wait_status(1, "ready")
    with c.management(0) as m:
        members = {e["address"]: e["status"] for e in m.ha()["members"]}
    assert members.get(c.address(1)) == "ready", members
    send(conn, q, ["after"])
    conn.close()
    print("publisher held %.2f s by the stopped backup" % held)


# -- auto-delete across a failover ------------------------------------------------------------------

def test_used_auto_delete_queue_goes_after_failover(ha_cluster):
    """An auto-delete queue whose consumer was on the old primary is deleted by the new one, which
    never saw that consumer (the backups heard of it as queue-used); an unused one stays."""
    c = ha_cluster(2)
    c.start_primary(0)
    used, unused = unique("autodel-used"), unique("autodel-unused")
    with c.management(0) as m:
        for q in (used, unused):
            status, desc, _ = m.request("CREATE", type="queue", name=q, body={"auto-delete": True})
            assert status == 201, (q, status, desc)
    conn = c.connect(0)
    conn.create_receiver(used)  # the first consumer, held until the primary dies

    def queues(i):
        with c.management(i) as m:
            return m.queues()

    wait_until(lambda: queues(0).get(used, {}).get("consumerCount") == 1,
               what="the consumer on %s" % used)
    # The configuration link is ordered: once a queue made after the consumer came reaches the
    # backup, so has the news of that consumer.
    marker = unique("marker")
    with c.management(0) as m:
        assert m.request("CREATE", type="queue", name=marker)[0] == 201
    wait_until(lambda: marker in queues(1), what="%s on the backup" % marker)
    c.kill(0)
    c.promote(1)
    wait_until(lambda: used not in queues(1), what="%s deleted by the new primary" % used)
    assert unused in queues(1), "an unused auto-delete queue must stay"
