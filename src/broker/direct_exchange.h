// The direct exchange: a message goes to the queues bound with a key equal to its routing key.
#pragma once

#include <functional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "broker/exchange.h"

namespace qpidd::broker {

// Thread-safe: Route and Bindings share a reader lock; binding changes take it exclusively.
class DirectExchange final : public Exchange {
 public:
  DirectExchange(std::string name, ExchangeSettings settings, bool builtin)
      : Exchange(std::move(name), std::move(settings), builtin) {}

  std::string_view type() const override { return "direct"; }
  Status Bind(const QueuePtr& queue, const std::string& key, const Arguments& args) override;
  Status Unbind(const std::string& queue, const std::string& key) override;
  void RemoveQueue(const std::string& queue) override;
  void Route(const Message& message, std::string_view routing_key,
             std::vector<QueuePtr>& out) const override;
  std::vector<BindingInfo> Bindings() const override;

 private:
  struct Binding {
    QueuePtr queue;       // shared with the registry and every other binding of the queue
    Arguments arguments;  // not used for routing; kept for management and replication
  };
  // Lets Route look a string_view up without making a std::string.
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };

  mutable std::shared_mutex mutex_;
  // By key; each queue at most once per key. Protected by mutex_.
  std::unordered_map<std::string, std::vector<Binding>, KeyHash, std::equal_to<>> bindings_;
};

}  // namespace qpidd::broker
