#include "ha/replication_policy.h"

#include "broker/queue.h"
#include "common/uuid.h"

namespace qpidd::ha {

using broker::ReplicationLevel;

namespace {

ReplicationLevel DeclaredLevel(const broker::Arguments& arguments) {
  ReplicationLevel level = ReplicationLevel::kUnset;
  (void)broker::ReadReplicateArgument(arguments, level);  // validated when the object was made
  return level == ReplicationLevel::kUnset ? ReplicationLevel::kNone : level;
}

}  // namespace

Result<ReplicationLevel> QueueLevel(const broker::QueueSettings& settings,
                                    ReplicationLevel default_level) {
  ReplicationLevel level = ReplicationLevel::kUnset;
  if (Status s = broker::ReadReplicateArgument(settings.arguments, level); !s.ok()) return s;
  if (level != ReplicationLevel::kUnset) return level;
  const bool temporary = settings.exclusive && settings.auto_delete &&
                         !settings.arguments.contains("qpid.auto_delete_timeout");
  return temporary ? ReplicationLevel::kNone : default_level;
}

Result<ReplicationLevel> ExchangeLevel(const broker::Arguments& arguments,
                                       ReplicationLevel default_level) {
  ReplicationLevel level = ReplicationLevel::kUnset;
  if (Status s = broker::ReadReplicateArgument(arguments, level); !s.ok()) return s;
  if (level == ReplicationLevel::kUnset) level = default_level;
  return level == ReplicationLevel::kAll ? ReplicationLevel::kConfiguration : level;
}

ReplicationLevel LevelOf(const broker::Queue& queue) {
  return DeclaredLevel(queue.settings().arguments);
}

ReplicationLevel LevelOf(const broker::Exchange& exchange) {
  if (exchange.builtin()) return ReplicationLevel::kNone;
  const ReplicationLevel level = DeclaredLevel(exchange.settings().arguments);
  return level == ReplicationLevel::kAll ? ReplicationLevel::kConfiguration : level;
}

std::string UuidOf(const broker::Arguments& arguments) {
  auto it = arguments.find(kUuidArgument);
  if (it == arguments.end()) return {};
  const auto* text = std::get_if<std::string>(&it->second);
  return text ? *text : std::string();
}

bool BindingReplicated(const broker::BindingInfo& binding, ReplicationLevel exchange_level,
                       ReplicationLevel queue_level) {
  if (exchange_level == ReplicationLevel::kNone || queue_level == ReplicationLevel::kNone) {
    return false;
  }
  ReplicationLevel own = ReplicationLevel::kUnset;
  (void)broker::ReadReplicateArgument(binding.arguments, own);
  return own != ReplicationLevel::kNone;
}

Status CheckReservedArguments(std::string_view kind, const std::string& name,
                              const broker::Arguments& arguments) {
  if (arguments.contains(kUuidArgument)) {
    return Status::InvalidArgument(std::string(kUuidArgument) + " is reserved for replication: " +
                                   std::string(kind) + " '" + name + "' cannot set it");
  }
  return Status::Ok();
}

Status CheckAlternate(std::string_view kind, const std::string& name, const std::string& alternate,
                      const broker::ExchangePtr& alternate_exchange) {
  if (alternate.empty() || !alternate_exchange || alternate_exchange->builtin() ||
      LevelOf(*alternate_exchange) != ReplicationLevel::kNone) {
    return Status::Ok();  // a missing alternate is the core's error to report
  }
  return Status::InvalidArgument("alternate exchange '" + alternate + "' of replicated " +
                                 std::string(kind) + " '" + name + "' is not replicated");
}

void MarkReplicated(broker::Arguments& arguments, ReplicationLevel level) {
  arguments[kReplicateArgument] = std::string(broker::ReplicationLevelName(level));
  arguments[kUuidArgument] = NewUuid();
}

}  // namespace qpidd::ha
