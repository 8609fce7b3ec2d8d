#include "amqp/incoming_link.h"

#include <proton/delivery.h>
#include <proton/session.h>
#include <proton/terminus.h>

#include "amqp/connection.h"
#include "amqp/errors.h"
#include "amqp/management_node.h"
#include "amqp/node_resolver.h"
#include "amqp/terminus.h"
#include "common/log.h"

namespace qpidd::amqp {
namespace {

constexpr const char* kManagementAddress = "$management";

}  // namespace

std::shared_ptr<Link> IncomingLink::Attach(const std::shared_ptr<Connection>& connection,
                                           pn_link_t* link) {
  BrokerContext& context = connection->context();
  pn_terminus_t* remote_target = pn_link_remote_target(link);
  pn_terminus_copy(pn_link_source(link), pn_link_remote_source(link));
  pn_terminus_copy(pn_link_target(link), remote_target);

  auto handler = std::make_shared<IncomingLink>(connection, link);
  handler->address_ = TerminusAddress(remote_target);
  if (pn_terminus_get_type(remote_target) == PN_COORDINATOR) {
    RefuseAttach(link, Status::NotImplemented("transactions are not supported by this broker"));
    return nullptr;
  }
  if (handler->address_ == kManagementAddress && !pn_terminus_is_dynamic(remote_target)) {
    if (context.management == nullptr) {
      RefuseAttach(link, Status::NotFound("node '$management' not found: management is disabled "
                                          "on this broker (--mgmt-enable no)"));
      return nullptr;
    }
    handler->management_ = std::make_unique<ManagementNode>(*context.management, connection->record().info);
  } else if (!handler->address_.empty() || pn_terminus_is_dynamic(remote_target)) {
    auto resolved = ResolveNode(context.broker, remote_target, pn_link_target(link));
    if (!resolved.ok()) {
      QPIDD_LOG(kInfo, kAmqp, "refused publisher link to '" << handler->address_ << "' from "
                                  << connection->remote_address() << ": "
                                  << resolved.status().message());
      RefuseAttach(link, resolved.status());
      return nullptr;
    }
    handler->node_ = resolved.value().node;
    handler->temporary_queue_ = resolved.value().temporary_queue;
    if (const auto* queue = std::get_if<broker::QueuePtr>(&handler->node_)) {
      const broker::QueueSettings& s = (*queue)->settings();
      if (s.flow_stop_count != 0 || s.flow_stop_bytes != 0) handler->flow_queue_ = *queue;
    }
  }
  // else: the anonymous relay; each message's `to` names its node.

  pn_link_set_snd_settle_mode(link, pn_link_remote_snd_settle_mode(link));
  pn_link_open(link);
  handler->TopUpCredit();
  connection->record().receivers.fetch_add(1, std::memory_order_relaxed);
  QPIDD_LOG(kDebug, kAmqp, "publisher link to '" << handler->address_ << "' attached from "
                               << connection->remote_address());
  return handler;
}

IncomingLink::IncomingLink(const std::shared_ptr<Connection>& connection, pn_link_t* link)
    : connection_(connection), owner_(*connection), link_(link) {}

IncomingLink::~IncomingLink() = default;

void IncomingLink::OnDelivery(pn_delivery_t* delivery) {
  if (closed_ || !pn_delivery_readable(delivery)) return;
  if (pn_delivery_aborted(delivery)) {
    partial_.clear();
    pn_delivery_settle(delivery);
    TopUpCredit();
    return;
  }
  // A message may come in several transfer frames: gather until it is complete.
  const size_t pending = pn_delivery_pending(delivery);
  const size_t old_size = partial_.size();
  partial_.resize(old_size + pending);
  const ssize_t got = pn_link_recv(link_, partial_.data() + old_size, pending);
  partial_.resize(old_size + (got > 0 ? static_cast<size_t>(got) : 0));
  if (pn_delivery_partial(delivery)) return;

  std::string bytes;
  bytes.swap(partial_);
  largest_message_ = std::max(largest_message_, bytes.size());
  pn_link_advance(link_);
  owner_.record().messages_in.fetch_add(1, std::memory_order_relaxed);
  const bool presettled = pn_delivery_settled(delivery);

  auto message = broker::Message::Decode(std::move(bytes));
  if (!message.ok()) {
    QPIDD_LOG(kInfo, kAmqp, "rejected a message from " << owner_.remote_address() << ": "
                                                       << message.status().message());
    if (presettled) pn_delivery_settle(delivery);
    else RejectDelivery(delivery, Status::Error(StatusCode::kInvalidArgument, message.status().message()));
    TopUpCredit();
    return;
  }

  if (management_) {
    Status s = management_->Handle(owner_.context().broker, message.value());
    if (presettled) pn_delivery_settle(delivery);
    else if (s.ok()) { pn_delivery_update(delivery, PN_ACCEPTED); pn_delivery_settle(delivery); }
    else RejectDelivery(delivery, s);
    TopUpCredit();
    return;
  }

  const uint64_t id = ++next_delivery_id_;
  broker::PublishContext context(presettled ? nullptr : this, id);
  Status s = Publish(message.value(), context);
  if (presettled) {
    pn_delivery_settle(delivery);
  } else if (!s.ok()) {
    RejectDelivery(delivery, s);
  } else if (context.held()) {
    held_.emplace(id, delivery);  // settled by SettleHeld when the last hold goes
  } else {
    pn_delivery_update(delivery, PN_ACCEPTED);
    pn_delivery_settle(delivery);
  }
  TopUpCredit();
}

Status IncomingLink::Publish(const broker::MessagePtr& message, broker::PublishContext& context) {
  broker::Broker& broker = owner_.context().broker;
  broker::Node node = node_;
  if (std::holds_alternative<std::monostate>(node)) {  // anonymous relay
    if (message->to().empty()) {
      return Status::InvalidArgument("message has no 'to' address and the link has no target");
    }
    node = broker.Resolve(message->to());
    if (std::holds_alternative<std::monostate>(node)) {
      return Status::NotFound("node '" + message->to() + "' not found");
    }
  }
  if (const auto* queue = std::get_if<broker::QueuePtr>(&node)) {
    return (*queue)->Enqueue(message, &context);
  }
  const auto& exchange = std::get<broker::ExchangePtr>(node);
  Status refused;
  if (broker.Route(*exchange, message, &context, &refused) == 0 && refused.ok()) {
    // Unroutable messages are accepted and dropped, as qpidd does.
    QPIDD_LOG(kDebug, kBroker, "exchange " << exchange->name() << ": no binding matched subject '"
                                           << message->subject() << "'; message dropped");
  }
  return refused;
}

broker::PublishHold::SettleFn IncomingLink::MakeSettleFn(uint64_t delivery_id) {
  // Runs on whatever thread drops the last hold: hop to this link's connection loop.
  return [weak_connection = connection_, weak_link = weak_from_this(), delivery_id](const Status& status) {
    if (auto connection = weak_connection.lock()) {
      connection->Post([weak_link, delivery_id, status] {
        if (auto link = weak_link.lock()) link->SettleHeld(delivery_id, status);
      });
    }
  };
}

void IncomingLink::SettleHeld(uint64_t delivery_id, const Status& status) {
  auto it = held_.find(delivery_id);
  if (it == held_.end() || closed_) return;
  pn_delivery_t* delivery = it->second;
  held_.erase(it);
  if (status.ok()) {
    pn_delivery_update(delivery, PN_ACCEPTED);
    pn_delivery_settle(delivery);
  } else {
    RejectDelivery(delivery, status);
  }
}

int IncomingLink::Window() const {
  uint64_t window = owner_.context().settings.publisher_credit;
  if (flow_queue_) {
    const broker::QueueSettings& s = flow_queue_->settings();
    if (s.flow_stop_count != 0 && s.max_count > s.flow_stop_count) {
      window = std::min(window, s.max_count - s.flow_stop_count);
    }
    if (s.flow_stop_bytes != 0 && s.max_bytes > s.flow_stop_bytes) {
      // Until the first message shows how big they are, one at a time.
      window = largest_message_ == 0
                   ? 1
                   : std::min<uint64_t>(window, (s.max_bytes - s.flow_stop_bytes) / largest_message_);
    }
  }
  return static_cast<int>(std::max<uint64_t>(window, 1));
}

void IncomingLink::TopUpCredit() {
  if (closed_) return;
  // Held back: the queue tells OnFlowResumed when it is under its resume threshold.
  if (flow_queue_ && flow_queue_->FlowStopped(shared_from_this())) return;
  // Credit is granted in batches: one flow frame per half window, not one per message.
  const int window = Window();
  const int credit = pn_link_credit(link_);
  if (credit <= window / 2) pn_link_flow(link_, window - credit);
}

void IncomingLink::OnFlowResumed() {
  if (auto connection = connection_.lock()) {
    connection->Post([weak = weak_from_this()] {
      if (auto link = weak.lock()) link->TopUpCredit();
    });
  }
}

void IncomingLink::OnClosed() {
  if (closed_) return;
  closed_ = true;
  held_.clear();
  owner_.record().receivers.fetch_sub(1, std::memory_order_relaxed);
  if (!temporary_queue_.empty()) (void)owner_.context().broker.DeleteQueue(temporary_queue_);
}

}  // namespace qpidd::amqp
