#include "broker/queue_settings.h"

#include <algorithm>

namespace qpidd::broker {
namespace {

// Reads an unsigned argument into `out`; absent leaves it unchanged.
Status ReadUnsigned(const Arguments& arguments, const std::string& key, uint64_t& out) {
  std::string error;
  if (!GetUnsigned(arguments, key, out, error) && !error.empty()) {
    return Status::InvalidArgument(error);
  }
  return Status::Ok();
}

// Reads a non-empty string argument into `out`; absent leaves it unchanged.
Status ReadName(const Arguments& arguments, const std::string& key, std::string& out) {
  auto it = arguments.find(key);
  if (it == arguments.end()) return Status::Ok();
  const auto* text = std::get_if<std::string>(&it->second);
  if (text == nullptr || text->empty()) {
    return Status::InvalidArgument("invalid value " + ToString(it->second) + " for " + key +
                                   ": expected a non-empty string");
  }
  out = *text;
  return Status::Ok();
}

Status ReadPolicy(const Arguments& arguments, LimitPolicy& policy) {
  auto it = arguments.find("qpid.policy_type");
  if (it == arguments.end()) return Status::Ok();
  const auto* text = std::get_if<std::string>(&it->second);
  const std::string value = text ? *text : ToString(it->second);
  if (value == "reject") {
    policy = LimitPolicy::kReject;
  } else if (value == "ring") {
    policy = LimitPolicy::kRing;
  } else if (value == "ring_strict") {
    return Status::NotImplemented(
        "qpid.policy_type 'ring_strict' is not supported: use 'ring' (drops the oldest) or "
        "'reject'");
  } else if (value == "flow_to_disk") {
    return Status::NotImplemented(
        "qpid.policy_type 'flow_to_disk' is not supported: this broker has no message store");
  } else {
    return Status::InvalidArgument("invalid value '" + value +
                                   "' for qpid.policy_type: expected reject or ring");
  }
  return Status::Ok();
}

Status ReadFlowThresholds(const Arguments& arguments, QueueSettings& s) {
  for (const auto& [key, field] : {std::pair{"qpid.flow_stop_count", &s.flow_stop_count},
                                   std::pair{"qpid.flow_resume_count", &s.flow_resume_count},
                                   std::pair{"qpid.flow_stop_size", &s.flow_stop_bytes},
                                   std::pair{"qpid.flow_resume_size", &s.flow_resume_bytes}}) {
    if (!arguments.contains(key)) continue;
    if (s.limit_policy == LimitPolicy::kRing) {
      return Status::InvalidArgument(std::string(key) +
                                     " does not apply to a ring queue: it never holds its "
                                     "publishers back, it drops its oldest messages");
    }
    if (Status st = ReadUnsigned(arguments, key, *field); !st.ok()) return st;
  }
  if (s.flow_stop_count != 0 && s.flow_resume_count > s.flow_stop_count) {
    return Status::InvalidArgument("qpid.flow_resume_count " + std::to_string(s.flow_resume_count) +
                                   " is above qpid.flow_stop_count " +
                                   std::to_string(s.flow_stop_count));
  }
  if (s.flow_stop_bytes != 0 && s.flow_resume_bytes > s.flow_stop_bytes) {
    return Status::InvalidArgument("qpid.flow_resume_size " + std::to_string(s.flow_resume_bytes) +
                                   " is above qpid.flow_stop_size " +
                                   std::to_string(s.flow_stop_bytes));
  }
  return Status::Ok();
}

Status ReadOrdering(const Arguments& arguments, QueueSettings& s) {
  if (Status st = ReadName(arguments, "qpid.last_value_queue_key", s.lvq_key); !st.ok()) return st;
  // The older spelling: a flag, with the key in the qpid.LVQ_key property.
  if (auto it = arguments.find("qpid.last_value_queue"); it != arguments.end() && s.lvq_key.empty()) {
    uint64_t flag = 0;
    const auto* b = std::get_if<bool>(&it->second);
    if (b != nullptr) {
      flag = *b ? 1 : 0;
    } else if (Status st = ReadUnsigned(arguments, "qpid.last_value_queue", flag); !st.ok()) {
      return st;
    }
    if (flag != 0) s.lvq_key = "qpid.LVQ_key";
  }
  uint64_t levels = 0;
  if (Status st = ReadUnsigned(arguments, "qpid.priorities", levels); !st.ok()) return st;
  if (levels > kMaxPriorityLevels) {
    return Status::InvalidArgument("invalid value " + std::to_string(levels) +
                                   " for qpid.priorities: expected 0 to 10 levels");
  }
  s.priority_levels = static_cast<uint32_t>(levels);
  uint64_t fairshare = 0;
  if (Status st = ReadUnsigned(arguments, "qpid.fairshare", fairshare); !st.ok()) return st;
  if (fairshare != 0 && s.priority_levels < 2) {
    return Status::InvalidArgument(
        "qpid.fairshare needs a priority queue: set qpid.priorities to 2 or more");
  }
  if (fairshare > UINT32_MAX) {
    return Status::InvalidArgument("invalid value " + std::to_string(fairshare) +
                                   " for qpid.fairshare: too large");
  }
  s.fairshare = static_cast<uint32_t>(fairshare);
  return Status::Ok();
}

}  // namespace

Result<ReplicationLevel> ParseReplicationLevel(std::string_view text) {
  if (text == "none") return ReplicationLevel::kNone;
  if (text == "configuration") return ReplicationLevel::kConfiguration;
  if (text == "all") return ReplicationLevel::kAll;
  return Status::InvalidArgument("invalid replication level '" + std::string(text) +
                                 "': expected none, configuration or all");
}

std::string_view ReplicationLevelName(ReplicationLevel level) {
  switch (level) {
    case ReplicationLevel::kNone: return "none";
    case ReplicationLevel::kConfiguration: return "configuration";
    case ReplicationLevel::kAll: return "all";
    case ReplicationLevel::kUnset: break;
  }
  return "";
}

std::string_view LimitPolicyName(LimitPolicy policy) {
  return policy == LimitPolicy::kRing ? "ring" : "reject";
}

Status ReadReplicateArgument(const Arguments& arguments, ReplicationLevel& level) {
  auto it = arguments.find("qpid.replicate");
  if (it == arguments.end()) return Status::Ok();
  const auto* text = std::get_if<std::string>(&it->second);
  if (text == nullptr) {
    return Status::InvalidArgument("invalid value " + ToString(it->second) +
                                   " for qpid.replicate: expected none, configuration or all");
  }
  auto parsed = ParseReplicationLevel(*text);
  if (!parsed.ok()) return Status::InvalidArgument("qpid.replicate: " + parsed.status().message());
  level = parsed.value();
  return Status::Ok();
}

Status ReadAlternateExchangeArgument(const Arguments& arguments, std::string& exchange) {
  return ReadName(arguments, "alternate-exchange", exchange);
}

Status ApplyQueueArguments(const Arguments& arguments, QueueSettings& settings) {
  if (Status s = ReadReplicateArgument(arguments, settings.replicate); !s.ok()) return s;
  if (Status s = ReadUnsigned(arguments, "qpid.max_count", settings.max_count); !s.ok()) return s;
  if (Status s = ReadUnsigned(arguments, "qpid.max_size", settings.max_bytes); !s.ok()) return s;
  if (Status s = ReadPolicy(arguments, settings.limit_policy); !s.ok()) return s;
  if (Status s = ReadFlowThresholds(arguments, settings); !s.ok()) return s;
  if (Status s = ReadOrdering(arguments, settings); !s.ok()) return s;
  if (Status s = ReadAlternateExchangeArgument(arguments, settings.alternate_exchange); !s.ok()) {
    return s;
  }
  if (Status s = ReadUnsigned(arguments, "qpid.auto_delete_timeout", settings.auto_delete_delay_s);
      !s.ok()) {
    return s;
  }
  if (settings.auto_delete_delay_s != 0 && !settings.auto_delete) {
    return Status::InvalidArgument(
        "qpid.auto_delete_timeout applies only to an auto-delete queue, and this one is not");
  }
  settings.arguments = arguments;
  return Status::Ok();
}

void ApplyQueueDefaults(const QueueDefaults& defaults, QueueSettings& settings) {
  if (settings.max_bytes == 0 && !settings.arguments.contains("qpid.max_size")) {
    settings.max_bytes = defaults.max_bytes;
  }
  if (settings.limit_policy != LimitPolicy::kReject || defaults.flow_stop_percent == 0) return;
  // Thresholds the queue did not set are fractions of its limits, as in classic qpidd.
  auto fill = [&](uint64_t limit, const char* stop_key, uint64_t& stop, const char* resume_key,
                  uint64_t& resume) {
    if (!settings.arguments.contains(stop_key) && limit != 0) {
      stop = limit * defaults.flow_stop_percent / 100;
    }
    if (!settings.arguments.contains(resume_key) && stop != 0) {
      resume = std::min(stop, stop * defaults.flow_resume_percent / defaults.flow_stop_percent);
    }
  };
  fill(settings.max_count, "qpid.flow_stop_count", settings.flow_stop_count,
       "qpid.flow_resume_count", settings.flow_resume_count);
  fill(settings.max_bytes, "qpid.flow_stop_size", settings.flow_stop_bytes, "qpid.flow_resume_size",
       settings.flow_resume_bytes);
}

}  // namespace qpidd::broker
