#include "ha/backup_session.h"

#include <proton/delivery.h>
#include <proton/disposition.h>
#include <proton/event.h>
#include <proton/terminus.h>

#include <algorithm>

#include "broker/message.h"
#include "common/log.h"
#include "ha/peer_properties.h"
#include "ha/queue_link_receiver.h"
#include "ha/replication_policy.h"

namespace qpidd::ha {
namespace {

// See BackupSession::queue_sessions_.
constexpr size_t kLinksPerQueueSession = 256;

pn_link_t* OpenReceiver(pn_session_t* session, const std::string& address) {
  pn_link_t* link = pn_receiver(session, address.c_str());
  pn_terminus_set_address(pn_link_source(link), address.c_str());
  pn_terminus_set_address(pn_link_target(link), address.c_str());
  pn_link_set_rcv_settle_mode(link, PN_RCV_FIRST);
  return link;
}

}  // namespace

BackupSession::BackupSession(broker::Broker& broker, const HaSettings& settings,
                             BackupSessionOwner& owner)
    : broker_(broker), settings_(settings), owner_(owner) {}

uint32_t BackupSession::Window(std::optional<size_t> largest_message) const {
  uint64_t window = settings_.flow_messages == 0 ? 0x7fffffff : settings_.flow_messages;
  if (settings_.flow_bytes > 0 && largest_message) {
    // Until a message is seen its size is unknown: one at a time.
    const uint64_t by_bytes = *largest_message == 0
                                  ? 1
                                  : std::max<uint64_t>(1, settings_.flow_bytes / *largest_message);
    window = std::min(window, by_bytes);
  }
  return static_cast<uint32_t>(window);
}

void BackupSession::TopUp(pn_link_t* link, std::optional<size_t> largest_message) {
  TopUpCredit(link, Window(largest_message));
}

void BackupSession::OnOpened(ClientConnection& c, const broker::Arguments& peer_properties) {
  if (!owner_.OnPeerOpened(c, peer_properties)) {
    c.Close();
    return;
  }
  primary_ = true;
  // At info: a primary that refuses this backup (6.6) opens, then closes, every round.
  QPIDD_LOG(kInfo, kHa, "attaching to primary " << TextProperty(peer_properties, kBrokerIdProperty)
                                                << "@" << c.address());
  config_session_ = pn_session(c.connection());
  pn_session_open(config_session_);
  queue_sessions_.clear();
  links_on_last_session_ = 0;
  config_link_ = OpenReceiver(config_session_, std::string(kConfigAddress));
  pn_link_set_snd_settle_mode(config_link_, PN_SND_UNSETTLED);
  pn_link_open(config_link_);
  TopUp(config_link_, std::nullopt);
}

void BackupSession::OnEvent(ClientConnection& c, pn_event_t* event) {
  switch (pn_event_type(event)) {
    case PN_DELIVERY:
      OnDelivery(c, pn_event_delivery(event));
      break;
    case PN_LINK_REMOTE_CLOSE:
    case PN_LINK_REMOTE_DETACH: {
      pn_link_t* link = pn_event_link(event);
      if (link == config_link_) {
        Fail(c, "the primary closed the configuration link");
        return;
      }
      // A queue link ends when its queue is deleted; the configuration link says so.
      if (auto it = queue_links_.find(link); it != queue_links_.end()) {
        if (!it->second.caught_up) --links_catching_up_;
        links_by_queue_.erase(it->second.queue);
        queue_links_.erase(it);
        ReportCatchup();
      }
      pn_link_close(link);
      break;
    }
    default:
      break;
  }
}

void BackupSession::ReportCatchup() { owner_.OnCatchupQueues(links_catching_up_); }

void BackupSession::OnClosed(ClientConnection& c, const std::string& error, bool peer_closed) {
  queue_links_.clear();
  links_by_queue_.clear();
  links_catching_up_ = 0;
  owner_.OnSessionClosed(c, error, peer_closed);
}

void BackupSession::OnDelivery(ClientConnection& c, pn_delivery_t* delivery) {
  if (!pn_delivery_readable(delivery) || pn_delivery_partial(delivery)) return;
  pn_link_t* link = pn_delivery_link(delivery);
  const std::string bytes = ReadDelivery(link, delivery);
  pn_link_advance(link);
  Status status;
  if (link == config_link_) {
    status = ApplyConfig(c, bytes);
  } else if (auto it = queue_links_.find(link); it != queue_links_.end()) {
    status = ApplyQueueMessage(it->second, delivery, bytes);
  }
  if (!status.ok()) {
    pn_delivery_update(delivery, PN_REJECTED);
    pn_delivery_settle(delivery);
    Fail(c, status.message());
    return;
  }
  if (!pn_delivery_settled(delivery)) pn_delivery_update(delivery, PN_ACCEPTED);
  pn_delivery_settle(delivery);
  auto it = queue_links_.find(link);
  TopUp(link, it == queue_links_.end() ? std::nullopt : std::optional<size_t>(it->second.largest));
}

Status BackupSession::ApplyConfig(ClientConnection& c, const std::string& bytes) {
  auto event = DecodeConfigMessage(bytes);
  if (!event.ok()) return event.status();
  const ConfigEvent& e = event.value();
  const uint64_t expected = e.event == kSnapshotBeginEvent ? 1 : last_seq_ + 1;
  if (e.seq != expected) {
    return Status::InvalidArgument(e.event + ": sequence number " + std::to_string(e.seq) +
                                   ", expected " + std::to_string(expected));
  }
  last_seq_ = e.seq;
  if (Status s = Apply(c, e); !s.ok()) return Status::InvalidArgument(e.event + ": " + s.message());
  return Status::Ok();
}

Status BackupSession::Apply(ClientConnection& c, const ConfigEvent& e) {
  if (e.event == kSnapshotBeginEvent) {
    if (e.protocol != kProtocolVersion) {
      return Status::InvalidArgument("protocol " + std::to_string(e.protocol) + ", this backup " +
                                     std::to_string(kProtocolVersion));
    }
    in_snapshot_ = true;
    listed_queues_.clear();
    listed_exchanges_.clear();
    listed_bindings_.clear();
    owner_.OnSnapshotBegin(e);
    owner_.OnMembers(e.members);
    return Status::Ok();
  }
  if (e.event == kExchangesEvent) {
    for (const auto& r : e.exchanges) {
      if (Status s = ApplyExchange(r); !s.ok()) return s;
    }
    return Status::Ok();
  }
  if (e.event == kQueuesEvent) {
    for (const auto& r : e.queues) {
      if (Status s = ApplyQueue(c, r); !s.ok()) return s;
    }
    return Status::Ok();
  }
  if (e.event == kBindingsEvent) {
    for (const auto& r : e.bindings) {
      if (Status s = ApplyBinding(r); !s.ok()) return s;
    }
    return Status::Ok();
  }
  if (e.event == kSnapshotEndEvent) {
    in_snapshot_ = false;
    DeleteUnlisted();
    return Status::Ok();
  }
  if (e.event == kExchangeCreateEvent && e.exchange) return ApplyExchange(*e.exchange);
  if (e.event == kQueueCreateEvent && e.queue) return ApplyQueue(c, *e.queue);
  if (e.event == kBindEvent && e.binding) return ApplyBinding(*e.binding);
  if (e.event == kExchangeDeleteEvent) {
    broker::ExchangePtr x = broker_.FindExchange(e.name);
    if (x && UuidOf(x->settings().arguments) == e.ha_uuid) (void)broker_.DeleteExchange(e.name);
    return Status::Ok();
  }
  if (e.event == kQueueDeleteEvent) {
    broker::QueuePtr q = broker_.FindQueue(e.name);
    if (q && UuidOf(q->settings().arguments) == e.ha_uuid) {
      (void)broker_.DeleteQueue(e.name, q.get());
    }
    return Status::Ok();
  }
  if (e.event == kUnbindEvent && e.binding) {
    (void)broker_.Unbind(e.binding->exchange, e.binding->queue, e.binding->key);
    return Status::Ok();
  }
  if (e.event == kQueueUsedEvent) {
    broker::QueuePtr q = broker_.FindQueue(e.name);
    if (q && UuidOf(q->settings().arguments) == e.ha_uuid) q->MarkUsed();
    return Status::Ok();
  }
  if (e.event == kMembersEvent) {
    owner_.OnMembers(e.members);
    return Status::Ok();
  }
  return Status::InvalidArgument("unexpected event");
}

Status BackupSession::ApplyExchange(const ExchangeRecord& record) {
  if (in_snapshot_) listed_exchanges_.insert(record.ha_uuid);
  if (broker::ExchangePtr existing = broker_.FindExchange(record.name)) {
    if (UuidOf(existing->settings().arguments) == record.ha_uuid) return Status::Ok();
    if (Status s = broker_.DeleteExchange(record.name); !s.ok()) return s;
  }
  broker::ExchangeSettings settings;
  settings.durable = record.durable;
  settings.auto_delete = record.auto_delete;
  settings.arguments = record.arguments;
  auto made = broker_.CreateExchange(record.name, record.type, std::move(settings), nullptr);
  return made.ok() ? Status::Ok() : made.status();
}

Status BackupSession::ApplyQueue(ClientConnection& c, const QueueRecord& record) {
  if (in_snapshot_) listed_queues_.insert(record.ha_uuid);
  broker::QueuePtr queue = broker_.FindQueue(record.name);
  if (queue && UuidOf(queue->settings().arguments) != record.ha_uuid) {
    // Another queue of the same name: replaced, its messages dropped (never rerouted).
    queue->SetReplica(true);
    (void)broker_.DeleteQueue(record.name, queue.get());
    queue = nullptr;
  }
  if (!queue) {
    broker::QueueSettings settings;
    settings.durable = record.durable;
    settings.auto_delete = record.auto_delete;
    settings.exclusive = record.exclusive;
    settings.arguments = record.arguments;
    auto made = broker_.CreateQueue(record.name, std::move(settings), nullptr);
    if (!made.ok()) return made.status();
    queue = made.value();
    queue->SetReplica(true);
  }
  if (record.used) queue->MarkUsed();
  if (LevelOf(*queue) == broker::ReplicationLevel::kAll && !links_by_queue_.contains(record.name)) {
    AttachQueueLink(c, queue);
  }
  return Status::Ok();
}

Status BackupSession::ApplyBinding(const BindingRecord& record) {
  if (in_snapshot_) listed_bindings_.emplace(record.exchange, record.queue, record.key);
  return broker_.Bind(record.exchange, record.queue, record.key, record.arguments);
}

void BackupSession::DeleteUnlisted() {
  // Replicated objects the primary no longer has (deleted while this backup was away). Queues
  // first: a queue's alternate exchange cannot go while the queue uses it.
  for (const auto& queue : broker_.Queues()) {
    const std::string uuid = UuidOf(queue->settings().arguments);
    if (!uuid.empty() && !listed_queues_.contains(uuid)) {
      queue->SetReplica(true);
      (void)broker_.DeleteQueue(queue->name(), queue.get());
    }
  }
  // Bindings between replicated objects that the primary removed.
  for (const auto& exchange : broker_.Exchanges()) {
    if (UuidOf(exchange->settings().arguments).empty()) continue;
    for (const auto& binding : exchange->Bindings()) {
      broker::QueuePtr queue = broker_.FindQueue(binding.queue);
      if (!queue || UuidOf(queue->settings().arguments).empty() ||
          !BindingReplicated(binding, LevelOf(*exchange), LevelOf(*queue)) ||
          listed_bindings_.contains({binding.exchange, binding.queue, binding.key})) {
        continue;
      }
      (void)broker_.Unbind(binding.exchange, binding.queue, binding.key);
    }
  }
  // An exchange that is another's alternate goes after it: repeat while deletes succeed.
  for (bool progress = true; progress;) {
    progress = false;
    for (const auto& exchange : broker_.Exchanges()) {
      const std::string uuid = UuidOf(exchange->settings().arguments);
      if (!uuid.empty() && !listed_exchanges_.contains(uuid) &&
          broker_.DeleteExchange(exchange->name()).ok()) {
        progress = true;
      }
    }
  }
}

void BackupSession::AttachQueueLink(ClientConnection& c, const broker::QueuePtr& replica) {
  if (queue_sessions_.empty() || links_on_last_session_ == kLinksPerQueueSession) {
    queue_sessions_.push_back(pn_session(c.connection()));
    pn_session_open(queue_sessions_.back());
    links_on_last_session_ = 0;
  }
  ++links_on_last_session_;
  // What the replica holds already is not sent again.
  IdRanges held;
  uint64_t after = 0;
  for (;;) {
    auto batch = replica->SnapshotAll(after, 4096);
    if (batch.empty()) break;
    for (const auto& m : batch) held.Add(m.position);
    after = batch.back().position;
  }
  pn_link_t* link = OpenReceiver(queue_sessions_.back(), QueueLinkAddress(replica->name()));
  pn_link_set_snd_settle_mode(link, PN_SND_MIXED);
  WriteQueueAttachProperties(pn_link_properties(link), UuidOf(replica->settings().arguments),
                             &held, std::nullopt);
  pn_link_open(link);
  TopUp(link, 0);
  queue_links_[link] = QueueLink{replica->name(), replica};
  ++links_catching_up_;
  links_by_queue_[replica->name()] = link;
  ReportCatchup();
}

Status BackupSession::ApplyQueueMessage(QueueLink& link, pn_delivery_t* delivery,
                                        const std::string& bytes) {
  const pn_delivery_tag_t tag = pn_delivery_tag(delivery);
  const std::string_view tag_bytes(tag.start, tag.size);
  if (IsEventTag(tag_bytes)) {
    auto event = DecodeQueueEvent(bytes);
    if (!event.ok()) return event.status();
    if (event.value().name == kDequeueEvent) {
      link.replica->DequeueReplica(event.value().ids.Ranges());
    } else if (event.value().name == kCaughtUpEvent && !link.caught_up) {
      link.caught_up = true;
      --links_catching_up_;
      ReportCatchup();
    }
    return Status::Ok();
  }
  auto id = DecodeIdTag(tag_bytes);
  if (!id) return Status::InvalidArgument("queue " + link.queue + ": bad delivery tag");
  link.largest = std::max(link.largest, bytes.size());
  auto message = broker::Message::Decode(bytes);
  if (!message.ok()) return message.status();
  return link.replica->EnqueueReplica(std::move(message).value(), id->id, id->expires_at_ms);
}

void BackupSession::Fail(ClientConnection& c, const std::string& why) {
  QPIDD_LOG(kError, kHa, "replication from " << c.address() << " failed: " << why);
  c.Close(std::string(kReplicationFailedError), why);
}

}  // namespace qpidd::ha
