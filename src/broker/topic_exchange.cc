#include "broker/topic_exchange.h"

#include <utility>

namespace qpidd::broker {

Status TopicExchange::Bind(const QueuePtr& queue, const std::string& key, const Arguments& args) {
  // Compiled before the lock is taken: routing need not wait for it.
  Result<TopicPattern> pattern = TopicPattern::Compile(key);
  if (!pattern.ok()) {
    return Status::InvalidArgument("cannot bind queue '" + queue->name() + "' to exchange '" +
                                   name() + "': " + pattern.status().message());
  }
  // The normalised text is the key; copied first, as the pattern moves into the matcher.
  std::string text = pattern.value().text();
  return AddBinding(queue, std::move(text), args, TopicMatcher{std::move(pattern).value()});
}

Status TopicExchange::Unbind(const std::string& queue, const std::string& key) {
  Result<TopicPattern> pattern = TopicPattern::Compile(key);
  // A key that does not compile was never bound either.
  if (pattern.ok() && RemoveBinding(queue, pattern.value().text())) return Status::Ok();
  return NotBound(name(), queue, key);
}

}  // namespace qpidd::broker
