// Exchanges route a message to the queues bound to them. Bindings change rarely and routing
// happens per message, so each exchange guards its bindings with a shared (reader/writer) lock.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "broker/message.h"
#include "broker/queue.h"
#include "broker/value.h"
#include "common/status.h"

namespace qpidd::broker {

struct BindingInfo {
  std::string exchange;
  std::string queue;
  std::string key;
  Arguments arguments;
};

struct ExchangeSettings {
  bool durable = false;
  bool auto_delete = false;
  ReplicationLevel replicate = ReplicationLevel::kUnset;
  std::string alternate_exchange;  // alternate-exchange: where messages no binding matches go
  Arguments arguments;
};

// Reads the arguments the broker understands (qpid.replicate, alternate-exchange) into the
// settings; a bad value is an error naming it.
Status ApplyExchangeArguments(ExchangeSettings& settings);

class Exchange {
 public:
  virtual ~Exchange() = default;

  const std::string& name() const { return name_; }
  const ExchangeSettings& settings() const { return settings_; }
  // "direct", "topic", "fanout" or "headers".
  virtual std::string_view type() const = 0;
  // The built-in amq.* exchanges are never deleted or replicated.
  bool builtin() const { return builtin_; }

  // Binding the same (queue, key) twice is a no-op success, as in AMQP 0-10 qpidd. A bad key or
  // bad arguments (e.g. headers x-match not all/any) is an error naming it.
  virtual Status Bind(const QueuePtr& queue, const std::string& key, const Arguments& args) = 0;
  // Not bound: NotFound naming exchange, queue and key.
  virtual Status Unbind(const std::string& queue, const std::string& key) = 0;
  // Drops every binding to `queue` (it is being deleted).
  virtual void RemoveQueue(const std::string& queue) = 0;

  // Appends each matching queue once to `out` (which may already hold queues from elsewhere;
  // no queue is appended twice). `routing_key` is the message's subject.
  virtual void Route(const Message& message, std::string_view routing_key,
                     std::vector<QueuePtr>& out) const = 0;

  virtual std::vector<BindingInfo> Bindings() const = 0;

 protected:
  Exchange(std::string name, ExchangeSettings settings, bool builtin)
      : name_(std::move(name)), settings_(std::move(settings)), builtin_(builtin) {}

 private:
  const std::string name_;
  const ExchangeSettings settings_;
  const bool builtin_;
};

using ExchangePtr = std::shared_ptr<Exchange>;

// Makes an exchange of the named type; an unknown type is an error naming it.
Result<ExchangePtr> MakeExchange(std::string_view type, std::string name, ExchangeSettings settings,
                                 bool builtin = false);

}  // namespace qpidd::broker
