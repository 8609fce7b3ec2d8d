#include "ha/client_connection.h"

#include <proton/condition.h>
#include <proton/connection.h>
#include <proton/event.h>
#include <proton/sasl.h>
#include <proton/transport.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <new>
#include <utility>

#include "broker/pn_value.h"
#include "common/log.h"

namespace qpidd::ha {
namespace {

using boost::asio::ip::tcp;

// Proton's tick takes milliseconds on any clock, as long as it is always the same one.
int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

std::string ConditionText(pn_condition_t* condition) {
  if (!pn_condition_is_set(condition)) return "";
  const char* name = pn_condition_get_name(condition);
  std::string text = name ? name : "";
  if (const char* d = pn_condition_get_description(condition); d && *d) text += std::string(": ") + d;
  return text;
}

std::string Mechanism(const ClientConnectionOptions& options) {
  if (!options.mechanism.empty()) return options.mechanism;
  return options.user.empty() ? "ANONYMOUS" : "PLAIN";
}

std::string FormatAddress(const std::string& host, uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// The scalars of the peer's open properties (compound values are left out).
broker::Arguments ReadProperties(pn_data_t* properties) {
  broker::Arguments result;
  pn_data_rewind(properties);
  if (!pn_data_next(properties) || pn_data_type(properties) != PN_MAP) return result;
  pn_data_enter(properties);
  while (pn_data_next(properties)) {
    std::string key = broker::PnStringAt(properties);
    if (!pn_data_next(properties)) break;
    broker::Value value = broker::PnScalarAt(properties);
    if (!std::holds_alternative<std::monostate>(value)) result[std::move(key)] = std::move(value);
  }
  pn_data_exit(properties);
  return result;
}

// A client transport: SASL over plain TCP (PLAIN is allowed there, as qpidd's peers expect).
pn_transport_t* MakeTransport(const ClientConnectionOptions& options) {
  pn_transport_t* transport = pn_transport();
  if (!transport) return nullptr;
  pn_transport_set_max_frame(transport, options.max_frame);
  if (options.idle_timeout_ms > 0) pn_transport_set_idle_timeout(transport, options.idle_timeout_ms);
  pn_sasl_t* sasl = pn_sasl(transport);
  pn_sasl_set_allow_insecure_mechs(sasl, true);
  pn_sasl_allowed_mechs(sasl, Mechanism(options).c_str());
  return transport;
}

void SetUpConnection(pn_connection_t* connection, const ClientConnectionOptions& options) {
  pn_connection_set_container(connection, options.container_id.c_str());
  pn_connection_set_hostname(connection, options.host.c_str());
  if (!options.user.empty()) {
    pn_connection_set_user(connection, options.user.c_str());
    pn_connection_set_password(connection, options.password.c_str());
  }
  if (!options.open_properties.empty()) {
    broker::PnPutArguments(pn_connection_properties(connection), options.open_properties, true);
  }
}

}  // namespace

std::shared_ptr<ClientConnection> ClientConnection::Start(boost::asio::io_context& loop,
                                                          ClientConnectionOptions options,
                                                          std::shared_ptr<ClientHandler> handler) {
  auto started =
      std::make_shared<ClientConnection>(Private{}, loop, std::move(options), std::move(handler));
  // Always posted: no callback runs inside Start(), whichever thread calls it.
  boost::asio::post(loop, [started] { started->Begin(); });
  return started;
}

ClientConnection::ClientConnection(Private, boost::asio::io_context& loop,
                                   ClientConnectionOptions options,
                                   std::shared_ptr<ClientHandler> handler)
    : loop_(loop),
      options_(std::move(options)),
      handler_(std::move(handler)),
      address_(FormatAddress(options_.host, options_.port)),
      resolver_(loop),
      socket_(loop),
      connect_timer_(loop),
      tick_timer_(loop),
      linger_timer_(loop) {
  // The driver frees both on failure (only when memory is exhausted).
  if (pn_connection_driver_init(&driver_, pn_connection(), MakeTransport(options_)) != 0) {
    throw std::bad_alloc();
  }
  SetUpConnection(driver_.connection, options_);
}

ClientConnection::~ClientConnection() { pn_connection_driver_destroy(&driver_); }

bool ClientConnection::OnLoop() const { return loop_.get_executor().running_in_this_thread(); }

void ClientConnection::Close(const std::string& condition, const std::string& description) {
  if (!OnLoop()) {
    boost::asio::post(loop_, [self = shared_from_this(), condition, description] {
      self->Close(condition, description);
    });
    return;
  }
  if (finished_ || closing_ || dropped_) return;
  closing_ = true;
  QPIDD_LOG(kDebug, kHa, "closing the connection to " << address_);
  if (!connected_) {
    Drop();  // nothing on the wire yet
    return;
  }
  pn_connection_t* c = connection();
  if (!condition.empty()) {
    pn_condition_t* local = pn_connection_condition(c);
    pn_condition_set_name(local, condition.c_str());
    pn_condition_set_description(local, description.c_str());
  }
  pn_connection_close(c);
  ArmLinger();
  Process();
}

void ClientConnection::Abort() {
  if (!OnLoop()) {
    boost::asio::post(loop_, [self = shared_from_this()] { self->Abort(); });
    return;
  }
  if (finished_ || dropped_) return;
  QPIDD_LOG(kDebug, kHa, "aborting the connection to " << address_);
  RecordError("aborted");
  Drop();
}

void ClientConnection::Flush() {
  if (!OnLoop()) {
    boost::asio::post(loop_, [self = shared_from_this()] { self->Flush(); });
    return;
  }
  Process();
}

// --- Connecting -----------------------------------------------------------------------------

void ClientConnection::Begin() {
  if (finished_) return;  // closed before it began
  QPIDD_LOG(kDebug, kHa, "connecting to " << address_);
  connect_timer_.expires_after(options_.connect_timeout);
  connect_timer_.async_wait(
      [self = shared_from_this()](const boost::system::error_code& error) {
        self->OnConnectTimeout(error);
      });
  resolver_.async_resolve(
      options_.host, std::to_string(options_.port), tcp::resolver::numeric_service,
      [self = shared_from_this()](const boost::system::error_code& error,
                                  const tcp::resolver::results_type& results) {
        self->OnResolved(error, results);
      });
}

void ClientConnection::OnResolved(const boost::system::error_code& error,
                                  const tcp::resolver::results_type& results) {
  if (finished_) return;
  if (error) {
    Fail("cannot resolve " + options_.host + ": " + error.message());
    return;
  }
  boost::asio::async_connect(
      socket_, results,
      [self = shared_from_this()](const boost::system::error_code& error, const tcp::endpoint&) {
        self->OnConnected(error);
      });
}

void ClientConnection::OnConnected(const boost::system::error_code& error) {
  if (finished_) return;
  if (error) {
    refused_ = error == boost::asio::error::connection_refused;
    Fail("cannot connect: " + error.message());
    return;
  }
  connected_ = true;
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  QPIDD_LOG(kDebug, kHa, "TCP connection to " << address_ << " made, opening");
  pn_connection_open(connection());
  Process();
}

void ClientConnection::OnConnectTimeout(const boost::system::error_code& error) {
  if (error || finished_ || opened_) return;
  const std::string waited = std::to_string(options_.connect_timeout.count()) + " ms";
  timed_out_ = true;
  Fail(connected_ ? "timed out after " + waited + " waiting for the peer's AMQP open"
                  : "timed out after " + waited + " connecting");
}

// --- The engine -----------------------------------------------------------------------------

void ClientConnection::Process() {
  if (in_process_ || finished_ || !connected_) return;
  auto self = shared_from_this();  // a handler may drop its last reference in a callback
  in_process_ = true;
  int64_t deadline = 0;
  // Taking output can raise events (the transport's head closing): loop until none is left, so
  // that no event waits for I/O that will never come.
  do {
    Dispatch();
    deadline = pn_transport_tick(driver_.transport, NowMs());
    Dispatch();
    TakeOutput();
  } while (pn_connection_driver_has_event(&driver_));
  in_process_ = false;
  StartWrite();

  if (pn_connection_driver_finished(&driver_)) {
    // A clean end waits (bounded) for its last bytes to leave; a dropped one does not.
    if (!writing_ || dropped_) Finish();
    else ArmLinger();
    return;
  }
  StartRead();
  ArmTick(deadline);
}

void ClientConnection::Dispatch() {
  while (pn_event_t* event = pn_connection_driver_next_event(&driver_)) HandleEvent(event);
}

void ClientConnection::HandleEvent(pn_event_t* event) {
  switch (pn_event_type(event)) {
    case PN_CONNECTION_REMOTE_OPEN:
      OnRemoteOpen(pn_event_connection(event));
      return;  // the handler had OnOpened instead
    case PN_CONNECTION_REMOTE_CLOSE:
      OnRemoteClose(pn_event_connection(event));
      break;
    case PN_TRANSPORT_ERROR:
      // Idle-timeout, SASL failure, framing errors. A drop of ours already recorded its reason.
      RecordError(ConditionText(pn_transport_condition(driver_.transport)));
      ArmLinger();
      break;
    case PN_TRANSPORT_TAIL_CLOSED:
      ArmLinger();  // nothing more can come in: the end, whatever is left to write, is bounded
      break;
    default:
      break;
  }
  // Once dropped, links are dead: nothing more for the handler to do.
  if (handler_ && !dropped_) handler_->OnEvent(*this, event);
}

void ClientConnection::OnRemoteOpen(pn_connection_t* connection) {
  opened_ = true;
  connect_timer_.cancel();
  if (const char* container = pn_connection_remote_container(connection)) {
    peer_container_id_ = container;
  }
  QPIDD_LOG(kInfo, kHa, "connected to " << address_ << " (container " << peer_container_id_
                                        << ")");
  if (closing_ || dropped_ || !handler_) return;
  handler_->OnOpened(*this, ReadProperties(pn_connection_remote_properties(connection)));
}

void ClientConnection::OnRemoteClose(pn_connection_t* connection) {
  pn_condition_t* condition = pn_connection_remote_condition(connection);
  if (pn_condition_is_set(condition)) {
    const char* name = pn_condition_get_name(condition);
    peer_condition_ = name ? name : "";
  }
  if (!closing_ && error_.empty()) {
    // The peer's own close, not an answer to ours: it is why the connection ends.
    peer_closed_ = true;
    const std::string text = ConditionText(condition);
    RecordError(text.empty() ? "closed by the peer" : text);
    QPIDD_LOG(kInfo, kHa, "connection to " << address_ << " closed by the peer: " << error_);
  }
  if (!(pn_connection_state(connection) & PN_LOCAL_CLOSED)) pn_connection_close(connection);
  ArmLinger();
}

// --- Socket I/O -----------------------------------------------------------------------------

void ClientConnection::StartRead() {
  if (reading_ || finished_ || pn_connection_driver_read_closed(&driver_)) return;
  reading_ = true;
  socket_.async_read_some(boost::asio::buffer(read_buffer_),
                          [self = shared_from_this()](const boost::system::error_code& error,
                                                      size_t n) { self->OnRead(error, n); });
}

void ClientConnection::OnRead(const boost::system::error_code& error, size_t n) {
  reading_ = false;
  if (finished_) return;
  if (error) {
    RecordError(error == boost::asio::error::eof
                    ? "connection dropped by the peer without an AMQP close"
                    : "read: " + error.message());
    Drop();
    return;
  }
  // The engine's input buffer can be smaller than one read: feed it in pieces, letting it
  // process each (read_done runs the engine) before the next.
  size_t offset = 0;
  while (offset < n) {
    pn_rwbytes_t buffer = pn_connection_driver_read_buffer(&driver_);
    if (buffer.size == 0) break;  // read side closed after an error: the rest is moot
    const size_t chunk = std::min(buffer.size, n - offset);
    std::memcpy(buffer.start, read_buffer_.data() + offset, chunk);
    pn_connection_driver_read_done(&driver_, chunk);
    offset += chunk;
  }
  Process();
}

void ClientConnection::TakeOutput() {
  for (;;) {
    pn_bytes_t out = pn_connection_driver_write_buffer(&driver_);
    if (out.size == 0) return;
    // Copied out at once: the engine may move its buffer as soon as more events are processed.
    if (!dropped_) write_pending_.append(out.start, out.size);
    pn_connection_driver_write_done(&driver_, out.size);
  }
}

void ClientConnection::StartWrite() {
  if (writing_ || write_pending_.empty() || finished_) return;
  writing_ = true;
  write_in_flight_.swap(write_pending_);
  write_pending_.clear();
  boost::asio::async_write(
      socket_, boost::asio::buffer(write_in_flight_),
      [self = shared_from_this()](const boost::system::error_code& error, size_t) {
        self->OnWritten(error);
      });
}

void ClientConnection::OnWritten(const boost::system::error_code& error) {
  writing_ = false;
  write_in_flight_.clear();
  if (finished_) return;
  if (error) {
    RecordError("write: " + error.message());
    Drop();
    return;
  }
  Process();
}

// --- Timers and the end -----------------------------------------------------------------------

void ClientConnection::ArmTick(int64_t deadline) {
  if (deadline == tick_deadline_) return;
  tick_deadline_ = deadline;
  if (deadline == 0) {
    tick_timer_.cancel();
    return;
  }
  tick_timer_.expires_at(std::chrono::steady_clock::time_point(std::chrono::milliseconds(deadline)));
  tick_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
    if (error || self->finished_) return;
    self->tick_deadline_ = 0;
    self->Process();
  });
}

