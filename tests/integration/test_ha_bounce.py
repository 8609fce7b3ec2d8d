"""A random-bounce test of a three-broker HA cluster (--ha-replicate all) carrying Proton traffic.

The test plays the cluster manager (Pacemaker in production), one round at a time, each round
starting from a whole cluster (primary `active`, both backups `ready` for it):
- kill-primary: SIGKILL the primary; after a reaction time promote a `ready` backup with
  `qpid-ha promote --cluster-manager`; the dead member is restarted before or after the promotion;
- kill-backup: SIGKILL a backup, let the cluster run without it, restart it;
- kill-backup-and-primary: SIGKILL a backup, then the primary, and promote the other backup;
  the killed backup is restarted either before the primary dies (which may catch it still
  catching up) or after the promotion (the new primary serves alone meanwhile); then the old
  primary;
- stall-backup: SIGSTOP a backup for longer than its heartbeat, then SIGCONT.
A restarted member is a new, empty broker that catches up. The round ends once the cluster is
whole again. A backup is promoted only when it is `ready` for the primary that dies: a kill with
no backup ready would be a total cluster failure (doc/ha-protocol.md, 11.3).

Meanwhile PAIRS numbered sender/receiver pairs (ha_client.py processes given every member's
address, each pair on its own queue) send sequence numbers at-least-once and receive them.
Asserted:
- no stall: after each disruption, and again once the cluster is whole, every pair makes progress
  (PROGRESS_MESSAGES new numbers acknowledged to its sender and received by its receiver) within
  PROGRESS_DEADLINE;
- the cluster comes back: after each round, within READY_DEADLINE, the primary is `active`, lists
  three members, no expected backup, and each backup is `ready` and follows it; no broker dies
  unless killed; every broker exits 0 on SIGTERM at the end;
- no gap: once the senders stop and the receivers drain, each receiver has every number its
  sender had acknowledged (duplicates are allowed, at-least-once: counted and printed), and no
  number that was never sent;
- the backups' replicas end as deep as the primary's queues.

The rounds come from a seed printed in the output. Environment:
  QPIDD_BOUNCE_SECONDS  how long to start new rounds (default 100 s: about 2 minutes in all;
                        e.g. 1800 for a long run)
  QPIDD_BOUNCE_SEED     the seed (default: a random one), to replay a run
"""

import collections
import os
import random
import subprocess
import sys
import time

import pytest

from ha_cluster import PRIMARY_STATES, HaCluster, wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT = os.path.join(HERE, "ha_client.py")

MEMBERS = 3
PAIRS = 4
HEARTBEAT = 1.0  # the harness's --link-heartbeat-interval
DEFAULT_SECONDS = 100
PROGRESS_MESSAGES = 10  # new numbers, each way, that count as progress
PROGRESS_DEADLINE = 30  # seconds for every pair to move on after a disruption
READY_DEADLINE = 60  # seconds for the cluster to be whole again
DRAIN_DEADLINE = 60  # seconds for the receivers to get every acknowledged number at the end
STOP_DEADLINE = 30  # seconds for a client to finish once asked to


def bounce_seconds():
    return float(os.environ.get("QPIDD_BOUNCE_SECONDS") or DEFAULT_SECONDS)


def bounce_seed():
    seed = os.environ.get("QPIDD_BOUNCE_SEED")
    return int(seed) if seed else random.SystemRandom().randrange(2 ** 32)


