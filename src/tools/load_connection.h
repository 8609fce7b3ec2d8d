// One AMQP 1.0 connection over a plain TCP socket, driven by Proton's pn_connection_driver in a
// poll() loop on the calling thread. No proactor and no threads: the load clients must never be
// the bottleneck, and a single loop with non-blocking reads and writes is the cheapest path.
//
// SASL: ANONYMOUS, or PLAIN when the broker URL carries user/password (allowed over plain TCP,
// as RabbitMQ and classic qpidd expect from loopback clients).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/url.h"

struct pn_event_t;
struct pn_session_t;

namespace qpidd::tools {

struct ConnectionAttempt;  // one connection's outcome (load_connection.cc)

// The link logic that runs over a connection (a sender or a receiver). All calls come from the
// connection's loop, on the caller's thread.
class LinkRole {
 public:
  virtual ~LinkRole() = default;
  // Creates and opens the role's link on a new session. Called again, with a new session, when
  // an earlier broker of the list failed before it opened the connection.
  virtual void Attach(pn_session_t* session) = 0;
  // A link or delivery event for the role's link.
  virtual void OnEvent(pn_event_t* event) = 0;
  // After each batch of events, before output is written: send or grant what the window allows.
  virtual void Pump() = 0;
  // CLOCK_MONOTONIC nanoseconds at which OnDeadline() is wanted; 0 = none.
  virtual int64_t Deadline() const = 0;
  virtual void OnDeadline(int64_t now_nanos) = 0;
  // True when the work is over, well or badly: the connection closes then.
  virtual bool Done() const = 0;
  // Closes the link before the connection closes.
  virtual void Detach() = 0;
  // The connection was lost after it opened and a new one is being made (--reconnect): forget
  // the old link and its deliveries (Proton frees them), keep what must be done again.
  virtual void OnConnectionLost() = 0;
};

struct ConnectionSettings {
  std::vector<BrokerAddress> brokers;  // tried in turn until one opens the connection
  std::string container_id;
  std::string program;                              // prefix of the reconnection notices on stderr
  std::chrono::milliseconds connect_timeout{5000};  // per TCP connect
  // Keep going after a lost connection: cycle through the brokers (and the failover list the
  // broker advertised) until one opens, for at most reconnect_timeout after the loss.
  bool reconnect = false;
  std::chrono::nanoseconds reconnect_timeout{std::chrono::seconds(60)};
};

class ClientConnection {
 public:
  explicit ClientConnection(ConnectionSettings settings);

  // Connects to the first broker of the list that completes the AMQP open (a transport failure,
  // refusal or redirect before that moves on to the next, or to the redirect's target), runs
  // ROLE until it is done (or a stop signal arrives), then closes. With reconnect, a connection
  // lost later is replaced the same way and ROLE carries on. An error names the broker
  // address(es) and the reason.
  Status Run(LinkRole& role);

  // "host:port" of the broker last tried (the one that opened, when opened()).
  const std::string& broker() const { return broker_; }
  // Whether a broker completed the AMQP open, and if it then failed, why (without the address).
  bool opened() const { return opened_; }
  const std::string& failure() const { return failure_; }

 private:
  ConnectionAttempt RunOn(const BrokerAddress& address, LinkRole& role, bool reconnecting);
  // Where to go after losing a connection: a redirect's target first, then the advertised
  // failover list, then the configured brokers.
  std::vector<BrokerAddress> Candidates(const ConnectionAttempt& lost) const;

  ConnectionSettings settings_;
  std::string broker_;
  bool opened_ = false;
  std::string failure_;
  int64_t lost_nanos_ = 0;  // when the last connection was lost (reconnect notices)
};

}  // namespace qpidd::tools
