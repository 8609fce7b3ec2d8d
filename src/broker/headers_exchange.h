// The headers exchange: a message goes to the queues whose binding arguments match its
// application properties. `x-match` is `all` (the default: every argument must match) or `any`
// (one is enough). Arguments named `x-...` are directives, not matched on. An argument with a
// null value matches when the property is present with any value; other values must equal the
// property's, numbers comparing by number (ValuesEqual). The routing key is not used for
// matching, but it names the binding: one queue bound under two keys has two bindings.
#pragma once

#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/exchange.h"

namespace qpidd::broker {

// Thread-safe: Route and Bindings share a reader lock; binding changes take it exclusively.
class HeadersExchange final : public Exchange {
 public:
  HeadersExchange(std::string name, ExchangeSettings settings, bool builtin)
      : Exchange(std::move(name), std::move(settings), builtin) {}

  std::string_view type() const override { return "headers"; }
  // An `x-match` other than "all" or "any" is InvalidArgument naming it.
  Status Bind(const QueuePtr& queue, const std::string& key, const Arguments& args) override;
  Status Unbind(const std::string& queue, const std::string& key) override;
  void RemoveQueue(const std::string& queue) override;
  void Route(const Message& message, std::string_view routing_key,
             std::vector<QueuePtr>& out) const override;
  std::vector<BindingInfo> Bindings() const override;

 private:
  struct Binding {
    std::string key;
    Arguments arguments;  // as bound, for management and replication
    bool match_any = false;
    std::vector<std::pair<std::string, Value>> match;  // the arguments matched on
    bool Matches(const Message& message) const;
  };
  // Bindings grouped by queue: routing stops at a queue's first matching binding.
  struct QueueBindings {
    QueuePtr queue;  // shared with the registry and the other exchanges it is bound to
    std::vector<Binding> bindings;  // never empty
  };

  mutable std::shared_mutex mutex_;
  std::vector<QueueBindings> queues_;  // protected by mutex_
};

}  // namespace qpidd::broker