class ClientProcess:
    """An ha_client.py process (stopped by its PID); its output is parsed as it grows."""

    def __init__(self, directory, name, mode, address, urls, lifetime):
        self.name = name
        self.out_path = os.path.join(directory, name + ".out")
        self.err_path = os.path.join(directory, name + ".err")
        self.stop_file = os.path.join(directory, name + ".stop")
        self.offset = 0
        self.partial = b""
        self.acked = 0  # sender: 0 .. acked-1 were accepted
        self.received = collections.Counter()  # receiver: number -> times received
        self.connects = 0
        self.errors = []
        env = dict(os.environ, HA_CLIENT_LIFETIME="%d" % lifetime)
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen([sys.executable, CLIENT, mode, address, self.stop_file]
                                         + urls, stdout=out, stderr=err,
                                         stdin=subprocess.DEVNULL, env=env)

    def poll(self):
        """Reads the complete lines written since the last poll."""
        with open(self.out_path, "rb") as f:
            f.seek(self.offset)
            data = f.read()
        self.offset += len(data)
        lines = (self.partial + data).split(b"\n")
        self.partial = lines.pop()
        for line in lines:
            words = line.split()
            if not words:
                continue
            if words[0] == b"ACK":
                n = int(words[1])
                if n != self.acked:
                    self.errors.append("ACK %d after %d acknowledged" % (n, self.acked))
                self.acked = max(self.acked, n + 1)
            elif words[0] == b"RECV":
                self.received[int(words[1])] += 1
            elif words[0] == b"CONNECTED":
                self.connects += 1
        return self

    def duplicates(self):
        """{number: extra copies} of the numbers received more than once."""
        return {n: k - 1 for n, k in sorted(self.received.items()) if k > 1}

    def exited(self):
        return self.proc.poll() is not None

    def stop(self):
        open(self.stop_file, "w").close()
        try:
            self.proc.wait(STOP_DEADLINE)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("%s did not stop within %ss\n%s" % (
                self.name, STOP_DEADLINE, self.report()))
        self.poll()
        assert self.proc.returncode == 0, "%s exited with status %d\n%s" % (
            self.name, self.proc.returncode, self.report())

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def report(self):
        with open(self.out_path, "rb") as f:
            f.seek(max(0, os.path.getsize(self.out_path) - 3000))
            out = f.read().decode("utf-8", "replace")
        with open(self.err_path) as f:
            err = f.read()[-3000:]
        return "%s stdout (end):\n%s\n%s stderr:\n%s" % (self.name, out, self.name, err)


class Pair:
    def __init__(self, index, directory, urls, lifetime):
        self.name = "pair %d" % index
        self.queue = "bounce-%d" % index
        self.receiver = ClientProcess(directory, "receiver%d" % index, "receive", self.queue,
                                      urls, lifetime)
        self.sender = ClientProcess(directory, "sender%d" % index, "send", self.queue, urls,
                                    lifetime)

    def clients(self):
        return (self.sender, self.receiver)

    def progress(self):
        """(numbers acknowledged, distinct numbers received)."""
        return self.sender.poll().acked, len(self.receiver.poll().received)

    def missing(self):
        """Acknowledged numbers the receiver has not had."""
        return [n for n in range(self.sender.acked) if n not in self.receiver.received]

    def summary(self):
        s, r = self.sender, self.receiver
        dups = r.duplicates()
        shown = ", ".join("%d%s" % (n, "" if k == 1 else " (x%d)" % (k + 1))
                          for n, k in list(dups.items())[:30])
        return ("%s: %d acknowledged, %d received, %d duplicates%s; connections: sender %d, "
                "receiver %d" % (self.name, s.acked, sum(r.received.values()),
                                 sum(dups.values()),
                                 " [%s%s]" % (shown, ", ..." if len(dups) > 30 else "")
                                 if dups else "", s.connects, r.connects))


