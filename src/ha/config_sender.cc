#include "ha/config_sender.h"

#include <proton/delivery.h>
#include <proton/disposition.h>
#include <proton/terminus.h>

#include <cstring>

#include "amqp/connection.h"
#include "amqp/errors.h"
#include "amqp/post_coalesced.h"
#include "common/log.h"
#include "ha/records.h"
#include "ha/replication_policy.h"

namespace qpidd::ha {

using broker::ReplicationLevel;

std::shared_ptr<ConfigSender> ConfigSender::Attach(
    const std::shared_ptr<amqp::Connection>& connection, pn_link_t* link,
    const std::string& backup, ReplicationHub& hub) {
  pn_terminus_copy(pn_link_source(link), pn_link_remote_source(link));
  pn_terminus_copy(pn_link_target(link), pn_link_remote_target(link));
  pn_link_set_snd_settle_mode(link, PN_SND_UNSETTLED);
  pn_link_open(link);
  auto sender = std::make_shared<ConfigSender>(connection, link, backup, hub);
  sender->Enqueue(hub.SnapshotBegin());
  // The replay is the snapshot; the observer then sees every later change, with nothing
  // between the two.
  connection->context().broker.AddConfigurationObserver(sender, /*replay=*/true);
  QPIDD_LOG(kInfo, kHa, "configuration link attached for backup " << backup);
  return sender;
}

ConfigSender::ConfigSender(const std::shared_ptr<amqp::Connection>& connection, pn_link_t* link,
                           std::string backup, ReplicationHub& hub)
    : connection_(connection),
      broker_(connection->context().broker),
      link_(link),
      backup_(std::move(backup)),
      hub_(hub) {}

void ConfigSender::SendMembers(std::vector<MemberRecord> members) {
  Enqueue(ConfigEvent::Members(std::move(members)));
}

void ConfigSender::SendQueueUsed(const std::string& name, const std::string& uuid) {
  Enqueue(ConfigEvent::QueueUsed(name, uuid));
}

// --- Observer: any thread, under the broker's change lock -----------------------------------

void ConfigSender::OnExchangeCreated(const broker::ExchangePtr& exchange) {
  if (LevelOf(*exchange) == ReplicationLevel::kNone) return;
  std::lock_guard lock(mutex_);
  if (replaying_) ++snapshot_exchanges_;
  pending_.push_back({ConfigEvent::ExchangeCreate(MakeExchangeRecord(*exchange)), replaying_});
  Wake();
}

void ConfigSender::OnExchangeDeleted(const broker::ExchangePtr& exchange) {
  if (LevelOf(*exchange) == ReplicationLevel::kNone) return;
  Enqueue(ConfigEvent::ExchangeDelete(exchange->name(), UuidOf(exchange->settings().arguments)));
}

void ConfigSender::OnQueueCreated(const broker::QueuePtr& queue) {
  const ReplicationLevel level = LevelOf(*queue);
  if (level == ReplicationLevel::kNone) return;
  std::lock_guard lock(mutex_);
  if (replaying_) {
    ++snapshot_queues_;
    if (level == ReplicationLevel::kAll) snapshot_all_queues_.insert(queue->name());
  }
  pending_.push_back({ConfigEvent::QueueCreate(MakeQueueRecord(*queue)), replaying_});
  Wake();
}

void ConfigSender::OnQueueDeleted(const broker::QueuePtr& queue) {
  if (LevelOf(*queue) == ReplicationLevel::kNone) return;
  Enqueue(ConfigEvent::QueueDelete(queue->name(), UuidOf(queue->settings().arguments)));
}

void ConfigSender::OnBind(const broker::BindingInfo& binding) {
  broker::ExchangePtr exchange = broker_.FindExchange(binding.exchange);
  broker::QueuePtr queue = broker_.FindQueue(binding.queue);
  if (!exchange || !queue ||
      !BindingReplicated(binding, LevelOf(*exchange), LevelOf(*queue))) {
    return;
  }
  std::lock_guard lock(mutex_);
  if (replaying_) ++snapshot_bindings_;
  pending_.push_back({ConfigEvent::Bind(MakeBindingRecord(binding)), replaying_});
  Wake();
}

void ConfigSender::OnUnbind(const broker::BindingInfo& binding) {
  // An end that is gone was replicated or not; the backup ignores an unbind it cannot apply.
  broker::ExchangePtr exchange = broker_.FindExchange(binding.exchange);
  broker::QueuePtr queue = broker_.FindQueue(binding.queue);
  if ((exchange && LevelOf(*exchange) == ReplicationLevel::kNone) ||
      (queue && LevelOf(*queue) == ReplicationLevel::kNone)) {
    return;
  }
  Enqueue(ConfigEvent::Unbind(binding.exchange, binding.queue, binding.key));
}

void ConfigSender::OnReplayDone() {
  std::lock_guard lock(mutex_);
  replaying_ = false;
  snapshot_pending_ = pending_.size();
  pending_.push_back(
      {ConfigEvent::SnapshotEnd(snapshot_exchanges_, snapshot_queues_, snapshot_bindings_), false});
  Wake();
}

void ConfigSender::Enqueue(ConfigEvent event, bool snapshot_record) {
  std::lock_guard lock(mutex_);
  pending_.push_back({std::move(event), snapshot_record});
  Wake();
}

void ConfigSender::Wake() {
  // A backup this far behind (snapshot aside) is not keeping up: it starts again with a fresh
  // snapshot rather than have the primary buffer without bound.
  if (!replaying_ && pending_.size() > kMaxPendingEvents + snapshot_pending_ && !overrun_) {
    overrun_ = true;
    if (auto connection = connection_.lock()) {
      connection->Post([weak = weak_from_this()] {
        auto self = weak.lock();
        if (!self || self->closed_) return;
        QPIDD_LOG(kWarning, kHa, "backup " << self->backup_ << " is more than "
                                           << kMaxPendingEvents
                                           << " configuration events behind: closing its link");
        amqp::CloseLinkWithError(self->link_, kReplicationFailedError.data(),
                                 "more than " + std::to_string(kMaxPendingEvents) +
                                     " configuration events behind");
      });
    }
    return;
  }
  WakeSender();
}

void ConfigSender::WakeSender() {
  amqp::PostCoalesced(connection_, shared_from_this(), &ConfigSender::pump_posted_,
                      &ConfigSender::Pump);
}

// --- The link: the backup connection's loop -------------------------------------------------

void ConfigSender::Pump() {
  while (!closed_ && pn_link_credit(link_) > 0) {
    ConfigEvent next;
    {
      std::lock_guard lock(mutex_);
      if (pending_.empty()) return;
      next = NextMessage();
    }
    Send(std::move(next));
  }
}

ConfigEvent ConfigSender::NextMessage() {
  Pending first = std::move(pending_.front());
  pending_.pop_front();
  if (!first.snapshot_record) return std::move(first.event);
  // Consecutive snapshot records of one kind travel together, up to a batch.
  const std::string kind = first.event.event;
  ConfigEvent batch;
  auto add = [&batch](ConfigEvent& e) {
    if (e.exchange) batch.exchanges.push_back(std::move(*e.exchange));
    if (e.queue) batch.queues.push_back(std::move(*e.queue));
    if (e.binding) batch.bindings.push_back(std::move(*e.binding));
  };
  add(first.event);
  size_t count = 1;
  while (!pending_.empty() && pending_.front().snapshot_record &&
         pending_.front().event.event == kind && count < kMaxSnapshotBatch) {
    add(pending_.front().event);
    pending_.pop_front();
    ++count;
  }
  if (kind == kExchangeCreateEvent) return ConfigEvent::Exchanges(std::move(batch.exchanges));
  if (kind == kQueueCreateEvent) return ConfigEvent::Queues(std::move(batch.queues));
  return ConfigEvent::Bindings(std::move(batch.bindings));
}

void ConfigSender::Send(ConfigEvent event) {
  event.seq = ++seq_;
  if (event.event == kSnapshotEndEvent) snapshot_end_seq_ = event.seq;
  const std::string bytes = EncodeConfigMessage(event);
  const uint64_t seq = event.seq;
  pn_delivery_t* delivery =
      pn_delivery(link_, pn_dtag(reinterpret_cast<const char*>(&seq), sizeof(seq)));
  pn_link_send(link_, bytes.data(), bytes.size());
  pn_link_advance(link_);
  (void)delivery;
}

void ConfigSender::OnDelivery(pn_delivery_t* delivery) {
  if (!pn_delivery_updated(delivery) && !pn_delivery_settled(delivery)) return;
  const pn_delivery_tag_t tag = pn_delivery_tag(delivery);
  uint64_t seq = 0;
  if (tag.size == sizeof(seq)) std::memcpy(&seq, tag.start, sizeof(seq));
  const uint64_t state = pn_delivery_remote_state(delivery);
  pn_delivery_settle(delivery);
  if (state != PN_ACCEPTED) {
    QPIDD_LOG(kWarning, kHa, "backup " << backup_ << " did not accept configuration message "
                                       << seq);
    return;
  }
  if (seq != 0 && seq == snapshot_end_seq_) {
    std::set<std::string> queues;
    {
      std::lock_guard lock(mutex_);
      queues.swap(snapshot_all_queues_);
    }
    hub_.OnSnapshotApplied(backup_, std::move(queues));
  }
}

void ConfigSender::OnClosed() {
  if (closed_) return;
  closed_ = true;
  broker_.RemoveConfigurationObserver(this);
  hub_.OnBackupGone(backup_, this);
  QPIDD_LOG(kInfo, kHa, "configuration link of backup " << backup_ << " closed");
}

}  // namespace qpidd::ha
