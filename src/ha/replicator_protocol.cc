#include "ha/replicator_protocol.h"

#include <chrono>
#include <variant>

#include "ha/peer_properties.h"
#include "ha/wire_format.h"

namespace qpidd::ha {

bool IsReplicator(const broker::ConnectionInfo& info) {
  auto it = info.peer_properties.find(std::string(kReplicatorProperty));
  if (it == info.peer_properties.end()) return false;
  const auto* flag = std::get_if<bool>(&it->second);
  return flag && *flag;
}

broker::AdmissionVerdict AdmitReplicator(const broker::ConnectionInfo& info,
                                         const HaSettings& settings) {
  using Action = broker::AdmissionVerdict::Action;
  broker::AdmissionVerdict verdict;
  if (!settings.queue_replication) {
    verdict.action = Action::kClose;
    verdict.condition = "amqp:not-allowed";
    verdict.reason =
        "this broker does not serve queue replication: start it with --ha-queue-replication yes";
    return verdict;
  }
  const uint64_t protocol = NumberProperty(info.peer_properties, kProtocolProperty);
  if (protocol != kProtocolVersion) {
    verdict.action = Action::kClose;
    verdict.condition = std::string(kProtocolMismatchError);
    verdict.reason = "replicator speaks replication protocol " + std::to_string(protocol) +
                     ", this broker " + std::to_string(kProtocolVersion);
    return verdict;
  }
  const auto heartbeat =
      std::chrono::duration_cast<std::chrono::milliseconds>(settings.link_heartbeat_interval);
  verdict.idle_timeout_ms = static_cast<uint32_t>(heartbeat.count() * 2);
  return verdict;
}

}  // namespace qpidd::ha
