#include "ha/ha_module.h"

#include <boost/asio/post.hpp>
#include <future>
#include <tuple>

#include "amqp/connection.h"
#include "amqp/errors.h"
#include "common/log.h"
#include "ha/backup_write_guard.h"
#include "ha/failover_list.h"
#include "ha/history.h"
#include "ha/link_options.h"
#include "ha/own_address.h"
#include "ha/peer_properties.h"
#include "ha/probe.h"
#include "ha/replicator_protocol.h"
#include "ha/wire_format.h"

namespace qpidd::ha {
namespace {

std::chrono::milliseconds Millis(std::chrono::nanoseconds d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d);
}

// Highest epoch a cluster may reach: ids keep 48 bits for positions.
constexpr uint32_t kMaxEpoch = 65535;
// Between rounds after a primary refused this broker (a configuration or protocol mismatch).
constexpr std::chrono::seconds kRefusedRetryDelay{5};
// How often, and how soon, a backup asks again whether a lost primary's process is gone when
// its connection was reset while the process was dying.
constexpr int kLostPrimaryChecks = 5;
constexpr std::chrono::milliseconds kLostPrimaryRecheck{50};
// Least time between a primary's probes for other primaries.
constexpr std::chrono::seconds kWatchInterval{1};
// How long a stopping primary waits for its backups to answer the close of their connections.
constexpr std::chrono::milliseconds kBackupCloseBound{1000};

}  // namespace

HaModule::HaModule(broker::Broker& broker, HaSettings settings, std::function<void()> fatal_stop)
    : broker_(broker),
      settings_(std::move(settings)),
      fatal_stop_(std::move(fatal_stop)),
      work_(boost::asio::make_work_guard(loop_)),
      round_timer_(loop_),
      backup_timer_(loop_),
      watch_timer_(loop_) {}

HaModule::~HaModule() { Stop(); }

void HaModule::Start(uint16_t listening_port) {
  broker_.SetConnectionAdmission(shared_from_this());
  thread_ = std::thread([this] { loop_.run(); });
  queue_replication_->Start();
  if (!settings_.cluster) return;
  // Replication runs on this module's thread; anyone else is refused replicated objects here.
  broker_.AddConfigurationObserver(std::make_shared<BackupWriteGuard>(
      broker_, settings_, [weak = weak_from_this()] {
        auto self = weak.lock();
        return self && !IsPrimary(self->state_.status()) &&
               std::this_thread::get_id() != self->thread_.get_id();
      }));
  const std::string own = FindOwnAddress(settings_.brokers, listening_port);
  if (!own.empty()) {
    QPIDD_LOG(kInfo, kHa, "this broker is " << own << " in ha-brokers-url");
    std::lock_guard lock(mutex_);
    own_address_ = own;
  }
  Transition(BrokerStatus::kJoining, "ha-cluster=yes: looking for a primary in " +
                                         settings_.brokers_url);
  boost::asio::post(loop_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->StartRound();
  });
}

void HaModule::Stop() {
  if (!thread_.joinable()) return;
  std::shared_ptr<Primary> primary;
  {
    std::lock_guard lock(mutex_);
    primary = primary_role_;
  }
  if (primary) {
    if (size_t left = primary->CloseBackups(kBackupCloseBound)) {
      QPIDD_LOG(kInfo, kHa, left << " backup connections not closed within "
                                 << kBackupCloseBound.count() << " ms: dropped");
    }
  }
  boost::asio::post(loop_, [this] {
    stopping_ = true;
    queue_replication_->StopOnLoop();
    round_timer_.cancel();
    backup_timer_.cancel();
    watch_timer_.cancel();
    for (const auto& p : watch_probes_) p->Abort();
    for (const auto& a : attempts_) a->Abort();
    if (replication_) replication_->Abort();
  });
  work_.reset();
  // Let closes finish (each is bounded), then stop whatever is left.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (!loop_.stopped() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  loop_.stop();
  thread_.join();
  broker_.SetConnectionAdmission(nullptr);
}

// --- What others see ----------------------------------------------------------------------

