// The broker's registry of queues, exchanges and bindings, and the one place configuration
// changes go through (so observers see every change). Thread-safe: connections on every worker
// loop call it. The registry lock is held only to look up or change the maps, never while a
// message is enqueued.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <variant>
#include <vector>

#include "broker/broker_observer.h"
#include "broker/connection_registry.h"
#include "broker/exchange.h"
#include "broker/queue.h"
#include "common/status.h"
#include "common/timer_thread.h"

namespace qpidd::broker {

struct BrokerConfig {
  std::string id;                    // unique per broker process (a UUID), for management
  uint64_t default_queue_limit = 0;  // bytes a queue may hold unless it sets qpid.max_size; 0: none
  uint32_t flow_stop_percent = 80;   // of a reject queue's limits, unless it sets its own (0: none)
  uint32_t flow_resume_percent = 70;
  uint32_t queue_purge_interval_s = 600;  // sweep of expired messages (0: only when met)
  uint32_t max_connections = 0;      // 0 = none
};

// What an address names: a queue, an exchange, or nothing.
using Node = std::variant<std::monostate, QueuePtr, ExchangePtr>;

class Broker {
 public:
  explicit Broker(BrokerConfig config);
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  const BrokerConfig& config() const { return config_; }
  static const char* Version();

  // Creating a queue or exchange that exists returns the existing one with *created = false
  // (a declare, not an error). A bad name or bad arguments is an error naming it.
  Result<QueuePtr> CreateQueue(const std::string& name, QueueSettings settings, bool* created);
  QueuePtr FindQueue(const std::string& name) const;
  // Deletes the queue and its bindings; consumers are detached. NotFound names it. With
  // `expected`, only that very queue is deleted (not a later one of the same name).
  Status DeleteQueue(const std::string& name, const Queue* expected = nullptr);
  std::vector<QueuePtr> Queues() const;
  // Called when an auto-delete queue lost its last consumer: deletes it now, or after its
  // qpid.auto_delete_timeout if it still has no consumer then.
  void ReleaseAutoDelete(const QueuePtr& queue);

  Result<ExchangePtr> CreateExchange(const std::string& name, std::string_view type,
                                     ExchangeSettings settings, bool* created);
  ExchangePtr FindExchange(const std::string& name) const;
  // Built-in exchanges, and exchanges some queue or exchange uses as its alternate, cannot be
  // deleted (PreconditionFailed, naming the user).
  Status DeleteExchange(const std::string& name);
  std::vector<ExchangePtr> Exchanges() const;

  Status Bind(const std::string& exchange, const std::string& queue, const std::string& key,
              const Arguments& arguments);
  Status Unbind(const std::string& exchange, const std::string& queue, const std::string& key);
  std::vector<BindingInfo> Bindings() const;

  // An address names a queue first, then an exchange.
  Node Resolve(const std::string& address) const;

  // Routes through `exchange` by the message's subject and enqueues on every match. Returns the
  // number of queues the message went to. A message no binding matches goes to the exchange's
  // alternate exchange if it has one, else it is dropped (as AMQP 0-10 qpidd does).
  // `refused` (may be null) gets the first refusal of a full queue (ResourceLimit naming it):
  // the publisher is then rejected, though other matching queues may hold the message.
  size_t Route(const Exchange& exchange, const MessagePtr& message, PublishContext* context,
               Status* refused = nullptr);

  // With `replay`, the observer is first told of every existing exchange (each after its
  // alternate), queue and binding as if just made, with changes held off meanwhile: it then
  // sees the whole configuration with no gap and no duplicate.
  void AddConfigurationObserver(std::shared_ptr<ConfigurationObserver> observer,
                                bool replay = false);
  void RemoveConfigurationObserver(const ConfigurationObserver* observer);
  void SetConnectionAdmission(std::shared_ptr<ConnectionAdmission> admission);
  // Admit unless an admission policy is installed and says otherwise.
  AdmissionVerdict AdmitConnection(const ConnectionInfo& info) const;

  ConnectionRegistry& connections() { return connections_; }

  // Unique names for dynamic nodes and private subscription queues.
  std::string NewTemporaryName(std::string_view prefix);

 private:
  std::vector<std::shared_ptr<ConfigurationObserver>> ObserversCopy() const;
  std::vector<ExchangePtr> ExchangesInDependencyOrder() const;
  // Sends messages that left `queue` for `why` through `alternate`.
  void RouteDeadLetters(const std::string& alternate, const std::string& queue,
                        const std::vector<MessagePtr>& messages, std::string_view why);
  size_t RouteVia(const Exchange& exchange, const MessagePtr& message, PublishContext* context,
                  Status* refused, int hops);
  // Names the queue or exchange that uses `exchange` as its alternate, or "".
  std::string AlternateUser(const std::string& exchange) const;  // REQUIRES: mutex_ held
  void DeclareBuiltinExchanges();

  const BrokerConfig config_;
  ConnectionRegistry connections_;

  // Held across each configuration change and the observer calls that report it, so observers
  // see changes in the order they happened (HA replays them on backups). Changes are rare;
  // the data path never takes it. Lock order: change_mutex_, then mutex_.
  std::mutex change_mutex_;

  mutable std::shared_mutex mutex_;
  // State below is protected by mutex_.
  std::map<std::string, QueuePtr, std::less<>> queues_;
  std::map<std::string, ExchangePtr, std::less<>> exchanges_;
  std::vector<std::shared_ptr<ConfigurationObserver>> observers_;
  std::shared_ptr<ConnectionAdmission> admission_;

  std::atomic<uint64_t> temporary_counter_{0};

  // Lets queues' dead-letter handlers reach the broker while it lives, and find it gone after.
  struct Lifeline {
    explicit Lifeline(Broker* b) : broker(b) {}
    std::shared_mutex mutex;
    Broker* broker;  // null once the broker is gone; guarded by mutex
  };
  std::shared_ptr<Lifeline> lifeline_;

  // Last, so it stops first: its tasks use everything above.
  TimerThread timer_;
};

}  // namespace qpidd::broker
