#include "amqp/outgoing_link.h"

#include <proton/delivery.h>
#include <proton/disposition.h>
#include <proton/terminus.h>

#include <cstring>

#include "amqp/connection.h"
#include "amqp/errors.h"
#include "amqp/node_resolver.h"
#include "amqp/post_coalesced.h"
#include "amqp/terminus.h"
#include "common/log.h"

namespace qpidd::amqp {
namespace {

// Binds a private subscription queue to `exchange` as the link's filter asks. Without a filter
// a topic exchange binds '#', a headers exchange matches everything, a direct exchange binds
// the empty key and a fanout exchange ignores keys.
Status BindSubscription(broker::Broker& broker, const broker::Exchange& exchange,
                        const std::string& queue, const BindingFilter& filter) {
  std::string key;
  broker::Arguments arguments;
  if (filter.kind == BindingFilter::Kind::kKey) {
    key = filter.key;
  } else if (filter.kind == BindingFilter::Kind::kHeaders) {
    arguments = filter.arguments;
  } else if (exchange.type() == "topic") {
    key = "#";
  }
  // x-match all with nothing to match takes every message.
  if (exchange.type() == "headers" && arguments.empty()) arguments["x-match"] = std::string("all");
  return broker.Bind(exchange.name(), queue, key, arguments);
}

}  // namespace

std::shared_ptr<Link> OutgoingLink::Attach(const std::shared_ptr<Connection>& connection,
                                           pn_link_t* link) {
  broker::Broker& broker = connection->context().broker;
  pn_terminus_t* remote_source = pn_link_remote_source(link);
  pn_terminus_copy(pn_link_source(link), remote_source);
  pn_terminus_copy(pn_link_target(link), pn_link_remote_target(link));
  const std::string address = TerminusAddress(remote_source);

  auto resolved = ResolveNode(broker, remote_source, pn_link_source(link));
  if (!resolved.ok()) {
    QPIDD_LOG(kInfo, kAmqp, "refused consumer link from '" << address << "' for "
                                << connection->remote_address() << ": " << resolved.status().message());
    RefuseAttach(link, resolved.status());
    return nullptr;
  }

  broker::QueuePtr queue;
  std::string temporary_queue = resolved.value().temporary_queue;
  const broker::Node& node = resolved.value().node;
  if (const auto* q = std::get_if<broker::QueuePtr>(&node)) {
    queue = *q;
  } else {
    // Receiving from an exchange: a private queue, bound as the link's filter says.
    const auto& exchange = std::get<broker::ExchangePtr>(node);
    const BindingFilter filter = ReadBindingFilter(remote_source);
    const std::string name = broker.NewTemporaryName(exchange->name() + ".sub.");
    broker::QueueSettings settings;
    settings.auto_delete = true;
    settings.exclusive = true;
    auto made = broker.CreateQueue(name, std::move(settings), nullptr);
    if (!made.ok()) {
      RefuseAttach(link, made.status());
      return nullptr;
    }
    if (Status s = BindSubscription(broker, *exchange, name, filter); !s.ok()) {
      (void)broker.DeleteQueue(name);
      RefuseAttach(link, s);
      return nullptr;
    }
    EchoBindingFilter(pn_link_source(link), remote_source, filter);
    queue = made.value();
    temporary_queue = name;
  }

  auto handler = std::make_shared<OutgoingLink>(connection, link, queue);
  handler->temporary_queue_ = std::move(temporary_queue);
  handler->browse_ = pn_terminus_get_distribution_mode(remote_source) == PN_DIST_MODE_COPY;
  handler->presettled_ = pn_link_remote_snd_settle_mode(link) == PN_SND_SETTLED;
  if (queue->replica() && !handler->browse_) {
    // A replica's content is decided by replication: nothing may be taken from it here.
    amqp::RefuseAttach(link, "amqp:not-allowed",
                       "queue '" + queue->name() + "' is a replica: browse only");
    return nullptr;
  }
  if (Status s = queue->AddConsumer(handler); !s.ok()) {
    QPIDD_LOG(kInfo, kAmqp, "refused consumer link from '" << address << "' for "
                                << connection->remote_address() << ": " << s.message());
    RefuseAttach(link, s);
    return nullptr;
  }
  pn_link_set_snd_settle_mode(link, pn_link_remote_snd_settle_mode(link));
  pn_link_open(link);
  connection->record().senders.fetch_add(1, std::memory_order_relaxed);
  QPIDD_LOG(kDebug, kAmqp, (handler->browse_ ? "browser" : "consumer") << " link on queue "
                               << queue->name() << " attached from " << connection->remote_address());
  return handler;
}

OutgoingLink::OutgoingLink(const std::shared_ptr<Connection>& connection, pn_link_t* link,
                           broker::QueuePtr queue)
    : connection_(connection), owner_(*connection), link_(link), queue_(std::move(queue)) {}

OutgoingLink::~OutgoingLink() = default;

void OutgoingLink::OnFlow() { Pull(); }

void OutgoingLink::Pull() {
  if (closed_) return;
  auto self = shared_from_this();
  while (pn_link_credit(link_) > 0) {
    auto m = browse_ ? queue_->Browse(browse_cursor_, self) : queue_->Acquire(self);
    if (!m) break;
    Send(*m);
  }
  if (pn_link_get_drain(link_) && pn_link_credit(link_) > 0) pn_link_drained(link_);
}

void OutgoingLink::Send(const broker::QueuedMessage& m) {
  const uint64_t tag = ++next_tag_;
  pn_delivery_t* delivery = pn_delivery(link_, pn_dtag(reinterpret_cast<const char*>(&tag), sizeof(tag)));
  const uint32_t count = m.message->delivery_count() + m.delivery_count;
  if (count == m.message->delivery_count()) {
    const std::string& bytes = m.message->bytes();  // passed through as it arrived
    pn_link_send(link_, bytes.data(), bytes.size());
  } else {
    const std::string bytes = m.message->EncodeForDelivery(count);
    pn_link_send(link_, bytes.data(), bytes.size());
  }
  pn_link_advance(link_);
  owner_.record().messages_out.fetch_add(1, std::memory_order_relaxed);
  if (browse_) browse_cursor_ = m.position;
  if (presettled_) {
    pn_delivery_settle(delivery);
    if (!browse_) queue_->Accept(m.position);
    return;
  }
  // The position rides on the delivery, so its outcome finds the message without a lookup.
  // NOLINTNEXTLINE(performance-no-int-to-ptr): the context is an opaque word, never dereferenced.
  pn_delivery_set_context(delivery, reinterpret_cast<void*>(static_cast<uintptr_t>(browse_ ? 0 : m.position)));
}

void OutgoingLink::OnDelivery(pn_delivery_t* delivery) {
  if (!pn_delivery_updated(delivery) && !pn_delivery_settled(delivery)) return;
  const auto position = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(pn_delivery_get_context(delivery)));
  const uint64_t state = pn_delivery_remote_state(delivery);
  if (position != 0 && !closed_) {
    switch (state) {
      case PN_RELEASED:
        queue_->Release(position, false);
        break;
      case PN_MODIFIED: {
        pn_disposition_t* remote = pn_delivery_remote(delivery);
        // undeliverable-here: "MUST NOT be redelivered to the same link" (part 3.4.5).
        queue_->Release(position, pn_disposition_is_failed(remote),
                        pn_disposition_is_undeliverable(remote) ? listener_id() : 0);
        break;
      }
      case PN_REJECTED:
        queue_->Reject(position);
        break;
      case PN_ACCEPTED:
      default:
        // Accepted, or settled by the peer without an outcome: consumed either way.
        if (state == PN_ACCEPTED || pn_delivery_settled(delivery)) queue_->Accept(position);
        else return;  // a non-terminal state (received): wait for the outcome
        break;
    }
  }
  pn_delivery_settle(delivery);
  if (state == PN_RELEASED || state == PN_MODIFIED) Pull();
}