void ClientConnection::ArmLinger() {
  if (lingering_ || finished_) return;
  lingering_ = true;
  linger_timer_.expires_after(options_.close_timeout);
  linger_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
    if (error || self->finished_) return;
    QPIDD_LOG(kDebug, kHa, "connection to " << self->address_
                                            << ": no answer to the close, dropping it");
    self->dropped_ = true;
    self->Finish();
  });
}

void ClientConnection::RecordError(const std::string& why) {
  // The first reason wins; after our own Close() nothing is a failure.
  if (error_.empty() && !closing_) error_ = why;
}

void ClientConnection::Fail(const std::string& why) {
  RecordError(why);
  Drop();
}

void ClientConnection::Drop() {
  if (finished_) return;
  dropped_ = true;
  write_pending_.clear();
  if (!connected_) {
    Finish();
    return;
  }
  pn_connection_driver_close(&driver_);
  Process();  // inside a callback, the running Process() sees the engine finished instead
}

void ClientConnection::Finish() {
  if (finished_) return;
  finished_ = true;
  boost::system::error_code ignored;
  connect_timer_.cancel();
  tick_timer_.cancel();
  linger_timer_.cancel();
  resolver_.cancel();
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  if (error_.empty()) {
    QPIDD_LOG(kDebug, kHa, "connection to " << address_ << " closed");
  } else {
    QPIDD_LOG(kInfo, kHa, "connection to " << address_ << " ended: " << error_);
  }
  // Posted: the handler hears of the end outside whatever call led here, and exactly once.
  boost::asio::post(loop_, [self = shared_from_this()] {
    auto handler = std::move(self->handler_);  // released after: no lasting reference cycle
    if (handler) handler->OnClosed(*self, self->error_, self->peer_closed_);
  });
}

}  // namespace qpidd::ha
