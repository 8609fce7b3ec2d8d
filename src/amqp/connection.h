// One AMQP connection: a socket and the Proton engine driving it, pinned to one worker loop for
// its whole life. Nothing else touches its Proton objects, so it needs no locks; work from other
// threads (a message for one of its consumers, a delayed settlement) arrives through Post().
#pragma once

#include <proton/connection_driver.h>

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "amqp/broker_context.h"
#include "amqp/link.h"
#include "broker/connection_registry.h"

namespace qpidd::amqp {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(boost::asio::ip::tcp::socket socket, BrokerContext& context);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts reading; call on the connection's loop.
  void Start();

  // Runs `work` on this connection's loop, then processes the events it caused and flushes.
  // Safe from any thread.
  void Post(std::function<void()> work);

  // Closes the connection with an AMQP close carrying `condition` and `description`, from any
  // thread; the socket is shut once the peer answers (or is gone).
  void Close(const std::string& condition, const std::string& description);

  BrokerContext& context() { return context_; }
  broker::ConnectionRecord& record() { return *record_; }
  const std::string& remote_address() const { return remote_address_; }

 private:
  void Process();
  void HandleEvent(pn_event_t* event);
  void OnRemoteOpen(pn_connection_t* connection);
  void RefuseWithClose(pn_connection_t* connection, const broker::Arguments& properties,
                       const std::string& condition, const std::string& description);
  void OnLinkRemoteOpen(pn_link_t* link);
  void CloseLink(pn_link_t* link);
  void OnTransportClosed();
  void DropTransport(const std::string& why);

  void StartRead();
  void OnRead(const boost::system::error_code& error, size_t n);
  void StartWrite();
  void ArmTimer();

  BrokerContext& context_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  pn_connection_driver_t driver_{};
  std::string remote_address_;
  std::shared_ptr<broker::ConnectionRecord> record_;
  bool registered_ = false;   // in the broker's connection registry
  bool dropped_ = false;      // transport dropped without an AMQP close
  bool closed_ = false;       // links closed, socket shut
  bool reading_ = false;
  bool writing_ = false;
  bool in_process_ = false;
  int64_t timer_deadline_ = 0;

  std::array<char, 64 * 1024> read_buffer_{};
  std::string write_pending_;   // bytes taken from the engine, not yet handed to the socket
  std::string write_in_flight_;

  std::unordered_map<pn_link_t*, std::shared_ptr<Link>> links_;
};

}  // namespace qpidd::amqp
