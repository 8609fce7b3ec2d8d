#include "tools/load_connection.h"

#include <poll.h>
#include <proton/condition.h>
#include <proton/connection.h>
#include <proton/connection_driver.h>
#include <proton/event.h>
#include <proton/sasl.h>
#include <proton/session.h>
#include <proton/transport.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <optional>
#include <utility>

#include "tools/load_clock.h"
#include "tools/load_failover.h"
#include "tools/load_link.h"
#include "tools/load_signals.h"
#include "tools/load_socket.h"

namespace qpidd::tools {

struct ConnectionAttempt {
  bool opened = false;  // the broker completed the AMQP open
  Status status;        // why the connection ended, when it was not our clean close
  std::optional<BrokerAddress> redirect;  // amqp:connection:redirect named this broker
  std::vector<BrokerAddress> failover;    // the failover list the broker advertised
  bool role_done = false;                 // the role's work was over when the connection ended
};

namespace {

constexpr int64_t kCloseGraceNanos = 2'000'000'000;  // wait this long for the peer's close
constexpr size_t kMaxRedirects = 8;
constexpr int kMaxReadsPerFlush = 16;
constexpr size_t kReadSize = 64 * 1024;              // ask Proton for room for a good socket read
constexpr int64_t kFirstBackoffNanos = 100'000'000;  // between rounds of reconnection attempts
constexpr int64_t kMaxBackoffNanos = 2'000'000'000;
constexpr int64_t kMaxWaitMillis = 1000;

// Owns the driver, and through it the connection and transport bound to it.
class Driver {
 public:
  Driver() = default;
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;
  ~Driver() {
    if (initialised_) pn_connection_driver_destroy(&driver_);
  }
  bool Init(pn_connection_t* connection, pn_transport_t* transport) {
    initialised_ = pn_connection_driver_init(&driver_, connection, transport) == 0;
    return initialised_;
  }
  pn_connection_driver_t* get() { return &driver_; }

 private:
  pn_connection_driver_t driver_ = {};
  bool initialised_ = false;
};

// One connection's life: open, run the role, close. Single-threaded; every pn_* call happens here.
class Loop {
 public:
  Loop(Socket socket, pn_connection_driver_t* driver, LinkRole& role, std::function<void()> on_open)
      : socket_(std::move(socket)), driver_(driver), role_(role), on_open_(std::move(on_open)) {}

  // Runs until the transport is finished; fills ATTEMPT with the outcome.
  void Run(ConnectionAttempt* attempt);

 private:
  void Dispatch();
  void OnConnectionEvent(pn_event_t* event);
  void BeginClose();
  void Flush();
  int TryRead();  // >0 bytes read, 0 would block, -1 closed
  void Wait();

