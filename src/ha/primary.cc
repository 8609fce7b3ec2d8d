#include "ha/primary.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <utility>

#include "amqp/connection.h"
#include "amqp/errors.h"
#include "common/log.h"
#include "ha/peer_properties.h"
#include "ha/queue_sender.h"
#include "ha/replication_policy.h"

namespace qpidd::ha {

using broker::ReplicationLevel;

namespace {

// Tells `on_first` (under the queue's lock: it must only post) of the queue's first consumer.
class FirstConsumerWatcher : public broker::QueueObserver {
 public:
  explicit FirstConsumerWatcher(std::function<void()> on_first) : on_first_(std::move(on_first)) {}
  void OnEnqueue(const broker::QueuedMessage&, broker::PublishContext*) override {}
  void OnAcquire(const broker::QueuedMessage&) override {}
  void OnRequeue(const broker::QueuedMessage&) override {}
  void OnDequeue(const broker::QueuedMessage&) override {}
  void OnConsumerAdded() override {
    if (!told_.exchange(true)) on_first_();
  }

 private:
  std::function<void()> on_first_;
  std::atomic<bool> told_{false};
};

}  // namespace

Primary::Primary(broker::Broker& broker, const HaSettings& settings, PrimaryIdentity identity,
                 std::function<void()> on_change, PostFn post)
    : broker_(broker),
      settings_(settings),
      identity_(std::move(identity)),
      on_change_(std::move(on_change)),
      post_(std::move(post)),
      membership_(identity_.broker_id, identity_.address) {}

Primary::~Primary() = default;

void Primary::Start(const std::vector<MemberRecord>& expected) {
  {
    std::lock_guard lock(mutex_);
    membership_.SetExpected(expected);
  }
  // Every existing queue is reported through OnQueueCreated (replay), then new ones come.
  broker_.AddConfigurationObserver(shared_from_this(), /*replay=*/true);
  // Outside the replay, which holds the broker's configuration still.
  for (const auto& queue : std::exchange(unused_after_promotion_, {})) {
    QPIDD_LOG(kInfo, kHa, "auto-delete queue " << queue->name()
                                               << " had a consumer on the old primary and has none");
    broker_.ReleaseAutoDelete(queue);
  }
}

void Primary::SetOwnStatus(BrokerStatus status) {
  {
    std::lock_guard lock(mutex_);
    membership_.SetOwnStatus(status);
  }
  PublishMembership();
}

bool Primary::ExpectedOutstanding() const {
  std::lock_guard lock(mutex_);
  return membership_.ExpectedOutstanding();
}

std::vector<std::string> Primary::ExpectedIds() const {
  std::lock_guard lock(mutex_);
  return membership_.ExpectedIds();
}

std::vector<MemberRecord> Primary::Members() const {
  std::lock_guard lock(mutex_);
  return membership_.Records();
}

void Primary::GiveUpExpected() {
  std::vector<std::string> given_up;
  std::vector<std::shared_ptr<QueueGuard>> guards;
  {
    std::lock_guard lock(mutex_);
    given_up = membership_.GiveUpExpected();
    for (const auto& [queue, guard] : guards_) guards.push_back(guard);
  }
  for (const auto& who : given_up) {
    QPIDD_LOG(kWarning, kHa, "expected backup " << who << " timed out");
    const std::string id = who.substr(0, who.find('@'));
    for (const auto& guard : guards) guard->StopGuarding(id);
  }
  PublishMembership();
}

// --- Backup connections -------------------------------------------------------------------

size_t Primary::CloseBackups(std::chrono::milliseconds bound) {
  std::vector<std::weak_ptr<amqp::Connection>> open;
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    open.swap(backup_connections_);
    // Clients are still connected until the broker's sockets go: none of their messages may be
    // accepted for want of a backup once the backups' links close.
    for (const auto& [queue, guard] : guards_) guard->Freeze();
  }
  for (const auto& weak : open) {
    if (auto connection = weak.lock()) {
      connection->Close(std::string(kShutdownError), "the primary is shutting down");
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + bound;
  size_t left = 0;
  while (true) {
    left = std::count_if(open.begin(), open.end(), [](const auto& c) { return !c.expired(); });
    if (left == 0 || std::chrono::steady_clock::now() >= deadline) return left;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

broker::AdmissionVerdict Primary::AdmitBackup(const broker::ConnectionInfo& info) {
  broker::AdmissionVerdict verdict;
  {
    std::lock_guard lock(mutex_);
    if (closing_) {
      verdict.action = broker::AdmissionVerdict::Action::kClose;
      verdict.condition = std::string(kNotPrimaryError);
      verdict.reason = "this primary is shutting down";
      return verdict;
    }
  }
  const uint64_t protocol = NumberProperty(info.peer_properties, kProtocolProperty);
  const std::string replicate = TextProperty(info.peer_properties, kReplicateProperty);
  const std::string ours(broker::ReplicationLevelName(settings_.replicate));
  const std::string id = TextProperty(info.peer_properties, kBrokerIdProperty);
  if (protocol != kProtocolVersion) {
    verdict.action = broker::AdmissionVerdict::Action::kClose;
    verdict.condition = std::string(kProtocolMismatchError);
    verdict.reason = "backup " + id + " speaks replication protocol " + std::to_string(protocol) +
                     ", this primary " + std::to_string(kProtocolVersion);
    return verdict;
  }
  if (replicate != ours) {
    verdict.action = broker::AdmissionVerdict::Action::kClose;
    verdict.condition = std::string(kConfigurationMismatchError);
    verdict.reason = "backup " + id + " has ha-replicate=" + replicate + ", this primary " + ours;
    return verdict;
  }
  if (id.empty()) {
    verdict.action = broker::AdmissionVerdict::Action::kClose;
    verdict.condition = "amqp:invalid-field";
    verdict.reason = "a backup connection must give qpid.ha-broker-id";
    return verdict;
  }
  verdict.exempt_from_limit = true;
  return verdict;
}

std::shared_ptr<amqp::Link> Primary::Attach(const std::shared_ptr<amqp::Connection>& connection,
                                            pn_link_t* link, const std::string& address) {
  const std::string backup =
      TextProperty(connection->record().info.peer_properties, kBrokerIdProperty);
  if (!pn_link_is_sender(link)) {
    amqp::RefuseAttach(link, "amqp:not-allowed", "replication links only send to backups");
    return nullptr;
  }
  {
    std::lock_guard lock(mutex_);
    if (closing_) {
      const std::string why = "this primary is shutting down";
      connection->Close(std::string(kNotPrimaryError), why);
      amqp::RefuseAttach(link, std::string(kNotPrimaryError).c_str(), why);
      return nullptr;
    }
    // Each backup connection attaches its configuration link once, first.
    if (address == kConfigAddress) {
      std::erase_if(backup_connections_, [](const auto& c) { return c.expired(); });
      backup_connections_.push_back(connection);
    }
  }
  if (address == kConfigAddress) {
    // The backup is a member from its configuration link on: a connection that attaches
    // nothing (a round's losing attempt) never counts.
    const auto& properties = connection->record().info.peer_properties;
    auto announced = ParseBrokerStatus(TextProperty(properties, kStatusProperty));
    {
      std::lock_guard lock(mutex_);
      membership_.Connected(backup, TextProperty(properties, kAddressProperty),
                            announced.ok() ? announced.value() : BrokerStatus::kJoining);
      connected_.insert(backup);
    }
    QPIDD_LOG(kNotice, kHa, "backup " << backup << " connected from "
                                      << connection->remote_address());
    auto sender = ConfigSender::Attach(connection, link, backup, *this);
    {
      std::lock_guard lock(mutex_);
      config_senders_[backup] = sender;
    }
    PublishMembership();
    return sender;
  }
  if (auto queue = QueueFromLinkAddress(address)) {
    return QueueSender::Attach(connection, link, *queue, backup, *this);
  }
  amqp::RefuseAttach(link, "amqp:not-found", "no replication node '" + address + "'");
  return nullptr;
}

// --- Configuration ----------------------------------------------------------------------------

Status Primary::PrepareQueue(const std::string& name, broker::QueueSettings& settings) {
  if (Status s = CheckReservedArguments("queue", name, settings.arguments); !s.ok()) return s;
  auto level = QueueLevel(settings, settings_.replicate);
  if (!level.ok()) return level.status();
  settings.first_position = FirstPosition();
  if (level.value() == ReplicationLevel::kNone) return Status::Ok();
  std::string alternate;
  if (Status s = broker::ReadAlternateExchangeArgument(settings.arguments, alternate); !s.ok()) {
    return s;
  }
  if (Status s = CheckAlternate("queue", name, alternate, broker_.FindExchange(alternate));
      !s.ok()) {
    return s;
  }
  MarkReplicated(settings.arguments, level.value());
  return Status::Ok();
}

Status Primary::PrepareExchange(const std::string& name, std::string_view /*type*/,
                                broker::ExchangeSettings& settings) {
  if (Status s = CheckReservedArguments("exchange", name, settings.arguments); !s.ok()) return s;
  auto level = ExchangeLevel(settings.arguments, settings_.replicate);
  if (!level.ok()) return level.status();
  if (level.value() == ReplicationLevel::kNone) return Status::Ok();
  std::string alternate;
  if (Status s = broker::ReadAlternateExchangeArgument(settings.arguments, alternate); !s.ok()) {
    return s;
  }
  if (alternate != name) {
    if (Status s = CheckAlternate("exchange", name, alternate, broker_.FindExchange(alternate));
        !s.ok()) {
      return s;
    }
  }
  MarkReplicated(settings.arguments, level.value());
  return Status::Ok();
}

void Primary::InitQueue(const broker::QueuePtr& queue) {
  WatchFirstConsumer(queue);
  if (LevelOf(*queue) != ReplicationLevel::kAll) return;
  std::lock_guard lock(mutex_);
  // A new queue guards everything it takes, for every backup there is.
  AddGuard(queue, queue->settings().first_position - 1);
}

void Primary::OnQueueCreated(const broker::QueuePtr& queue) {
  // Replayed existing queues (at promotion): replicas become ordinary queues.
  if (queue->replica()) {
    queue->AdvancePosition(FirstPosition());
    queue->SetReplica(false);
    if (queue->UnusedSince(queue->ConsumerChanges())) unused_after_promotion_.push_back(queue);
    WatchFirstConsumer(queue);
  }
  if (LevelOf(*queue) != ReplicationLevel::kAll) return;
  std::lock_guard lock(mutex_);
  if (!guards_.contains(queue.get())) AddGuard(queue, queue->Tail());
}

void Primary::WatchFirstConsumer(const broker::QueuePtr& queue) {
  if (!queue->settings().auto_delete || queue->used() ||
      LevelOf(*queue) == ReplicationLevel::kNone) {
    return;
  }
  queue->AddObserver(std::make_shared<FirstConsumerWatcher>(
      [weak = weak_from_this(), name = queue->name(), uuid = UuidOf(queue->settings().arguments)] {
        auto self = weak.lock();
        if (!self || !self->post_) return;
        self->post_([weak, name, uuid] {
          if (auto primary = weak.lock()) primary->SendQueueUsed(name, uuid);
        });
      }));
}

void Primary::SendQueueUsed(const std::string& name, const std::string& uuid) {
  std::vector<std::shared_ptr<ConfigSender>> senders;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, weak] : config_senders_) {
      if (auto sender = weak.lock()) senders.push_back(std::move(sender));
    }
  }
  for (const auto& sender : senders) sender->SendQueueUsed(name, uuid);
}

void Primary::AddGuard(const broker::QueuePtr& queue, uint64_t start) {
  auto guard = std::make_shared<QueueGuard>(queue->name());
  for (const auto& id : connected_) guard->StartGuardingFrom(id, start);
  for (const auto& who : membership_.ExpectedIds()) {
    guard->StartGuardingFrom(who.substr(0, who.find('@')), start);
  }
  if (closing_) guard->Freeze();
  queue->AddObserver(guard);
  guards_[queue.get()] = guard;
}

void Primary::OnQueueDeleted(const broker::QueuePtr& queue) {
  std::shared_ptr<QueueGuard> guard;
  {
    std::lock_guard lock(mutex_);
    auto it = guards_.find(queue.get());
    if (it == guards_.end()) return;
    guard = it->second;
    guards_.erase(it);
    membership_.QueueDeleted(queue->name());
  }
  guard->ReleaseAll();
  PublishMembership();
}

// --- ReplicationHub -------------------------------------------------------------------------

std::shared_ptr<QueueGuard> Primary::GuardFor(const broker::Queue& queue) {
  std::lock_guard lock(mutex_);
  auto it = guards_.find(&queue);
  return it == guards_.end() ? nullptr : it->second;
}

ConfigEvent Primary::SnapshotBegin() {
  std::lock_guard lock(mutex_);
  return ConfigEvent::SnapshotBegin(identity_.broker_id, identity_.epoch, identity_.history,
                                    std::string(broker::ReplicationLevelName(settings_.replicate)),
                                    membership_.Records());
}

void Primary::OnSnapshotApplied(const std::string& backup, std::set<std::string> queues) {
  {
    std::lock_guard lock(mutex_);
    membership_.SnapshotApplied(backup, std::move(queues));
  }
  PublishMembership();
}

void Primary::OnQueueCaughtUp(const std::string& backup, const std::string& queue) {
  {
    std::lock_guard lock(mutex_);
    membership_.QueueCaughtUp(backup, queue);
  }
  PublishMembership();
}

void Primary::OnBackupGone(const std::string& backup, const void* link) {
  std::vector<std::shared_ptr<QueueGuard>> guards;
  {
    std::lock_guard lock(mutex_);
    auto it = config_senders_.find(backup);
    // A backup that reconnected before its old link closed: the old link's end changes nothing.
    if (it == config_senders_.end() || it->second.lock().get() != link) return;
    config_senders_.erase(it);
    connected_.erase(backup);
    membership_.Gone(backup);
    for (const auto& [queue, guard] : guards_) guards.push_back(guard);
  }
  for (const auto& guard : guards) guard->StopGuarding(backup);
  QPIDD_LOG(kNotice, kHa, "backup " << backup << " disconnected");
  PublishMembership();
}

void Primary::PublishMembership() {
  std::vector<MemberRecord> records;
  std::vector<std::shared_ptr<ConfigSender>> senders;
  {
    std::lock_guard lock(mutex_);
    if (!membership_.TakeChanged()) return;
    records = membership_.Records();
    for (const auto& [id, weak] : config_senders_) {
      if (auto sender = weak.lock()) senders.push_back(std::move(sender));
    }
  }
  for (const auto& sender : senders) sender->SendMembers(records);
  if (on_change_) on_change_();
}

}  // namespace qpidd::ha