HaView HaModule::View() const {
  HaView view;
  view.status = state_.status();
  view.broker_id = broker_.config().id;
  view.brokers_url = settings_.brokers_url;
  view.public_url = settings_.public_url;
  view.replicate = std::string(broker::ReplicationLevelName(settings_.replicate));
  std::shared_ptr<Primary> primary;
  {
    std::lock_guard lock(mutex_);
    view.address = own_address_;
    view.epoch = epoch_;
    view.primary = primary_;
    view.members = members_;
    view.catchup_queues = catchup_queues_;
    view.replication_error = replication_error_;
    primary = primary_role_;
  }
  if (primary) {
    view.members = primary->Members();
    view.expected_backups = primary->ExpectedIds();
    view.catchup_queues = 0;
  }
  return view;
}

broker::Arguments HaModule::OwnOpenProperties() const {
  broker::Arguments properties;
  if (!settings_.cluster) return properties;
  std::lock_guard lock(mutex_);
  properties[std::string(kProtocolProperty)] = uint64_t{kProtocolVersion};
  properties[std::string(kBrokerIdProperty)] = broker_.config().id;
  properties[std::string(kStatusProperty)] = std::string(BrokerStatusName(state_.status()));
  properties[std::string(kEpochProperty)] = uint64_t{epoch_};
  properties[std::string(kReplicateProperty)] =
      std::string(broker::ReplicationLevelName(settings_.replicate));
  return properties;
}

broker::AdmissionVerdict HaModule::Admit(const broker::ConnectionInfo& info) {
  using Action = broker::AdmissionVerdict::Action;
  broker::AdmissionVerdict verdict;
  const BrokerStatus status = state_.status();
  if (auto replicator = queue_replication_->Admit(info, status)) {
    replicator->open_properties = OwnOpenProperties();
    return *replicator;
  }
  if (info.backup_link && IsPrimary(status)) {
    std::shared_ptr<Primary> primary;
    {
      std::lock_guard lock(mutex_);
      primary = primary_role_;
    }
    if (primary) {
      verdict = primary->AdmitBackup(info);
      verdict.idle_timeout_ms =
          static_cast<uint32_t>(Millis(settings_.link_heartbeat_interval).count() * 2);
    }
  } else if (info.backup_link) {
    verdict.action = Action::kClose;
    verdict.condition = std::string(kNotPrimaryError);
    verdict.reason = "this broker is not a primary (status " +
                     std::string(BrokerStatusName(status)) + ")";
  } else if (info.admin) {
    verdict.exempt_from_limit = true;
  } else if (settings_.cluster && !IsPrimary(status)) {
    verdict.action = Action::kDrop;
    verdict.reason = "this broker is an HA backup (status " + std::string(BrokerStatusName(status)) +
                     "): clients must connect to the primary";
  }
  verdict.open_properties = OwnOpenProperties();
  if (IsPrimary(status) && !info.backup_link && !settings_.public_brokers.empty()) {
    verdict.open_list_properties[std::string(kFailoverServerListProperty)] =
        FailoverServerList(settings_.public_brokers);
  }
  return verdict;
}

bool HaModule::Serves(std::string_view address) const { return address.starts_with("$ha."); }

std::shared_ptr<amqp::Link> HaModule::Attach(const std::shared_ptr<amqp::Connection>& connection,
                                             pn_link_t* link) {
  std::shared_ptr<Primary> primary;
  {
    std::lock_guard lock(mutex_);
    primary = primary_role_;
  }
  const char* address = pn_terminus_get_address(pn_link_remote_source(link));
  if (IsReplicator(connection->record().info)) {
    return queue_replication_->Attach(connection, link, address ? address : "");
  }
  if (!connection->record().info.backup_link || !primary || !address) {
    amqp::RefuseAttach(link, "amqp:not-found",
                       "$ha. nodes exist only for backups connected to a primary");
    return nullptr;
  }
  return primary->Attach(connection, link, address);
}

void HaModule::Transition(BrokerStatus to, const std::string& reason) {
  if (Status s = state_.Transition(to, reason); !s.ok()) {
    QPIDD_LOG(kCritical, kHa, s.message() << ": stopping the broker");
    if (fatal_stop_) fatal_stop_();
  }
}

