#include "broker/fanout_exchange.h"

#include <algorithm>
#include <mutex>
#include <tuple>

namespace qpidd::broker {
namespace {

// `out` may hold queues routed to by other exchanges before this one was asked.
bool AlreadyIn(const std::vector<QueuePtr>& out, size_t count, const QueuePtr& queue) {
  return std::find(out.begin(), out.begin() + count, queue) != out.begin() + count;
}

}  // namespace

Status FanoutExchange::Bind(const QueuePtr& queue, const std::string& key, const Arguments& args) {
  std::unique_lock lock(mutex_);
  auto entry = std::find_if(queues_.begin(), queues_.end(), [&](const QueueBindings& q) {
    return q.queue->name() == queue->name();
  });
  if (entry == queues_.end()) {
    queues_.push_back({queue, {Binding{key, args}}});
    return Status::Ok();
  }
  if (entry->queue != queue) {
    // The same name on another Queue object: the old one was deleted and its bindings not yet
    // removed. They were never the new queue's, so they go.
    entry->queue = queue;
    entry->bindings.clear();
  }
  auto& bindings = entry->bindings;
  if (std::none_of(bindings.begin(), bindings.end(),
                   [&](const Binding& b) { return b.key == key; })) {
    bindings.push_back(Binding{key, args});
  }
  return Status::Ok();
}

Status FanoutExchange::Unbind(const std::string& queue, const std::string& key) {
  std::unique_lock lock(mutex_);
  auto entry = std::find_if(queues_.begin(), queues_.end(),
                            [&](const QueueBindings& q) { return q.queue->name() == queue; });
  if (entry != queues_.end()) {
    auto& bindings = entry->bindings;
    auto found = std::find_if(bindings.begin(), bindings.end(),
                              [&](const Binding& b) { return b.key == key; });
    if (found != bindings.end()) {
      bindings.erase(found);
      if (bindings.empty()) queues_.erase(entry);
      return Status::Ok();
    }
  }
  return Status::NotFound("queue '" + queue + "' is not bound to exchange '" + name() +
                          "' with key '" + key + "'");
}

void FanoutExchange::RemoveQueue(const std::string& queue) {
  std::unique_lock lock(mutex_);
  std::erase_if(queues_, [&](const QueueBindings& q) { return q.queue->name() == queue; });
}

void FanoutExchange::Route(const Message& /*message*/, std::string_view /*routing_key*/,
                           std::vector<QueuePtr>& out) const {
  std::shared_lock lock(mutex_);
  const size_t given = out.size();
  for (const QueueBindings& q : queues_) {
    if (q.queue->deleted() || AlreadyIn(out, given, q.queue)) continue;
    out.push_back(q.queue);
  }
}

std::vector<BindingInfo> FanoutExchange::Bindings() const {
  std::vector<BindingInfo> out;
  {
    std::shared_lock lock(mutex_);
    for (const QueueBindings& q : queues_) {
      for (const Binding& b : q.bindings) {
        out.push_back({name(), q.queue->name(), b.key, b.arguments});
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const BindingInfo& a, const BindingInfo& b) {
    return std::tie(a.queue, a.key) < std::tie(b.queue, b.key);
  });
  return out;
}

}  // namespace qpidd::broker
