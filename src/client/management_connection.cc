#include "client/management_connection.h"

#include <utility>

#include <proton/connection_options.hpp>
#include <proton/delivery.hpp>
#include <proton/error_condition.hpp>
#include <proton/message_id.hpp>
#include <proton/receiver_options.hpp>
#include <proton/source.hpp>
#include <proton/source_options.hpp>
#include <proton/ssl.hpp>
#include <proton/symbol.hpp>
#include <proton/transport.hpp>
#include <proton/types.hpp>
#include <proton/work_queue.hpp>

#include "management/protocol.h"

namespace qpidd::client {
namespace {

// How long the destructor waits for the broker to answer our close before it drops the socket.
constexpr std::chrono::milliseconds kCloseWait{1000};

std::string Seconds(std::chrono::milliseconds d) {
  std::string s = std::to_string(d.count() / 1000.0);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s + "s";
}

StatusCode CodeFor(const proton::error_condition& condition) {
  return condition.name() == "amqp:unauthorized-access" ? StatusCode::kUnauthorized
                                                        : StatusCode::kInternal;
}

}  // namespace

// Lives on the container thread: every method runs there, so the Proton objects it holds need
// no lock. It reaches the shared state only through its owner's mutex.
class ManagementConnection::Handler : public proton::messaging_handler {
 public:
  explicit Handler(ManagementConnection& owner) : owner_(owner) {}

  void on_container_start(proton::container& container) override {
    const BrokerAddress& a = owner_.address_;
    proton::connection_options options;
    // PLAIN over plain TCP is allowed: the brokers are on a private cluster network, as with
    // classic qpidd's tools.
    options.sasl_allow_insecure_mechs(true);
    if (!a.user.empty()) options.user(a.user).password(a.password);
    std::map<proton::symbol, proton::value> properties;
    if (owner_.settings_.ha_admin) properties[proton::symbol("qpid.ha-admin")] = true;
    if (owner_.settings_.ha_override) properties[proton::symbol("qpid.ha-override")] = true;
    if (!properties.empty()) options.properties(properties);
    if (a.tls) options.ssl_client_options(proton::ssl_client_options());
    container.connect((a.tls ? "amqps://" : "amqp://") + a.HostPort(), options);
  }

  void on_connection_open(proton::connection& connection) override {
    connection_ = connection;
    open_ = true;
    {
      std::lock_guard lock(owner_.mutex_);
      owner_.work_queue_ = &connection.work_queue();
    }
    sender_ = connection.open_sender(std::string(management::kManagementNode));
    receiver_ = connection.open_receiver(
        "", proton::receiver_options().source(proton::source_options().dynamic(true)));
  }

  void on_sender_open(proton::sender&) override {
    sender_open_ = true;
    CheckReady();
  }

  void on_receiver_open(proton::receiver& receiver) override {
    receiver_open_ = true;
    reply_address_ = receiver.source().address();
    CheckReady();
  }

  void on_sendable(proton::sender&) override { Flush(); }

  void on_message(proton::delivery&, proton::message& message) override {
    proton::message_id correlation = message.correlation_id();
    if (correlation.type() != proton::STRING) return;  // not an answer to us
    std::string id = proton::get<std::string>(correlation);
    std::lock_guard lock(owner_.mutex_);
    auto it = owner_.pending_.find(id);
    if (it == owner_.pending_.end()) return;  // its caller gave up waiting
    it->second = std::move(message);
    owner_.changed_.notify_all();
  }

  void on_transport_error(proton::transport& transport) override {
    owner_.Fail(transport.error().what(), CodeFor(transport.error()));
  }
  void on_connection_error(proton::connection& connection) override {
    owner_.Fail("the broker closed the connection: " + connection.error().what(),
                CodeFor(connection.error()));
  }
  void on_session_error(proton::session& session) override {
    owner_.Fail("the broker ended the session: " + session.error().what());
  }
  void on_sender_error(proton::sender& sender) override {
    owner_.Fail("the broker refused the link to $management: " + sender.error().what());
  }
  void on_receiver_error(proton::receiver& receiver) override {
    owner_.Fail("the broker refused the reply link: " + receiver.error().what());
  }
  void on_sender_close(proton::sender&) override {
    if (!closing_) owner_.Fail("the broker closed the link to $management");
  }
  void on_receiver_close(proton::receiver&) override {
    if (!closing_) owner_.Fail("the broker closed the reply link");
  }
  void on_connection_close(proton::connection&) override {
    if (!closing_) owner_.Fail("the broker closed the connection");
  }
  void on_transport_close(proton::transport&) override {
    open_ = false;
    {
      // Proton frees the connection, and its work queue with it, once this event is handled.
      std::lock_guard lock(owner_.mutex_);
      owner_.work_queue_ = nullptr;
    }
    if (!closing_) owner_.Fail("connection lost");
  }
  // The fallback for any error not handled above; the default would throw out of run().
  void on_error(const proton::error_condition& condition) override {
    owner_.Fail(condition.what(), CodeFor(condition));
  }

