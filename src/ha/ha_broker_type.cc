#include "ha/ha_broker_type.h"

#include <proton/codec/map.hpp>
#include <proton/codec/vector.hpp>

#include "ha/queue_replication.h"
#include "management/attributes.h"
#include "management/protocol.h"

namespace qpidd::ha {
namespace {

constexpr std::string_view kType = "ha-broker";
constexpr std::string_view kPromote = "PROMOTE";
constexpr std::string_view kReplicate = "REPLICATE";
constexpr std::string_view kReplicateStop = "REPLICATE-STOP";

proton::value TextOrNull(const std::string& text) {
  return text.empty() ? proton::value() : proton::value(text);
}

management::AttributeMap ReplicaAttributes(const ReplicaView& replica) {
  return management::AttributeMap{
      {"queue", replica.queue},
      {"source", replica.source},
      {"status", replica.status},
      {"connected", TextOrNull(replica.connected)},
      {"messages", replica.messages},
      {"msgsReceived", replica.received},
      {"lastError", TextOrNull(replica.last_error)},
  };
}

proton::value ReplicaList(const std::vector<ReplicaView>& replicas) {
  std::vector<proton::value> list;
  for (const auto& replica : replicas) {
    proton::value v;
    v = ReplicaAttributes(replica);
    list.push_back(v);
  }
  proton::value value;
  value = list;
  return value;
}

// REPLICATE {source, queue} or REPLICATE-STOP {queue} (doc/ha-protocol.md 12.1): the replica.
Result<management::AttributeMap> ReplicaOperation(QueueReplication& replication,
                                                  const management::Request& request) {
  const bool start = request.operation == kReplicate;
  Status known = start ? management::CheckKnownAttributes(request.attributes, {"source", "queue"},
                                                          kType, request.operation)
                       : management::CheckKnownAttributes(request.attributes, {"queue"}, kType,
                                                          request.operation);
  if (!known.ok()) return known;
  std::string source;
  std::string queue;
  bool has_source = false;
  bool has_queue = false;
  if (Status s = management::ReadString(request.attributes, "queue", queue, &has_queue); !s.ok()) {
    return s;
  }
  if (!has_queue || queue.empty()) {
    return Status::InvalidArgument(request.operation + " needs attribute 'queue': the local queue");
  }
  if (!start) {
    auto stopped = replication.StopReplica(queue);
    if (!stopped.ok()) return stopped.status();
    return ReplicaAttributes(stopped.value());
  }
  if (Status s = management::ReadString(request.attributes, "source", source, &has_source);
      !s.ok()) {
    return s;
  }
  if (!has_source || source.empty()) {
    return Status::InvalidArgument("REPLICATE needs attribute 'source': the URL of the broker "
                                   "or cluster holding the original queue");
  }
  auto started = replication.Replicate(source, queue);
  if (!started.ok()) return started.status();
  return ReplicaAttributes(started.value());
}

}  // namespace

std::string_view HaBrokerType::name() const { return kType; }

std::vector<std::string> HaBrokerType::AttributeNames() const {
  return {"name",    "identity", "type",    "status",          "brokerId", "address",
          "brokersUrl", "publicUrl", "replicate", "protocol", "epoch", "primary",
          "members", "expectedBackups", "catchupQueues", "replicationError", "replicas"};
}

std::vector<std::string> HaBrokerType::Operations() const {
  return {std::string(management::kRead), std::string(kPromote), std::string(kReplicate),
          std::string(kReplicateStop)};
}

management::AttributeMap HaBrokerType::Describe() const {
  const HaView view = module_->View();
  std::vector<proton::value> members;
  for (const auto& m : view.members) {
    std::map<std::string, proton::value> member{
        {"broker-id", m.broker_id}, {"address", m.address}, {"status", m.status}};
    proton::value v;
    v = member;
    members.push_back(v);
  }
  proton::value member_list;
  member_list = members;
  std::vector<proton::value> expected_list(view.expected_backups.begin(),
                                           view.expected_backups.end());
  proton::value expected;
  expected = expected_list;
  return management::AttributeMap{
      {"name", std::string(kType)},
      {"identity", std::string(kType)},
      {"type", std::string(kType)},
      {"status", std::string(BrokerStatusName(view.status))},
      {"brokerId", view.broker_id},
      {"address", TextOrNull(view.address)},
      {"brokersUrl", view.brokers_url},
      {"publicUrl", view.public_url},
      {"replicate", view.replicate},
      {"protocol", uint32_t{kProtocolVersion}},
      {"epoch", view.epoch},
      {"primary", TextOrNull(view.primary)},
      {"members", member_list},
      {"expectedBackups", expected},
      {"catchupQueues", view.catchup_queues},
      {"replicationError", TextOrNull(view.replication_error)},
      {"replicas", ReplicaList(module_->queue_replication().Views())},
  };
}

std::vector<management::AttributeMap> HaBrokerType::List() const { return {Describe()}; }

Result<management::Reply> HaBrokerType::Handle(const management::Request& request,
                                               const broker::ConnectionInfo&) {
  if (request.has_name && request.name != kType) {
    return Status::NotFound("ha-broker '" + request.name + "' not found: the entity is 'ha-broker'");
  }
  if (request.operation == management::kRead) {
    return management::SuccessReply(management::kOk, Describe());
  }
  if (request.operation == kReplicate || request.operation == kReplicateStop) {
    auto replica = ReplicaOperation(module_->queue_replication(), request);
    if (!replica.ok()) return replica.status();
    return management::SuccessReply(management::kOk, replica.value());
  }
  if (request.operation == kPromote) {
    auto promoted = module_->Promote();
    if (!promoted.ok()) return promoted.status();
    return management::SuccessReply(
        management::kOk,
        management::AttributeMap{{"status", std::string(BrokerStatusName(promoted.value()))}});
  }
  return Unsupported(request);
}

}  // namespace qpidd::ha