class Bouncer:
    """Plays the cluster manager on an HaCluster, at random but from a seed: each decision is
    drawn from the seeded generator and depends only on earlier decisions, so a seed replays the
    same rounds (timings aside)."""

    KINDS = ("kill-primary", "kill-backup", "kill-backup-and-primary", "stall-backup")

    def __init__(self, cluster, pairs, rng):
        self.cluster = cluster
        self.pairs = pairs
        self.rng = rng
        self.primary = 0
        self.down = set()  # members killed and not yet restarted
        self.bag = []  # the kinds still to do before every kind has had a round again
        self.done = collections.Counter()
        self.progress_times = collections.defaultdict(list)  # kind -> seconds to progress
        self.whole_times = []  # seconds each round's end waited for a whole cluster

    # -- state ---------------------------------------------------------------------------------
    def backups(self):
        return [i for i in range(MEMBERS) if i != self.primary and i not in self.down]

    def check_alive(self, when):
        for i in range(MEMBERS):
            b = self.cluster[i]
            if i not in self.down and not b.alive():
                raise AssertionError("broker %d (%s, pid %d) died %s: exit status %s\n%s" % (
                    i, b.address, b.pid, when, b.proc.returncode, b.log()[-5000:]))

    def ha(self, i):
        with self.cluster.management(i) as m:
            return m.ha()

    def ready_for_primary(self, j, primary=None):
        """Backup j says `ready`, follows the primary, and the primary lists it `ready`."""
        backup, primary = self.ha(j), primary or self.ha(self.primary)
        follows = (backup["primary"] or "").startswith(primary["brokerId"] + "@")
        listed = any(m["broker-id"] == backup["brokerId"] and m["status"] == "ready"
                     for m in primary["members"])
        return (backup["status"] == "ready" and primary["status"] in PRIMARY_STATES and follows
                and listed)

    def whole(self):
        """The primary is `active`, lists every member and expects no backup; every backup is
        `ready` for it."""
        primary = self.ha(self.primary)
        return (primary["status"] == "active" and len(primary["members"]) == MEMBERS
                and not primary["expectedBackups"]
                and all(self.ready_for_primary(j, primary) for j in self.backups()))

    def wait_for(self, predicate, what):
        try:
            wait_until(predicate, timeout=READY_DEADLINE, interval=0.2, what=what)
        except AssertionError as e:
            raise AssertionError("%s\n%s\n%s" % (
                e, "\n".join(self.describe(i) for i in range(MEMBERS)),
                self.cluster.status_all())) from e

    def wait_ready(self, j, why):
        self.wait_for(lambda: self.ready_for_primary(j), "broker %d to be ready for primary %d "
                      "(%s)" % (j, self.primary, why))

    def wait_whole(self, why):
        start = time.monotonic()
        self.wait_for(self.whole, "the cluster to be whole, primary %d active (%s)" % (
            self.primary, why))
        self.whole_times.append(time.monotonic() - start)

    def describe(self, i):
        if i in self.down:
            return "broker %d: down" % i
        try:
            ha = self.ha(i)
        except Exception as e:  # diagnostics only
            return "broker %d: unreadable (%r)" % (i, e)
        return ("broker %d: status %s, broker id %s, primary %s, members %s, expected %s, "
                "catchupQueues %s" % (
                    i, ha["status"], ha["brokerId"], ha["primary"],
                    [(m["broker-id"][:8], m["address"], m["status"]) for m in ha["members"]],
                    ha["expectedBackups"], ha["catchupQueues"]))

    # -- progress ------------------------------------------------------------------------------
    def wait_for_progress(self, what, kind):
        """Every pair moves on (PROGRESS_MESSAGES more numbers acknowledged and received) within
        PROGRESS_DEADLINE; returns the time that took."""
        start = time.monotonic()
        before = [p.progress() for p in self.pairs]
        while True:
            self.check_alive("after " + what)
            for p in self.pairs:
                for client in p.clients():
                    if client.exited():
                        raise AssertionError("%s exited (status %s) after %s\n%s" % (
                            client.name, client.proc.returncode, what, client.report()))
            stalled = [(p, b) for p, b in zip(self.pairs, before)
                       if not all(now >= then + PROGRESS_MESSAGES
                                  for now, then in zip(p.progress(), b))]
            took = time.monotonic() - start
            if not stalled:
                self.progress_times[kind].append(took)
                return took
            if took > PROGRESS_DEADLINE:
                raise AssertionError(
                    "stall after %s: %s did not move on by %d numbers within %ss\n%s\n%s\n%s" % (
                        what, ", ".join("%s (acknowledged %d -> %d, received %d -> %d)" % (
                            p.name, b[0], p.sender.acked, b[1], len(p.receiver.received))
                            for p, b in stalled),
                        PROGRESS_MESSAGES, PROGRESS_DEADLINE,
                        "\n".join(self.describe(i) for i in range(MEMBERS)),
                        self.cluster.status_all(),
                        "\n".join(c.report() for p, _ in stalled for c in p.clients())))
            time.sleep(0.1)

    # -- rounds --------------------------------------------------------------------------------
    def round(self):
        """Does one round from a whole cluster back to a whole cluster; returns what it did."""
        if not self.bag:
            self.bag = list(self.KINDS)
            self.rng.shuffle(self.bag)
        kind = self.bag.pop()
        did = getattr(self, kind.replace("-", "_"))(self.rng.choice(self.backups()))
        self.done[kind] += 1
        self.wait_whole("after " + did)
        self.wait_for_progress(did + ", the cluster whole again", "whole again")
        return did

    def kill_primary(self, j):
        old = self.primary
        self.wait_ready(j, "before killing the primary")
        delay = self.rng.uniform(0, 1.0)  # the cluster manager's reaction time
        restart_first = self.rng.random() < 0.5
        pid = self.kill(old)
        time.sleep(delay)
        if restart_first:  # the dead member's process comes back before the promotion
            self.restart(old)
        self.promote(j)
        did = "kill -9 primary %d (pid %d), %.2f s later %s" % (
            old, pid, delay, "restart it, promote %d" % j if restart_first else "promote %d" % j)
        self.wait_for_progress(did, "primary killed")
        if not restart_first:
            self.restart(old)
        return did + ("" if restart_first else ", restart %d" % old)

    def kill_backup(self, k):
        pid = self.kill(k)
        did = "kill -9 backup %d (pid %d)" % (k, pid)
        self.wait_for_progress(did, "backup killed")
        time.sleep(self.rng.uniform(0, 3.0))  # traffic with the member down
        self.restart(k)
        return did + ", restart it"

    def kill_backup_and_primary(self, k):
        """Kills backup k, then the primary; k comes back either before the primary's death (it
        may be still catching up then, and must follow the new primary) or after it."""
        old = self.primary
        (j,) = [i for i in self.backups() if i != k]
        restart_k_first = self.rng.random() < 0.5
        pid_k = self.kill(k)
        did = "kill -9 backup %d (pid %d)" % (k, pid_k)
        self.wait_for_progress(did, "backup killed")
        if restart_k_first:
            self.restart(k)
            did += ", restart it"
        self.wait_ready(j, "before killing the primary, backup %d %s" % (
            k, "restarted" if restart_k_first else "down"))
        delay = self.rng.uniform(0, 1.0)
        pid_old = self.kill(old)
        time.sleep(delay)
        self.promote(j)
        did += ", kill -9 primary %d (pid %d), %.2f s later promote %d" % (old, pid_old, delay, j)
        self.wait_for_progress(did, "primary killed")
        time.sleep(self.rng.uniform(0, 3.0))  # traffic with the new primary alone or with k
        if restart_k_first:
            self.restart(old)
            return did + ", restart %d" % old
        for i in self.rng.sample([k, old], 2):
            self.restart(i)
        return did + ", restart both"

    def stall_backup(self, k):
        seconds = self.rng.uniform(1.5, 4.0) * HEARTBEAT
        pid = self.cluster[k].pid
        self.cluster.sigstop(k)
        time.sleep(seconds)  # the stall itself: beyond the heartbeat, often beyond two
        self.cluster.sigcont(k)
        did = "SIGSTOP backup %d (pid %d) for %.2f s, SIGCONT" % (k, pid, seconds)
        self.wait_for_progress(did, "backup stalled")
        return did

    # -- the cluster manager's actions ---------------------------------------------------------
    def kill(self, i):
        pid = self.cluster[i].pid
        self.cluster.kill(i)
        self.down.add(i)
        return pid

    def promote(self, j):
        assert j not in self.down and j != self.primary
        self.cluster.promote(j)
        self.primary = j

    def restart(self, i):
        self.cluster.restart(i)
        self.down.discard(i)


