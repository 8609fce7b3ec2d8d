"""A harness for HA clusters of real qpidd processes (doc/ha-protocol.md), on top of conftest.

    cluster = HaCluster(tmp_path, 3, replicate="all")   # three brokers, all `joining`
    cluster.promote(0)                                   # qpid-ha promote --cluster-manager
    cluster.wait_status(1, "ready")
    cluster.kill(0)                                      # SIGKILL, by PID

Each broker listens on 127.0.0.1 on a port chosen in advance (so every broker's
--ha-brokers-url can list them all), with its own --data-dir and empty --config, and logs
(info+) to a file. The options: `--ha-cluster yes --ha-brokers-url <all> --ha-replicate LEVEL
--link-maintenance-interval 0.1 --link-heartbeat-interval 1 --ha-backup-timeout 5`, then
`extra_args` and, per member, `broker_args={index: [...]}`; these replace the defaults they name
(qpidd refuses an option given twice). sigstop() returns once every thread is stopped.

The brokers are conftest.Broker objects registered in conftest's list of live brokers, so a
failing test gets their logs attached and a broker that dies unexpectedly fails the test. A broker
killed on purpose stays listed as a log-only record until the cluster is torn down, so its log is
attached too. `HaCluster.close()` (the `ha_cluster` fixture of test_ha.py calls it) SIGCONTs
stopped brokers, SIGTERMs the rest by PID and reports any that did not exit with status 0.

A restarted broker is a new, empty member: new directory, new data dir, new broker id, same port.
"""

import os
import signal
import socket
import subprocess
import time
from contextlib import contextmanager

from proton import Delivery, Message, symbol
from proton.utils import BlockingConnection

import conftest
from amqp_helpers import TIMEOUT, ManagementRequests

QPID_HA = os.environ.get("QPID_HA") or os.path.join(conftest.BUILDDIR, "src", "tools", "qpid-ha")
QPID_CONFIG = (os.environ.get("QPID_CONFIG")
               or os.path.join(conftest.BUILDDIR, "src", "tools", "qpid-config"))

QPID_SEND = (os.environ.get("QPID_SEND")
             or os.path.join(conftest.BUILDDIR, "src", "tools", "qpid-send"))

PRIMARY_STATES = ("recovering", "active")
HA_ADMIN = {symbol("qpid.ha-admin"): True}

HA_ARGS = ("--link-maintenance-interval", "0.1", "--link-heartbeat-interval", "1",
           "--ha-backup-timeout", "5")


class PortInUse(Exception):
    pass


