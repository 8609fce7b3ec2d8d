#include "ha/queue_replicator.h"

#include <proton/condition.h>
#include <proton/delivery.h>
#include <proton/terminus.h>

#include <algorithm>
#include <cstdint>

#include "common/log.h"
#include "ha/link_options.h"
#include "ha/queue_link_receiver.h"
#include "ha/replicator_protocol.h"
#include "ha/wire_format.h"

namespace qpidd::ha {
namespace {

std::chrono::milliseconds Millis(std::chrono::nanoseconds d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d);
}

// A connection's handler: hands everything to the replicator while it lives.
class ReplicatorHandler : public ClientHandler {
 public:
  explicit ReplicatorHandler(std::weak_ptr<QueueReplicator> owner) : owner_(std::move(owner)) {}

  void OnOpened(ClientConnection& c, const broker::Arguments&) override {
    if (auto owner = owner_.lock()) {
      owner->OnOpened(c);
    } else {
      c.Close();
    }
  }
  void OnEvent(ClientConnection& c, pn_event_t* event) override {
    if (auto owner = owner_.lock()) owner->OnEvent(c, event);
  }
  void OnClosed(ClientConnection& c, const std::string& error, bool) override {
    if (auto owner = owner_.lock()) owner->OnClosed(c, error);
  }

 private:
  std::weak_ptr<QueueReplicator> owner_;
};

std::string ConditionText(pn_condition_t* condition) {
  if (!pn_condition_is_set(condition)) return "detached the link";
  const char* name = pn_condition_get_name(condition);
  const char* description = pn_condition_get_description(condition);
  std::string text = name ? name : "";
  if (description && *description) text += std::string(": ") + description;
  return text;
}

}  // namespace

QueueReplicator::QueueReplicator(boost::asio::io_context& loop, const HaSettings& settings,
                                 std::string broker_id, std::string source_url,
                                 std::vector<BrokerAddress> source, broker::QueuePtr replica)
    : loop_(loop),
      settings_(settings),
      broker_id_(std::move(broker_id)),
      source_url_(std::move(source_url)),
      source_(std::move(source)),
      replica_(std::move(replica)),
      round_timer_(loop) {}

void QueueReplicator::Start() { StartRound(); }

void QueueReplicator::Stop() {
  if (stopped_) return;
  stopped_ = true;
  round_timer_.cancel();
  for (const auto& attempt : attempts_) attempt->Close();
  if (connection_) connection_->Close();
  SetState("stopped", "");
}

ReplicaView QueueReplicator::View() const {
  ReplicaView view;
  view.queue = replica_->name();
  view.source = source_url_;
  view.messages = replica_->Stats().depth;
  std::lock_guard lock(mutex_);
  view.status = status_;
  view.connected = connected_;
  view.last_error = last_error_;
  view.received = received_;
  return view;
}

// --- Rounds -----------------------------------------------------------------------------------

void QueueReplicator::StartRound() {
  // A deleted replica is forgotten by the set of replicas: no more rounds for it.
  if (stopped_ || connection_ || !attempts_.empty() || replica_->deleted()) return;
  round_errors_.clear();
  for (const auto& address : source_) {
    ClientConnectionOptions options =
        LinkOptions(address, settings_, "qpidd-ha-replicator-" + broker_id_);
    options.open_properties[std::string(kReplicatorProperty)] = true;
    options.open_properties[std::string(kProtocolProperty)] = uint64_t{kProtocolVersion};
    options.open_properties[std::string(kBrokerIdProperty)] = broker_id_;
    options.idle_timeout_ms =
        static_cast<uint32_t>(Millis(settings_.link_heartbeat_interval).count() * 2);
    options.connect_timeout = std::max(Millis(settings_.link_maintenance_interval),
                                       std::chrono::milliseconds(1000));
    attempts_.push_back(ClientConnection::Start(
        loop_, options, std::make_shared<ReplicatorHandler>(weak_from_this())));
  }
}

void QueueReplicator::ScheduleRound() {
  if (stopped_) return;
  round_timer_.expires_after(settings_.link_maintenance_interval);
  round_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& error) {
    auto self = weak.lock();
    if (!error && self) self->StartRound();
  });
}

void QueueReplicator::OnOpened(ClientConnection& c) {
  if (stopped_ || connection_) {
    c.Close();
    return;
  }
  connection_ = c.shared_from_this();
  for (const auto& attempt : attempts_) {
    if (attempt.get() != &c) attempt->Close();
  }
  session_ = pn_session(c.connection());
  pn_session_open(session_);
  AttachLink(c);
}

void QueueReplicator::OnClosed(ClientConnection& c, const std::string& error) {
  std::erase_if(attempts_, [&c](const auto& a) { return a.get() == &c; });
  if (connection_.get() == &c) {
    connection_.reset();
    session_ = nullptr;
    link_ = nullptr;
    if (!stopped_) {
      // A source that keeps refusing the same way is reported once, then at debug.
      if (!error.empty() && SetError(c.address() + ": " + error)) {
        QPIDD_LOG(kNotice, kHa, "replica " << replica_->name() << " lost its source at "
                                           << c.address() << ": " << error);
      }
      SetState("connecting", "");
    }
  } else if (!error.empty()) {
    round_errors_[c.address()] = error;
  }
  if (connection_ || !attempts_.empty() || stopped_) return;
  if (!round_errors_.empty()) {
    std::string errors;
    for (const auto& [address, why] : round_errors_) {
      errors += (errors.empty() ? "" : "; ") + address + ": " + why;
    }
    // A source that stays away is reported once, then at debug every round.
    if (SetError(errors)) {
      QPIDD_LOG(kWarning, kHa, "replica " << replica_->name() << " cannot reach its source "
                                          << source_url_ << ": " << errors);
    } else {
      QPIDD_LOG(kDebug, kHa, "replica " << replica_->name() << ": " << errors);
    }
  }
  ScheduleRound();
}