@pytest.fixture
def cluster(tmp_path):
    c = HaCluster(tmp_path / "cluster", MEMBERS, replicate="all", start=False)
    try:
        yield c.start_all()
    finally:
        errors = c.close()
    assert not errors, "\n".join(errors)


def test_random_bounces_lose_no_acknowledged_message(cluster, tmp_path):
    seconds, seed = bounce_seconds(), bounce_seed()
    print("bounce seed %d, %g s (replay: QPIDD_BOUNCE_SEED=%d QPIDD_BOUNCE_SECONDS=%g); logs "
          "in %s" % (seed, seconds, seed, seconds, tmp_path), flush=True)
    try:
        run_bounces(cluster, tmp_path, seconds, random.Random(seed))
    except AssertionError as e:
        raise AssertionError("%s\n[seed %d: replay with QPIDD_BOUNCE_SEED=%d; logs in %s]" % (
            e, seed, seed, tmp_path)) from e


def run_bounces(cluster, tmp_path, seconds, rng):
    began = time.monotonic()

    def log(text):
        print("[%7.1f s] %s" % (time.monotonic() - began, text), flush=True)

    cluster.start_primary(0)
    queues = ["bounce-%d" % i for i in range(PAIRS)]
    for q in queues:
        r = cluster.qpid_config(0, "add", "queue", q)
        assert r.returncode == 0, "add queue %s: %s%s" % (q, r.stdout, r.stderr)
    for j in (1, 2):  # configuration replication is asynchronous: wait for the replicas
        wait_until(lambda: set(queues) <= set(queue_depths(cluster, j)),
                   what="broker %d to replicate the queues" % j)

    clients_dir = tmp_path / "clients"
    clients_dir.mkdir()
    lifetime = seconds + 300
    pairs = [Pair(i, str(clients_dir), cluster.urls(), lifetime) for i in range(PAIRS)]
    bouncer = Bouncer(cluster, pairs, rng)
    try:
        bouncer.wait_whole("at the start")
        bouncer.wait_for_progress("the start", "the start")
        log("traffic on %d pairs" % PAIRS)
        n = 0
        while time.monotonic() - began < seconds:
            n += 1
            did = bouncer.round()
            log("round %d: %s; whole again, every pair moved on" % (n, did))
            time.sleep(rng.uniform(0.5, 2.0))  # traffic between rounds

        log("rounds: %s; primary %d" % (dict(bouncer.done), bouncer.primary))
        for kind, times in sorted(bouncer.progress_times.items()):
            log("progress (%d new numbers per pair) after %s: max %.1f s, mean %.2f s, %d times"
                % (PROGRESS_MESSAGES, kind, max(times), sum(times) / len(times), len(times)))
        log("wait for a whole cluster at the end of a round: max %.1f s, mean %.2f s" % (
            max(bouncer.whole_times), sum(bouncer.whole_times) / len(bouncer.whole_times)))

        # The end: the senders stop, the receivers drain.
        for p in pairs:
            p.sender.stop()
        deadline = time.monotonic() + DRAIN_DEADLINE
        while time.monotonic() < deadline:
            for p in pairs:
                p.receiver.poll()
            if not any(p.missing() for p in pairs):
                break
            time.sleep(0.2)
        for p in pairs:
            p.receiver.stop()
        for p in pairs:
            log(p.summary())
        bouncer.check_alive("at the end")

        for p in pairs:
            assert not p.sender.errors, "%s: the sender's numbers: %s" % (
                p.name, p.sender.errors[:5])
            assert p.sender.acked > 0, "%s acknowledged nothing" % p.name
            missing = p.missing()
            assert not missing, (
                "%s: %d acknowledged numbers never received (of 0..%d), first ones: %s\n%s" % (
                    p.name, len(missing), p.sender.acked - 1, missing[:20], p.summary()))
            # The sender may have sent one number more than it saw acknowledged, never two.
            stray = sorted(n for n in p.receiver.received if n > p.sender.acked)
            assert not stray, "%s: received numbers never sent: %s" % (p.name, stray[:20])

        depths = lambda i: {q: d for q, d in queue_depths(cluster, i).items() if q in queues}
        for j in bouncer.backups():
            wait_until(lambda: depths(j) == depths(bouncer.primary),
                       what="broker %d's replicas to be as deep as the primary's queues" % j)
        log("replicas as deep as the primary's queues: %s" % depths(bouncer.primary))
    except Exception:
        for p in pairs:
            for c in p.clients():
                print(c.report())
        raise
    finally:
        for p in pairs:
            for c in p.clients():
                c.kill()


def queue_depths(cluster, i):
    """{queue name: depth} on member i (an admin connection, so backups answer too)."""
    with cluster.management(i) as m:
        return {name: q["msgDepth"] for name, q in m.queues().items()}
