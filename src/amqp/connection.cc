#include "amqp/connection.h"

#include <proton/condition.h>
#include <proton/connection.h>
#include <proton/event.h>
#include <proton/sasl.h>
#include <proton/session.h>
#include <proton/transport.h>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstring>

#include "amqp/incoming_link.h"
#include "amqp/outgoing_link.h"
#include "amqp/node_provider.h"
#include "amqp/properties.h"
#include "common/log.h"

namespace qpidd::amqp {
namespace {

constexpr uint32_t kMaxFrameSize = 65536;

// Proton's tick takes milliseconds on any clock, as long as it is always the same one.
int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// The address an attach names: a sender's source, a receiver's target.
std::string_view LinkAddress(pn_link_t* link) {
  pn_terminus_t* terminus = pn_link_is_sender(link) ? pn_link_remote_source(link)
                                                    : pn_link_remote_target(link);
  const char* address = pn_terminus_get_address(terminus);
  return address ? std::string_view(address) : std::string_view();
}

std::string ConditionText(pn_condition_t* condition) {
  if (!pn_condition_is_set(condition)) return "";
  std::string text = pn_condition_get_name(condition);
  if (const char* d = pn_condition_get_description(condition); d && *d) text += std::string(": ") + d;
  return text;
}

}  // namespace

Connection::Connection(boost::asio::ip::tcp::socket socket, BrokerContext& context)
    : context_(context),
      socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      record_(std::make_shared<broker::ConnectionRecord>()) {
  boost::system::error_code ec;
  auto endpoint = socket_.remote_endpoint(ec);
  if (!ec) {
    const auto address = endpoint.address();
    remote_address_ = (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) +
                      ":" + std::to_string(endpoint.port());
  }
  socket_.set_option(boost::asio::ip::tcp::no_delay(true), ec);

  // A server transport must be made by hand: the driver's default is a client (pitfall 2 in the
  // engine notes). Until authentication exists, ANONYMOUS is the only mechanism offered.
  pn_transport_t* transport = pn_transport();
  pn_transport_set_server(transport);
  pn_transport_require_auth(transport, false);
  // A bounded frame size: otherwise a peer could announce a 4 GiB frame and have us buffer it.
  pn_transport_set_max_frame(transport, kMaxFrameSize);
  pn_sasl_t* sasl = pn_sasl(transport);
  pn_sasl_allowed_mechs(sasl, "ANONYMOUS");
  if (context_.settings.idle_timeout_ms > 0) {
    pn_transport_set_idle_timeout(transport, context_.settings.idle_timeout_ms);
  }
  pn_connection_driver_init(&driver_, nullptr, transport);
  pn_connection_set_container(driver_.connection, context_.settings.container_id.c_str());
  record_->info.id = context_.broker.connections().NextId();
  record_->info.remote_address = remote_address_;
}

Connection::~Connection() {
  links_.clear();
  pn_connection_driver_destroy(&driver_);
}

void Connection::Start() {
  QPIDD_LOG(kDebug, kNetwork, "connection " << record_->info.id << " from " << remote_address_);
  Process();
}

void Connection::Post(std::function<void()> work) {
  boost::asio::post(socket_.get_executor(), [self = shared_from_this(), work = std::move(work)] {
    if (self->closed_) return;
    work();
    self->Process();
  });
}

void Connection::Close(const std::string& condition, const std::string& description) {
  Post([this, condition, description] {
    pn_connection_t* connection = driver_.connection;
    if (pn_connection_state(connection) & PN_LOCAL_CLOSED) return;
    pn_condition_t* local = pn_connection_condition(connection);
    pn_condition_set_name(local, condition.c_str());
    pn_condition_set_description(local, description.c_str());
    pn_connection_close(connection);
  });
}

void Connection::Process() {
  if (in_process_ || closed_) return;
  in_process_ = true;
  while (pn_event_t* event = pn_connection_driver_next_event(&driver_)) HandleEvent(event);
  const int64_t deadline = pn_transport_tick(driver_.transport, NowMs());
  while (pn_event_t* event = pn_connection_driver_next_event(&driver_)) HandleEvent(event);
  StartWrite();
  in_process_ = false;

  if (pn_connection_driver_finished(&driver_)) {
    if (!writing_) {
      closed_ = true;
      boost::system::error_code ignored;
      timer_.cancel();
      socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
      socket_.close(ignored);
    }
    return;
  }
  StartRead();
  if (deadline != timer_deadline_) {
    timer_deadline_ = deadline;
    ArmTimer();
  }
}

void Connection::HandleEvent(pn_event_t* event) {
  switch (pn_event_type(event)) {
    case PN_CONNECTION_REMOTE_OPEN:
      OnRemoteOpen(pn_event_connection(event));
      break;
    case PN_CONNECTION_REMOTE_CLOSE: {
      pn_connection_t* c = pn_event_connection(event);
      if (auto text = ConditionText(pn_connection_remote_condition(c)); !text.empty()) {
        QPIDD_LOG(kInfo, kAmqp, "connection " << remote_address_ << " closed by peer: " << text);
      }
      pn_connection_close(c);
      break;
    }
    case PN_SESSION_REMOTE_OPEN: {
      pn_session_t* s = pn_event_session(event);
      if (pn_session_state(s) & PN_LOCAL_UNINIT) pn_session_open(s);
      break;
    }
    case PN_SESSION_REMOTE_CLOSE: {
      pn_session_t* s = pn_event_session(event);
      for (pn_link_t* l = pn_link_head(driver_.connection, 0); l; l = pn_link_next(l, 0)) {
        if (pn_link_session(l) == s) CloseLink(l);
      }
      pn_session_close(s);
      break;
    }
    case PN_LINK_REMOTE_OPEN:
      OnLinkRemoteOpen(pn_event_link(event));
      break;
    case PN_LINK_REMOTE_CLOSE:
    case PN_LINK_REMOTE_DETACH:
      CloseLink(pn_event_link(event));
      break;
    case PN_LINK_FLOW:
      if (auto it = links_.find(pn_event_link(event)); it != links_.end()) it->second->OnFlow();
      break;
    case PN_DELIVERY: {
      pn_delivery_t* d = pn_event_delivery(event);
      if (auto it = links_.find(pn_delivery_link(d)); it != links_.end()) {
        it->second->OnDelivery(d);
      } else if (pn_link_is_receiver(pn_delivery_link(d))) {
        // A transfer on a link we refused or closed: drop it.
        pn_delivery_settle(d);
      }
      break;
    }
    case PN_TRANSPORT_ERROR:
      if (!dropped_) {
        QPIDD_LOG(kInfo, kNetwork, "connection " << remote_address_ << ": "
                                                 << ConditionText(pn_transport_condition(driver_.transport)));
      }
      break;
    case PN_TRANSPORT_CLOSED:
      OnTransportClosed();
      break;
    default:
      break;
  }
}

void Connection::OnRemoteOpen(pn_connection_t* connection) {
  auto& info = record_->info;
  if (const char* container = pn_connection_remote_container(connection)) info.container_id = container;
  info.user = "anonymous";
  ReadPeerProperties(pn_connection_remote_properties(connection), info);

  broker::AdmissionVerdict verdict = context_.broker.AdmitConnection(info);
  using Action = broker::AdmissionVerdict::Action;
  if (verdict.action == Action::kDrop) {
    DropTransport(verdict.reason);
    return;
  }
  if (verdict.action == Action::kClose) {
    QPIDD_LOG(kNotice, kNetwork, "refused connection from " << remote_address_ << ": "
                                     << verdict.reason);
    RefuseWithClose(connection, verdict.open_properties, verdict.condition, verdict.reason);
    return;
  }
  const uint32_t limit = context_.settings.max_connections;
  if (!verdict.exempt_from_limit && limit > 0 && context_.broker.connections().size() >= limit) {
    QPIDD_LOG(kWarning, kNetwork, "refused connection from " << remote_address_
                                      << ": the limit of " << limit << " connections is reached");
    RefuseWithClose(connection, verdict.open_properties, "amqp:resource-limit-exceeded",
                    "connection limit reached: the broker allows " + std::to_string(limit) +
                        " connections (--max-connections)");
    return;
  }
  if (verdict.idle_timeout_ms > 0) {
    pn_transport_set_idle_timeout(driver_.transport, verdict.idle_timeout_ms);
  }
  context_.broker.connections().Add(record_);
  registered_ = true;
  WriteBrokerProperties(pn_connection_properties(connection), verdict.open_properties,
                        verdict.open_list_properties);
  pn_connection_open(connection);
  QPIDD_LOG(kInfo, kNetwork, "connection " << info.id << " opened from " << remote_address_
                                           << " (container " << info.container_id << ")");
}

void Connection::RefuseWithClose(pn_connection_t* connection, const broker::Arguments& properties,
                                 const std::string& condition, const std::string& description) {
  // Open first (the spec wants it), then close with the reason so the peer can show it.
  WriteBrokerProperties(pn_connection_properties(connection), properties);
  pn_connection_open(connection);
  pn_condition_t* cond = pn_connection_condition(connection);
  pn_condition_set_name(cond, condition.c_str());
  pn_condition_set_description(cond, description.c_str());
  pn_connection_close(connection);
}

void Connection::OnLinkRemoteOpen(pn_link_t* link) {
  if (pn_connection_state(driver_.connection) & PN_LOCAL_CLOSED) return;  // refused connection
  if (!registered_) return;
  auto self = shared_from_this();
  std::shared_ptr<Link> handler;
  if (NodeProvider* provider = context_.node_provider; provider && provider->Serves(LinkAddress(link))) {
    handler = provider->Attach(self, link);
  } else {
    handler = pn_link_is_sender(link) ? OutgoingLink::Attach(self, link)
                                      : IncomingLink::Attach(self, link);
  }
  if (handler) links_[link] = std::move(handler);
}

void Connection::CloseLink(pn_link_t* link) {
  if (auto it = links_.find(link); it != links_.end()) {
    auto handler = std::move(it->second);
    links_.erase(it);
    handler->OnClosed();
  }
  if (!(pn_link_state(link) & PN_LOCAL_CLOSED)) {
    if (pn_link_state(link) & PN_REMOTE_CLOSED) pn_link_close(link);
    else pn_link_detach(link);
  }
}

void Connection::OnTransportClosed() {
  auto links = std::move(links_);
  links_.clear();
  for (auto& [link, handler] : links) handler->OnClosed();
  if (registered_) {
    context_.broker.connections().Remove(record_->info.id);
    registered_ = false;
    QPIDD_LOG(kInfo, kNetwork, "connection " << record_->info.id << " from " << remote_address_
                                             << " closed");
  }
}

void Connection::DropTransport(const std::string& why) {
  // Closing the socket without an AMQP close is deliberate: stock clients then try the next
  // address of their list, while an AMQP close would stop them for good.
  QPIDD_LOG(kNotice, kNetwork, "dropped connection from " << remote_address_ << ": " << why);
  dropped_ = true;
  write_pending_.clear();
  pn_connection_driver_close(&driver_);
}

void Connection::StartRead() {
  if (reading_ || closed_ || pn_connection_driver_read_closed(&driver_)) return;
  reading_ = true;
  socket_.async_read_some(boost::asio::buffer(read_buffer_),
                          [self = shared_from_this()](const boost::system::error_code& error,
                                                      size_t n) { self->OnRead(error, n); });
}

void Connection::OnRead(const boost::system::error_code& error, size_t n) {
  reading_ = false;
  if (closed_) return;
  if (error) {
    if (error != boost::asio::error::eof && error != boost::asio::error::operation_aborted) {
      QPIDD_LOG(kDebug, kNetwork, "connection " << remote_address_ << ": read: " << error.message());
    }
    pn_connection_driver_read_close(&driver_);
  } else {
    // The engine's input buffer can be smaller than what one read returned: feed it in pieces,
    // letting it process each (read_done runs the engine) before the next.
    size_t offset = 0;
    while (offset < n) {
      pn_rwbytes_t buffer = pn_connection_driver_read_buffer(&driver_);
      if (buffer.size == 0) break;  // read side closed after an error: the rest is moot
      const size_t chunk = std::min(buffer.size, n - offset);
      std::memcpy(buffer.start, read_buffer_.data() + offset, chunk);
      pn_connection_driver_read_done(&driver_, chunk);
      offset += chunk;
    }
  }
  Process();
}

void Connection::StartWrite() {
  for (;;) {
    pn_bytes_t out = pn_connection_driver_write_buffer(&driver_);
    if (out.size == 0) break;
    // Copied out at once: the engine may move its buffer as soon as more events are processed.
    if (!dropped_) write_pending_.append(out.start, out.size);
    pn_connection_driver_write_done(&driver_, out.size);
  }
  if (writing_ || write_pending_.empty() || closed_) return;
  writing_ = true;
  write_in_flight_.swap(write_pending_);
  write_pending_.clear();
  boost::asio::async_write(socket_, boost::asio::buffer(write_in_flight_),
                           [self = shared_from_this()](const boost::system::error_code& error, size_t) {
                             self->writing_ = false;
                             self->write_in_flight_.clear();
                             if (error) {
                               pn_connection_driver_write_close(&self->driver_);
                               pn_connection_driver_read_close(&self->driver_);
                             }
                             self->Process();
                           });
}

void Connection::ArmTimer() {
  if (timer_deadline_ == 0) {
    timer_.cancel();
    return;
  }
  timer_.expires_at(std::chrono::steady_clock::time_point(std::chrono::milliseconds(timer_deadline_)));
  timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& error) {
    if (error) return;
    if (auto self = weak.lock()) {
      self->timer_deadline_ = 0;
      self->Process();
    }
  });
}

}  // namespace qpidd::amqp
