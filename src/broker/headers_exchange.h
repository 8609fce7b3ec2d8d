// The headers exchange: a message goes to the queues whose binding arguments match its
// application properties. `x-match` is `all` (the default: every argument must match) or `any`
// (one is enough). Arguments named `x-...` are directives, not matched on. An argument with a
// null value matches when the property is present with any value; other values must equal the
// property's, numbers comparing by number (ValuesEqual). The routing key is not used for
// matching, but it names the binding: one queue bound under two keys has two bindings.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/exchange.h"
#include "broker/queue_grouped_exchange.h"

namespace qpidd::broker {

// A binding's parsed arguments, matched against the message's application properties.
struct HeadersMatcher {
  bool match_any = false;
  std::vector<std::pair<std::string, Value>> match;  // the arguments matched on
  bool Matches(const Message& message, std::string_view routing_key) const;
};

// Thread-safe: Route and Bindings share a reader lock; binding changes take it exclusively.
class HeadersExchange final : public QueueGroupedExchange<HeadersMatcher> {
 public:
  HeadersExchange(std::string name, ExchangeSettings settings, bool builtin)
      : QueueGroupedExchange(std::move(name), std::move(settings), builtin) {}

  std::string_view type() const override { return "headers"; }
  // An `x-match` other than "all" or "any" is InvalidArgument naming it.
  Status Bind(const QueuePtr& queue, const std::string& key, const Arguments& args) override;
};

}  // namespace qpidd::broker
