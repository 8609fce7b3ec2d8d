// The primary's end of a backup's configuration link (doc/ha-protocol.md 6): a snapshot of the
// replicated configuration, then every later change, in the order the broker made them, then
// membership changes. It observes the broker itself (registered with replay), so snapshot and
// events cannot disagree.
//
// Observer calls come from any thread under the broker's change lock: they only queue events
// and post. Everything else runs on the backup connection's loop.
#pragma once

#include <proton/link.h>

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "amqp/link.h"
#include "broker/broker.h"
#include "ha/replication_hub.h"
#include "ha/wire_format.h"

namespace qpidd::amqp {
class Connection;
}

namespace qpidd::ha {

// Most configuration events a backup may be behind (its snapshot aside) before its link is
// closed and it starts again.
inline constexpr size_t kMaxPendingEvents = 100000;

class ConfigSender : public amqp::Link,
                     public broker::ConfigurationObserver,
                     public std::enable_shared_from_this<ConfigSender> {
 public:
  static std::shared_ptr<ConfigSender> Attach(const std::shared_ptr<amqp::Connection>& connection,
                                              pn_link_t* link, const std::string& backup,
                                              ReplicationHub& hub);
  ConfigSender(const std::shared_ptr<amqp::Connection>& connection, pn_link_t* link,
               std::string backup, ReplicationHub& hub);

  // Membership changed (any thread).
  void SendMembers(std::vector<MemberRecord> members);
  // A replicated auto-delete queue had its first consumer (any thread).
  void SendQueueUsed(const std::string& name, const std::string& uuid);
  const std::string& backup() const { return backup_; }

  // amqp::Link
  void OnFlow() override { Pump(); }
  void OnDelivery(pn_delivery_t* delivery) override;
  void OnClosed() override;

  // broker::ConfigurationObserver
  void OnQueueCreated(const broker::QueuePtr& queue) override;
  void OnQueueDeleted(const broker::QueuePtr& queue) override;
  void OnExchangeCreated(const broker::ExchangePtr& exchange) override;
  void OnExchangeDeleted(const broker::ExchangePtr& exchange) override;
  void OnBind(const broker::BindingInfo& binding) override;
  void OnUnbind(const broker::BindingInfo& binding) override;
  void OnReplayDone() override;

 private:
  // An event waiting for credit; snapshot records are batched when they are sent.
  struct Pending {
    ConfigEvent event;
    bool snapshot_record = false;
  };
  void Enqueue(ConfigEvent event, bool snapshot_record = false);
  void Wake();        // REQUIRES: mutex_ held
  void WakeSender();  // REQUIRES: mutex_ held
  void Pump();
  ConfigEvent NextMessage();  // REQUIRES: mutex_ held, pending_ not empty
  void Send(ConfigEvent event);

  std::weak_ptr<amqp::Connection> connection_;
  broker::Broker& broker_;
  pn_link_t* link_;
  const std::string backup_;
  ReplicationHub& hub_;
  bool closed_ = false;
  uint64_t seq_ = 0;
  uint64_t snapshot_end_seq_ = 0;  // 0: not sent yet
  std::atomic<bool> pump_posted_{false};

  std::mutex mutex_;
  // State below is protected by mutex_.
  bool replaying_ = true;
  std::deque<Pending> pending_;
  size_t snapshot_pending_ = 0;  // the snapshot's messages, not counted against the limit
  bool overrun_ = false;
  uint64_t snapshot_exchanges_ = 0;
  uint64_t snapshot_queues_ = 0;
  uint64_t snapshot_bindings_ = 0;
  std::set<std::string> snapshot_all_queues_;  // level-all queues the snapshot lists
};

}  // namespace qpidd::ha
