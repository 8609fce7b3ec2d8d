"""Fixtures for the integration tests: real qpidd processes on loopback ports.

`broker`        one broker per test module (tests use unique queue names, so they share it).
`fresh_broker`  a factory for a broker per test, with extra options (e.g. --idle-timeout 2).

Each broker runs with --port 0 (it prints its port on stdout), --interface 127.0.0.1, a temporary
--data-dir and --log-to-stderr yes --log-enable info+; its stderr goes to a file. A failing test
gets the part of each broker's log written while it ran attached to its report. A broker that
died during a test fails that test. At the end each broker is stopped by PID with SIGTERM and
must exit with status 0 within 10 s.

QPIDD=/path/to/qpidd selects the binary (default: the built src/qpidd/qpidd of this tree;
QPIDD_BUILDDIR for a VPATH build).
"""

import os
import signal
import subprocess
import time

import pytest

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILDDIR = os.environ.get("QPIDD_BUILDDIR", TOP)
QPIDD = os.environ.get("QPIDD") or os.path.join(BUILDDIR, "src", "qpidd", "qpidd")
START_TIMEOUT = float(os.environ.get("BROKER_START_TIMEOUT", "15"))
STOP_TIMEOUT = 10.0

_live_brokers = []


class BrokerError(Exception):
    pass


class Broker:
    """A qpidd process started by the tests, stopped only by its own PID."""

    def __init__(self, directory, args=(), worker_threads=2, name="qpidd"):
        self.dir = str(directory)
        self.name = name
        self.data_dir = os.path.join(self.dir, "data")
        self.log_path = os.path.join(self.dir, "qpidd.log")
        self.stdout_path = os.path.join(self.dir, "qpidd.stdout")
        self.config = os.path.join(self.dir, "empty.conf")
        os.makedirs(self.data_dir, exist_ok=True)
        open(self.config, "w").close()
        self.args = [QPIDD, "--port", "0", "--interface", "127.0.0.1",
                     "--data-dir", self.data_dir, "--config", self.config,
                     "--log-to-stderr", "yes", "--log-enable", "info+",
                     "--worker-threads", str(worker_threads)] + list(args)
        self.proc = None
        self.port = None
        self.returncode = None

    # -- life cycle ----------------------------------------------------------------------------
    def start(self):
        if not os.access(QPIDD, os.X_OK):
            pytest.skip("no qpidd binary at %s (build it, or set QPIDD)" % QPIDD)
        with open(self.stdout_path, "wb") as out, open(self.log_path, "wb") as err:
            self.proc = subprocess.Popen(self.args, stdout=out, stderr=err,
                                         stdin=subprocess.DEVNULL, close_fds=True)
        _live_brokers.append(self)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BrokerError("qpidd exited with status %s before listening\n%s"
                                  % (self.proc.returncode, self.log()))
            with open(self.stdout_path, "rb") as f:
                first = f.readline()
            if first.endswith(b"\n") and first.strip().isdigit():
                self.port = int(first.strip())
                break
            time.sleep(0.05)
        if self.port is None:
            self.kill()
            raise BrokerError("qpidd printed no port within %ss\n%s" % (START_TIMEOUT, self.log()))
        if not (0 < self.port < 65536):
            self.kill()
            raise BrokerError("qpidd printed a bad port %r" % self.port)
        return self

    @property
    def url(self):
        return "amqp://127.0.0.1:%d" % self.port

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM by PID; returns (exited_in_time, returncode)."""
        if self.proc is None:
            return True, self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                return False, None
        self.returncode = self.proc.returncode
        if self in _live_brokers:
            _live_brokers.remove(self)
        return True, self.returncode

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.returncode = self.proc.returncode if self.proc else None
        if self in _live_brokers:
            _live_brokers.remove(self)

    # -- logs --------------------------------------------------------------------------------------
    def log(self, since=0):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(since)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_size(self):
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0


def _check_stopped(broker):
    in_time, rc = broker.stop()
    log = broker.log()
    assert in_time, "qpidd (pid %d) did not exit within %ss of SIGTERM\n%s" % (
        broker.pid, STOP_TIMEOUT, log[-20000:])
    assert rc == 0, "qpidd (pid %d) exited with status %s after SIGTERM\n%s" % (
        broker.pid, rc, log[-20000:])


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    b = Broker(tmp_path_factory.mktemp("qpidd")).start()
    yield b
    _check_stopped(b)


@pytest.fixture
def fresh_broker(tmp_path):
    """Factory: fresh_broker("--idle-timeout", "2") -> a started Broker, stopped after the test."""
    started = []

    def make(*args, worker_threads=2):
        d = tmp_path / ("qpidd%d" % len(started))
        d.mkdir()
        b = Broker(d, args, worker_threads=worker_threads).start()
        started.append(b)
        return b

    yield make
    errors = []
    for b in started:
        try:
            _check_stopped(b)
        except AssertionError as e:
            errors.append(str(e))
    assert not errors, "\n".join(errors)


# -- attach logs to failures; fail the test during which a broker died -------------------------------

@pytest.fixture(autouse=True)
def _broker_watch(request):
    before = {id(b): b.log_size() for b in _live_brokers}
    request.node._qpidd_log_offsets = before
    yield
    dead = [b for b in list(_live_brokers) if not b.alive()]
    for b in dead:
        _live_brokers.remove(b)
    if dead:
        pytest.fail("qpidd died during the test: " + "; ".join(
            "pid %d exit status %s\n%s" % (b.pid, b.proc.returncode, b.log()[-20000:]) for b in dead))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        offsets = getattr(item, "_qpidd_log_offsets", {})
        for b in list(_live_brokers):
            text = b.log(offsets.get(id(b), 0))
            if len(text) > 30000:
                text = "...\n" + text[-30000:]
            report.sections.append(("qpidd pid %s log (port %s)" % (
                b.pid if b.proc else "?", b.port), text))


def pytest_sessionfinish(session, exitstatus):
    # Proton's BlockingReceiver.__del__ needs the interpreter alive: collect them now, not at exit.
    import gc
    gc.collect()