def free_ports(n):
    """n distinct ports that were free a moment ago (all bound at once, then released)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def all_threads_stopped(pid):
    """True when every thread of process pid is in state T (stopped), per /proc."""
    task_dir = "/proc/%d/task" % pid
    for tid in os.listdir(task_dir):
        try:
            with open(os.path.join(task_dir, tid, "stat")) as f:
                stat = f.read()
        except FileNotFoundError:  # the thread ended
            continue
        # pid (comm) state ...: comm may hold spaces or parentheses, so split after the last ')'.
        if stat[stat.rindex(")") + 2] not in "Tt":
            return False
    return True


class HaBroker(conftest.Broker):
    """A conftest.Broker on a fixed port: qpidd prints no port then, so start() waits for the log
    line saying the broker runs, and raises PortInUse if the port was taken meanwhile."""

    def __init__(self, directory, port, args, name):
        super().__init__(directory, args, name=name)
        i = self.args.index("--port")
        self.args[i + 1] = str(port)
        self.port = port
        self.stopped = False  # SIGSTOPped

    def start(self):
        if not os.access(conftest.QPIDD, os.X_OK):
            import pytest
            pytest.skip("no qpidd binary at %s (build it, or set QPIDD)" % conftest.QPIDD)
        with open(self.stdout_path, "wb") as out, open(self.log_path, "wb") as err:
            self.proc = subprocess.Popen(self.args, stdout=out, stderr=err,
                                         stdin=subprocess.DEVNULL, close_fds=True)
        conftest._live_brokers.append(self)
        running = ("running on port %d" % self.port).encode()
        deadline = time.monotonic() + conftest.START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                conftest._live_brokers.remove(self)
                log = self.log()
                if "Address already in use" in log:
                    raise PortInUse(self.port)
                raise conftest.BrokerError("%s exited with status %s before running\n%s" % (
                    self.name, self.proc.returncode, log))
            with open(self.log_path, "rb") as f:
                if running in f.read():
                    return self
            time.sleep(0.05)
        self.kill()
        raise conftest.BrokerError("%s did not log %r within %ss\n%s" % (
            self.name, running.decode(), conftest.START_TIMEOUT, self.log()))

    @property
    def address(self):
        return "127.0.0.1:%d" % self.port

    def alive(self):
        return self.proc is not None and self.proc.poll() is None


class DeadBrokerLog:
    """Stands in conftest's list for a broker killed on purpose, so that its log is still attached
    to a failing test's report. It is no process: always 'alive', nothing to stop."""

    def __init__(self, broker):
        self.broker = broker
        self.proc = broker.proc
        self.pid = broker.pid
        self.port = "%s, killed" % broker.port

    def alive(self):
        return True

    def log(self, since=0):
        return self.broker.log(since)

    def log_size(self):
        return self.broker.log_size()


