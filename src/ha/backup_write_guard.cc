#include "ha/backup_write_guard.h"

#include "broker/request_scope.h"
#include "common/log.h"
#include "ha/peer_properties.h"
#include "ha/replication_policy.h"
#include "ha/wire_format.h"

namespace qpidd::ha {
namespace {

using broker::ReplicationLevel;

bool Overriding(const broker::ConnectionInfo* requester) {
  if (requester == nullptr) return false;
  auto it = requester->peer_properties.find(std::string(kOverrideProperty));
  return requester->admin && it != requester->peer_properties.end() &&
         std::holds_alternative<bool>(it->second) && std::get<bool>(it->second);
}

std::string Quoted(std::string_view kind, const std::string& name) {
  return std::string(kind) + " '" + name + "'";
}

}  // namespace

Status BackupWriteGuard::Judge(const std::string& what) const {
  if (!refusing_()) return Status::Ok();
  const broker::ConnectionInfo* requester = broker::RequestScope::Current();
  if (Overriding(requester)) {
    QPIDD_LOG(kWarning, kHa, "administrator override on a backup: " << what << " (connection "
                                 << requester->id << " from " << requester->remote_address
                                 << "); this backup now differs from its primary");
    return Status::Ok();
  }
  return Status::Error(StatusCode::kPreconditionFailed,
                       "this broker is an HA backup: cannot " + what +
                           "; replicated objects change only on the primary (an administrator "
                           "repairing a backup may override with qpid-config --ha-override)");
}

Status BackupWriteGuard::PrepareQueue(const std::string& name, broker::QueueSettings& settings) {
  if (!refusing_()) return Status::Ok();
  auto level = QueueLevel(settings, settings_.replicate);
  if (!level.ok()) return level.status();
  if (level.value() == ReplicationLevel::kNone) return Status::Ok();
  return Judge("create replicated " + Quoted("queue", name));
}

Status BackupWriteGuard::PrepareExchange(const std::string& name, std::string_view,
                                         broker::ExchangeSettings& settings) {
  if (!refusing_()) return Status::Ok();
  auto level = ExchangeLevel(settings.arguments, settings_.replicate);
  if (!level.ok()) return level.status();
  if (level.value() == ReplicationLevel::kNone) return Status::Ok();
  return Judge("create replicated " + Quoted("exchange", name));
}

Status BackupWriteGuard::PrepareDeleteQueue(const broker::QueuePtr& queue) {
  if (UuidOf(queue->settings().arguments).empty()) return Status::Ok();
  return Judge("delete replicated " + Quoted("queue", queue->name()));
}

Status BackupWriteGuard::PrepareDeleteExchange(const broker::ExchangePtr& exchange) {
  if (UuidOf(exchange->settings().arguments).empty()) return Status::Ok();
  return Judge("delete replicated " + Quoted("exchange", exchange->name()));
}

bool BackupWriteGuard::BindingReplicated(const broker::BindingInfo& binding) const {
  broker::QueuePtr queue = broker_.FindQueue(binding.queue);
  broker::ExchangePtr exchange = broker_.FindExchange(binding.exchange);
  if (!queue || !exchange) return false;
  return ha::BindingReplicated(binding, LevelOf(*exchange), LevelOf(*queue));
}

Status BackupWriteGuard::PrepareBind(const broker::BindingInfo& binding) {
  if (!refusing_() || !BindingReplicated(binding)) return Status::Ok();
  return Judge("bind replicated " + Quoted("queue", binding.queue) + " to replicated " +
               Quoted("exchange", binding.exchange));
}

Status BackupWriteGuard::PrepareUnbind(const broker::BindingInfo& binding) {
  if (!refusing_() || !BindingReplicated(binding)) return Status::Ok();
  return Judge("unbind replicated " + Quoted("queue", binding.queue) + " from replicated " +
               Quoted("exchange", binding.exchange));
}

}  // namespace qpidd::ha
