// What a queue is declared with: flags, limits and their policy, ordering (priority levels,
// last-value key), the alternate exchange, and flow-control thresholds. Parsed once from the
// declare arguments (the classic qpid.* names) and constant for the queue's life.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "broker/value.h"
#include "common/status.h"

namespace qpidd::broker {

// Replication level of a queue or exchange (the qpid.replicate argument); the HA module reads it.
enum class ReplicationLevel { kUnset, kNone, kConfiguration, kAll };
Result<ReplicationLevel> ParseReplicationLevel(std::string_view text);
std::string_view ReplicationLevelName(ReplicationLevel level);

// What a full queue does with one more message (qpid.policy_type).
enum class LimitPolicy {
  kReject,  // the publish is rejected, naming the queue and its limit (the default)
  kRing,    // the oldest available messages are dropped to make room
};
std::string_view LimitPolicyName(LimitPolicy policy);

// The highest qpid.priorities: AMQP has priorities 0 to 9.
inline constexpr uint32_t kMaxPriorityLevels = 10;

struct QueueSettings {
  bool durable = false;
  bool auto_delete = false;   // deleted when its last consumer goes (after auto_delete_delay_s)
  bool exclusive = false;     // one consumer at a time
  ReplicationLevel replicate = ReplicationLevel::kUnset;

  // Limits (0: none): qpid.max_count, and qpid.max_size else the broker's --default-queue-limit.
  uint64_t max_count = 0;
  uint64_t max_bytes = 0;
  LimitPolicy limit_policy = LimitPolicy::kReject;
  // Publishers attached to the queue get no more credit from a stop threshold until the queue
  // is back under the resume threshold (0: no flow control on that measure). Reject-policy
  // queues only: a ring queue never holds its publishers back.
  uint64_t flow_stop_count = 0;    // qpid.flow_stop_count
  uint64_t flow_resume_count = 0;  // qpid.flow_resume_count
  uint64_t flow_stop_bytes = 0;    // qpid.flow_stop_size
  uint64_t flow_resume_bytes = 0;  // qpid.flow_resume_size

  std::string lvq_key;            // qpid.last_value_queue_key: a newer value replaces an older
  uint32_t priority_levels = 0;   // qpid.priorities (0 or 1: plain FIFO)
  uint32_t fairshare = 0;         // qpid.fairshare: messages per level before a lower one's turn
  std::string alternate_exchange;  // alternate-exchange: where rejected, expired and
                                   // deleted-with-the-queue messages go
  uint64_t auto_delete_delay_s = 0;  // qpid.auto_delete_timeout, in seconds
  // The position the queue's first message gets (0 is taken as 1). Set by code only, never by a
  // declare argument: a module that numbers a queue's messages across brokers starts it higher.
  uint64_t first_position = 1;

  Arguments arguments;  // as declared, kept for management and replication
};

// The two declare arguments queues and exchanges share; absent leaves the value unchanged, a bad
// value is an error naming the argument.
Status ReadReplicateArgument(const Arguments& arguments, ReplicationLevel& level);
Status ReadAlternateExchangeArgument(const Arguments& arguments, std::string& exchange);

// Broker-wide defaults applied to queues that do not set their own.
struct QueueDefaults {
  uint64_t max_bytes = 0;              // --default-queue-limit
  uint32_t flow_stop_percent = 80;     // --default-flow-stop-threshold (0: none)
  uint32_t flow_resume_percent = 70;   // --default-flow-resume-threshold
};

// Validates the declare arguments the broker understands and fills the matching settings; a bad
// value is an error naming the argument and the value. Arguments the broker does not know are
// kept as they are. Policies the broker does not have (ring_strict, flow_to_disk) are refused
// with the reason.
Status ApplyQueueArguments(const Arguments& arguments, QueueSettings& settings);

// Fills in what the queue left to the broker: the byte limit and the flow thresholds.
void ApplyQueueDefaults(const QueueDefaults& defaults, QueueSettings& settings);

}  // namespace qpidd::broker
