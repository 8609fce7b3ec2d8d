#include "ha/backup_write_guard.h"

#include "ha/replication_policy.h"

namespace qpidd::ha {

using broker::ReplicationLevel;

Status BackupWriteGuard::Refusal(std::string_view kind, const std::string& name) const {
  return Status::Error(StatusCode::kPreconditionFailed,
                       "this broker is an HA backup: replicated " + std::string(kind) + " '" +
                           name + "' can only be created on the primary");
}

Status BackupWriteGuard::PrepareQueue(const std::string& name, broker::QueueSettings& settings) {
  if (!refusing_()) return Status::Ok();
  auto level = QueueLevel(settings, settings_.replicate);
  if (!level.ok()) return level.status();
  return level.value() == ReplicationLevel::kNone ? Status::Ok() : Refusal("queue", name);
}

Status BackupWriteGuard::PrepareExchange(const std::string& name, std::string_view,
                                         broker::ExchangeSettings& settings) {
  if (!refusing_()) return Status::Ok();
  auto level = ExchangeLevel(settings.arguments, settings_.replicate);
  if (!level.ok()) return level.status();
  return level.value() == ReplicationLevel::kNone ? Status::Ok() : Refusal("exchange", name);
}

}  // namespace qpidd::ha
