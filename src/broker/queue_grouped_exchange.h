// What the exchange types share: the helpers every Route, Unbind and Bindings needs, and
// QueueGroupedExchange, the binding store of the exchanges that test each binding per message
// (fanout, topic, headers). Internal to the broker; users see only exchange.h.
#pragma once

#include <algorithm>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/exchange.h"

namespace qpidd::broker {

// True if `queue` is among the first `count` queues of `out`: Route must not add a queue twice,
// and `out` may hold queues routed to by other exchanges before this one was asked.
inline bool AlreadyRouted(const std::vector<QueuePtr>& out, size_t count, const QueuePtr& queue) {
  return std::find(out.begin(), out.begin() + count, queue) != out.begin() + count;
}

// The NotFound that Unbind promises, naming exchange, queue and key.
Status NotBound(const std::string& exchange, const std::string& queue, const std::string& key);

// Orders a Bindings() listing by (queue, key): the stores have no order of their own and
// management listings should be stable.
void SortBindings(std::vector<BindingInfo>& bindings);

// Bindings grouped by queue, so routing visits each queue once however many of its bindings
// match, and stops at its first matching one. `Matcher` holds what a binding matches on and has
//   bool Matches(const Message& message, std::string_view routing_key) const;
// a template rather than a virtual so the per-message path stays inlined for the cheap matchers.
// Thread-safe: Route and Bindings share a reader lock; binding changes take it exclusively.
template <typename Matcher>
class QueueGroupedExchange : public Exchange {
 public:
  // Not bound: NotFound naming exchange, queue and key.
  Status Unbind(const std::string& queue, const std::string& key) override {
    return RemoveBinding(queue, key) ? Status::Ok() : NotBound(name(), queue, key);
  }
  void RemoveQueue(const std::string& queue) override;
  void Route(const Message& message, std::string_view routing_key,
             std::vector<QueuePtr>& out) const override;
  std::vector<BindingInfo> Bindings() const override;

 protected:
  QueueGroupedExchange(std::string name, ExchangeSettings settings, bool builtin)
      : Exchange(std::move(name), std::move(settings), builtin) {}

  // For Bind, once `key` and `args` are validated into `matcher` (outside the lock, so routing
  // need not wait for that). A second (queue, key) is a no-op, even with other arguments.
  Status AddBinding(const QueuePtr& queue, std::string key, const Arguments& args,
                    Matcher matcher);
  // False if `queue` has no binding under `key`.
  bool RemoveBinding(const std::string& queue, std::string_view key);

 private:
  struct Binding {
    std::string key;      // identifies the binding among its queue's
    Arguments arguments;  // as bound, for management and replication
    Matcher matcher;
  };
  struct QueueBindings {
    QueuePtr queue;  // shared with the registry and the other exchanges it is bound to
    std::vector<Binding> bindings;  // never empty
  };

  mutable std::shared_mutex mutex_;
  // Every binding may be tried per message, fine for the tens of bindings an exchange usually
  // has; an index (e.g. a trie of topic words) would go here when counts grow to thousands.
  std::vector<QueueBindings> queues_;  // protected by mutex_
};

template <typename Matcher>
Status QueueGroupedExchange<Matcher>::AddBinding(const QueuePtr& queue, std::string key,
                                                 const Arguments& args, Matcher matcher) {
  std::unique_lock lock(mutex_);
  auto entry = std::find_if(queues_.begin(), queues_.end(), [&](const QueueBindings& q) {
    return q.queue->name() == queue->name();
  });
  if (entry == queues_.end()) {
    queues_.push_back({queue, {}});
    entry = std::prev(queues_.end());
  } else if (entry->queue != queue) {
    // The same name on another Queue object: the old one was deleted and its bindings not yet
    // removed. They were never the new queue's, so they go.
    entry->queue = queue;
    entry->bindings.clear();
  }
  auto& bindings = entry->bindings;
  if (std::none_of(bindings.begin(), bindings.end(),
                   [&](const Binding& b) { return b.key == key; })) {
    bindings.push_back(Binding{std::move(key), args, std::move(matcher)});
  }
  return Status::Ok();
}

template <typename Matcher>
bool QueueGroupedExchange<Matcher>::RemoveBinding(const std::string& queue, std::string_view key) {
  std::unique_lock lock(mutex_);
  auto entry = std::find_if(queues_.begin(), queues_.end(),
                            [&](const QueueBindings& q) { return q.queue->name() == queue; });
  if (entry == queues_.end()) return false;
  auto& bindings = entry->bindings;
  auto found = std::find_if(bindings.begin(), bindings.end(),
                            [&](const Binding& b) { return b.key == key; });
  if (found == bindings.end()) return false;
  bindings.erase(found);
  if (bindings.empty()) queues_.erase(entry);
  return true;
}

template <typename Matcher>
void QueueGroupedExchange<Matcher>::RemoveQueue(const std::string& queue) {
  std::unique_lock lock(mutex_);
  std::erase_if(queues_, [&](const QueueBindings& q) { return q.queue->name() == queue; });
}

template <typename Matcher>
void QueueGroupedExchange<Matcher>::Route(const Message& message, std::string_view routing_key,
                                          std::vector<QueuePtr>& out) const {
  std::shared_lock lock(mutex_);
  const size_t given = out.size();
  for (const QueueBindings& q : queues_) {
    if (q.queue->deleted()) continue;
    bool matched = std::any_of(q.bindings.begin(), q.bindings.end(), [&](const Binding& b) {
      return b.matcher.Matches(message, routing_key);
    });
    if (matched && !AlreadyRouted(out, given, q.queue)) out.push_back(q.queue);
  }
}

template <typename Matcher>
std::vector<BindingInfo> QueueGroupedExchange<Matcher>::Bindings() const {
  std::vector<BindingInfo> out;
  {
    std::shared_lock lock(mutex_);
    for (const QueueBindings& q : queues_) {
      for (const Binding& b : q.bindings) {
        out.push_back({name(), q.queue->name(), b.key, b.arguments});
      }
    }
  }
  SortBindings(out);
  return out;
}

}  // namespace qpidd::broker
