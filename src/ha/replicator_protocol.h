// Stand-alone queue replication (doc/ha-protocol.md 17): what a replicator's connection says
// about itself, and how a broker admits it. The queue link itself is the cluster's (section 7).
#pragma once

#include <string_view>

#include "broker/broker_observer.h"
#include "ha/ha_options.h"

namespace qpidd::ha {

// Open property (boolean) of a replicator's connection: it asks for `$ha.queue:` links to copy
// single queues, not for the cluster's configuration.
inline constexpr std::string_view kReplicatorProperty = "qpid.ha-replicator";

// Detach condition: the source queue is not the one whose ids the replica holds (the source
// broker restarted, or the queue was deleted and made again). The replica drops what it holds
// and attaches again without ids.
inline constexpr std::string_view kOtherQueueError = "qpid-ha:other-queue";

// The open properties of `info` announce a replicator.
bool IsReplicator(const broker::ConnectionInfo& info);

// The verdict on a replicator's connection at a broker that is not a cluster backup (backups
// drop it like any client): refused, naming the option, without ha-queue-replication; refused
// on a protocol mismatch; else admitted with the heartbeat of replication links.
broker::AdmissionVerdict AdmitReplicator(const broker::ConnectionInfo& info,
                                         const HaSettings& settings);

}  // namespace qpidd::ha
