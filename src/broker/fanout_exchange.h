// The fanout exchange: a message goes to every bound queue; keys are ignored for routing (a queue
// may still be bound under several keys, each a binding of its own).
#pragma once

#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/exchange.h"

namespace qpidd::broker {

// Thread-safe: Route and Bindings share a reader lock; binding changes take it exclusively.
class FanoutExchange final : public Exchange {
 public:
  FanoutExchange(std::string name, ExchangeSettings settings, bool builtin)
      : Exchange(std::move(name), std::move(settings), builtin) {}

  std::string_view type() const override { return "fanout"; }
  Status Bind(const QueuePtr& queue, const std::string& key, const Arguments& args) override;
  Status Unbind(const std::string& queue, const std::string& key) override;
  void RemoveQueue(const std::string& queue) override;
  void Route(const Message& message, std::string_view routing_key,
             std::vector<QueuePtr>& out) const override;
  std::vector<BindingInfo> Bindings() const override;

 private:
  struct Binding {
    std::string key;
    Arguments arguments;  // kept for management and replication
  };
  // Bindings grouped by queue, so routing visits each queue once however often it is bound.
  struct QueueBindings {
    QueuePtr queue;  // shared with the registry and the other exchanges it is bound to
    std::vector<Binding> bindings;  // never empty
  };

  mutable std::shared_mutex mutex_;
  std::vector<QueueBindings> queues_;  // protected by mutex_
};

}  // namespace qpidd::broker
