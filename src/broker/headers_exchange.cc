#include "broker/headers_exchange.h"

#include <algorithm>
#include <mutex>
#include <tuple>

namespace qpidd::broker {
namespace {

constexpr std::string_view kMatchArgument = "x-match";

// `out` may hold queues routed to by other exchanges before this one was asked.
bool AlreadyIn(const std::vector<QueuePtr>& out, size_t count, const QueuePtr& queue) {
  return std::find(out.begin(), out.begin() + count, queue) != out.begin() + count;
}

bool PropertyMatches(const Message& message, const std::string& name, const Value& expected) {
  const Value* actual = message.ApplicationProperty(name);
  if (actual == nullptr) return false;
  return std::holds_alternative<std::monostate>(expected) || ValuesEqual(*actual, expected);
}

}  // namespace

bool HeadersExchange::Binding::Matches(const Message& message) const {
  auto property_matches = [&](const std::pair<std::string, Value>& m) {
    return PropertyMatches(message, m.first, m.second);
  };
  // As in qpidd: `all` with nothing to match takes every message, `any` takes none.
  return match_any ? std::any_of(match.begin(), match.end(), property_matches)
                   : std::all_of(match.begin(), match.end(), property_matches);
}

Status HeadersExchange::Bind(const QueuePtr& queue, const std::string& key, const Arguments& args) {
  Binding binding{key, args, false, {}};
  for (const auto& [arg, value] : args) {
    if (arg == kMatchArgument) {
      const auto* mode = std::get_if<std::string>(&value);
      if (mode != nullptr && *mode == "any") {
        binding.match_any = true;
      } else if (mode == nullptr || *mode != "all") {
        return Status::InvalidArgument("cannot bind queue '" + queue->name() + "' to exchange '" +
                                       name() + "': invalid value " + ToString(value) +
                                       " for x-match: expected all or any");
      }
    } else if (!arg.starts_with("x-")) {
      binding.match.emplace_back(arg, value);
    }
  }

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
  // A second bind of (queue, key) is a no-op even with other arguments, as Exchange::Bind
  // promises; qpidd 0-10 replaced the arguments instead.
  if (std::none_of(bindings.begin(), bindings.end(),
                   [&](const Binding& b) { return b.key == key; })) {
    bindings.push_back(std::move(binding));
  }
  return Status::Ok();
}

Status HeadersExchange::Unbind(const std::string& queue, const std::string& key) {
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

void HeadersExchange::RemoveQueue(const std::string& queue) {
  std::unique_lock lock(mutex_);
  std::erase_if(queues_, [&](const QueueBindings& q) { return q.queue->name() == queue; });
}

void HeadersExchange::Route(const Message& message, std::string_view /*routing_key*/,
                            std::vector<QueuePtr>& out) const {
  std::shared_lock lock(mutex_);
  const size_t given = out.size();
  for (const QueueBindings& q : queues_) {
    if (q.queue->deleted()) continue;
    bool matched = std::any_of(q.bindings.begin(), q.bindings.end(),
                               [&](const Binding& b) { return b.Matches(message); });
    if (matched && !AlreadyIn(out, given, q.queue)) out.push_back(q.queue);
  }
}

std::vector<BindingInfo> HeadersExchange::Bindings() const {
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
