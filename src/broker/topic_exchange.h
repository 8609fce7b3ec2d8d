// The topic exchange: a message goes to the queues bound with a pattern (see topic_pattern.h)
// that matches its routing key. Patterns are normalised when bound, and the normalised pattern is
// the binding's key: "a.#.#" and "a.#" are one binding, listed as "a.#", as in qpidd.
#pragma once

#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/exchange.h"
#include "broker/topic_pattern.h"

namespace qpidd::broker {

// Thread-safe: Route and Bindings share a reader lock; binding changes take it exclusively.
class TopicExchange final : public Exchange {
 public:
  TopicExchange(std::string name, ExchangeSettings settings, bool builtin)
      : Exchange(std::move(name), std::move(settings), builtin) {}

  std::string_view type() const override { return "topic"; }
  // A pattern longer than TopicPattern::kMaxLength is InvalidArgument.
  Status Bind(const QueuePtr& queue, const std::string& key, const Arguments& args) override;
  // `key` is normalised before it is looked up, so any spelling of the bound pattern unbinds it.
  Status Unbind(const std::string& queue, const std::string& key) override;
  void RemoveQueue(const std::string& queue) override;
  void Route(const Message& message, std::string_view routing_key,
             std::vector<QueuePtr>& out) const override;
  std::vector<BindingInfo> Bindings() const override;

 private:
  struct Binding {
    TopicPattern pattern;
    Arguments arguments;  // kept for management and replication
  };
  // Bindings grouped by queue: routing stops at a queue's first matching pattern, so a queue is
  // found once however many of its patterns match.
  struct QueueBindings {
    QueuePtr queue;  // shared with the registry and the other exchanges it is bound to
    std::vector<Binding> bindings;  // never empty
  };

  mutable std::shared_mutex mutex_;
  // Every binding is tried per message, which is fine for the tens of bindings an exchange
  // usually has. When binding counts grow (thousands of subscribers), this is where a trie of
  // pattern words goes, as qpidd's TopicKeyNode does, so a message walks only the branches its
  // key's words select.
  std::vector<QueueBindings> queues_;  // protected by mutex_
};

}  // namespace qpidd::broker