// --- Backup: finding the primary (HA loop) --------------------------------------------------

void HaModule::ScheduleRound(std::chrono::nanoseconds delay) {
  if (stopping_) return;
  round_timer_.expires_after(delay);
  round_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& error) {
    auto self = weak.lock();
    if (!error && self) self->StartRound();
  });
}

void HaModule::StartRound() {
  if (stopping_ || replication_ || !attempts_.empty() || IsPrimary(state_.status())) return;
  std::string own_address;
  uint32_t epoch = 0;
  {
    std::lock_guard lock(mutex_);
    own_address = own_address_;
    epoch = epoch_;
  }
  for (const auto& address : settings_.brokers) {
    if (address.HostPort() == own_address) continue;
    ClientConnectionOptions options =
        LinkOptions(address, settings_, "qpidd-ha-" + broker_.config().id);
    options.open_properties[std::string(kBackupProperty)] = true;
    options.open_properties[std::string(kProtocolProperty)] = uint64_t{kProtocolVersion};
    options.open_properties[std::string(kBrokerIdProperty)] = broker_.config().id;
    options.open_properties[std::string(kAddressProperty)] = own_address;
    options.open_properties[std::string(kStatusProperty)] =
        std::string(BrokerStatusName(state_.status()));
    options.open_properties[std::string(kEpochProperty)] = uint64_t{epoch};
    options.open_properties[std::string(kReplicateProperty)] =
        std::string(broker::ReplicationLevelName(settings_.replicate));
    options.idle_timeout_ms =
        static_cast<uint32_t>(Millis(settings_.link_heartbeat_interval).count() * 2);
    options.connect_timeout = std::max(Millis(settings_.link_maintenance_interval),
                                       std::chrono::milliseconds(1000));
    attempts_.push_back(ClientConnection::Start(
        loop_, options, std::make_shared<BackupSession>(broker_, settings_, *this)));
  }
  if (attempts_.empty()) ScheduleRound(settings_.link_maintenance_interval);
}

bool HaModule::OnPeerOpened(ClientConnection& connection, const broker::Arguments& properties) {
  const std::string peer_id = TextProperty(properties, kBrokerIdProperty);
  if (peer_id == broker_.config().id) {
    std::lock_guard lock(mutex_);
    if (own_address_ != connection.address()) {
      own_address_ = connection.address();
      QPIDD_LOG(kInfo, kHa, "this broker is " << own_address_ << " in ha-brokers-url");
    }
    return false;
  }
  auto status = ParseBrokerStatus(TextProperty(properties, kStatusProperty));
  if (!status.ok() || !IsPrimary(status.value()) || replication_ || stopping_ ||
      IsPrimary(state_.status())) {
    return false;
  }
  const uint64_t protocol = NumberProperty(properties, kProtocolProperty);
  if (protocol != kProtocolVersion) {
    const std::string why = "primary " + peer_id + "@" + connection.address() +
                            " speaks replication protocol " + std::to_string(protocol) +
                            ", this broker " + std::to_string(kProtocolVersion);
    if (attempt_errors_[connection.address()] != why) QPIDD_LOG(kError, kHa, why);
    attempt_errors_[connection.address()] = why;
    RecordRefusal(why);
    return false;
  }
  replication_ = connection.shared_from_this();
  {
    std::lock_guard lock(mutex_);
    primary_ = peer_id + "@" + connection.address();
  }
  for (const auto& a : attempts_) {
    if (a.get() != &connection) a->Close();
  }
  return true;
}

void HaModule::OnSnapshotBegin(const ConfigEvent& event) {
  std::vector<uint32_t> invalid;
  {
    std::lock_guard lock(mutex_);
    invalid = InvalidEpochs(history_, event.history);
    replication_error_.clear();
    epoch_ = event.epoch;
    history_ = event.history;
  }
  DropInvalidEpochs(invalid, event.broker_id);
  if (state_.status() == BrokerStatus::kJoining) {
    Transition(BrokerStatus::kCatchup, "replicating from primary " + event.broker_id);
  }
}

