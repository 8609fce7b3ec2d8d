// The HA module: a broker's role in an active-passive cluster (doc/ha-protocol.md). It decides
// admission of each connection, serves the primary's replication links, runs the backup's
// replication connection, and carries out promotion. The broker core only calls its hooks.
//
// THREAD SAFE. Role changes and the backup's connections run on the module's own thread (the
// HA loop); admission and attaches come from the connections' loops; management calls from any.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "amqp/node_provider.h"
#include "broker/broker.h"
#include "ha/backup_session.h"
#include "ha/ha_options.h"
#include "ha/ha_state.h"
#include "ha/primary.h"
#include "ha/primary_lost_hook.h"
#include "ha/promotion.h"
#include "ha/queue_replication.h"

namespace qpidd::ha {

// What management shows of the module (doc/ha-protocol.md 12.1).
struct HaView {
  BrokerStatus status = BrokerStatus::kStandalone;
  std::string broker_id;
  std::string address;  // own address in ha-brokers-url, "" while unknown
  std::string brokers_url;
  std::string public_url;
  std::string replicate;
  uint32_t epoch = 0;
  std::string primary;  // "<id>@<address>", "" when none
  std::vector<MemberRecord> members;
  std::vector<std::string> expected_backups;
  uint64_t catchup_queues = 0;  // on a backup, replicas not yet caught up
  // On a backup, why the primary refused it (a configuration or protocol mismatch); "" once it
  // replicates again.
  std::string replication_error;
};

class HaModule : public broker::ConnectionAdmission,
                 public amqp::NodeProvider,
                 public BackupSessionOwner,
                 public std::enable_shared_from_this<HaModule> {
 public:
  // `fatal_stop` stops the broker with exit status 1: the module met a state it cannot trust
  // (an illegal status transition).
  HaModule(broker::Broker& broker, HaSettings settings, std::function<void()> fatal_stop);
  ~HaModule() override;

  // Installs the module's hooks and starts its thread; a cluster member starts joining and
  // looks for a primary. `listening_port` finds its own address in ha-brokers-url.
  void Start(uint16_t listening_port);
  // Closes the module's connections and joins its thread.
  void Stop();

  HaView View() const;
  // Stand-alone queue replication (doc/ha-protocol.md 17), for management.
  QueueReplication& queue_replication() { return *queue_replication_; }
  // Promotes this broker if the rules allow (doc/ha-protocol.md 3, 10); returns the new status.
  // Blocks while a joining broker asks the other members (bounded).
  Result<BrokerStatus> Promote();

  // broker::ConnectionAdmission (any connection's loop)
  broker::AdmissionVerdict Admit(const broker::ConnectionInfo& info) override;
  // amqp::NodeProvider (any connection's loop)
  bool Serves(std::string_view address) const override;
  std::shared_ptr<amqp::Link> Attach(const std::shared_ptr<amqp::Connection>& connection,
                                     pn_link_t* link) override;

  // BackupSessionOwner (HA loop)
  bool OnPeerOpened(ClientConnection& connection, const broker::Arguments& properties) override;
  void OnSnapshotBegin(const ConfigEvent& event) override;
  void OnMembers(const std::vector<MemberRecord>& members) override;
  void OnCatchupQueues(size_t count) override;
  void OnSessionClosed(ClientConnection& connection, const std::string& error,
                       bool peer_closed) override;

 private:
  broker::Arguments OwnOpenProperties() const;
  void Transition(BrokerStatus to, const std::string& reason);
  // Backup rounds (HA loop).
  void ScheduleRound(std::chrono::nanoseconds delay);
  void StartRound();
  // A primary refused this broker for `why`: shown in its status, next round later (HA loop).
  void RecordRefusal(const std::string& why);
  // Drops from every replica the messages of epochs the new primary does not share (HA loop).
  void DropInvalidEpochs(const std::vector<uint32_t>& epochs, const std::string& primary_id);
  // Promotion steps (HA loop).
  Result<BrokerStatus> PromoteOnLoop(const std::vector<PeerStatus>& others);
  void OnPrimaryChanged();
  void CheckRecovered();
  // Two-primary detection (doc/ha-protocol.md 11.2), while primary (HA loop).
  void ScheduleWatch();
  void WatchRound();
  void OnWatchAnswer(const PeerStatus& peer);

  broker::Broker& broker_;
  const HaSettings settings_;
  const std::function<void()> fatal_stop_;
  HaState state_;

  boost::asio::io_context loop_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
  boost::asio::steady_timer round_timer_;
  boost::asio::steady_timer backup_timer_;
  boost::asio::steady_timer watch_timer_;

  mutable std::mutex mutex_;
  // State below is protected by mutex_ (written on the HA loop, read anywhere).
  std::string own_address_;
  uint32_t epoch_ = 0;
  std::vector<HistoryEntry> history_;
  std::string primary_;                     // "<id>@<address>" of the primary followed
  std::vector<MemberRecord> members_;       // the last list from the primary
  uint64_t catchup_queues_ = 0;
  std::string replication_error_;           // see HaView::replication_error
  std::shared_ptr<Primary> primary_role_;   // set once promoted

  // HA loop only.
  std::vector<std::shared_ptr<ClientConnection>> attempts_;  // the current round's
  std::shared_ptr<ClientConnection> replication_;            // to the primary
  std::map<std::string, std::string> attempt_errors_;         // last error, by address
  bool refused_in_round_ = false;  // a primary refused this broker in the current round
  std::vector<std::shared_ptr<ClientConnection>> watch_probes_;  // the primary's current ones
  std::set<std::string> stale_primaries_seen_;  // other primaries this one outranks, logged once
  // The primary whose link broke without a close, until the next attempt to its address says
  // whether its process is gone (refused: run the hook) or not.
  std::string lost_primary_address_;
  std::string lost_primary_id_;
  int lost_primary_checks_ = 0;  // attempts at its address that could not tell
  PrimaryLostHook primary_lost_hook_{settings_.primary_lost_command};
  bool stopping_ = false;

  // Runs its replicas on loop_, so it is made after it.
  const std::unique_ptr<QueueReplication> queue_replication_ =
      std::make_unique<QueueReplication>(loop_, broker_, settings_);
};

}  // namespace qpidd::ha
