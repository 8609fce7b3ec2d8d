// The interface the HA module (and nothing else in the core) uses to watch and steer the broker.
// The broker core knows nothing of HA: it only calls these hooks.
#pragma once

#include <string>

#include "broker/exchange.h"
#include "broker/queue.h"
#include "common/status.h"

namespace qpidd::broker {

// Configuration changes, called after the change is made, in the order the changes happened,
// on the thread that made it. IMPORTANT: calls are serialised by the broker; an observer must
// not change the broker's configuration from inside a call (post to its own loop instead).
class ConfigurationObserver {
 public:
  virtual ~ConfigurationObserver() = default;
  virtual void OnQueueCreated(const QueuePtr& queue) = 0;
  virtual void OnQueueDeleted(const QueuePtr& queue) = 0;
  virtual void OnExchangeCreated(const ExchangePtr& exchange) = 0;
  virtual void OnExchangeDeleted(const ExchangePtr& exchange) = 0;
  virtual void OnBind(const BindingInfo& binding) = 0;
  virtual void OnUnbind(const BindingInfo& binding) = 0;
};

// What the broker knows of a connection when it is opened by the peer.
struct ConnectionInfo {
  uint64_t id = 0;
  std::string remote_address;   // "host:port"
  std::string container_id;
  std::string user;             // authenticated identity ("anonymous" without auth)
  bool admin = false;           // the peer's open properties carry qpid.ha-admin = true
  bool backup_link = false;     // the peer's open properties say it is a replicating backup
};

// Admits or refuses a connection once its AMQP open arrives. A refusal drops the transport (so
// stock clients go on to the next address of their list) and is logged with the status text.
class ConnectionAdmission {
 public:
  virtual ~ConnectionAdmission() = default;
  virtual Status Admit(const ConnectionInfo& info) = 0;
};

}  // namespace qpidd::broker
