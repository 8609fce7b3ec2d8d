#include "tools/load_sender.h"

#include <proton/condition.h>
#include <proton/connection.h>
#include <proton/delivery.h>
#include <proton/disposition.h>
#include <proton/event.h>
#include <proton/link.h>
#include <proton/session.h>
#include <proton/terminus.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "tools/load_clock.h"
#include "tools/load_link.h"

namespace qpidd::tools {
namespace {

// Pre-settled sends have no window; this bounds the deliveries waiting inside Proton for the
// socket.
constexpr int kMaxQueuedDeliveries = 1000;

}  // namespace

Sender::Sender(SenderOptions options, MessageSource& source)
    : options_(std::move(options)), source_(source) {
  if (!options_.presettled) {
    slots_.resize(options_.capacity);
    free_slots_.reserve(options_.capacity);
    for (uint32_t i = options_.capacity; i > 0; --i) free_slots_.push_back(i - 1);
  }
  last_progress_nanos_ = NowNanos();
}

void Sender::Attach(pn_session_t* session) {
  // Also called for each new connection: after a broker that never opened (nothing was sent),
  // and after OnConnectionLost() (what was in flight waits in to_resend_).
  session_ = session;
  attached_ = false;
  detached_ = false;
  link_ = pn_sender(session, LinkName("qpid-send", options_.address).c_str());
  pn_terminus_t* target = pn_link_target(link_);
  pn_terminus_set_address(target, options_.address.c_str());
  if (options_.create) OfferCreateOnDemand(target);
  pn_link_set_snd_settle_mode(link_, options_.presettled ? PN_SND_SETTLED : PN_SND_UNSETTLED);
  pn_link_set_rcv_settle_mode(link_, PN_RCV_FIRST);
  pn_link_open(link_);
}

void Sender::OnEvent(pn_event_t* event) {
  switch (pn_event_type(event)) {
    case PN_LINK_REMOTE_OPEN:
      // A broker refusing the address answers with a null target, then detaches with the
      // reason (amqp:not-found): wait for that detach to report it.
      if (pn_terminus_get_type(pn_link_remote_target(link_)) != PN_UNSPECIFIED) attached_ = true;
      break;
    case PN_LINK_REMOTE_CLOSE:
    case PN_LINK_REMOTE_DETACH:
      // The answer to our own detach is no error.
      if (!detached_ && !(pn_link_state(link_) & PN_LOCAL_CLOSED)) {
        link_error_ = attached_
                          ? "the broker detached the link to '" + options_.address +
                                "': " + DetachReason(link_)
                          : "cannot send to '" + options_.address + "': " + DetachReason(link_);
        detached_ = true;
      }
      break;
    case PN_DELIVERY:
      OnOutcome(pn_event_delivery(event));
      break;
    default:
      break;
  }
}

void Sender::Pump() {
  if (!attached_ || detached_ || timed_out_) return;
  int credit = pn_link_credit(link_);
  while (credit > 0 && resend_next_ < to_resend_.size() && !free_slots_.empty()) {
    ResendOne(to_resend_[resend_next_++]);
    --credit;
  }
  if (resend_next_ < to_resend_.size()) return;  // the old messages go first
  to_resend_.clear();
  resend_next_ = 0;
  while (credit > 0 && source_.HasNext()) {
    if (options_.presettled) {
      if (pn_link_queued(link_) >= kMaxQueuedDeliveries) break;
    } else if (free_slots_.empty()) {
      break;
    }
    SendOne(NowNanos());
    --credit;
  }
}

void Sender::SendOne(int64_t now) {
  uint64_t sequence = next_sequence_++;
  char tag[sizeof(sequence)];
  std::memcpy(tag, &sequence, sizeof(sequence));
  pn_delivery_t* delivery = pn_delivery(link_, pn_dtag(tag, sizeof(tag)));
  std::string_view bytes = source_.Next(sequence, now);
  pn_link_send(link_, bytes.data(), bytes.size());
  pn_link_advance(link_);
  if (first_send_nanos_ == 0) first_send_nanos_ = now;
  last_progress_nanos_ = now;
  if (options_.presettled) {
    pn_delivery_settle(delivery);
    source_.Settled(sequence);
    ++accepted_;
    return;
  }
  Track(delivery, InFlight{sequence, now});
}

void Sender::ResendOne(const InFlight& message) {
  char tag[sizeof(message.sequence)];
  std::memcpy(tag, &message.sequence, sizeof(message.sequence));
  pn_delivery_t* delivery = pn_delivery(link_, pn_dtag(tag, sizeof(tag)));
  // Unchanged, first send time included: the accept latency then shows the outage.
  std::string_view bytes = source_.Resend(message.sequence, message.sent_nanos);
  pn_link_send(link_, bytes.data(), bytes.size());
  pn_link_advance(link_);
  last_progress_nanos_ = NowNanos();
  ++resent_;
  Track(delivery, message);
}

void Sender::Track(pn_delivery_t* delivery, const InFlight& message) {
  uint32_t slot = free_slots_.back();
  free_slots_.pop_back();
  slots_[slot] = message;
  pn_delivery_set_context(delivery, &slots_[slot]);
}

void Sender::OnOutcome(pn_delivery_t* delivery) {
  auto* message = static_cast<InFlight*>(pn_delivery_get_context(delivery));
  if (!message) return;  // pre-settled, or already handled
  uint64_t state = pn_delivery_remote_state(delivery);
  bool final = state == PN_ACCEPTED || state == PN_REJECTED || state == PN_RELEASED ||
               state == PN_MODIFIED || pn_delivery_settled(delivery);
  if (!final) return;  // e.g. PN_RECEIVED: still in flight

  int64_t now = NowNanos();
  last_progress_nanos_ = now;
  if (state == PN_ACCEPTED || state == 0) {
    // Settled without an outcome counts as accepted, as a broker settling first intends.
    ++accepted_;
    latency_.Record(now - message->sent_nanos);
  } else {
    ++failed_;
    ReportFailure(*message, delivery,
                  state == PN_REJECTED   ? "rejected"
                  : state == PN_RELEASED ? "released"
                                         : "modified");
  }
  source_.Settled(message->sequence);
  pn_delivery_set_context(delivery, nullptr);
  free_slots_.push_back(static_cast<uint32_t>(message - slots_.data()));
  pn_delivery_settle(delivery);
}

void Sender::ReportFailure(const InFlight& message, pn_delivery_t* delivery, const char* outcome) {
  if (failed_ > options_.max_reported_failures) return;  // the summary counts the rest
  pn_condition_t* condition = pn_disposition_condition(pn_delivery_remote(delivery));
  std::fprintf(stderr, "%s: message %llu (delivery tag %llu) to '%s' was %s: %s\n",
               options_.program.c_str(), static_cast<unsigned long long>(message.sequence),
               static_cast<unsigned long long>(message.sequence), options_.address.c_str(), outcome,
               DescribeCondition(condition, "no condition given").c_str());
}

int64_t Sender::Deadline() const {
  return options_.timeout_nanos > 0 ? last_progress_nanos_ + options_.timeout_nanos : 0;
}

void Sender::OnDeadline(int64_t now_nanos) {
  if (options_.timeout_nanos > 0 && now_nanos - last_progress_nanos_ >= options_.timeout_nanos &&
      !Done()) {
    timed_out_ = true;
  }
}

bool Sender::Done() const {
  if (detached_ || timed_out_ || !source_.error().ok()) return true;
  if (!attached_) return false;
  if (options_.presettled) {
    // Everything sent, and nothing left waiting for the socket inside Proton.
    return !source_.HasNext() && pn_link_queued(link_) == 0;
  }
  return !source_.HasNext() && to_resend_.empty() && free_slots_.size() == slots_.size();
}

void Sender::Detach() {
  if (link_ && !detached_) pn_link_close(link_);
}

void Sender::OnConnectionLost() {
  // The deliveries died with the connection; their slots say what to send again, in order.
  link_ = nullptr;
  session_ = nullptr;
  attached_ = false;
  std::vector<bool> in_use(slots_.size(), true);
  for (uint32_t slot : free_slots_) in_use[slot] = false;
  std::vector<InFlight> lost(to_resend_.begin() + static_cast<ptrdiff_t>(resend_next_),
                             to_resend_.end());
  for (size_t slot = 0; slot < slots_.size(); ++slot) {
    if (in_use[slot]) lost.push_back(slots_[slot]);
  }
  std::sort(lost.begin(), lost.end(),
            [](const InFlight& a, const InFlight& b) { return a.sequence < b.sequence; });
  to_resend_ = std::move(lost);
  resend_next_ = 0;
  free_slots_.clear();
  for (uint32_t i = static_cast<uint32_t>(slots_.size()); i > 0; --i) free_slots_.push_back(i - 1);
  if (!to_resend_.empty()) {
    std::fprintf(stderr, "%s: %zu unacknowledged messages will be sent again\n",
                 options_.program.c_str(), to_resend_.size());
  }
}

}  // namespace qpidd::tools
