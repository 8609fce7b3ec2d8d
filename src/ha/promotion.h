// Whether a broker may become the primary when the cluster manager asks it to. The module never
// elects a primary itself: an external manager chooses one and calls promote.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "ha/ha_state.h"

namespace qpidd::ha {

// What another broker of --ha-brokers-url reported when asked for its status.
struct PeerStatus {
  std::string broker;  // "<id>@<address>", to name it in a refusal
  BrokerStatus status;
  std::string broker_id{};
  uint32_t epoch = 0;  // the last epoch of its history
};

enum class Promotion {
  kPromote,         // go on: move to recovering
  kAlreadyPrimary,  // nothing to do, and not an error
};

// The rules, given this broker's status and the statuses the *other* brokers reported (this
// broker left out; a broker that did not answer is left out too, and so raises no objection):
//   ready               promote
//   joining             promote only if no other broker reports anything but joining: else
//                       another broker holds the cluster's data (or is its primary)
//   catchup             refused: it has only part of the data
//   recovering, active  already primary
//   standalone          refused: not a cluster member
// A refusal is a kPreconditionFailed status whose message gives the reason.
Result<Promotion> DecidePromotion(BrokerStatus self, const std::vector<PeerStatus>& others);

}  // namespace qpidd::ha
