#include "ha/queue_sender.h"

#include <proton/delivery.h>
#include <proton/disposition.h>
#include <proton/terminus.h>

#include <algorithm>

#include "amqp/connection.h"
#include "amqp/errors.h"
#include "amqp/post_coalesced.h"
#include "common/log.h"
#include "ha/replication_policy.h"
#include "ha/wire_format.h"

namespace qpidd::ha {
namespace {

// Messages taken from the queue per walk step: bounds the time the queue lock is held.
constexpr size_t kWalkBatch = 256;

void AddAll(IdRanges& to, const IdRanges& from) {
  for (const auto& [first, last] : from.Ranges()) to.AddRange(first, last);
}

}  // namespace

std::shared_ptr<amqp::Link> QueueSender::Attach(const std::shared_ptr<amqp::Connection>& connection,
                                                pn_link_t* link, const std::string& queue_name,
                                                const std::string& backup, ReplicationHub& hub) {
  pn_terminus_copy(pn_link_source(link), pn_link_remote_source(link));
  pn_terminus_copy(pn_link_target(link), pn_link_remote_target(link));
  auto properties = ReadQueueAttachProperties(pn_link_remote_properties(link));
  if (!properties.ok()) {
    amqp::RefuseAttach(link, "amqp:invalid-field", properties.status().message());
    return nullptr;
  }
  broker::QueuePtr queue = connection->context().broker.FindQueue(queue_name);
  if (!queue || UuidOf(queue->settings().arguments) != properties.value().uuid) {
    amqp::RefuseAttach(link, "amqp:not-found",
                       "no replicated queue '" + queue_name + "' with identity " +
                           properties.value().uuid);
    return nullptr;
  }
  std::shared_ptr<QueueGuard> guard = hub.GuardFor(*queue);
  if (!guard) {
    amqp::RefuseAttach(link, "amqp:not-allowed",
                       "queue '" + queue_name + "' does not replicate its messages");
    return nullptr;
  }
  // The start is read under the guard's lock, which enqueues take: tail and start agree.
  guard->StartGuarding(backup);
  const uint64_t tail = queue->Tail();
  auto sender = std::make_shared<QueueSender>(connection, link, queue, guard, backup,
                                              std::move(properties.value().ids), tail, hub);
  guard->AddListener(backup, sender);
  WriteQueueAttachProperties(pn_link_properties(link), properties.value().uuid, nullptr, tail);
  pn_link_set_snd_settle_mode(link, PN_SND_MIXED);
  pn_link_open(link);
  QPIDD_LOG(kDebug, kHa, "queue link " << queue_name << " attached for backup " << backup
                                       << " (tail " << tail << ")");
  return sender;
}

QueueSender::QueueSender(const std::shared_ptr<amqp::Connection>& connection, pn_link_t* link,
                         broker::QueuePtr queue, std::shared_ptr<QueueGuard> guard,
                         std::string backup, IdRanges held, uint64_t tail, ReplicationHub& hub)
    : connection_(connection),
      link_(link),
      queue_(std::move(queue)),
      guard_(std::move(guard)),
      backup_(std::move(backup)),
      hub_(hub),
      held_(std::move(held)),
      tail_(tail) {}

void QueueSender::OnQueueChanged() {
  // One posted pump per burst of changes.
  amqp::PostCoalesced(connection_, shared_from_this(), &QueueSender::pump_posted_,
                      &QueueSender::Pump);
}

void QueueSender::OnQueueDeleted() {
  auto connection = connection_.lock();
  if (!connection) return;
  connection->Post([weak = weak_from_this()] {
    auto self = weak.lock();
    if (!self || self->closed_) return;
    amqp::CloseLinkWithError(self->link_, "amqp:resource-deleted",
                             "queue '" + self->queue_->name() + "' was deleted");
  });
}

void QueueSender::Pump() {
  if (closed_) return;
  Walk();
  AddAll(dequeued_, guard_->TakeDequeued(backup_));
  if (!dequeued_.empty() && pn_link_credit(link_) > 0) {
    SendEvent(EncodeDequeueEvent(dequeued_));
    dequeued_.Clear();
  }
  CheckCaughtUp();
}

void QueueSender::Walk() {
  while (pn_link_credit(link_) > 0) {
    const size_t want = std::min<size_t>(kWalkBatch, static_cast<size_t>(pn_link_credit(link_)));
    std::vector<broker::QueuedMessage> batch = queue_->SnapshotAll(cursor_, want);
    if (batch.empty()) {
      // The end of the queue: what the backup holds beyond it is gone here.
      passed_tail_ = true;
      if (!held_.empty()) AddAll(dequeued_, held_.ExtractUpTo(UINT64_MAX));
      return;
    }
    for (const auto& m : batch) {
      if (m.position > tail_) passed_tail_ = true;
      // Held ids the walk stepped over are no longer on this queue.
      if (m.position > 0) AddAll(dequeued_, held_.ExtractUpTo(m.position - 1));
      cursor_ = m.position;
      if (held_.Contains(m.position)) {
        held_.Remove(m.position);
        guard_->Release(backup_, m.position);  // the backup has it already
        if (m.position <= tail_) ++catchup_held_;
        continue;
      }
      if (pn_link_credit(link_) <= 0) return;
      SendMessage(m);
    }
  }
}

void QueueSender::SendMessage(const broker::QueuedMessage& m) {
  const std::string tag = EncodeIdTag(m.position, m.expires_at_ms);
  pn_delivery(link_, pn_dtag(tag.data(), tag.size()));
  const std::string& bytes = m.message->bytes();  // passed through exactly as published
  pn_link_send(link_, bytes.data(), bytes.size());
  pn_link_advance(link_);
  if (m.position <= tail_) {
    ++unsettled_to_tail_;
    ++catchup_sent_;
  }
}

void QueueSender::SendEvent(const std::string& bytes) {
  const char tag = kEventTag;
  pn_delivery_t* delivery = pn_delivery(link_, pn_dtag(&tag, 1));
  pn_link_send(link_, bytes.data(), bytes.size());
  pn_link_advance(link_);
  pn_delivery_settle(delivery);  // events are pre-settled
}

void QueueSender::OnDelivery(pn_delivery_t* delivery) {
  if (!pn_delivery_updated(delivery) && !pn_delivery_settled(delivery)) return;
  const pn_delivery_tag_t tag = pn_delivery_tag(delivery);
  const auto id = DecodeIdTag(std::string_view(tag.start, tag.size));
  const uint64_t state = pn_delivery_remote_state(delivery);
  if (id && !closed_) {
    if (state == PN_ACCEPTED) {
      guard_->Release(backup_, id->id);
    } else {
      QPIDD_LOG(kWarning, kHa, "backup " << backup_ << " did not accept message " << id->id
                                         << " of queue " << queue_->name());
    }
    if (id->id <= tail_ && unsettled_to_tail_ > 0) --unsettled_to_tail_;
  }
  pn_delivery_settle(delivery);
  CheckCaughtUp();
}

void QueueSender::CheckCaughtUp() {
  if (caught_up_ || closed_ || !passed_tail_ || unsettled_to_tail_ > 0) return;
  if (pn_link_credit(link_) <= 0) return;  // sent with the next credit
  caught_up_ = true;
  SendEvent(EncodeCaughtUpEvent(tail_));
  QPIDD_LOG(kDebug, kHa, "queue " << queue_->name() << " caught up for backup " << backup_
                                   << ": sent " << catchup_sent_ << " messages, "
                                   << catchup_held_ << " held there already");
  hub_.OnQueueCaughtUp(backup_, queue_->name());
}

void QueueSender::OnClosed() {
  if (closed_) return;
  closed_ = true;
  guard_->RemoveListener(backup_);
  // Publishers no longer wait for a backup that does not follow the queue.
  guard_->StopGuarding(backup_);
}

}  // namespace qpidd::ha
