// One AMQP connection to one broker address for management: a sender to `$management` and a
// dynamic receiver for the replies. It runs its own proton::container on its own thread; the
// caller's thread only queues requests and waits, every wait bounded by a timeout.
//
// THREAD SAFE: Call() may be used from several threads at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <proton/connection.hpp>
#include <proton/container.hpp>
#include <proton/message.hpp>
#include <proton/messaging_handler.hpp>
#include <proton/receiver.hpp>
#include <proton/sender.hpp>
#include <proton/work_queue.hpp>

#include "common/status.h"
#include "common/url.h"

namespace qpidd::client {

struct ConnectionSettings {
  std::chrono::milliseconds timeout{10000};  // to connect, and to wait for each reply
  bool ha_admin = false;                     // open property qpid.ha-admin: true
  std::string container_id;                  // empty: Proton makes one up
  bool ha_override = false;                  // also qpid.ha-override: may change replicas
};

class ManagementConnection {
 public:
  // Connects and waits (at most settings.timeout) until both links are open. Errors name the
  // address and Proton's reason ("127.0.0.1:5672: Connection refused").
  static Result<std::unique_ptr<ManagementConnection>> Open(const BrokerAddress& address,
                                                            const ConnectionSettings& settings);
  // Closes the connection (waiting a moment for the broker's close), stops the container and
  // joins its thread.
  ~ManagementConnection();
  ManagementConnection(const ManagementConnection&) = delete;
  ManagementConnection& operator=(const ManagementConnection&) = delete;

  // Sends `request` to $management (its message-id and reply-to are set here) and waits for the
  // correlated reply, at most `timeout`. Fails when the connection is lost or no reply came.
  Result<proton::message> Call(proton::message request, std::chrono::milliseconds timeout);

  // False once the connection failed or was closed.
  bool connected() const;
  const BrokerAddress& address() const { return address_; }
  // The address the broker gave the reply link (a temporary queue the tools hide in listings).
  std::string reply_address() const;

 private:
  class Handler;

  struct PassKey {};  // lets Open() construct through std::make_unique, and no one else

 public:
  ManagementConnection(PassKey, const BrokerAddress& address, const ConnectionSettings& settings);

 private:
  void Start();
  // Runs `job` on the container thread, in the connection's context (so that what it sends is
  // written out). False when the connection is gone.
  bool Post(std::function<void()> job);
  // Records the first failure (later ones are consequences of it) and wakes every waiter.
  void Fail(const std::string& why, StatusCode code = StatusCode::kInternal);
  void Close();

  const BrokerAddress address_;
  const ConnectionSettings settings_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  // State below is protected by mutex_.
  bool ready_ = false;            // both links open
  std::string error_;             // why the connection failed; empty while it has not
  StatusCode error_code_ = StatusCode::kOk;
  bool finished_ = false;         // the container thread has returned from run()
  std::string reply_address_;     // the dynamic receiver's address
  proton::work_queue* work_queue_ = nullptr;  // the connection's; null once its transport closed
  std::deque<proton::message> outgoing_;
  std::map<std::string, std::optional<proton::message>> pending_;  // by message-id
  uint64_t next_id_ = 0;

  // Order matters: the handler must outlive the container that calls it.
  std::unique_ptr<Handler> handler_;
  std::unique_ptr<proton::container> container_;
  std::thread thread_;
};

}  // namespace qpidd::client
