#include "ha/ha_broker_type.h"

#include <proton/codec/map.hpp>
#include <proton/codec/vector.hpp>

#include "management/attributes.h"
#include "management/protocol.h"

namespace qpidd::ha {
namespace {

constexpr std::string_view kType = "ha-broker";
constexpr std::string_view kPromote = "PROMOTE";

proton::value TextOrNull(const std::string& text) {
  return text.empty() ? proton::value() : proton::value(text);
}

}  // namespace

std::string_view HaBrokerType::name() const { return kType; }

std::vector<std::string> HaBrokerType::AttributeNames() const {
  return {"name",    "identity", "type",    "status",          "brokerId", "address",
          "brokersUrl", "publicUrl", "replicate", "protocol", "epoch", "primary",
          "members", "expectedBackups", "catchupQueues", "replicationError"};
}

std::vector<std::string> HaBrokerType::Operations() const {
  return {std::string(management::kRead), std::string(kPromote)};
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