void OutgoingLink::OnClosed() {
  if (closed_) return;
  closed_ = true;
  const bool unused_auto_delete = queue_->RemoveConsumer(this);
  // Every message still unsettled goes back; Release puts each at its original position, so
  // the queue keeps its order whatever order we walk them in.
  for (pn_delivery_t* d = pn_unsettled_head(link_); d != nullptr; d = pn_unsettled_next(d)) {
    const auto position = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(pn_delivery_get_context(d)));
    if (position != 0) queue_->Release(position, true);
    pn_delivery_set_context(d, nullptr);
  }
  owner_.record().senders.fetch_sub(1, std::memory_order_relaxed);
  if (!temporary_queue_.empty()) {
    (void)owner_.context().broker.DeleteQueue(temporary_queue_, queue_.get());
  } else if (unused_auto_delete) {
    owner_.context().broker.ReleaseAutoDelete(queue_);
  }
}

void OutgoingLink::OnMessagesAvailable() {
  // One posted pull per burst of arrivals, not one per message.
  PostCoalesced(connection_, shared_from_this(), &OutgoingLink::pull_posted_, &OutgoingLink::Pull);
}

void OutgoingLink::OnQueueDeleted() {
  auto connection = connection_.lock();
  if (!connection) return;
  connection->Post([weak = weak_from_this()] {
    auto self = weak.lock();
    if (!self || self->closed_) return;
    const std::string name = self->queue_->name();
    CloseLinkWithError(self->link_, "amqp:resource-deleted", "queue '" + name + "' was deleted");
  });
}

}  // namespace qpidd::amqp
