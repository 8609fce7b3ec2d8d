#include "ha/replication_source.h"

#include <proton/terminus.h>

#include <utility>
#include <vector>

#include "amqp/connection.h"
#include "amqp/errors.h"
#include "common/log.h"
#include "common/uuid.h"
#include "ha/queue_sender.h"
#include "ha/replication_policy.h"
#include "ha/replicator_protocol.h"
#include "ha/wire_format.h"

namespace qpidd::ha {
namespace {

// A backup's queue sender serving a replicator instead; when the link ends, its guard stops
// observing the queue.
class ReplicatorSender : public QueueSender {
 public:
  ReplicatorSender(const std::shared_ptr<amqp::Connection>& connection, pn_link_t* link,
                   const broker::QueuePtr& queue, const std::shared_ptr<QueueGuard>& guard,
                   std::string replicator, IdRanges held, uint64_t tail,
                   std::shared_ptr<ReplicationSource> source)
      : QueueSender(connection, link, queue, guard, std::move(replicator), std::move(held), tail,
                    *source),
        queue_(queue),
        guard_(guard),
        source_(std::move(source)) {}

  void OnClosed() override {
    QueueSender::OnClosed();
    if (!source_) return;
    queue_->RemoveObserver(guard_.get());
    source_->Forget(queue_, guard_);
    source_.reset();
  }

 private:
  const broker::QueuePtr queue_;
  const std::shared_ptr<QueueGuard> guard_;
  std::shared_ptr<ReplicationSource> source_;  // reset once the link ended
};

}  // namespace

std::shared_ptr<amqp::Link> ReplicationSource::Attach(
    const std::shared_ptr<amqp::Connection>& connection, pn_link_t* link,
    const std::string& address) {
  if (!pn_link_is_sender(link)) {
    amqp::RefuseAttach(link, "amqp:not-allowed", "replication links only send to replicas");
    return nullptr;
  }
  const auto name = QueueFromLinkAddress(address);
  if (!name) {
    amqp::RefuseAttach(link, "amqp:not-found",
                       "a replicator attaches only to $ha.queue:<queue>, not to '" + address +
                           "'");
    return nullptr;
  }
  pn_terminus_copy(pn_link_source(link), pn_link_remote_source(link));
  pn_terminus_copy(pn_link_target(link), pn_link_remote_target(link));
  auto properties = ReadQueueAttachProperties(pn_link_remote_properties(link));
  if (!properties.ok()) {
    amqp::RefuseAttach(link, "amqp:invalid-field", properties.status().message());
    return nullptr;
  }
  broker::QueuePtr queue = connection->context().broker.FindQueue(*name);
  if (!queue) {
    amqp::RefuseAttach(link, "amqp:not-found", "no queue '" + *name + "' on this broker");
    return nullptr;
  }
  const std::string identity = IdentityOf(queue);
  const std::string& known = properties.value().uuid;
  if (!known.empty() && known != identity) {
    amqp::RefuseAttach(link, std::string(kOtherQueueError).c_str(),
                       "queue '" + *name + "' is not the queue the replica copied (identity " +
                           identity + " here, " + known +
                           " at the replica): the broker restarted or the queue was made again");
    return nullptr;
  }
  const auto& info = connection->record().info;
  const std::string replicator = "replicator " + info.container_id + "@" + info.remote_address;
  auto guard = std::make_shared<QueueGuard>(*name);
  const uint64_t tail = queue->Tail();
  auto sender =
      std::make_shared<ReplicatorSender>(connection, link, queue, guard, replicator,
                                         std::move(properties.value().ids), tail,
                                         shared_from_this());
  guard->AddListener(replicator, sender);
  {
    std::lock_guard lock(mutex_);
    followers_.emplace(queue.get(), guard);
  }
  // Delete() marks the queue before OnQueueDeleted runs: either this sees the mark, or
  // OnQueueDeleted finds the guard registered above and ends the link.
  if (queue->deleted()) {
    Forget(queue, guard);
    amqp::RefuseAttach(link, "amqp:not-found", "no queue '" + *name + "' on this broker");
    return nullptr;
  }
  // From here every dequeue reaches the sender; the walk has not started yet.
  queue->AddObserver(guard);
  WriteQueueAttachProperties(pn_link_properties(link), identity, nullptr, tail);
  pn_link_set_snd_settle_mode(link, PN_SND_MIXED);
  pn_link_open(link);
  QPIDD_LOG(kInfo, kHa, "queue " << *name << " replicated to " << replicator << " (tail " << tail
                                 << ")");
  return sender;
}

std::string ReplicationSource::IdentityOf(const broker::QueuePtr& queue) {
  std::string uuid = UuidOf(queue->settings().arguments);
  if (!uuid.empty()) return uuid;
  std::lock_guard lock(mutex_);
  Identity& identity = identities_[queue.get()];
  // An entry left by a deleted queue at the same address is another queue's.
  if (identity.queue.lock() != queue) identity = Identity{queue, NewUuid()};
  return identity.id;
}

void ReplicationSource::Forget(const broker::QueuePtr& queue,
                               const std::shared_ptr<QueueGuard>& guard) {
  std::lock_guard lock(mutex_);
  auto [first, last] = followers_.equal_range(queue.get());
  for (auto it = first; it != last; ++it) {
    if (it->second.lock() == guard) {
      followers_.erase(it);
      return;
    }
  }
}

void ReplicationSource::OnQueueDeleted(const broker::QueuePtr& queue) {
  std::vector<std::shared_ptr<QueueGuard>> guards;
  {
    std::lock_guard lock(mutex_);
    identities_.erase(queue.get());
    auto [first, last] = followers_.equal_range(queue.get());
    for (auto it = first; it != last; ++it) {
      if (auto guard = it->second.lock()) guards.push_back(std::move(guard));
    }
    followers_.erase(first, last);
  }
  // Each follower's link is closed with amqp:resource-deleted, on its connection's loop.
  for (const auto& guard : guards) guard->ReleaseAll();
}

void ReplicationSource::OnQueueCaughtUp(const std::string& replicator, const std::string& queue) {
  QPIDD_LOG(kDebug, kHa, "queue " << queue << " caught up for " << replicator);
}

}  // namespace qpidd::ha
