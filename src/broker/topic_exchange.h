// The topic exchange: a message goes to the queues bound with a pattern (see topic_pattern.h)
// that matches its routing key. Patterns are normalised when bound, and the normalised pattern is
// the binding's key: "a.#.#" and "a.#" are one binding, listed as "a.#", as in qpidd.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "broker/exchange.h"
#include "broker/queue_grouped_exchange.h"
#include "broker/topic_pattern.h"

namespace qpidd::broker {

// A binding's compiled pattern, matched against the routing key.
struct TopicMatcher {
  TopicPattern pattern;
  bool Matches(const Message& /*message*/, std::string_view routing_key) const {
    return pattern.Matches(routing_key);
  }
};

// Thread-safe: Route and Bindings share a reader lock; binding changes take it exclusively.
// Every binding is tried per message; see QueueGroupedExchange for when that needs a trie.
class TopicExchange final : public QueueGroupedExchange<TopicMatcher> {
 public:
  TopicExchange(std::string name, ExchangeSettings settings, bool builtin)
      : QueueGroupedExchange(std::move(name), std::move(settings), builtin) {}

  std::string_view type() const override { return "topic"; }
  // A pattern longer than TopicPattern::kMaxLength is InvalidArgument.
  Status Bind(const QueuePtr& queue, const std::string& key, const Arguments& args) override;
  // `key` is normalised before it is looked up, so any spelling of the bound pattern unbinds it.
  Status Unbind(const std::string& queue, const std::string& key) override;
};

}  // namespace qpidd::broker
