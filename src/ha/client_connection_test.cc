// ClientConnection against real sockets on 127.0.0.1: the broker's own server-side AMQP
// connection (amqp::Connection) for the normal paths, and small raw peers for the failures (a
// closed port, a listener that never speaks, a Proton peer that drops or goes silent).
#include "ha/client_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <proton/condition.h>
#include <proton/connection.h>
#include <proton/delivery.h>
#include <proton/event.h>
#include <proton/link.h>
#include <proton/message.h>
#include <proton/sasl.h>
#include <proton/session.h>
#include <proton/transport.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "amqp/broker_context.h"
#include "amqp/connection.h"
#include "broker/broker.h"

namespace qpidd::ha {
namespace {

using ::testing::HasSubstr;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using boost::asio::ip::tcp;

constexpr auto kWait = std::chrono::seconds(5);  // every wait of these tests is bounded by this

// --- Test peers ------------------------------------------------------------------------------

// A real broker's AMQP front on its own loop thread: a Broker, a BrokerContext and an acceptor
// on 127.0.0.1 whose sockets become amqp::Connection, as src/qpidd/main.cc wires them.
class BrokerServer {
 public:
  explicit BrokerServer(uint32_t idle_timeout_ms = 0)
      : broker_(broker::BrokerConfig{.id = "test-broker"}),
        context_{.broker = broker_,
                 .management = nullptr,
                 .node_provider = nullptr,
                 .settings = amqp::ConnectionSettings{.container_id = "test-broker",
                                                      .idle_timeout_ms = idle_timeout_ms}},
        acceptor_(io_, tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0)) {
    Accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~BrokerServer() {
    io_.stop();
    thread_.join();
  }
  BrokerServer(const BrokerServer&) = delete;
  BrokerServer& operator=(const BrokerServer&) = delete;

  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  broker::Broker& broker() { return broker_; }

  // Waits (bounded) until the broker has `n` registered connections.
  bool WaitForConnections(size_t n) {
    const auto deadline = steady_clock::now() + kWait;
    while (broker_.connections().size() != n) {
      if (steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(milliseconds(10));
    }
    return true;
  }

 private:
  void Accept() {
    acceptor_.async_accept([this](const boost::system::error_code& error, tcp::socket socket) {
      if (error) return;
      std::make_shared<amqp::Connection>(std::move(socket), context_)->Start();
      Accept();
    });
  }

  broker::Broker broker_;
  amqp::BrokerContext context_;
  boost::asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

// Decides every connection the same way (to make the broker close or drop ours).
class FixedAdmission : public broker::ConnectionAdmission {
 public:
  explicit FixedAdmission(broker::AdmissionVerdict verdict) : verdict_(std::move(verdict)) {}
  broker::AdmissionVerdict Admit(const broker::ConnectionInfo&) override { return verdict_; }

 private:
  broker::AdmissionVerdict verdict_;
};

// A loopback TCP socket, bound; listening (with nobody accepting) if asked. Closed at the end.
class LoopbackSocket {
 public:
  explicit LoopbackSocket(bool listen) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    if (listen) {
      EXPECT_EQ(::listen(fd_, 8), 0);
    }
  }
  ~LoopbackSocket() { close(fd_); }
  LoopbackSocket(const LoopbackSocket&) = delete;
  LoopbackSocket& operator=(const LoopbackSocket&) = delete;

  int fd() const { return fd_; }
  uint16_t port() const { return port_; }

 private:
  int fd_;
  uint16_t port_ = 0;
};

// A one-connection AMQP peer on a thread: a server-side Proton engine over a blocking socket.
// It answers the open, then misbehaves as told. It never ticks its engine, so it never sends
// heartbeats.
class FakePeer {
 public:
  enum class Mode { kSilent, kDropAfterOpen };

  explicit FakePeer(Mode mode) : mode_(mode), listener_(/*listen=*/true) {
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakePeer() {
    stop_ = true;
    thread_.join();
  }
  FakePeer(const FakePeer&) = delete;
  FakePeer& operator=(const FakePeer&) = delete;

  uint16_t port() const { return listener_.port(); }

 private:
  bool Stopping(steady_clock::time_point deadline) const {
    return stop_ || steady_clock::now() > deadline;
  }

  void Serve() {
    const auto deadline = steady_clock::now() + 2 * kWait;
    pollfd waiting{listener_.fd(), POLLIN, 0};
    while (!Stopping(deadline) && poll(&waiting, 1, 20) == 0) {
    }
    if (Stopping(deadline)) return;
    const int fd = accept(listener_.fd(), nullptr, nullptr);
    if (fd < 0) return;
    Speak(fd, deadline);
    close(fd);
  }

  void Speak(int fd, steady_clock::time_point deadline) {
    pn_transport_t* transport = pn_transport();
    pn_transport_set_server(transport);
    pn_transport_require_auth(transport, false);
    pn_sasl_allowed_mechs(pn_sasl(transport), "ANONYMOUS");
    pn_connection_driver_t driver{};
    ASSERT_EQ(pn_connection_driver_init(&driver, nullptr, transport), 0);
    bool drop = false;
    while (!Stopping(deadline) && !pn_connection_driver_finished(&driver)) {
      while (pn_event_t* event = pn_connection_driver_next_event(&driver)) {
        drop |= Handle(event);
      }
      WriteAll(fd, &driver);
      if (drop) break;
      Read(fd, &driver);
    }
    pn_connection_driver_destroy(&driver);
  }

  // Returns true when the connection is to be dropped now.
  bool Handle(pn_event_t* event) {
    pn_connection_t* connection = pn_event_connection(event);
    switch (pn_event_type(event)) {
      case PN_CONNECTION_REMOTE_OPEN:
        pn_connection_open(connection);
        return mode_ == Mode::kDropAfterOpen;
      case PN_CONNECTION_REMOTE_CLOSE:
        pn_connection_close(connection);
        return false;
      default:
        return false;
    }
  }

  static void WriteAll(int fd, pn_connection_driver_t* driver) {
    for (pn_bytes_t out = pn_connection_driver_write_buffer(driver); out.size > 0;
         out = pn_connection_driver_write_buffer(driver)) {
      const ssize_t n = send(fd, out.start, out.size, MSG_NOSIGNAL);
      if (n <= 0) {
        pn_connection_driver_close(driver);
        return;
      }
      pn_connection_driver_write_done(driver, static_cast<size_t>(n));
    }
  }

  static void Read(int fd, pn_connection_driver_t* driver) {
    if (pn_connection_driver_read_closed(driver)) return;
    pollfd waiting{fd, POLLIN, 0};
    if (poll(&waiting, 1, 20) <= 0) return;
    pn_rwbytes_t buffer = pn_connection_driver_read_buffer(driver);
    const ssize_t n = recv(fd, buffer.start, buffer.size, 0);
    if (n <= 0) {
      pn_connection_driver_read_close(driver);
    } else {
      pn_connection_driver_read_done(driver, static_cast<size_t>(n));
    }
  }

  const Mode mode_;
  LoopbackSocket listener_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// --- The client side -------------------------------------------------------------------------

// The HA module's loop: one io_context run on its own thread.
class ClientLoop {
 public:
  ClientLoop() : guard_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  ~ClientLoop() {
    guard_.reset();
    io_.stop();
    thread_.join();
  }
  ClientLoop(const ClientLoop&) = delete;
  ClientLoop& operator=(const ClientLoop&) = delete;

  boost::asio::io_context& io() { return io_; }

  // Runs `work` on the loop and waits (bounded) for it to finish.
  bool Run(std::function<void()> work) {
    auto done = std::make_shared<std::promise<void>>();
    auto future = done->get_future();
    boost::asio::post(io_, [work = std::move(work), done] {
      work();
      done->set_value();
    });
    return future.wait_for(kWait) == std::future_status::ready;
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

struct Ending {
  std::string error;
  bool peer_closed = false;
  std::string peer_condition;
  bool opened = false;
};

// Records what the connection reports; subclasses act on the events.
class RecordingHandler : public ClientHandler {
 public:
  void OnOpened(ClientConnection& c, const broker::Arguments& peer_properties) override {
    peer_properties_ = peer_properties;
    peer_container_id_ = c.peer_container_id();
    opened_.set_value();
    Opened(c);
  }
  void OnEvent(ClientConnection& c, pn_event_t* event) override {
    if (closed_calls_ > 0) late_callbacks_++;
    Event(c, event);
  }
  void OnClosed(ClientConnection& c, const std::string& error, bool peer_closed) override {
    if (closed_calls_++ == 0) {
      closed_.set_value(Ending{error, peer_closed, c.peer_condition(), c.opened()});
    }
  }

  // Waits (bounded) for the open; false if it did not come.
  bool WaitOpened() { return opened_future_.wait_for(kWait) == std::future_status::ready; }
  // Waits (bounded) for the end; an Ending with error "(no OnClosed)" if it did not come.
  Ending WaitClosed() {
    if (closed_future_.wait_for(kWait) != std::future_status::ready) {
      Ending missing;
      missing.error = "(no OnClosed)";
      return missing;
    }
    return closed_future_.get();
  }

  // Read after WaitOpened().
  const broker::Arguments& peer_properties() const { return peer_properties_; }
  const std::string& peer_container_id() const { return peer_container_id_; }
  int closed_calls() const { return closed_calls_; }
  int late_callbacks() const { return late_callbacks_; }

 protected:
  virtual void Opened(ClientConnection&) {}
  virtual void Event(ClientConnection&, pn_event_t*) {}

 private:
  broker::Arguments peer_properties_;
  std::string peer_container_id_;
  std::promise<void> opened_;
  std::future<void> opened_future_ = opened_.get_future();
  std::promise<Ending> closed_;
  std::future<Ending> closed_future_ = closed_.get_future();
  std::atomic<int> closed_calls_{0};
  std::atomic<int> late_callbacks_{0};
};

// Closes the connection from inside OnOpened, with a condition.
class CloseOnOpen : public RecordingHandler {
 protected:
  void Opened(ClientConnection& c) override { c.Close("qpid-ha:test", "done with it"); }
};

// Sends one message to `queue` once the broker grants credit, and reports its outcome.
class OneMessageSender : public RecordingHandler {
 public:
  explicit OneMessageSender(std::string queue) : queue_(std::move(queue)) {}

  // Waits (bounded) for the broker's disposition of the message.
  bool WaitAccepted() { return accepted_future_.wait_for(kWait) == std::future_status::ready; }

 protected:
  void Opened(ClientConnection& c) override {
    pn_session_t* session = pn_session(c.connection());
    pn_session_open(session);
    pn_link_t* sender = pn_sender(session, "ha-test-sender");
    pn_terminus_set_address(pn_link_target(sender), queue_.c_str());
    pn_link_open(sender);
  }

  void Event(ClientConnection&, pn_event_t* event) override {
    if (pn_event_type(event) == PN_LINK_FLOW) {
      pn_link_t* link = pn_event_link(event);
      if (!sent_ && pn_link_is_sender(link) && pn_link_credit(link) > 0) Send(link);
    } else if (pn_event_type(event) == PN_DELIVERY) {
      pn_delivery_t* delivery = pn_event_delivery(event);
      if (pn_delivery_remote_state(delivery) == PN_ACCEPTED) {
        pn_delivery_settle(delivery);
        accepted_.set_value();
      }
    }
  }

 private:
  void Send(pn_link_t* link) {
    sent_ = true;
    const std::string body = Encode("replicated");
    pn_delivery(link, pn_dtag("1", 1));
    pn_link_send(link, body.data(), body.size());
    pn_link_advance(link);
  }

  static std::string Encode(const std::string& text) {
    std::unique_ptr<pn_message_t, decltype(&pn_message_free)> message(pn_message(),
                                                                       &pn_message_free);
    pn_data_put_string(pn_message_body(message.get()), pn_bytes(text.size(), text.data()));
    std::string out(1024, '\0');
    size_t size = out.size();
    EXPECT_EQ(pn_message_encode(message.get(), out.data(), &size), 0);
    out.resize(size);
    return out;
  }

  std::string queue_;
  bool sent_ = false;
  std::promise<void> accepted_;
  std::future<void> accepted_future_ = accepted_.get_future();
};

class ClientConnectionTest : public ::testing::Test {
 protected:
  ClientConnectionOptions Options(uint16_t port) const {
    ClientConnectionOptions options;
    options.host = "127.0.0.1";
    options.port = port;
    options.container_id = "ha-backup-test";
    return options;
  }

  // Waits until everything posted to the loop so far has run: a late callback would have too.
  void DrainLoop() { ASSERT_TRUE(loop_.Run([] {})); }

  ClientLoop loop_;
};

const broker::Value* Find(const broker::Arguments& arguments, const std::string& key) {
  auto it = arguments.find(key);
  return it == arguments.end() ? nullptr : &it->second;
}

// --- Against the broker ------------------------------------------------------------------------

TEST_F(ClientConnectionTest, OpensAndSeesTheBrokersProperties) {
  BrokerServer server;
  auto handler = std::make_shared<RecordingHandler>();
  auto options = Options(server.port());
  options.open_properties = {{"qpid.ha-admin", true}, {"x-test", std::string("hello")}};
  auto connection = ClientConnection::Start(loop_.io(), options, handler);
  EXPECT_EQ(connection->address(), "127.0.0.1:" + std::to_string(server.port()));

  ASSERT_TRUE(handler->WaitOpened());
  const broker::Value* product = Find(handler->peer_properties(), "product");
  ASSERT_NE(product, nullptr);
  EXPECT_EQ(*product, broker::Value(std::string("qpidd-ha")));
  EXPECT_EQ(handler->peer_container_id(), "test-broker");

  // The broker registered the connection with our open properties before answering.
  auto snapshot = server.broker().connections().Snapshot();
  ASSERT_EQ(snapshot.size(), 1u);
  const broker::ConnectionInfo& info = snapshot[0].info;
  EXPECT_EQ(info.container_id, "ha-backup-test");
  EXPECT_TRUE(info.admin);
  const broker::Value* sent = Find(info.peer_properties, "x-test");
  ASSERT_NE(sent, nullptr);
  EXPECT_EQ(*sent, broker::Value(std::string("hello")));

  connection->Close();  // from off the loop: posted
  Ending end = handler->WaitClosed();
  EXPECT_EQ(end.error, "");
  EXPECT_FALSE(end.peer_closed);
  EXPECT_TRUE(server.WaitForConnections(0));
  DrainLoop();
  EXPECT_EQ(handler->closed_calls(), 1);
  EXPECT_EQ(handler->late_callbacks(), 0);
}

TEST_F(ClientConnectionTest, SenderLinkTransfersAMessage) {
  BrokerServer server;
  bool created = false;
  auto queue = server.broker().CreateQueue("ha-test-queue", broker::QueueSettings{}, &created);
  ASSERT_TRUE(queue.ok());
  auto handler = std::make_shared<OneMessageSender>("ha-test-queue");
  auto connection = ClientConnection::Start(loop_.io(), Options(server.port()), handler);

  ASSERT_TRUE(handler->WaitAccepted());
  EXPECT_EQ(queue.value()->Stats().depth, 1u);

  connection->Close();
  EXPECT_EQ(handler->WaitClosed().error, "");
}

TEST_F(ClientConnectionTest, CloseFromInsideOnOpenedIsClean) {
  BrokerServer server;
  auto handler = std::make_shared<CloseOnOpen>();
  auto connection = ClientConnection::Start(loop_.io(), Options(server.port()), handler);
  Ending end = handler->WaitClosed();
  EXPECT_EQ(end.error, "");
  EXPECT_FALSE(end.peer_closed);
  EXPECT_TRUE(end.opened);
  EXPECT_TRUE(server.WaitForConnections(0));
}

TEST_F(ClientConnectionTest, CloseIsIdempotentAndAbortAfterItChangesNothing) {
  BrokerServer server;
  auto handler = std::make_shared<RecordingHandler>();
  auto connection = ClientConnection::Start(loop_.io(), Options(server.port()), handler);
  ASSERT_TRUE(handler->WaitOpened());
  ASSERT_TRUE(loop_.Run([&connection] {
    connection->Close();
    connection->Close();
    connection->Abort();
  }));
  Ending end = handler->WaitClosed();
  EXPECT_EQ(end.error, "");
  DrainLoop();
  EXPECT_EQ(handler->closed_calls(), 1);
}

TEST_F(ClientConnectionTest, CloseBeforeTheConnectionIsMadeIsClean) {
  BrokerServer server;
  auto handler = std::make_shared<RecordingHandler>();
  std::shared_ptr<ClientConnection> connection;
  // On the loop, before the posted start has run.
  ASSERT_TRUE(loop_.Run([&] {
    connection = ClientConnection::Start(loop_.io(), Options(server.port()), handler);
    connection->Close();
  }));
  Ending end = handler->WaitClosed();
  EXPECT_EQ(end.error, "");
  EXPECT_FALSE(end.opened);
  DrainLoop();
  EXPECT_EQ(handler->closed_calls(), 1);
}

TEST_F(ClientConnectionTest, AbortDropsTheConnection) {
  BrokerServer server;
  auto handler = std::make_shared<RecordingHandler>();
  auto connection = ClientConnection::Start(loop_.io(), Options(server.port()), handler);
  ASSERT_TRUE(handler->WaitOpened());
  connection->Abort();
  Ending end = handler->WaitClosed();
  EXPECT_EQ(end.error, "aborted");
  EXPECT_FALSE(end.peer_closed);
  EXPECT_TRUE(server.WaitForConnections(0));  // the broker saw the socket go
  DrainLoop();
  EXPECT_EQ(handler->closed_calls(), 1);
  EXPECT_EQ(handler->late_callbacks(), 0);
}

TEST_F(ClientConnectionTest, PeersCloseConditionIsTheError) {
  BrokerServer server;
  broker::AdmissionVerdict verdict;
  verdict.action = broker::AdmissionVerdict::Action::kClose;
  verdict.condition = "qpid-ha:not-primary";
  verdict.reason = "this broker is a backup";
  server.broker().SetConnectionAdmission(std::make_shared<FixedAdmission>(verdict));
  auto handler = std::make_shared<RecordingHandler>();
  auto connection = ClientConnection::Start(loop_.io(), Options(server.port()), handler);

  Ending end = handler->WaitClosed();
  EXPECT_EQ(end.error, "qpid-ha:not-primary: this broker is a backup");
  EXPECT_TRUE(end.peer_closed);
  EXPECT_EQ(end.peer_condition, "qpid-ha:not-primary");
  EXPECT_TRUE(end.opened);  // the broker answers the open before it closes
}

TEST_F(ClientConnectionTest, PeerDroppingTheTransportIsATransportFailure) {
  BrokerServer server;
  broker::AdmissionVerdict verdict;
  verdict.action = broker::AdmissionVerdict::Action::kDrop;
  verdict.reason = "not now";
  server.broker().SetConnectionAdmission(std::make_shared<FixedAdmission>(verdict));
  auto handler = std::make_shared<RecordingHandler>();
  auto connection = ClientConnection::Start(loop_.io(), Options(server.port()), handler);

  Ending end = handler->WaitClosed();
  EXPECT_NE(end.error, "");
  EXPECT_NE(end.error, "(no OnClosed)");
  EXPECT_FALSE(end.peer_closed);
  EXPECT_FALSE(end.opened);
}

TEST_F(ClientConnectionTest, HeartbeatsKeepAnIdleConnectionOpen) {
  BrokerServer server(/*idle_timeout_ms=*/300);  // the broker wants to hear from us too
  auto handler = std::make_shared<RecordingHandler>();
  auto options = Options(server.port());
  options.idle_timeout_ms = 300;
  auto connection = ClientConnection::Start(loop_.io(), options, handler);
  ASSERT_TRUE(handler->WaitOpened());
  std::this_thread::sleep_for(milliseconds(1500));  // five idle-timeouts with no traffic
  EXPECT_EQ(handler->closed_calls(), 0);
  connection->Close();
  EXPECT_EQ(handler->WaitClosed().error, "");
}

// --- Against misbehaving peers -----------------------------------------------------------------

TEST_F(ClientConnectionTest, ClosedPortIsConnectionRefused) {
  LoopbackSocket closed(/*listen=*/false);
  auto handler = std::make_shared<RecordingHandler>();
  auto connection = ClientConnection::Start(loop_.io(), Options(closed.port()), handler);
  Ending end = handler->WaitClosed();
  EXPECT_THAT(end.error, HasSubstr("Connection refused"));
  EXPECT_FALSE(end.peer_closed);
  EXPECT_FALSE(end.opened);
  DrainLoop();
  EXPECT_EQ(handler->closed_calls(), 1);
}

TEST_F(ClientConnectionTest, SilentListenerTimesOutWithinTheBound) {
  LoopbackSocket silent(/*listen=*/true);  // the kernel completes the TCP handshake; no AMQP
  auto handler = std::make_shared<RecordingHandler>();
  auto options = Options(silent.port());
  options.connect_timeout = milliseconds(300);
  const auto started = steady_clock::now();
  auto connection = ClientConnection::Start(loop_.io(), options, handler);
  Ending end = handler->WaitClosed();
  const auto elapsed = steady_clock::now() - started;
  EXPECT_THAT(end.error, HasSubstr("timed out"));
  EXPECT_THAT(end.error, HasSubstr("AMQP open"));
  EXPECT_FALSE(end.peer_closed);
  EXPECT_GE(elapsed, milliseconds(250));
  EXPECT_LT(elapsed, milliseconds(2000));
}

TEST_F(ClientConnectionTest, UnresolvableHostFails) {
  auto handler = std::make_shared<RecordingHandler>();
  auto options = Options(5672);
  options.host = "no-such-host.invalid";
  options.connect_timeout = milliseconds(2000);
  auto connection = ClientConnection::Start(loop_.io(), options, handler);
  Ending end = handler->WaitClosed();
  EXPECT_NE(end.error, "");
  EXPECT_NE(end.error, "(no OnClosed)");
  EXPECT_FALSE(end.peer_closed);
}

TEST_F(ClientConnectionTest, PeerDropAfterOpenIsReported) {
  FakePeer peer(FakePeer::Mode::kDropAfterOpen);
  auto handler = std::make_shared<RecordingHandler>();
  auto connection = ClientConnection::Start(loop_.io(), Options(peer.port()), handler);
  Ending end = handler->WaitClosed();
  EXPECT_TRUE(end.opened);
  EXPECT_NE(end.error, "");
  EXPECT_NE(end.error, "(no OnClosed)");
  EXPECT_FALSE(end.peer_closed);
}

TEST_F(ClientConnectionTest, SilentPeerIsAnIdleTimeout) {
  FakePeer peer(FakePeer::Mode::kSilent);
  auto handler = std::make_shared<RecordingHandler>();
  auto options = Options(peer.port());
  options.idle_timeout_ms = 300;
  const auto started = steady_clock::now();
  auto connection = ClientConnection::Start(loop_.io(), options, handler);
  ASSERT_TRUE(handler->WaitOpened());
  Ending end = handler->WaitClosed();
  const auto elapsed = steady_clock::now() - started;
  EXPECT_THAT(end.error, HasSubstr("idle-timeout"));
  EXPECT_FALSE(end.peer_closed);
  EXPECT_GE(elapsed, milliseconds(250));
  EXPECT_LT(elapsed, milliseconds(3000));
}

}  // namespace
}  // namespace qpidd::ha
