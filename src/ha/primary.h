// The primary role (doc/ha-protocol.md 6-10): decides what is replicated as objects are made,
// guards every level-all queue, serves the backups' replication links, and keeps membership.
//
// THREAD SAFE: broker callbacks come from any thread; links call from their connections' loops.
#pragma once

#include <proton/link.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "amqp/link.h"
#include "broker/broker.h"
#include "ha/config_sender.h"
#include "ha/ha_options.h"
#include "ha/history.h"
#include "ha/membership.h"
#include "ha/queue_guard.h"
#include "ha/replication_hub.h"

namespace qpidd::amqp {
class Connection;
}

namespace qpidd::ha {

struct PrimaryIdentity {
  std::string broker_id;
  std::string address;                // own address in ha-brokers-url; "" while unknown
  uint32_t epoch = 0;
  std::vector<HistoryEntry> history;  // including this primary's own entry
};

class Primary : public broker::ConfigurationObserver,
                public ReplicationHub,
                public std::enable_shared_from_this<Primary> {
 public:
  // `on_change` is told (any thread, no lock held) when membership changed, so the module can
  // move recovering -> active when nobody is expected any more. `post` runs work on the HA
  // loop (for what queue callbacks, under the queue's lock, must not do themselves).
  using PostFn = std::function<void(std::function<void()>)>;
  Primary(broker::Broker& broker, const HaSettings& settings, PrimaryIdentity identity,
          std::function<void()> on_change, PostFn post);
  ~Primary() override;

  // Takes over the broker: replicas become ordinary queues continuing from this epoch's ids,
  // every level-all queue is guarded for `expected` backups, and objects made from now on are
  // replicated.
  void Start(const std::vector<MemberRecord>& expected);

  void SetOwnStatus(BrokerStatus status);
  bool ExpectedOutstanding() const;
  std::vector<std::string> ExpectedIds() const;
  std::vector<MemberRecord> Members() const;
  // Gives up expected backups that have not come back (ha-backup-timeout).
  void GiveUpExpected();

  // An orderly shutdown of this primary: closes every backup's connection with an AMQP close
  // and refuses new ones, so that the backups know the primary stopped on purpose rather than
  // died (they then run no ha-primary-lost-command). Waits until those connections are gone
  // or `bound` passed; returns how many were left.
  size_t CloseBackups(std::chrono::milliseconds bound);

  // A backup connection being admitted (its open properties in `info`).
  broker::AdmissionVerdict AdmitBackup(const broker::ConnectionInfo& info);
  // An attach to a `$ha.` address on a backup connection.
  std::shared_ptr<amqp::Link> Attach(const std::shared_ptr<amqp::Connection>& connection,
                                     pn_link_t* link, const std::string& address);

  // broker::ConfigurationObserver
  Status PrepareQueue(const std::string& name, broker::QueueSettings& settings) override;
  Status PrepareExchange(const std::string& name, std::string_view type,
                         broker::ExchangeSettings& settings) override;
  void InitQueue(const broker::QueuePtr& queue) override;
  void OnQueueCreated(const broker::QueuePtr& queue) override;
  void OnQueueDeleted(const broker::QueuePtr& queue) override;
  void OnExchangeCreated(const broker::ExchangePtr&) override {}
  void OnExchangeDeleted(const broker::ExchangePtr&) override {}
  void OnBind(const broker::BindingInfo&) override {}
  void OnUnbind(const broker::BindingInfo&) override {}

  // ReplicationHub
  std::shared_ptr<QueueGuard> GuardFor(const broker::Queue& queue) override;
  ConfigEvent SnapshotBegin() override;
  void OnSnapshotApplied(const std::string& backup, std::set<std::string> queues) override;
  void OnQueueCaughtUp(const std::string& backup, const std::string& queue) override;
  void OnBackupGone(const std::string& backup, const void* link) override;

 private:
  // Makes the guard of a level-all queue, guarding for connected and expected backups from
  // `start` on. REQUIRES: mutex_ held.
  void AddGuard(const broker::QueuePtr& queue, uint64_t start);
  // A replicated auto-delete queue that has not had a consumer reports its first one to the
  // backups (queue-used), so a promoted backup knows to delete it once unused.
  void WatchFirstConsumer(const broker::QueuePtr& queue);
  void SendQueueUsed(const std::string& name, const std::string& uuid);
  // Sends membership to every backup if it changed, and tells the module. Takes mutex_.
  void PublishMembership();
  uint64_t FirstPosition() const { return (uint64_t{identity_.epoch} << kEpochShift) + 1; }

  broker::Broker& broker_;
  const HaSettings settings_;
  const PrimaryIdentity identity_;
  std::function<void()> on_change_;
  PostFn post_;
  // Replicas promoted used and without a consumer: auto-deleted once the replay is over.
  std::vector<broker::QueuePtr> unused_after_promotion_;  // Start() only

  mutable std::mutex mutex_;
  // State below is protected by mutex_.
  Membership membership_;
  std::map<const broker::Queue*, std::shared_ptr<QueueGuard>> guards_;
  std::map<std::string, std::weak_ptr<ConfigSender>> config_senders_;  // by backup id
  std::set<std::string> connected_;  // backups with a live connection
  std::vector<std::weak_ptr<amqp::Connection>> backup_connections_;  // with a config link
  bool closing_ = false;             // CloseBackups() called
};

}  // namespace qpidd::ha
