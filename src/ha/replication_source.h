// The source side of stand-alone queue replication (doc/ha-protocol.md 17.3): serves
// `$ha.queue:<name>` links to replicators, for any queue of this broker, with the cluster's
// queue sender (7.3-7.5) but no guard: publishers are never held for a replica.
//
// Each link follows its queue through a QueueGuard of its own (a QueueObserver that holds
// nobody back), added to the queue when the link attaches and removed when it ends.
//
// THREAD SAFE: attaches and link ends come on connections' loops, configuration callbacks from
// the thread making the change.
#pragma once

#include <proton/link.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "amqp/link.h"
#include "broker/broker.h"
#include "ha/queue_guard.h"
#include "ha/replication_hub.h"

namespace qpidd::amqp {
class Connection;
}

namespace qpidd::ha {

class ReplicationSource : public broker::ConfigurationObserver,
                          public ReplicationHub,
                          public std::enable_shared_from_this<ReplicationSource> {
 public:
  // An attach to `address` on a replicator's connection: opens the link, or refuses it with a
  // detach (no such queue: amqp:not-found; a replica of another queue: qpid-ha:other-queue).
  std::shared_ptr<amqp::Link> Attach(const std::shared_ptr<amqp::Connection>& connection,
                                     pn_link_t* link, const std::string& address);

  // The identity replicas know `queue` by: its qpid.ha-uuid, which stays across a cluster's
  // failovers; else an identity made for this queue object, which a restarted broker or a
  // queue made again under the same name does not share.
  std::string IdentityOf(const broker::QueuePtr& queue);

  // A link ended: its guard stops following the queue.
  void Forget(const broker::QueuePtr& queue, const std::shared_ptr<QueueGuard>& guard);

  // broker::ConfigurationObserver: a deleted queue ends its links (amqp:resource-deleted).
  void OnQueueDeleted(const broker::QueuePtr& queue) override;
  void OnQueueCreated(const broker::QueuePtr&) override {}
  void OnExchangeCreated(const broker::ExchangePtr&) override {}
  void OnExchangeDeleted(const broker::ExchangePtr&) override {}
  void OnBind(const broker::BindingInfo&) override {}
  void OnUnbind(const broker::BindingInfo&) override {}

  // ReplicationHub: only OnQueueCaughtUp is told anything by a queue sender.
  std::shared_ptr<QueueGuard> GuardFor(const broker::Queue&) override { return nullptr; }
  ConfigEvent SnapshotBegin() override { return {}; }
  void OnSnapshotApplied(const std::string&, std::set<std::string>) override {}
  void OnQueueCaughtUp(const std::string& replicator, const std::string& queue) override;
  void OnBackupGone(const std::string&, const void*) override {}

 private:
  struct Identity {
    std::weak_ptr<broker::Queue> queue;
    std::string id;
  };

  std::mutex mutex_;
  // State below is protected by mutex_.
  std::map<const broker::Queue*, Identity> identities_;
  std::multimap<const broker::Queue*, std::weak_ptr<QueueGuard>> followers_;
};

}  // namespace qpidd::ha
