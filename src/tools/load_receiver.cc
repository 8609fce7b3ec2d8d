#include "tools/load_receiver.h"

#include <proton/condition.h>
#include <proton/connection.h>
#include <proton/delivery.h>
#include <proton/disposition.h>
#include <proton/event.h>
#include <proton/link.h>
#include <proton/session.h>
#include <proton/terminus.h>

#include <algorithm>

#include "tools/load_clock.h"
#include "tools/load_link.h"
#include "tools/load_message.h"

namespace qpidd::tools {

Receiver::Receiver(ReceiverOptions options) : options_(std::move(options)) {
  started_nanos_ = NowNanos();
  buffer_.reserve(64 * 1024);
}

void Receiver::Attach(pn_session_t* session) {
  // A new connection restarts the idle clock: reconnecting is not "nothing arrived".
  started_nanos_ = NowNanos();
  attached_ = false;
  detached_ = false;
  buffer_.clear();
  link_ = pn_receiver(session, LinkName("qpid-receive", options_.address).c_str());
  pn_terminus_t* source = pn_link_source(link_);
  pn_terminus_set_address(source, options_.address.c_str());
  if (options_.browse) pn_terminus_set_distribution_mode(source, PN_DIST_MODE_COPY);
  if (options_.create) OfferCreateOnDemand(source);
  pn_link_set_snd_settle_mode(link_, options_.presettled ? PN_SND_SETTLED : PN_SND_UNSETTLED);
  pn_link_set_rcv_settle_mode(link_, PN_RCV_FIRST);
  pn_link_open(link_);
}

void Receiver::OnEvent(pn_event_t* event) {
  switch (pn_event_type(event)) {
    case PN_LINK_REMOTE_OPEN:
      // A refused address comes back as a null source, then a detach with the reason.
      if (pn_terminus_get_type(pn_link_remote_source(link_)) != PN_UNSPECIFIED) attached_ = true;
      break;
    case PN_LINK_REMOTE_CLOSE:
    case PN_LINK_REMOTE_DETACH:
      // The answer to our own detach is no error.
      if (!detached_ && !(pn_link_state(link_) & PN_LOCAL_CLOSED)) {
        link_error_ =
            attached_ ? "the broker detached the link from '" + options_.address +
                            "': " + DetachReason(link_)
                      : "cannot receive from '" + options_.address + "': " + DetachReason(link_);
        detached_ = true;
      }
      break;
    case PN_DELIVERY:
      OnDelivery(pn_event_delivery(event));
      break;
    default:
      break;
  }
}

void Receiver::OnDelivery(pn_delivery_t* delivery) {
  // Only the link's current delivery carries new bytes; other events are stale.
  if (pn_delivery_link(delivery) != link_ || !pn_delivery_readable(delivery)) return;
  if (pn_delivery_aborted(delivery)) {
    buffer_.clear();
    pn_delivery_settle(delivery);
    return;
  }
  size_t pending = pn_delivery_pending(delivery);
  while (pending > 0) {
    size_t used = buffer_.size();
    buffer_.resize(used + pending);
    ssize_t n = pn_link_recv(link_, buffer_.data() + used, pending);
    buffer_.resize(used + static_cast<size_t>(std::max<ssize_t>(n, 0)));
    if (n <= 0) break;
    pending = pn_delivery_pending(delivery);
  }
  if (pn_delivery_partial(delivery)) return;  // more frames to come
  pn_link_advance(link_);
  // Credit never exceeds what is wanted, but a broker may overrun it: give extras back.
  bool wanted = options_.messages == 0 || received_ < options_.messages;
  if (wanted) OnMessage(NowNanos());
  // At-least-once: the broker may forget the message once it sees `accepted`.
  if (!pn_delivery_settled(delivery)) {
    pn_delivery_update(delivery, wanted ? PN_ACCEPTED : PN_RELEASED);
  }
  pn_delivery_settle(delivery);
  buffer_.clear();
}

bool Receiver::OnMessage(int64_t now) {
  MessageFields fields;
  std::string_view bytes(buffer_.data(), buffer_.size());
  bool scanned = ScanMessage(bytes, &fields);
  if (options_.ignore_duplicates && scanned && fields.has_sequence &&
      !seen_.Insert(fields.sequence)) {
    ++duplicates_;
    return false;
  }
  ++received_;
  if (first_arrival_nanos_ == 0) first_arrival_nanos_ = now;
  last_arrival_nanos_ = now;
  // A stamp from the future was taken on another host's clock: no latency then.
  if (scanned && fields.has_timestamp && fields.timestamp_nanos <= now) {
    latency_.Record(now - fields.timestamp_nanos);
  }
  if (options_.print_to) {
    if (scanned && fields.body_is_simple) {
      std::fwrite(fields.body.data(), 1, fields.body.size(), options_.print_to);
    } else {
      std::string text = FormatBody(bytes);
      std::fwrite(text.data(), 1, text.size(), options_.print_to);
    }
    std::fputc('\n', options_.print_to);
    // Stop rather than go on consuming messages nobody will see.
    if (std::ferror(options_.print_to)) output_failed_ = true;
  }
  return true;
}

void Receiver::Pump() {
  if (!link_ || detached_ || timed_out_) return;
  // Never ask for more than is still wanted, so nothing is prefetched and then released.
  uint64_t wanted = options_.capacity;
  if (options_.messages != 0) {
    wanted = std::min<uint64_t>(wanted, options_.messages - std::min(received_, options_.messages));
  }
  uint64_t credit = static_cast<uint64_t>(std::max(pn_link_credit(link_), 0));
  // Top up in batches, once half the window is used: fewer flow frames.
  if (credit < wanted && credit * 2 <= wanted) {
    pn_link_flow(link_, static_cast<int>(wanted - credit));
  }
}

int64_t Receiver::Deadline() const {
  if (options_.timeout_nanos == 0) return 0;
  return std::max(started_nanos_, last_arrival_nanos_) + options_.timeout_nanos;
}

void Receiver::OnDeadline(int64_t now_nanos) {
  if (options_.timeout_nanos != 0 && !Done() &&
      now_nanos - std::max(started_nanos_, last_arrival_nanos_) >= options_.timeout_nanos) {
    timed_out_ = true;
  }
}

bool Receiver::Done() const {
  return detached_ || timed_out_ || output_failed_ ||
         (options_.messages != 0 && received_ >= options_.messages);
}

void Receiver::Detach() {
  if (link_ && !detached_) pn_link_close(link_);
}

void Receiver::OnConnectionLost() {
  // Unsettled deliveries died with the connection: the broker redelivers them.
  link_ = nullptr;
  attached_ = false;
  buffer_.clear();
}

}  // namespace qpidd::tools
