// An outgoing AMQP 1.0 connection for the HA module (a backup's replication connection to the
// primary, short probes): Proton's C engine driven on a Boost.Asio TCP socket, pinned to one
// io_context loop. The structure follows the broker's server side (amqp/connection.cc): every
// Proton call happens on the loop, events are processed in batches and the output of each batch
// is written at once, and the engine is ticked on a timer for idle-timeout and heartbeats.
//
// Every wait is bounded: connect_timeout covers resolve, TCP connect and the peer's open;
// close_timeout bounds the close handshake and the last write.
#pragma once

#include <proton/connection_driver.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "broker/value.h"

namespace qpidd::ha {

class ClientConnection;

struct ClientConnectionOptions {
  std::string host;
  uint16_t port = 5672;
  // SASL: PLAIN when user is set, else ANONYMOUS; a non-empty mechanism overrides both.
  std::string user;
  std::string password;
  std::string mechanism;
  std::string container_id;
  broker::Arguments open_properties;  // sent with symbol keys
  uint32_t idle_timeout_ms = 0;       // ours: the peer must send something this often
  std::chrono::milliseconds connect_timeout{5000};  // resolve + TCP connect + the peer's open
  std::chrono::milliseconds close_timeout{2000};    // waiting for the peer's close and last write
  uint32_t max_frame = 65536;
};

// The connection's user. Every call comes from the connection's loop, never after OnClosed.
class ClientHandler {
 public:
  virtual ~ClientHandler() = default;
  // The peer's open arrived with these properties (scalars only). Create sessions and links here.
  virtual void OnOpened(ClientConnection& c, const broker::Arguments& peer_properties) = 0;
  // Every other Proton event (session, link, flow, delivery, ...), in order.
  virtual void OnEvent(ClientConnection& c, pn_event_t* event) = 0;
  // Called once, last. `error` is empty after a clean Close() by us; otherwise it says why the
  // connection ended: the peer's close condition ("qpid-ha:not-primary: description") when
  // `peer_closed`, else a transport failure (refused, timed out, dropped, idle-timeout, ...).
  virtual void OnClosed(ClientConnection& c, const std::string& error, bool peer_closed) = 0;
};

class ClientConnection : public std::enable_shared_from_this<ClientConnection> {
  struct Private {};  // keeps the constructor for Start() while make_shared can still reach it

 public:
  // Resolves and connects asynchronously on `loop`; safe to call on or off the loop. The handler
  // is released after OnClosed (so it may hold the connection without a lasting cycle).
  static std::shared_ptr<ClientConnection> Start(boost::asio::io_context& loop,
                                                 ClientConnectionOptions options,
                                                 std::shared_ptr<ClientHandler> handler);

  ClientConnection(Private, boost::asio::io_context& loop, ClientConnectionOptions options,
                   std::shared_ptr<ClientHandler> handler);
  ~ClientConnection();
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  // Sends an AMQP close (with `condition` if not empty), waits (bounded) for the peer's close,
  // then shuts the socket; OnClosed follows with an empty error. Idempotent. Called off the loop,
  // it is posted to the loop.
  void Close(const std::string& condition = "", const std::string& description = "");
  // Drops the socket at once, without an AMQP close; OnClosed follows with "aborted" (unless the
  // connection had already failed or was being closed). Called off the loop, it is posted.
  void Abort();
  // Processes the events and writes the output caused by changes made outside a callback (from
  // a timer, posted work). Called off the loop, it is posted.
  void Flush();

  // The Proton connection, to make sessions and links: on the loop only.
  pn_connection_t* connection() { return driver_.connection; }
  const std::string& address() const { return address_; }  // "host:port"
  // On the loop: the peer's container id and close condition name (empty until known).
  const std::string& peer_container_id() const { return peer_container_id_; }
  const std::string& peer_condition() const { return peer_condition_; }
  bool opened() const { return opened_; }      // the peer's open arrived
  bool refused() const { return refused_; }    // the peer's host refused the TCP connection
  bool timed_out() const { return timed_out_; }  // connect_timeout passed before the open
  bool finished() const { return finished_; }  // over: OnClosed is called or on its way

 private:
  void Begin();
  void OnResolved(const boost::system::error_code& error,
                  const boost::asio::ip::tcp::resolver::results_type& results);
  void OnConnected(const boost::system::error_code& error);
  void OnConnectTimeout(const boost::system::error_code& error);

  void Process();
  void Dispatch();
  void HandleEvent(pn_event_t* event);
  void OnRemoteOpen(pn_connection_t* connection);
  void OnRemoteClose(pn_connection_t* connection);

  void StartRead();
  void OnRead(const boost::system::error_code& error, size_t n);
  void TakeOutput();
  void StartWrite();
  void OnWritten(const boost::system::error_code& error);
  void ArmTick(int64_t deadline);
  void ArmLinger();

  void RecordError(const std::string& why);
  void Fail(const std::string& why);  // records why, then drops the transport
  void Drop();
  void Finish();
  bool OnLoop() const;

  boost::asio::io_context& loop_;
  ClientConnectionOptions options_;
  std::shared_ptr<ClientHandler> handler_;
  std::string address_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer connect_timer_;
  boost::asio::steady_timer tick_timer_;
  boost::asio::steady_timer linger_timer_;
  pn_connection_driver_t driver_{};

  bool connected_ = false;  // TCP connected: the engine is running
  bool refused_ = false;
  bool timed_out_ = false;
  bool opened_ = false;
  bool closing_ = false;    // Close() was called: later failures are not reported
  bool peer_closed_ = false;
  bool dropped_ = false;    // the transport is dropped: pending output is discarded
  bool lingering_ = false;
  bool finished_ = false;
  bool reading_ = false;
  bool writing_ = false;
  bool in_process_ = false;
  int64_t tick_deadline_ = 0;
  std::string error_;
  std::string peer_container_id_;
  std::string peer_condition_;

  std::array<char, 64 * 1024> read_buffer_{};
  std::string write_pending_;  // taken from the engine, not yet handed to the socket
  std::string write_in_flight_;
};

}  // namespace qpidd::ha