class HaCluster:
    def __init__(self, tmp_path, n, replicate="all", extra_args=(), broker_args=None, start=True,
                 indexes=None):
        """An n-member cluster; with start, starts members `indexes` (default: all) at once."""
        self.dir = str(tmp_path)
        self.n = n
        self.replicate = replicate
        self.extra_args = list(extra_args)
        self.broker_args = broker_args or {}
        self.brokers = [None] * n
        self.generation = [0] * n
        self.ghosts = []
        self.ports = free_ports(n)
        if start:
            self.start_all(indexes)

    def start_all(self, indexes=None, attempts=5):
        """Starts members `indexes` (default: all); the others can be started later with start(i).
        If a port was taken meanwhile, kills what it started and retries with new ports."""
        for attempt in range(attempts):
            try:
                for i in (range(self.n) if indexes is None else indexes):
                    self.start(i)
                return self
            except PortInUse:
                if attempt == attempts - 1:
                    raise
                for b in self.brokers:
                    if b is not None and b.alive():
                        b.kill()
                self.brokers = [None] * self.n
                self.ports = free_ports(self.n)

    # -- addresses -----------------------------------------------------------------------------
    def address(self, i):
        return "127.0.0.1:%d" % self.ports[i]

    def url(self):
        """Every member's address, comma-separated (the --ha-brokers-url)."""
        return ",".join(self.address(i) for i in range(self.n))

    def urls(self):
        """Every member as an amqp:// URL, for clients given the whole list."""
        return ["amqp://" + self.address(i) for i in range(self.n)]

    def __getitem__(self, i):
        return self.brokers[i]

    # -- life cycle ----------------------------------------------------------------------------
    def args(self, i):
        """The HA options of member i: extra_args and broker_args[i] replace defaults of HA_ARGS
        and --ha-replicate with the same name (qpidd refuses an option given twice)."""
        extra = self.extra_args + list(self.broker_args.get(i, []))
        defaults = []
        for name, value in zip(HA_ARGS[::2], HA_ARGS[1::2]):
            if name not in extra:
                defaults += [name, value]
        if "--ha-replicate" not in extra:
            defaults += ["--ha-replicate", self.replicate]
        return ["--ha-cluster", "yes", "--ha-brokers-url", self.url()] + defaults + extra

    def start(self, i):
        """Starts member i as a new broker (fresh directory, hence a new broker id)."""
        assert self.brokers[i] is None or not self.brokers[i].alive(), "broker %d is running" % i
        self.generation[i] += 1
        d = os.path.join(self.dir, "b%d.%d" % (i, self.generation[i]))
        os.makedirs(d)
        b = HaBroker(d, self.ports[i], self.args(i), name="ha%d" % i)
        self.brokers[i] = b
        b.start()
        return b

    def restart(self, i, retries=20):
        """Stops member i if it runs (SIGTERM) and starts a new, empty one on its port."""
        if self.brokers[i] is not None and self.brokers[i].alive():
            self.stop(i)
        for attempt in range(retries):
            try:
                return self.start(i)
            except PortInUse:
                if attempt == retries - 1:
                    raise
                time.sleep(0.25)

    def stop(self, i, expect_status=0):
        """SIGTERM by PID, waits; asserts the exit status."""
        b = self.brokers[i]
        if b.stopped:
            self.sigcont(i)
        in_time, rc = b.stop()
        assert in_time, "%s (pid %d) did not exit within %ss of SIGTERM" % (
            b.name, b.pid, conftest.STOP_TIMEOUT)
        if expect_status is not None:
            assert rc == expect_status, "%s (pid %d) exited with status %s after SIGTERM" % (
                b.name, b.pid, rc)
        self.ghosts.append(DeadBrokerLog(b))
        conftest._live_brokers.append(self.ghosts[-1])
        return rc

    def kill(self, i):
        """SIGKILL by PID."""
        b = self.brokers[i]
        b.kill()
        self.ghosts.append(DeadBrokerLog(b))
        conftest._live_brokers.append(self.ghosts[-1])

    def sigstop(self, i, timeout=10):
        """SIGSTOP by PID; returns once every thread of the broker is stopped. (kill() returns
        before that: the signal wakes one thread, which then stops the others, and on a busy
        machine they can run for milliseconds meanwhile, e.g. acknowledge a replicated message.)"""
        b = self.brokers[i]
        os.kill(b.pid, signal.SIGSTOP)
        b.stopped = True
        deadline = time.monotonic() + timeout
        while not all_threads_stopped(b.pid):
            assert time.monotonic() < deadline, "%s (pid %d) not stopped %ss after SIGSTOP" % (
                b.name, b.pid, timeout)
            time.sleep(0.001)

    def sigcont(self, i):
        b = self.brokers[i]
        os.kill(b.pid, signal.SIGCONT)
        b.stopped = False

    def close(self):
        """Stops every broker (SIGCONT first if stopped); returns a list of problems."""
        errors = []
        for b in self.brokers:
            if b is None or b.proc is None:
                continue
            if b.stopped and b.alive():
                os.kill(b.pid, signal.SIGCONT)
                b.stopped = False
            if not b.alive():
                if b in conftest._live_brokers:
                    conftest._live_brokers.remove(b)
                continue
            in_time, rc = b.stop()
            if not in_time:
                errors.append("%s (pid %d) did not exit within %ss of SIGTERM\n%s" % (
                    b.name, b.pid, conftest.STOP_TIMEOUT, b.log()[-20000:]))
            elif rc != 0:
                errors.append("%s (pid %d) exited with status %s after SIGTERM\n%s" % (
                    b.name, b.pid, rc, b.log()[-20000:]))
        for g in self.ghosts:
            if g in conftest._live_brokers:
                conftest._live_brokers.remove(g)
        self.ghosts = []
        return errors

    # -- tools ---------------------------------------------------------------------------------
    def qpid_ha(self, *args, timeout=30):
        """Runs qpid-ha; returns the CompletedProcess (text)."""
        return subprocess.run([QPID_HA] + [str(a) for a in args], capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def qpid_config(self, i, *args, admin=False, timeout=30):
        cmd = [QPID_CONFIG, "-b", self.address(i)] + (["--ha-admin"] if admin else [])
        return subprocess.run(cmd + [str(a) for a in args], capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    def qpid_send(self, i, address, count, *args, timeout=120):
        """qpid-send COUNT messages to ADDRESS on member i (pipelined, each accepted); asserts
        success."""
        r = subprocess.run([QPID_SEND, "-b", self.address(i), "-a", address, "-m", str(count)]
                           + [str(a) for a in args], capture_output=True, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL)
        assert r.returncode == 0, "qpid-send failed (%d): %s%s" % (r.returncode, r.stdout, r.stderr)

    def status(self, i, timeout=5):
        """The HA status word of member i (qpid-ha status), or 'error: ...'."""
        try:
            r = self.qpid_ha("status", "-b", self.address(i), "--timeout", timeout,
                             timeout=timeout + 10)
        except subprocess.TimeoutExpired:
            return "error: qpid-ha status timed out"
        if r.returncode != 0:
            return "error: " + (r.stderr.strip() or r.stdout.strip())
        return r.stdout.strip()

    def status_all(self):
        """`qpid-ha status --all` as seen from each running member, for diagnostics."""
        lines = []
        for i, b in enumerate(self.brokers):
            if b is not None and b.alive() and not b.stopped:
                lines.append("%d %s: %s" % (i, self.address(i), self.status(i)))
            else:
                lines.append("%d %s: not running" % (i, self.address(i)))
        return "\n".join(lines)

    def wait_status(self, i, status, timeout=30):
        """Waits until member i reports `status` (a word, or a tuple of acceptable words)."""
        wanted = (status,) if isinstance(status, str) else tuple(status)
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = self.status(i)
            if last in wanted:
                return last
            time.sleep(0.1)
        raise AssertionError("broker %d (%s) is %r, not %s, after %ss\n%s" % (
            i, self.address(i), last, "/".join(wanted), timeout, self.status_all()))

    def promote(self, i, check=True, cluster_manager=True, timeout=30):
        """qpid-ha promote --cluster-manager -b member i; with check, asserts success."""
        args = ["promote", "-b", self.address(i)] + (["--cluster-manager"] if cluster_manager
                                                     else [])
        r = self.qpid_ha(*args, timeout=timeout)
        if check:
            assert r.returncode == 0, "promote of broker %d failed (%d): %s%s\n%s" % (
                i, r.returncode, r.stdout, r.stderr, self.status_all())
        return r

    def primary(self):
        """The index of the member that reports recovering/active, or None."""
        for i, b in enumerate(self.brokers):
            if b is not None and b.alive() and not b.stopped and self.status(i) in PRIMARY_STATES:
                return i
        return None

    def start_primary(self, i=0, backups=None, timeout=30):
        """Promotes member i and waits until the `backups` (default: every other running member)
        are ready and i is active."""
        self.promote(i)
        if backups is None:
            backups = [j for j, b in enumerate(self.brokers)
                       if j != i and b is not None and b.alive()]
        for j in backups:
            self.wait_status(j, "ready", timeout)
        self.wait_status(i, "active", timeout)

    # -- connections ---------------------------------------------------------------------------
    def connect(self, i, **kwargs):
        """An ordinary client connection to member i (no reconnect)."""
        kwargs.setdefault("timeout", TIMEOUT)
        kwargs.setdefault("reconnect", False)
        return BlockingConnection("amqp://" + self.address(i), **kwargs)

    def admin_connect(self, i, **kwargs):
        """An HA admin connection (open property qpid.ha-admin: true), admitted by backups."""
        kwargs.setdefault("timeout", TIMEOUT)
        kwargs.setdefault("reconnect", False)
        return BlockingConnection("amqp://" + self.address(i), properties=HA_ADMIN, **kwargs)

    @contextmanager
    def management(self, i, admin=True):
        """ManagementRequests over a new (admin) connection to member i."""
        conn = self.admin_connect(i) if admin else self.connect(i)
        try:
            yield Management(conn, conn.create_sender("$management"),
                             conn.create_receiver(None, dynamic=True))
        finally:
            conn.close()


class Management(ManagementRequests):
    def read(self, type, name=None):
        """READ: the attributes, or None when 404."""
        status, desc, body = self.request("READ", type=type, name=name)
        if status == 404:
            return None
        assert status == 200, "READ %s %s: %s %s" % (type, name, status, desc)
        return body

    def query(self, type, attributes=()):
        """QUERY: a list of {attribute: value} maps, one per entity."""
        status, desc, body = self.request("QUERY", type=type,
                                          body={"attributeNames": list(attributes)})
        assert status == 200, "QUERY %s: %s %s" % (type, status, desc)
        names = list(body["attributeNames"])
        return [dict(zip(names, row)) for row in body["results"]]

    def queues(self):
        return {q["name"]: q for q in self.query("queue")}

    def exchanges(self):
        return {x["name"]: x for x in self.query("exchange")}

    def bindings(self):
        """Set of (exchange, queue, key)."""
        return {(b["exchange"], b["queue"], b["key"]) for b in self.query("binding")}

    def ha(self):
        return self.read("ha-broker")


# -- messages ------------------------------------------------------------------------------------

def send_pipelined(conn, address, bodies, timeout=60):
    """Sends every body at once (at-least-once, pipelined) and waits until each is settled;
    asserts every one was accepted."""
    snd = conn.create_sender(address)
    deliveries = [snd.link.send(Message(body=b)) for b in bodies]
    conn.wait(lambda: all(d.remote_state for d in deliveries), timeout=timeout,
              msg="waiting for %d deliveries to %s to be settled" % (len(deliveries), address))
    bad = [d.remote_state for d in deliveries if d.remote_state != Delivery.ACCEPTED]
    assert not bad, "%d of %d messages not accepted: %s" % (len(bad), len(deliveries), bad[:5])
    for d in deliveries:
        d.settle()
    snd.close()


def browse_all(conn, address, timeout=1.0, credit=1000):
    """Bodies of every message on `address`, browsed (distribution-mode copy), until nothing
    arrives for `timeout` seconds."""
    from proton import Timeout
    from proton.reactor import Copy
    rcv = conn.create_receiver(address, options=Copy(), credit=credit,
                               name="browse-%s-%f" % (address, time.monotonic()))
    out = []
    while True:
        try:
            m = rcv.receive(timeout=timeout)
        except Timeout:
            break
        rcv.accept()
        out.append(m.body)
    rcv.close()
    return out


def wait_until(predicate, timeout=30, interval=0.1, what="condition"):
    """Polls predicate() until it returns a true value; returns it, or raises AssertionError."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            v = predicate()
            if v:
                return v
        except Exception as e:  # a broker restarting, a connection refused: try again
            last_error = e
        time.sleep(interval)
    raise AssertionError("timed out after %ss waiting for %s%s" % (
        timeout, what, " (last error: %r)" % last_error if last_error else ""))


def created(result, what):
    """Asserts a management CREATE reply (status, description, body) is 201; returns the body."""
    status, desc, body = result
    assert status == 201, "CREATE %s: %s %s" % (what, status, desc)
    return body


def ok(r, what):
    """Asserts a tool's CompletedProcess succeeded; returns its stdout."""
    assert r.returncode == 0, "%s failed (%d): %s%s" % (what, r.returncode, r.stdout, r.stderr)
    return r.stdout


@contextmanager
def started_cluster(directory, n, primary=0, **kwargs):
    """An n-member HaCluster (HaCluster's keyword arguments), every member started and `primary`
    promoted with the others ready; on exit its brokers are stopped (by PID) and each must have
    exited with status 0."""
    c = HaCluster(directory, n, start=False, **kwargs)
    try:
        c.start_all()
        c.start_primary(primary)
        yield c
    finally:
        errors = c.close()
    assert not errors, "\n".join(errors)