// --- The queue link ---------------------------------------------------------------------------

void QueueReplicator::AttachLink(ClientConnection& c) {
  IdRanges held = HeldIds(*replica_);
  if (held.RangeCount() > kMaxAttachRanges) {
    DropAll("it holds more id ranges than an attach carries; copied again in full");
    held.Clear();
  }
  // Ids mean something only with the identity of the queue they came from.
  link_ = OpenQueueLink(session_, replica_->name(), held.empty() ? "" : identity_, held);
  TopUpCredit(link_, QueueLinkWindow(settings_, largest_));
  QPIDD_LOG(kDebug, kHa, "replica " << replica_->name() << " attaching to " << c.address()
                                    << " holding " << held.Count() << " ids");
}

void QueueReplicator::OnEvent(ClientConnection& c, pn_event_t* event) {
  if (stopped_ || connection_.get() != &c) return;
  switch (pn_event_type(event)) {
    case PN_LINK_REMOTE_OPEN:
      if (pn_event_link(event) == link_) OnLinkOpened(c);
      break;
    case PN_DELIVERY:
      OnDelivery(c, pn_event_delivery(event));
      break;
    case PN_LINK_REMOTE_CLOSE:
    case PN_LINK_REMOTE_DETACH:
      if (pn_event_link(event) == link_) OnLinkClosed(c);
      break;
    default:
      break;
  }
}

void QueueReplicator::OnLinkOpened(ClientConnection& c) {
  // A refused attach comes with a null source; its detach follows and says why.
  if (pn_terminus_get_type(pn_link_remote_source(link_)) == PN_UNSPECIFIED) return;
  auto properties = ReadQueueAttachProperties(pn_link_remote_properties(link_));
  if (!properties.ok()) {
    Fail(c, "the source's attach: " + properties.status().message());
    return;
  }
  identity_ = properties.value().uuid;
  SetState("catchup", c.address());
  QPIDD_LOG(kNotice, kHa, "replica " << replica_->name() << " following queue "
                                     << replica_->name() << " at " << c.address() << " (tail "
                                     << properties.value().tail.value_or(0) << ")");
}

void QueueReplicator::OnLinkClosed(ClientConnection& c) {
  const std::string why = ConditionText(pn_link_remote_condition(link_));
  const char* name = pn_condition_get_name(pn_link_remote_condition(link_));
  const bool other_queue = name && std::string_view(name) == kOtherQueueError;
  pn_link_close(link_);
  link_ = nullptr;
  if (other_queue) {
    SetError(c.address() + ": " + why);
    DropAll("the source queue at " + c.address() + " is another queue");
    identity_.clear();
    AttachLink(c);
    return;
  }
  Fail(c, c.address() + ": " + why);
}

void QueueReplicator::OnDelivery(ClientConnection& c, pn_delivery_t* delivery) {
  if (!pn_delivery_readable(delivery) || pn_delivery_partial(delivery)) return;
  pn_link_t* link = pn_delivery_link(delivery);
  const std::string bytes = ReadDelivery(link, delivery);
  pn_link_advance(link);
  const pn_delivery_tag_t tag = pn_delivery_tag(delivery);
  auto applied = ApplyQueueLinkDelivery(*replica_, std::string_view(tag.start, tag.size), bytes);
  if (!applied.ok()) {
    pn_delivery_update(delivery, PN_REJECTED);
    pn_delivery_settle(delivery);
    Fail(c, "cannot apply replication: " + applied.status().message());
    return;
  }
  if (applied.value() == QueueLinkDelivery::kMessage) {
    largest_ = std::max(largest_, bytes.size());
    std::lock_guard lock(mutex_);
    ++received_;
  } else if (applied.value() == QueueLinkDelivery::kCaughtUp) {
    SetState("replicating", c.address());
    QPIDD_LOG(kInfo, kHa, "replica " << replica_->name() << " caught up with " << c.address());
  }
  if (!pn_delivery_settled(delivery)) pn_delivery_update(delivery, PN_ACCEPTED);
  pn_delivery_settle(delivery);
  TopUpCredit(link, QueueLinkWindow(settings_, largest_));
}

void QueueReplicator::Fail(ClientConnection& c, const std::string& why) {
  if (SetError(why)) {
    QPIDD_LOG(kWarning, kHa, "replica " << replica_->name() << ": " << why);
  } else {
    QPIDD_LOG(kDebug, kHa, "replica " << replica_->name() << ": " << why);
  }
  SetState("connecting", "");
  c.Close();
}

void QueueReplicator::DropAll(const std::string& why) {
  const uint64_t dropped = replica_->DequeueReplica({{0, UINT64_MAX}});
  QPIDD_LOG(kNotice, kHa, "replica " << replica_->name() << " dropped its " << dropped
                                     << " messages: " << why);
}

void QueueReplicator::SetState(const std::string& status, const std::string& connected) {
  std::lock_guard lock(mutex_);
  status_ = status;
  connected_ = connected;
}

bool QueueReplicator::SetError(const std::string& error) {
  std::lock_guard lock(mutex_);
  if (last_error_ == error) return false;
  last_error_ = error;
  return true;
}

}  // namespace qpidd::ha
