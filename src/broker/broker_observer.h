// The interface the HA module (and nothing else in the core) uses to watch and steer the broker.
// The broker core knows nothing of HA: it only calls these hooks.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

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
  // Before a queue or exchange is made, with the change serialised: may add arguments to the
  // settings, or refuse the creation (the error goes to whoever asked for it). Not called for
  // an object that exists already (a declare of it changes nothing).
  virtual Status PrepareQueue(const std::string& /*name*/, QueueSettings& /*settings*/) {
    return Status::Ok();
  }
  virtual Status PrepareExchange(const std::string& /*name*/, std::string_view /*type*/,
                                 ExchangeSettings& /*settings*/) {
    return Status::Ok();
  }
  // Before a queue or exchange is deleted, or a binding made or removed, with the change
  // serialised: may refuse it (the error goes to whoever asked). Not called when the change
  // would fail anyway (no such object). RequestScope::Current() says who asked, if anyone.
  virtual Status PrepareDeleteQueue(const QueuePtr& /*queue*/) { return Status::Ok(); }
  virtual Status PrepareDeleteExchange(const ExchangePtr& /*exchange*/) { return Status::Ok(); }
  virtual Status PrepareBind(const BindingInfo& /*binding*/) { return Status::Ok(); }
  virtual Status PrepareUnbind(const BindingInfo& /*binding*/) { return Status::Ok(); }
  // A new queue, before anyone else can reach it: an observer added here sees its first message.
  virtual void InitQueue(const QueuePtr& /*queue*/) {}
  virtual void OnQueueCreated(const QueuePtr& queue) = 0;
  virtual void OnQueueDeleted(const QueuePtr& queue) = 0;
  virtual void OnExchangeCreated(const ExchangePtr& exchange) = 0;
  virtual void OnExchangeDeleted(const ExchangePtr& exchange) = 0;
  virtual void OnBind(const BindingInfo& binding) = 0;
  virtual void OnUnbind(const BindingInfo& binding) = 0;
  // After a replay (Broker::AddConfigurationObserver with replay), before any later change.
  virtual void OnReplayDone() {}
};

// What the broker knows of a connection when it is opened by the peer.
struct ConnectionInfo {
  uint64_t id = 0;
  std::string remote_address;   // "host:port"
  std::string container_id;
  std::string user;             // authenticated identity ("anonymous" without auth)
  bool admin = false;           // the peer's open properties carry qpid.ha-admin = true
  bool backup_link = false;     // the peer's open properties say it is a replicating backup
  Arguments peer_properties;    // every scalar of the peer's open properties
};

// What becomes of a connection once its AMQP open arrives.
struct AdmissionVerdict {
  enum class Action {
    kAdmit,
    // Drop the transport without an AMQP close, so stock clients go on to the next address of
    // their list (after a close they would stop).
    kDrop,
    // Answer the open, then close with `condition` and `reason` (for peers that read it).
    kClose,
  };
  Action action = Action::kAdmit;
  std::string condition;           // kClose
  std::string reason;              // kDrop, kClose: logged, and the close's description
  Arguments open_properties;       // added to our open properties (kAdmit, kClose)
  // Added to our open properties as lists of maps with symbol keys (kAdmit), such as
  // failover-server-list, the addresses a failover-aware client may use after this one.
  std::map<std::string, std::vector<Arguments>> open_list_properties;
  uint32_t idle_timeout_ms = 0;    // non-zero: the idle-timeout we ask of this peer
  bool exempt_from_limit = false;  // not refused by --max-connections (administrators)
};

// Decides on each connection once its AMQP open arrives.
class ConnectionAdmission {
 public:
  virtual ~ConnectionAdmission() = default;
  virtual AdmissionVerdict Admit(const ConnectionInfo& info) = 0;
};

}  // namespace qpidd::broker