// Before any queue link attaches, so the ids the replicas report are ones this primary vouches
// for (doc/ha-protocol.md 7.1).
void HaModule::DropInvalidEpochs(const std::vector<uint32_t>& epochs,
                                 const std::string& primary_id) {
  if (epochs.empty()) return;
  const broker::PositionRanges ranges = EpochRanges(epochs);
  uint64_t dropped = 0;
  for (const broker::QueuePtr& queue : broker_.Queues()) {
    if (queue->replica()) dropped += queue->DequeueReplica(ranges);
  }
  std::string list;
  for (uint32_t e : epochs) list += (list.empty() ? "" : ", ") + std::to_string(e);
  QPIDD_LOG(kWarning, kHa, "primary " << primary_id << " does not share this broker's epochs "
                                      << list << ": dropped the " << dropped
                                      << " replicated messages they gave");
}

void HaModule::OnMembers(const std::vector<MemberRecord>& members) {
  {
    std::lock_guard lock(mutex_);
    members_ = members;
  }
  for (const auto& m : members) {
    if (m.broker_id != broker_.config().id) continue;
    const BrokerStatus now = state_.status();
    if (m.status == "ready" && now == BrokerStatus::kCatchup) {
      Transition(BrokerStatus::kReady, "the primary counts every replicated queue caught up");
    } else if (m.status == "catchup" && now == BrokerStatus::kReady) {
      Transition(BrokerStatus::kCatchup, "the primary no longer guards messages for this backup");
    }
  }
}

void HaModule::OnCatchupQueues(size_t count) {
  std::lock_guard lock(mutex_);
  catchup_queues_ = count;
}

void HaModule::OnSessionClosed(ClientConnection& connection, const std::string& error,
                               bool peer_closed) {
  std::erase_if(attempts_, [&connection](const auto& a) { return a.get() == &connection; });
  bool recheck_lost_primary = false;
  if (replication_.get() != &connection && !lost_primary_address_.empty() &&
      connection.address() == lost_primary_address_) {
    // An attempt at the lost primary's address tells whether its process is gone: refused, it
    // is; opened or timed out, it is not (a hung host is the cluster manager's business). A
    // reset before the open means the process was still dying: ask again, a few times.
    if (connection.refused() && !stopping_ && !IsPrimary(state_.status())) {
      primary_lost_hook_.Run({{"QPIDD_HA_PRIMARY_ADDRESS", lost_primary_address_},
                              {"QPIDD_HA_PRIMARY_ID", lost_primary_id_},
                              {"QPIDD_HA_BROKER_ID", broker_.config().id}});
      lost_primary_address_.clear();
    } else if (connection.refused() || connection.opened() || connection.timed_out() ||
               ++lost_primary_checks_ >= kLostPrimaryChecks) {
      lost_primary_address_.clear();
    } else {
      recheck_lost_primary = true;
    }
  }
  bool lost_now = false;
  const std::string& condition = connection.peer_condition();
  const bool refused =
      condition == kConfigurationMismatchError || condition == kProtocolMismatchError;
  if (refused) RecordRefusal(error);
  // A member that keeps failing the same way is reported once, then at debug.
  if ((replication_.get() != &connection || refused) && !error.empty()) {
    std::string& last = attempt_errors_[connection.address()];
    if (last != error && connection.peer_condition() != kNotPrimaryError) {
      QPIDD_LOG(kWarning, kHa, "cannot replicate from " << connection.address() << ": " << error);
    } else {
      QPIDD_LOG(kDebug, kHa, "no primary at " << connection.address() << ": " << error);
    }
    last = error;
  }
  if (replication_.get() == &connection) {
    replication_.reset();
    std::string primary;
    {
      std::lock_guard lock(mutex_);
      primary.swap(primary_);
    }
    if (!stopping_ && !refused && !IsPrimary(state_.status())) {
      QPIDD_LOG(kNotice, kHa, "lost primary " << primary << ": "
                                              << (error.empty() ? "closed" : error)
                                              << (peer_closed ? "" : " (transport)"));
      lost_now = true;
      if (!peer_closed && !error.empty() && !primary_lost_hook_.empty()) {
        lost_primary_address_ = connection.address();
        lost_primary_id_ = primary.substr(0, primary.find('@'));
        lost_primary_checks_ = 0;
      }
    }
  }
  if (attempts_.empty() && !replication_) {
    // Look for the next primary at once; a refusal lasts until an administrator changes a
    // configuration: retry, but slowly.
    auto delay = lost_now ? std::chrono::nanoseconds(0)
                 : recheck_lost_primary ? std::chrono::nanoseconds(kLostPrimaryRecheck)
                                        : settings_.link_maintenance_interval;
    if (refused_in_round_) delay = std::max<std::chrono::nanoseconds>(delay, kRefusedRetryDelay);
    refused_in_round_ = false;
    ScheduleRound(delay);
  }
}

