// Stand-alone queue replication as the HA module runs it (doc/ha-protocol.md 17): with
// ha-queue-replication (implied by ha-cluster) this broker serves `$ha.queue:` links to
// replicators (ReplicationSource) and keeps replicas of queues elsewhere (Replicas).
//
// THREAD SAFE: admission and attaches come from connections' loops, management calls from any
// thread; replicas run on the HA loop given at construction.
#pragma once

#include <proton/link.h>

#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "amqp/link.h"
#include "broker/broker.h"
#include "common/status.h"
#include "ha/ha_options.h"
#include "ha/ha_state.h"
#include "ha/queue_replicator.h"

namespace qpidd::amqp {
class Connection;
}

namespace qpidd::ha {

class Replicas;
class ReplicationSource;

class QueueReplication {
 public:
  QueueReplication(boost::asio::io_context& loop, broker::Broker& broker, HaSettings settings);
  // Unregisters from the broker: the replicas post to a loop that goes with the module.
  ~QueueReplication();
  QueueReplication(const QueueReplication&) = delete;
  QueueReplication& operator=(const QueueReplication&) = delete;

  // Registers the source and the replicas with the broker. Nothing without ha-queue-replication.
  void Start();
  // Closes every replica's connection. On the HA loop.
  void StopOnLoop();

  // The verdict on a replicator's connection, or nullopt when `info` is not one. A cluster
  // member that is not the primary drops it like any client, so that the replicator goes on to
  // the next address of its source URL.
  std::optional<broker::AdmissionVerdict> Admit(const broker::ConnectionInfo& info,
                                                BrokerStatus status) const;
  // An attach to a `$ha.` address on a replicator's connection (IsReplicator): the link, or null
  // when it was refused with a detach.
  std::shared_ptr<amqp::Link> Attach(const std::shared_ptr<amqp::Connection>& connection,
                                     pn_link_t* link, const std::string& address);

  // Management (doc/ha-protocol.md 12.1): REPLICATE, REPLICATE-STOP and the replicas.
  Result<ReplicaView> Replicate(const std::string& source_url, const std::string& queue);
  Result<ReplicaView> StopReplica(const std::string& queue);
  std::vector<ReplicaView> Views() const;

 private:
  broker::Broker& broker_;
  const HaSettings settings_;
  const std::shared_ptr<ReplicationSource> source_;  // null without ha-queue-replication
  const std::shared_ptr<Replicas> replicas_;         // likewise
  bool started_ = false;                             // registered with the broker
};

}  // namespace qpidd::ha
