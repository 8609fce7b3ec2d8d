#include "broker/direct_exchange.h"

#include <algorithm>
#include <mutex>

#include "broker/queue_grouped_exchange.h"

namespace qpidd::broker {

Status DirectExchange::Bind(const QueuePtr& queue, const std::string& key, const Arguments& args) {
  std::unique_lock lock(mutex_);
  std::vector<Binding>& bound = bindings_[key];
  for (Binding& b : bound) {
    if (b.queue->name() != queue->name()) continue;
    // The same name on another Queue object: the old one was deleted and its bindings not yet
    // removed. The new queue takes the binding over.
    if (b.queue != queue) b = Binding{queue, args};
    return Status::Ok();
  }
  bound.push_back(Binding{queue, args});
  return Status::Ok();
}

Status DirectExchange::Unbind(const std::string& queue, const std::string& key) {
  std::unique_lock lock(mutex_);
  if (auto it = bindings_.find(key); it != bindings_.end()) {
    std::vector<Binding>& bound = it->second;
    auto found = std::find_if(bound.begin(), bound.end(),
                              [&](const Binding& b) { return b.queue->name() == queue; });
    if (found != bound.end()) {
      bound.erase(found);
      if (bound.empty()) bindings_.erase(it);
      return Status::Ok();
    }
  }
  return NotBound(name(), queue, key);
}

void DirectExchange::RemoveQueue(const std::string& queue) {
  std::unique_lock lock(mutex_);
  for (auto it = bindings_.begin(); it != bindings_.end();) {
    std::erase_if(it->second, [&](const Binding& b) { return b.queue->name() == queue; });
    it = it->second.empty() ? bindings_.erase(it) : std::next(it);
  }
}

void DirectExchange::Route(const Message& /*message*/, std::string_view routing_key,
                           std::vector<QueuePtr>& out) const {
  std::shared_lock lock(mutex_);
  auto it = bindings_.find(routing_key);
  if (it == bindings_.end()) return;
  const size_t given = out.size();
  for (const Binding& b : it->second) {
    if (b.queue->deleted() || AlreadyRouted(out, given, b.queue)) continue;
    out.push_back(b.queue);
  }
}

std::vector<BindingInfo> DirectExchange::Bindings() const {
  std::vector<BindingInfo> out;
  {
    std::shared_lock lock(mutex_);
    for (const auto& [key, bound] : bindings_) {
      for (const Binding& b : bound) out.push_back({name(), b.queue->name(), key, b.arguments});
    }
  }
  SortBindings(out);
  return out;
}

}  // namespace qpidd::broker
