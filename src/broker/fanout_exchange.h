// The fanout exchange: a message goes to every bound queue; keys are ignored for routing (a queue
// may still be bound under several keys, each a binding of its own).
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "broker/exchange.h"
#include "broker/queue_grouped_exchange.h"

namespace qpidd::broker {

// Every binding matches every message.
struct FanoutMatcher {
  bool Matches(const Message& /*message*/, std::string_view /*routing_key*/) const { return true; }
};

// Thread-safe: Route and Bindings share a reader lock; binding changes take it exclusively.
class FanoutExchange final : public QueueGroupedExchange<FanoutMatcher> {
 public:
  FanoutExchange(std::string name, ExchangeSettings settings, bool builtin)
      : QueueGroupedExchange(std::move(name), std::move(settings), builtin) {}

  std::string_view type() const override { return "fanout"; }
  Status Bind(const QueuePtr& queue, const std::string& key, const Arguments& args) override;
};

}  // namespace qpidd::broker