void HaModule::RecordRefusal(const std::string& why) {
  refused_in_round_ = true;
  std::lock_guard lock(mutex_);
  replication_error_ = why;
}

// --- Promotion ------------------------------------------------------------------------------

Result<BrokerStatus> HaModule::Promote() {
  std::vector<PeerStatus> others;
  if (state_.status() == BrokerStatus::kJoining) {
    // The bound of doc/ha-protocol.md 4.6: one heartbeat interval, at most 5 s.
    const auto timeout = std::clamp(Millis(settings_.link_heartbeat_interval),
                                    std::chrono::milliseconds(100), std::chrono::milliseconds(5000));
    others = ProbeMembers(loop_, settings_.brokers, settings_, broker_.config().id, timeout);
  }
  // Shared with the posted step: if the module stops first, that step never runs, and the
  // request must still get an answer rather than hold its connection's thread for ever.
  auto done = std::make_shared<std::promise<Result<BrokerStatus>>>();
  auto result = done->get_future();
  boost::asio::post(loop_, [weak = weak_from_this(), done, others = std::move(others)] {
    auto self = weak.lock();
    done->set_value(self ? self->PromoteOnLoop(others)
                         : Result<BrokerStatus>(Status::Internal("the HA module has stopped")));
  });
  if (result.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    return Status::Internal("promotion did not complete: the HA module is stopping");
  }
  return result.get();
}

Result<BrokerStatus> HaModule::PromoteOnLoop(const std::vector<PeerStatus>& others) {
  const BrokerStatus status = state_.status();
  auto decision = DecidePromotion(status, others);
  if (!decision.ok()) {
    QPIDD_LOG(kNotice, kHa, "promotion refused: " << decision.status().message());
    return decision.status();
  }
  if (decision.value() == Promotion::kAlreadyPrimary) {
    QPIDD_LOG(kInfo, kHa, "ignoring promotion, already primary");
    return status;
  }
  PrimaryIdentity identity;
  std::vector<MemberRecord> expected;
  {
    std::lock_guard lock(mutex_);
    if (epoch_ >= kMaxEpoch) {
      return Status::Error(StatusCode::kPreconditionFailed, "promotion refused: the cluster reached epoch " +
                                        std::to_string(epoch_) + "; restart it empty");
    }
    epoch_ += 1;
    history_.push_back({epoch_, broker_.config().id});
    identity = PrimaryIdentity{broker_.config().id, own_address_, epoch_, history_};
    for (const auto& m : members_) {
      if (m.broker_id != broker_.config().id && m.status == "ready") expected.push_back(m);
    }
    primary_ = broker_.config().id + "@" + own_address_;
  }
  // 1. No longer a backup.
  round_timer_.cancel();
  for (const auto& a : attempts_) a->Abort();
  if (replication_) replication_->Abort();
  // 2-5. Replicas become ordinary queues; every level-all queue guarded for expected backups.
  auto primary = std::make_shared<Primary>(
      broker_, settings_, identity,
      [weak = weak_from_this()] {
        if (auto self = weak.lock()) {
          boost::asio::post(self->loop_, [self] { self->CheckRecovered(); });
        }
      },
      [weak = weak_from_this()](std::function<void()> work) {
        if (auto self = weak.lock()) boost::asio::post(self->loop_, std::move(work));
      });
  primary->Start(expected);
  std::string expected_text;
  for (const auto& m : expected) expected_text += " " + m.broker_id + "@" + m.address;
  {
    std::lock_guard lock(mutex_);
    primary_role_ = primary;
  }
  // 6. Expected backups have ha-backup-timeout to come back.
  backup_timer_.expires_after(settings_.backup_timeout);
  backup_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& error) {
    auto self = weak.lock();
    if (error || !self) return;
    std::shared_ptr<Primary> p;
    {
      std::lock_guard lock(self->mutex_);
      p = self->primary_role_;
    }
    if (p) p->GiveUpExpected();
    self->CheckRecovered();
  });
  // 7. Clients are admitted from here on.
  Transition(BrokerStatus::kRecovering,
             "promoted (epoch " + std::to_string(identity.epoch) + "), expected backups:" +
                 (expected_text.empty() ? " none" : expected_text));
  primary->SetOwnStatus(BrokerStatus::kRecovering);
  // 8.
  CheckRecovered();
  ScheduleWatch();
  return state_.status();
}

