#include "ha/queue_link_receiver.h"

#include <proton/terminus.h>

#include <algorithm>

#include "broker/message.h"
#include "ha/wire_format.h"

namespace qpidd::ha {

IdRanges HeldIds(const broker::Queue& replica) {
  IdRanges held;
  uint64_t after = 0;
  for (;;) {
    auto batch = replica.SnapshotAll(after, 4096);
    if (batch.empty()) return held;
    for (const auto& m : batch) held.Add(m.position);
    after = batch.back().position;
  }
}

pn_link_t* OpenQueueLink(pn_session_t* session, const std::string& queue, const std::string& uuid,
                         const IdRanges& held) {
  const std::string address = QueueLinkAddress(queue);
  pn_link_t* link = pn_receiver(session, address.c_str());
  pn_terminus_set_address(pn_link_source(link), address.c_str());
  pn_terminus_set_address(pn_link_target(link), address.c_str());
  pn_link_set_rcv_settle_mode(link, PN_RCV_FIRST);
  pn_link_set_snd_settle_mode(link, PN_SND_MIXED);
  WriteQueueAttachProperties(pn_link_properties(link), uuid, &held, std::nullopt);
  pn_link_open(link);
  return link;
}

uint32_t QueueLinkWindow(const HaSettings& settings, size_t largest_message) {
  uint64_t window = settings.flow_messages == 0 ? 0x7fffffff : settings.flow_messages;
  if (settings.flow_bytes > 0) {
    const uint64_t by_bytes =
        largest_message == 0 ? 1 : std::max<uint64_t>(1, settings.flow_bytes / largest_message);
    window = std::min(window, by_bytes);
  }
  return static_cast<uint32_t>(window);
}

void TopUpCredit(pn_link_t* link, uint32_t window) {
  const int credit = pn_link_credit(link);
  const auto wanted = static_cast<int>(window);
  if (credit < wanted / 2 + 1) pn_link_flow(link, wanted - credit);
}

std::string ReadDelivery(pn_link_t* link, pn_delivery_t* delivery) {
  std::string bytes(pn_delivery_pending(delivery), '\0');
  size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = pn_link_recv(link, bytes.data() + got, bytes.size() - got);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  bytes.resize(got);
  return bytes;
}

Result<QueueLinkDelivery> ApplyQueueLinkDelivery(broker::Queue& replica, std::string_view tag,
                                                 const std::string& bytes) {
  const std::string where = "queue " + replica.name() + ": ";
  if (IsEventTag(tag)) {
    auto event = DecodeQueueEvent(bytes);
    if (!event.ok()) return Status::InvalidArgument(where + event.status().message());
    if (event.value().name == kDequeueEvent) {
      replica.DequeueReplica(event.value().ids.Ranges());
      return QueueLinkDelivery::kDequeue;
    }
    return QueueLinkDelivery::kCaughtUp;
  }
  auto id = DecodeIdTag(tag);
  if (!id) return Status::InvalidArgument(where + "bad delivery tag");
  auto message = broker::Message::Decode(bytes);
  if (!message.ok()) return Status::InvalidArgument(where + message.status().message());
  Status placed = replica.EnqueueReplica(std::move(message).value(), id->id, id->expires_at_ms);
  if (!placed.ok()) return placed;
  return QueueLinkDelivery::kMessage;
}

}  // namespace qpidd::ha