  // Sends queued requests while the broker gives credit.
  void Flush() {
    if (!sender_open_ || closing_ || !open_) return;
    while (sender_.credit() > 0) {
      proton::message next;
      {
        std::lock_guard lock(owner_.mutex_);
        if (owner_.outgoing_.empty()) return;
        next = std::move(owner_.outgoing_.front());
        owner_.outgoing_.pop_front();
      }
      sender_.send(next);
    }
  }

  void Close() {
    closing_ = true;
    if (open_) connection_.close();
  }

 private:
  void CheckReady() {
    if (!sender_open_ || !receiver_open_) return;
    if (reply_address_.empty()) {
      owner_.Fail("the broker gave the reply link no address (dynamic receivers unsupported?)");
      return;
    }
    {
      std::lock_guard lock(owner_.mutex_);
      owner_.ready_ = true;
      owner_.reply_address_ = reply_address_;
      owner_.changed_.notify_all();
    }
    Flush();
  }

  ManagementConnection& owner_;
  proton::connection connection_;
  proton::sender sender_;
  proton::receiver receiver_;
  std::string reply_address_;
  bool open_ = false;
  bool sender_open_ = false;
  bool receiver_open_ = false;
  bool closing_ = false;
};

ManagementConnection::ManagementConnection(PassKey, const BrokerAddress& address,
                                           const ConnectionSettings& settings)
    : address_(address),
      settings_(settings),
      handler_(std::make_unique<Handler>(*this)),
      container_(settings.container_id.empty()
                     ? std::make_unique<proton::container>(*handler_)
                     : std::make_unique<proton::container>(*handler_, settings.container_id)) {}

Result<std::unique_ptr<ManagementConnection>> ManagementConnection::Open(
    const BrokerAddress& address, const ConnectionSettings& settings) {
  auto connection = std::make_unique<ManagementConnection>(PassKey{}, address, settings);
  connection->Start();
  std::unique_lock lock(connection->mutex_);
  bool settled = connection->changed_.wait_for(lock, settings.timeout, [&] {
    return connection->ready_ || !connection->error_.empty();
  });
  if (connection->ready_) {
    lock.unlock();
    return connection;
  }
  Status failure = settled ? Status::Error(connection->error_code_, connection->error_)
                           : Status::Error(StatusCode::kInternal,
                                           address.HostPort() + ": no answer within " +
                                               Seconds(settings.timeout));
  lock.unlock();
  return failure;  // the destructor stops the container
}

void ManagementConnection::Start() {
  thread_ = std::thread([this] {
    try {
      container_->run();
    } catch (const std::exception& e) {
      Fail(e.what());
    }
    std::lock_guard lock(mutex_);
    finished_ = true;
    changed_.notify_all();
  });
}

ManagementConnection::~ManagementConnection() {
  bool graceful;
  {
    std::lock_guard lock(mutex_);
    graceful = ready_ && error_.empty() && !finished_;
  }
  if (graceful && Post([this] { handler_->Close(); })) {
    // Close politely so the broker logs a clean close, not a dropped socket; but never wait long.
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, kCloseWait, [this] { return finished_; });
  }
  container_->stop();
  if (thread_.joinable()) thread_.join();
}

bool ManagementConnection::Post(std::function<void()> job) {
  // Under mutex_, so that the transport cannot close (and free the queue) while we add to it.
  std::lock_guard lock(mutex_);
  return work_queue_ != nullptr && work_queue_->add(std::move(job));
}

void ManagementConnection::Fail(const std::string& why, StatusCode code) {
  std::lock_guard lock(mutex_);
  if (error_.empty()) {
    error_ = address_.HostPort() + ": " + why;
    error_code_ = code;
  }
  changed_.notify_all();
}

std::string ManagementConnection::reply_address() const {
  std::lock_guard lock(mutex_);
  return reply_address_;
}

bool ManagementConnection::connected() const {
  std::lock_guard lock(mutex_);
  return ready_ && error_.empty() && !finished_;
}

Result<proton::message> ManagementConnection::Call(proton::message request,
                                                   std::chrono::milliseconds timeout) {
  std::string id;
  {
    std::lock_guard lock(mutex_);
    if (!error_.empty()) return Status::Error(error_code_, error_);
    if (!ready_) return Status::Internal(address_.HostPort() + ": not connected");
    id = "mgmt-" + std::to_string(++next_id_);
    request.id(proton::message_id(id));
    request.reply_to(reply_address_);
    request.to(std::string(management::kManagementNode));
    pending_[id];
    outgoing_.push_back(std::move(request));
  }
  if (!Post([this] { handler_->Flush(); })) {
    Fail("connection lost");
  }

  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return pending_[id].has_value() || !error_.empty(); });
  auto answer = std::move(pending_[id]);
  pending_.erase(id);
  if (answer) return std::move(*answer);
  if (!error_.empty()) return Status::Error(error_code_, error_);
  return Status::Internal(address_.HostPort() + ": no reply within " + Seconds(timeout));
}

}  // namespace qpidd::client