  Socket socket_;
  pn_connection_driver_t* driver_;
  LinkRole& role_;
  std::function<void()> on_open_;
  bool opened_ = false;
  bool closing_ = false;
  bool write_blocked_ = false;
  int reads_since_flush_ = 0;
  int64_t close_deadline_ = 0;
  std::string error_;
  std::optional<std::pair<std::string, uint16_t>> redirect_;
  std::vector<BrokerAddress> failover_;
};

void Loop::Run(ConnectionAttempt* attempt) {
  while (true) {
    Dispatch();
    int64_t now = NowNanos();
    int64_t deadline = role_.Deadline();
    if (deadline != 0 && now >= deadline && !closing_) role_.OnDeadline(now);
    if (!closing_ && (role_.Done() || StopRequested())) BeginClose();
    if (!closing_) role_.Pump();
    Dispatch();
    // Drain what the socket holds before writing, so the dispositions and credit of several
    // reads leave in one write; bounded so output is never held back for long.
    if (reads_since_flush_ < kMaxReadsPerFlush && TryRead() > 0) {
      ++reads_since_flush_;
      continue;
    }
    reads_since_flush_ = 0;
    Flush();
    if (pn_connection_driver_finished(driver_)) break;
    if (closing_ && now >= close_deadline_) break;  // the peer never answered our close
    // Work that just finished (e.g. the last pre-settled send) has no event to wake us.
    if (!closing_ && role_.Done()) continue;
    if (TryRead() != 0) continue;
    Wait();
  }
  attempt->opened = opened_;
  if (redirect_) {
    BrokerAddress target;
    target.host = redirect_->first;
    target.port = redirect_->second;
    attempt->redirect = target;
  }
  attempt->failover = std::move(failover_);
  // Asked here, while the role's Proton objects still exist.
  attempt->role_done = role_.Done();
  if (!error_.empty()) attempt->status = Status::Internal(error_);
}

void Loop::Dispatch() {
  while (pn_event_t* event = pn_connection_driver_next_event(driver_)) {
    switch (pn_event_type(event)) {
      case PN_LINK_REMOTE_OPEN:
      case PN_LINK_REMOTE_CLOSE:
      case PN_LINK_REMOTE_DETACH:
      case PN_LINK_FLOW:
      case PN_DELIVERY:
        role_.OnEvent(event);
        break;
      default:
        OnConnectionEvent(event);
        break;
    }
  }
}

void Loop::OnConnectionEvent(pn_event_t* event) {
  switch (pn_event_type(event)) {
    case PN_CONNECTION_REMOTE_OPEN:
      opened_ = true;
      failover_ = ParseFailoverList(pn_connection_remote_properties(pn_event_connection(event)));
      if (on_open_) on_open_();
      break;
    case PN_CONNECTION_REMOTE_CLOSE: {
      pn_condition_t* condition = pn_connection_remote_condition(pn_event_connection(event));
      if (pn_condition_is_redirect(condition) && pn_condition_redirect_host(condition)) {
        redirect_.emplace(pn_condition_redirect_host(condition),
                          static_cast<uint16_t>(pn_condition_redirect_port(condition)));
      }
      if (pn_condition_is_set(condition) && error_.empty()) {
        error_ = DescribeCondition(condition, "closed");
      }
      if (!closing_ && error_.empty()) error_ = "the broker closed the connection";
      BeginClose();
      break;
    }
    case PN_SESSION_REMOTE_CLOSE: {
      pn_condition_t* condition = pn_session_remote_condition(pn_event_session(event));
      if (error_.empty()) error_ = "session ended: " + DescribeCondition(condition, "closed");
      BeginClose();
      break;
    }
    case PN_TRANSPORT_ERROR:
      if (error_.empty()) {
        error_ =
            DescribeCondition(pn_transport_condition(pn_event_transport(event)), "transport error");
      }
      break;
    default:
      break;
  }
}

void Loop::BeginClose() {
  if (closing_) return;
  closing_ = true;
  close_deadline_ = NowNanos() + kCloseGraceNanos;
  role_.Detach();
  pn_connection_close(driver_->connection);
}

void Loop::Flush() {
  write_blocked_ = false;
  while (true) {
    pn_bytes_t buffer = pn_connection_driver_write_buffer(driver_);
    if (buffer.size == 0) return;
    ssize_t n = ::send(socket_.fd(), buffer.start, buffer.size, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      pn_connection_driver_write_done(driver_, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      write_blocked_ = true;
      return;
    }
    if (error_.empty()) error_ = std::string("write failed: ") + std::strerror(errno);
    pn_connection_driver_write_close(driver_);
    pn_connection_driver_read_close(driver_);
    return;
  }
}

int Loop::TryRead() {
  if (pn_connection_driver_read_closed(driver_)) return 0;
  pn_rwbytes_t buffer = pn_connection_driver_read_buffer_sized(driver_, kReadSize);
  if (buffer.size == 0) return 0;  // Proton's input is full: process events first
  ssize_t n = ::recv(socket_.fd(), buffer.start, buffer.size, MSG_DONTWAIT);
  if (n > 0) {
    pn_connection_driver_read_done(driver_, static_cast<size_t>(n));
    return static_cast<int>(n);
  }
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return 0;
  if (n < 0 && error_.empty()) error_ = std::strerror(errno);
  if (n == 0 && error_.empty() && !closing_) error_ = "connection closed by the broker";
  pn_connection_driver_read_close(driver_);
  return -1;
}

void Loop::Wait() {
  int64_t now = NowNanos();
  // Heartbeats and the peer's idle timeout: Proton wants to be ticked in milliseconds.
  int64_t tick_ms = pn_transport_tick(driver_->transport, now / 1'000'000);
  Dispatch();
  Flush();
  int64_t wake = closing_ ? close_deadline_ : role_.Deadline();
  if (tick_ms != 0) {
    int64_t tick_nanos = tick_ms * 1'000'000;
    wake = wake == 0 ? tick_nanos : std::min(wake, tick_nanos);
  }
  // At most a second: a stop signal landing just before poll() is seen within that time.
  int64_t timeout_ms = kMaxWaitMillis;
  if (wake != 0)
    timeout_ms = std::clamp<int64_t>((wake - now + 999'999) / 1'000'000, 0, timeout_ms);
  if (StopRequested()) timeout_ms = 0;
  short events = 0;
  if (!pn_connection_driver_read_closed(driver_) &&
      pn_connection_driver_read_buffer(driver_).size > 0) {
    events |= POLLIN;
  }
  if (write_blocked_) events |= POLLOUT;
  pollfd waiting = {socket_.fd(), events, 0};
  // EINTR (a stop signal) just returns to the loop, which then closes.
  poll(&waiting, 1, static_cast<int>(timeout_ms));
  if (waiting.revents & (POLLERR | POLLHUP | POLLNVAL) && !(waiting.revents & POLLIN)) {
    if (error_.empty()) error_ = "connection lost";
    pn_connection_driver_close(driver_);
  }
}

}  // namespace

ClientConnection::ClientConnection(ConnectionSettings settings) : settings_(std::move(settings)) {}

ConnectionAttempt ClientConnection::RunOn(const BrokerAddress& address, LinkRole& role,
                                          bool reconnecting) {
  ConnectionAttempt attempt;
  Result<Socket> socket = ConnectTcp(address.host, address.port, settings_.connect_timeout);
  if (!socket.ok()) {
    attempt.status = socket.status();
    return attempt;
  }

  pn_connection_t* connection = pn_connection();
  pn_transport_t* transport = pn_transport();
  pn_sasl_t* sasl = pn_sasl(transport);
  pn_sasl_set_allow_insecure_mechs(sasl, true);
  if (!address.user.empty()) {
    // Never fall back to ANONYMOUS silently when credentials were given.
    pn_sasl_allowed_mechs(sasl, "PLAIN");
    pn_connection_set_user(connection, address.user.c_str());
    pn_connection_set_password(connection, address.password.c_str());
  }
  pn_connection_set_container(connection, settings_.container_id.c_str());
  pn_connection_set_hostname(connection, address.host.c_str());
  Driver driver;
  if (!driver.Init(connection, transport)) {
    attempt.status = Status::Internal("cannot set up the Proton connection");
    return attempt;
  }
  pn_connection_open(connection);
  pn_session_t* session = pn_session(connection);
  pn_session_open(session);
  role.Attach(session);

  std::function<void()> on_open;
  if (reconnecting) {
    on_open = [this, host_port = address.HostPort()] {
      std::fprintf(stderr, "%s: reconnected to %s after %.3f s\n", settings_.program.c_str(),
                   host_port.c_str(), static_cast<double>(NowNanos() - lost_nanos_) / 1e9);
    };
  }
  Loop loop(std::move(socket).value(), driver.get(), role, std::move(on_open));
  loop.Run(&attempt);
  if (attempt.redirect) {
    attempt.redirect->user = address.user;
    attempt.redirect->password = address.password;
  }
  for (BrokerAddress& failover : attempt.failover) {
    failover.user = address.user;
    failover.password = address.password;
  }
  return attempt;
}

std::vector<BrokerAddress> ClientConnection::Candidates(const ConnectionAttempt& lost) const {
  std::vector<BrokerAddress> candidates;
  auto add = [&candidates](const BrokerAddress& address) {
    for (const BrokerAddress& known : candidates) {
      if (known.host == address.host && known.port == address.port) return;
    }
    candidates.push_back(address);
  };
  if (lost.redirect) add(*lost.redirect);
  for (const BrokerAddress& address : lost.failover) add(address);
  for (const BrokerAddress& address : settings_.brokers) add(address);
  return candidates;
}

Status ClientConnection::Run(LinkRole& role) {
  std::vector<BrokerAddress> candidates = settings_.brokers;
  std::string failures;
  size_t redirects = 0;
  size_t next = 0;
  bool reconnecting = false;
  int64_t round_started = NowNanos();
  int64_t backoff = kFirstBackoffNanos;
  while (true) {
    if (next == candidates.size()) {
      // Every candidate failed in this round.
      std::string what = reconnecting ? "cannot reconnect to " : "cannot connect to ";
      if (!settings_.reconnect || StopRequested()) return Status::Internal(what + failures);
      int64_t give_up =
          (reconnecting ? lost_nanos_ : round_started) + settings_.reconnect_timeout.count();
      if (NowNanos() + backoff > give_up) {
        return Status::Internal(
            what + failures + "; gave up after " +
            std::to_string(settings_.reconnect_timeout.count() / 1'000'000'000) + " s");
      }
      // A signal interrupts the sleep; the loop then gives up above.
      timespec pause = {backoff / 1'000'000'000, backoff % 1'000'000'000};
      nanosleep(&pause, nullptr);
      backoff = std::min(backoff * 2, kMaxBackoffNanos);
      next = 0;
      failures.clear();
      continue;
    }
    const BrokerAddress address = candidates[next];
    broker_ = address.HostPort();
    ConnectionAttempt attempt = RunOn(address, role, reconnecting);
    if (attempt.opened) {
      opened_ = true;
      // Done work stays done even if the close handshake then failed.
      if (attempt.status.ok() || (attempt.role_done && !attempt.redirect)) return Status::Ok();
      bool follow = attempt.redirect && redirects < kMaxRedirects;
      if (!follow && (!settings_.reconnect || StopRequested())) {
        failure_ = attempt.status.message();
        return Status::Internal("connection to " + broker_ + " failed: " + failure_);
      }
      if (follow) ++redirects;
      std::fprintf(stderr, "%s: connection to %s lost (%s); %s\n", settings_.program.c_str(),
                   broker_.c_str(), attempt.status.message().c_str(),
                   follow ? ("following the redirect to " + attempt.redirect->HostPort()).c_str()
                          : "reconnecting");
      role.OnConnectionLost();
      reconnecting = true;
      lost_nanos_ = NowNanos();
      candidates = Candidates(attempt);
      next = 0;
      failures.clear();
      backoff = kFirstBackoffNanos;
      continue;
    }
    if (!failures.empty()) failures += "; ";
    failures +=
        broker_ + " (" +
        (attempt.status.ok() ? std::string("closed before open") : attempt.status.message());
    if (attempt.redirect && redirects < kMaxRedirects) {
      ++redirects;
      failures += ", redirected to " + attempt.redirect->HostPort();
      candidates.insert(candidates.begin() + static_cast<ptrdiff_t>(next) + 1, *attempt.redirect);
    }
    failures += ")";
    ++next;
    if (StopRequested()) return Status::Internal("interrupted: cannot connect to " + failures);
  }
}

}  // namespace qpidd::tools
