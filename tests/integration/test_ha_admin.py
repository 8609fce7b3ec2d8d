"""Administering an HA cluster's backups (doc/ha-protocol.md 4.2, 12): changes to replicated
objects on a backup are refused unless the administrator overrides, and a backup that a primary
refuses (ha-replicate differs) says why in qpid-ha and its log, and retries slowly."""

import re
import time

import pytest

from amqp_helpers import send, unique
from ha_cluster import HaCluster, ok, started_cluster, wait_until

BACKUP = 1


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two brokers with --ha-replicate all: 0 active, 1 ready. Tests use unique names."""
    with started_cluster(tmp_path_factory.mktemp("ha-admin"), 2) as c:
        yield c


def replicated_setup(c):
    """A queue with a message, a topic exchange and a binding, made on the primary and present
    on the backup: (queue, exchange)."""
    q, x = unique("adm-q"), unique("adm-x")
    ok(c.qpid_config(0, "add", "queue", q), "add queue")
    ok(c.qpid_config(0, "add", "exchange", "topic", x), "add exchange")
    ok(c.qpid_config(0, "bind", x, q, "k"), "bind")
    conn = c.connect(0)
    send(conn, q, ["m0"])
    conn.close()
    with c.management(BACKUP) as m:
        wait_until(lambda: (m.read("queue", q) or {}).get("msgDepth") == 1, what="replica of " + q)
        wait_until(lambda: m.read("exchange", x), what="replica of " + x)
    return q, x


def refused(r, *names):
    """The tool failed with the backup's refusal, naming each of `names` and the override."""
    text = r.stdout + r.stderr
    return (r.returncode != 0 and "HA backup" in text and "--ha-override" in text
            and all(n in text for n in names))


def test_backup_refuses_admin_changes_to_replicated_objects(cluster):
    c = cluster
    q, x = replicated_setup(c)
    other = unique("adm-other")
    ok(c.qpid_config(0, "add", "queue", other), "add queue")
    with c.management(BACKUP) as m:
        wait_until(lambda: m.read("queue", other), what="replica of " + other)

    attempts = {  # what: (result, names the refusal must give)
        "del queue": (c.qpid_config(BACKUP, "del", "queue", q, "--force", admin=True), [q]),
        "del exchange": (c.qpid_config(BACKUP, "del", "exchange", x, admin=True), [x]),
        "unbind": (c.qpid_config(BACKUP, "unbind", x, q, "k", admin=True), [x, q]),
        "bind": (c.qpid_config(BACKUP, "bind", x, other, "k2", admin=True), [x, other]),
    }
    for what, (r, names) in attempts.items():
        assert refused(r, *names), "%s on the backup: %d %s%s" % (
            what, r.returncode, r.stdout, r.stderr)

    # Nothing changed on the backup.
    with c.management(BACKUP) as m:
        assert m.read("queue", q)["msgDepth"] == 1
        assert m.read("exchange", x) is not None
        keys = {k for (e, _, k) in m.bindings() if e == x}
    assert keys == {"k"}, keys


def test_override_changes_the_backup_until_it_reconnects(cluster):
    """With --ha-override the backup obeys and logs a warning; the next snapshot from the
    primary (here after the backup was dropped and came back) restores the replicated objects."""
    c = cluster
    q, x = replicated_setup(c)
    since = c[BACKUP].log_size()
    r = c.qpid_config(BACKUP, "--ha-override", "unbind", x, q, "k")
    ok(r, "unbind with --ha-override")
    r = c.qpid_config(BACKUP, "--ha-override", "del", "queue", q, "--force")
    ok(r, "del queue with --ha-override")
    with c.management(BACKUP) as m:
        assert m.read("queue", q) is None
    with c.management(0) as m:
        assert m.read("queue", q)["msgDepth"] == 1, "the override reached the primary"
    log = c[BACKUP].log(since)
    assert re.search(r"administrator override on a backup: delete replicated queue '%s'" % q,
                     log), log
    assert "unbind replicated queue '%s'" % q in log, log

    # The primary drops the silent backup (heartbeat 1 s); once it runs again it reconnects and
    # the snapshot brings the queue, its message and its binding back.
    with c.management(BACKUP) as m:
        backup_id = m.ha()["brokerId"]
    c.sigstop(BACKUP)
    with c.management(0) as m:
        wait_until(lambda: all(mb["broker-id"] != backup_id for mb in m.ha()["members"]),
                   timeout=30, what="the primary to drop the stopped backup")
    c.sigcont(BACKUP)
    c.wait_status(BACKUP, "ready", timeout=30)
    with c.management(BACKUP) as m:
        wait_until(lambda: (m.read("queue", q) or {}).get("msgDepth") == 1,
                   what="the queue back on the backup")
        wait_until(lambda: (x, q, "k") in m.bindings(), what="the binding back on the backup")


def test_override_needs_no_extra_rights_on_the_primary(cluster):
    """On the primary --ha-override changes nothing: a plain delete, no warning."""
    c = cluster
    q = unique("adm-prim")
    ok(c.qpid_config(0, "add", "queue", q), "add queue")
    since = c[0].log_size()
    ok(c.qpid_config(0, "--ha-override", "del", "queue", q), "del queue on the primary")
    with c.management(0) as m:
        assert m.read("queue", q) is None
    assert "administrator override" not in c[0].log(since)


def test_backup_with_other_ha_replicate_says_why_and_retries_slowly(tmp_path):
    """A backup started with --ha-replicate configuration beside an `all` primary stays
    joining; qpid-ha status (stderr), status --all and query say why; each side logs it without
    a flood; restarted with the primary's value it becomes ready."""
    c = HaCluster(tmp_path, 2, start=False, broker_args={1: ["--ha-replicate", "configuration"]})
    try:
        c.start_all([0])
        c.start_primary(0, backups=[])
        primary_since = c[0].log_size()
        c.start(1)
        why = "has ha-replicate=configuration, this primary all"

        def refused_status():
            r = c.qpid_ha("status", "-b", c.address(1))
            return r.returncode == 0 and r.stdout.strip() == "joining" and why in r.stderr

        wait_until(refused_status, timeout=30, what="qpid-ha status to say why")
        query = ok(c.qpid_ha("query", "-b", c.address(1)), "query")
        assert re.search(r"^Error:\s+.*" + re.escape(why), query, re.M), query
        status_all = ok(c.qpid_ha("status", "--all", "-b", c.address(0)), "status --all")
        assert re.search(r"^%s joining \(.*%s" % (re.escape(c.address(1)), re.escape(why)),
                         status_all, re.M), status_all

        # --link-maintenance-interval is 0.1 s; a refused backup waits 5 s between rounds.
        time.sleep(8)
        backup_log = c[1].log()
        assert 1 <= backup_log.count("cannot replicate from") <= 1, backup_log
        refusals = c[0].log(primary_since).count(why)
        assert 1 <= refusals <= 3, "%d refusals logged by the primary in 8 s" % refusals
        assert c.status(1) == "joining"

        c.stop(1)
        c.broker_args = {}
        c.start(1)
        c.wait_status(1, "ready", timeout=30)
        query = ok(c.qpid_ha("query", "-b", c.address(1)), "query")
        assert "Error:" not in query, query
    finally:
        errors = c.close()
    assert not errors, "\n".join(errors)
