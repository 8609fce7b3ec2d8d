#include "management/queue_type.h"

#include <map>

#include "management/attributes.h"
#include "management/exchange_type.h"
#include "management/protocol.h"
#include "management/replicate_attribute.h"

namespace qpidd::management {
namespace {

uint64_t CountBindings(const broker::Broker& broker, const std::string& queue) {
  uint64_t count = 0;
  for (const auto& b : broker.Bindings()) count += (b.queue == queue);
  return count;
}

// The last-value key as reported: null for a queue that is not a last-value queue.
proton::value LvqKeyValue(const std::string& key) {
  return key.empty() ? proton::value() : proton::value(key);
}

}  // namespace

AttributeMap DescribeQueue(const broker::Queue& queue, uint64_t binding_count) {
  const broker::QueueSettings& settings = queue.settings();
  broker::QueueStats stats = queue.Stats();
  return AttributeMap{
      {"name", queue.name()},
      {"identity", queue.name()},
      {"type", std::string(kQueueType)},
      {"durable", settings.durable},
      {"auto-delete", settings.auto_delete},
      {"exclusive", settings.exclusive},
      {"replicate", ReplicateAttributeValue(settings.replicate)},
      {"alternate-exchange", AlternateExchangeValue(settings.alternate_exchange)},
      {"arguments", ArgumentsToProton(settings.arguments)},
      // The settings in effect, broker defaults included.
      {"limit-policy", std::string(broker::LimitPolicyName(settings.limit_policy))},
      {"maxCount", settings.max_count},
      {"maxSize", settings.max_bytes},
      {"lvqKey", LvqKeyValue(settings.lvq_key)},
      {"priorities", settings.priority_levels},
      // Statistics.
      {"msgDepth", stats.depth},
      {"byteDepth", stats.bytes},
      {"msgAcquired", stats.acquired},
      {"msgTotalEnqueues", stats.enqueued},
      {"msgTotalDequeues", stats.dequeued},
      {"consumerCount", stats.consumers},
      {"bindingCount", binding_count},
      {"flowStopped", stats.flow_stopped},
      {"discardsRing", stats.ring_dropped},
      {"discardsLvq", stats.lvq_replaced},
      {"discardsTtl", stats.expired},
      {"discardsSubscriber", stats.rejected},
      {"reroutes", stats.rerouted},
  };
}

std::string_view QueueType::name() const { return kQueueType; }

std::vector<std::string> QueueType::AttributeNames() const {
  return {// Identity and configuration.
          "name", "identity", "type", "durable", "auto-delete", "exclusive", "replicate",
          "alternate-exchange", "arguments",
          // The settings in effect.
          "limit-policy", "maxCount", "maxSize", "lvqKey", "priorities",
          // Statistics.
          "msgDepth", "byteDepth", "msgAcquired", "msgTotalEnqueues", "msgTotalDequeues",
          "consumerCount", "bindingCount", "flowStopped", "discardsRing", "discardsLvq",
          "discardsTtl", "discardsSubscriber", "reroutes"};
}

std::vector<std::string> QueueType::Operations() const {
  return {std::string(kCreate), std::string(kRead), std::string(kDelete), std::string(kPurge)};
}

std::vector<AttributeMap> QueueType::List() const {
  std::map<std::string, uint64_t> bindings;
  for (const auto& b : broker_.Bindings()) ++bindings[b.queue];
  std::vector<AttributeMap> rows;
  for (const auto& queue : broker_.Queues()) {
    auto it = bindings.find(queue->name());
    rows.push_back(DescribeQueue(*queue, it == bindings.end() ? 0 : it->second));
  }
  return rows;
}

Result<Reply> QueueType::Handle(const Request& request, const broker::ConnectionInfo&) {
  if (request.operation == kCreate) return Create(request);
  if (request.operation == kRead) return Read(request);
  if (request.operation == kDelete) return Delete(request);
  if (request.operation == kPurge) return Purge(request);
  return Unsupported(request);
}

Result<broker::QueuePtr> QueueType::Find(const std::string& name) const {
  broker::QueuePtr queue = broker_.FindQueue(name);
  if (!queue) return Status::NotFound("queue '" + name + "' not found");
  return queue;
}

Result<Reply> QueueType::Create(const Request& request) {
  if (Status s = RequireName(request); !s.ok()) return s;
  const AttributeMap& a = request.attributes;
  if (Status s = CheckKnownAttributes(
          a,
          {"durable", "auto-delete", "exclusive", "replicate", "alternate-exchange", "arguments"},
          kQueueType, kCreate);
      !s.ok()) {
    return s;
  }
  broker::QueueSettings settings;
  if (Status s = ReadBool(a, "durable", settings.durable); !s.ok()) return s;
  if (Status s = ReadBool(a, "auto-delete", settings.auto_delete); !s.ok()) return s;
  if (Status s = ReadBool(a, "exclusive", settings.exclusive); !s.ok()) return s;
  if (Status s = ReadArguments(a, "arguments", settings.arguments); !s.ok()) return s;
  if (Status s = MergeReplicateAttribute(a, settings.arguments); !s.ok()) return s;
  if (Status s = MergeAlternateExchangeAttribute(a, settings.arguments); !s.ok()) return s;

  bool created = false;
  auto queue = broker_.CreateQueue(request.name, std::move(settings), &created);
  if (!queue.ok()) return queue.status();
  // A management CREATE states that the caller expects a new queue; finding one is a conflict
  // (an AMQP declare, by contrast, accepts the existing queue).
  if (!created) return Status::AlreadyExists("queue '" + request.name + "' already exists");
  return SuccessReply(kCreated, DescribeQueue(*queue.value(), 0));
}

Result<Reply> QueueType::Read(const Request& request) const {
  if (Status s = RequireName(request); !s.ok()) return s;
  if (Status s = CheckKnownAttributes(request.attributes, {}, kQueueType, kRead); !s.ok()) {
    return s;
  }
  auto queue = Find(request.name);
  if (!queue.ok()) return queue.status();
  return SuccessReply(kOk, DescribeQueue(*queue.value(), CountBindings(broker_, request.name)));
}

Result<Reply> QueueType::Delete(const Request& request) {
  if (Status s = RequireName(request); !s.ok()) return s;
  const AttributeMap& a = request.attributes;
  if (Status s = CheckKnownAttributes(a, {"if-empty", "if-unused"}, kQueueType, kDelete);
      !s.ok()) {
    return s;
  }
  bool if_empty = false, if_unused = false;
  if (Status s = ReadBool(a, "if-empty", if_empty); !s.ok()) return s;
  if (Status s = ReadBool(a, "if-unused", if_unused); !s.ok()) return s;
  auto queue = Find(request.name);
  if (!queue.ok()) return queue.status();
  // Checked before deleting, not atomically with it: a message arriving in between is deleted
  // with the queue, as with classic qpidd's if-empty.
  broker::QueueStats stats = queue.value()->Stats();
  if (if_empty && stats.depth > 0) {
    return Status::Error(StatusCode::kPreconditionFailed,
                         "queue '" + request.name + "' is not empty (" +
                             std::to_string(stats.depth) + " messages) and if-empty was set");
  }
  if (if_unused && stats.consumers > 0) {
    return Status::Error(StatusCode::kPreconditionFailed,
                         "queue '" + request.name + "' is in use (" +
                             std::to_string(stats.consumers) +
                             " consumers) and if-unused was set");
  }
  if (Status s = broker_.DeleteQueue(request.name); !s.ok()) return s;
  return SuccessReply(kNoContent);
}

Result<Reply> QueueType::Purge(const Request& request) {
  if (Status s = RequireName(request); !s.ok()) return s;
  if (Status s = CheckKnownAttributes(request.attributes, {}, kQueueType, kPurge); !s.ok()) {
    return s;
  }
  auto queue = Find(request.name);
  if (!queue.ok()) return queue.status();
  if (queue.value()->replica()) {
    return Status::Error(StatusCode::kPreconditionFailed,
                         "queue '" + queue.value()->name() +
                             "' is a replica: its messages come from replication");
  }
  uint64_t purged = queue.value()->Purge();
  return SuccessReply(kOk, AttributeMap{{"messages", purged}});
}

}  // namespace qpidd::management
