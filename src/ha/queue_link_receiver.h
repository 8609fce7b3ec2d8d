// The receiving end of a queue link (doc/ha-protocol.md 7.2-7.5) as a stand-alone replica uses
// it: the attach with the ids the replica holds, the credit window, and applying what arrives.
// Pure functions over Proton and the broker's queue; the caller owns the loop.
#pragma once

#include <proton/delivery.h>
#include <proton/link.h>
#include <proton/session.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "broker/queue.h"
#include "common/status.h"
#include "ha/ha_options.h"
#include "ha/id_ranges.h"

namespace qpidd::ha {

// Most ranges an attach carries, so that it fits in one 64 KiB frame (7.2).
inline constexpr size_t kMaxAttachRanges = 2048;

// The ids `replica` holds: every message it has, available or acquired.
IdRanges HeldIds(const broker::Queue& replica);

// Opens a receiver from `$ha.queue:<queue>` on `session`: rcv-settle-mode first, snd-settle-mode
// mixed, attach properties qpid.ha-uuid = `uuid` and qpid.ha-ids = `held`. Grants no credit.
pn_link_t* OpenQueueLink(pn_session_t* session, const std::string& queue, const std::string& uuid,
                         const IdRanges& held);

// The credit window of a queue link: ha-flow-messages (0: 2^31-1), and with ha-flow-bytes no more
// messages than that many bytes hold at `largest_message` bytes each (one until a size is seen).
uint32_t QueueLinkWindow(const HaSettings& settings, size_t largest_message);
// Grants credit up to `window` once less than half of it is left.
void TopUpCredit(pn_link_t* link, uint32_t window);

// The bytes of a whole (not partial) delivery.
std::string ReadDelivery(pn_link_t* link, pn_delivery_t* delivery);

// What a delivery on a queue link was.
enum class QueueLinkDelivery { kMessage, kDequeue, kCaughtUp };

// Applies one delivery with tag `tag` and payload `bytes` to `replica` (in replica mode): a
// transfer is placed at its id with its expiry, `dequeue` removes the ids the replica holds.
// Errors (a bad tag, an undecodable message or event, a queue no longer a replica) name the queue.
Result<QueueLinkDelivery> ApplyQueueLinkDelivery(broker::Queue& replica, std::string_view tag,
                                                 const std::string& bytes);

}  // namespace qpidd::ha
