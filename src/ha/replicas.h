// This broker's stand-alone replicas (doc/ha-protocol.md 17.4): REPLICATE makes a local, empty
// queue a replica of the queue of the same name at a source URL, REPLICATE-STOP lets it go (it
// keeps its messages and serves clients again), deleting the queue ends its replication.
//
// THREAD SAFE: management calls from any thread wait (bounded) for the HA loop, where replicas
// are started and stopped; configuration callbacks only post there.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "broker/broker.h"
#include "common/status.h"
#include "ha/ha_options.h"
#include "ha/queue_replicator.h"

namespace qpidd::ha {

class Replicas : public broker::ConfigurationObserver,
                 public std::enable_shared_from_this<Replicas> {
 public:
  Replicas(boost::asio::io_context& loop, broker::Broker& broker, HaSettings settings);

  // Makes local queue `queue` a replica of the queue of that name at `source_url`. Refused:
  // without ha-queue-replication (kPreconditionFailed, naming the option), on a cluster member
  // (a replica lives on a stand-alone broker), a bad URL (kInvalidArgument, naming it), no such local queue (kNotFound), a queue already
  // replicating (naming its source) or holding messages (kPreconditionFailed).
  Result<ReplicaView> Replicate(const std::string& source_url, const std::string& queue);
  // Stops replicating into `queue`, which leaves replica mode with the messages it holds.
  // kNotFound when it is not replicating.
  Result<ReplicaView> Stop(const std::string& queue);
  // Every replica, by queue name.
  std::vector<ReplicaView> Views() const;
  // The module is stopping: every replica's connection is closed. HA loop.
  void StopAll();

  // broker::ConfigurationObserver: a deleted replica stops replicating.
  void OnQueueDeleted(const broker::QueuePtr& queue) override;
  void OnQueueCreated(const broker::QueuePtr&) override {}
  void OnExchangeCreated(const broker::ExchangePtr&) override {}
  void OnExchangeDeleted(const broker::ExchangePtr&) override {}
  void OnBind(const broker::BindingInfo&) override {}
  void OnUnbind(const broker::BindingInfo&) override {}

 private:
  // Runs `work` on the HA loop and waits for its result (bounded).
  Result<ReplicaView> OnLoop(std::function<Result<ReplicaView>()> work);
  Result<ReplicaView> ReplicateOnLoop(const std::string& source_url, const std::string& queue);
  Result<ReplicaView> StopOnLoop(const std::string& queue);
  void ForgetDeleted(const broker::QueuePtr& queue);  // HA loop

  boost::asio::io_context& loop_;
  broker::Broker& broker_;
  const HaSettings settings_;

  mutable std::mutex mutex_;
  // Protected by mutex_; changed on the HA loop only.
  std::map<std::string, std::shared_ptr<QueueReplicator>> replicators_;  // by queue name
};

}  // namespace qpidd::ha