// --- Two primaries ----------------------------------------------------------------------------

void HaModule::ScheduleWatch() {
  if (stopping_) return;
  // Each probe is a connection the other member logs: not more often than once a second.
  watch_timer_.expires_after(
      std::max<std::chrono::nanoseconds>(settings_.link_maintenance_interval, kWatchInterval));
  watch_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& error) {
    auto self = weak.lock();
    if (!error && self) self->WatchRound();
  });
}

void HaModule::WatchRound() {
  for (const auto& p : watch_probes_) p->Abort();
  watch_probes_.clear();
  std::string own_address;
  {
    std::lock_guard lock(mutex_);
    own_address = own_address_;
  }
  const auto timeout = std::clamp(Millis(settings_.link_heartbeat_interval),
                                  std::chrono::milliseconds(100), std::chrono::milliseconds(5000));
  for (const auto& address : settings_.brokers) {
    if (address.HostPort() == own_address) continue;
    watch_probes_.push_back(StartProbe(
        loop_, address, settings_, broker_.config().id, timeout,
        [weak = weak_from_this()](std::optional<PeerStatus> peer) {
          auto self = weak.lock();
          if (self && peer && IsPrimary(peer->status)) self->OnWatchAnswer(*peer);
        }));
  }
  ScheduleWatch();
}

void HaModule::OnWatchAnswer(const PeerStatus& peer) {
  if (stopping_ || !IsPrimary(state_.status())) return;
  uint32_t epoch = 0;
  {
    std::lock_guard lock(mutex_);
    epoch = epoch_;
  }
  const std::string& own_id = broker_.config().id;
  if (std::tie(peer.epoch, peer.broker_id) > std::tie(epoch, own_id)) {
    QPIDD_LOG(kCritical, kHa, "another primary " << peer.broker << " (epoch " << peer.epoch
                                                 << ") is active; this broker (epoch " << epoch
                                                 << ") is a stale primary: shutting down");
    stopping_ = true;
    if (fatal_stop_) fatal_stop_();
    return;
  }
  if (stale_primaries_seen_.insert(peer.broker).second) {
    QPIDD_LOG(kError, kHa, "another primary " << peer.broker << " (epoch " << peer.epoch
                                              << ") answers; it is stale (this broker: epoch "
                                              << epoch << ") and will stop when it notices");
  }
}

void HaModule::CheckRecovered() {
  std::shared_ptr<Primary> primary;
  {
    std::lock_guard lock(mutex_);
    primary = primary_role_;
  }
  if (!primary || state_.status() != BrokerStatus::kRecovering) return;
  if (primary->ExpectedOutstanding()) return;
  backup_timer_.cancel();
  Transition(BrokerStatus::kActive, "no expected backup left to wait for");
  primary->SetOwnStatus(BrokerStatus::kActive);
}

}  // namespace qpidd::ha
