#include "ha/promotion.h"

namespace qpidd::ha {

Result<Promotion> DecidePromotion(BrokerStatus self, const std::vector<PeerStatus>& others) {
  auto refuse = [](std::string reason) {
    return Status::Error(StatusCode::kPreconditionFailed, "promotion refused: " + reason);
  };
  switch (self) {
    case BrokerStatus::kReady:
      return Promotion::kPromote;
    case BrokerStatus::kRecovering:
    case BrokerStatus::kActive:
      return Promotion::kAlreadyPrimary;
    case BrokerStatus::kCatchup:
      return refuse("broker is in catchup: it has not yet replicated every queue");
    case BrokerStatus::kStandalone:
      return refuse("broker is standalone: it is not a cluster member (ha-cluster=no)");
    case BrokerStatus::kJoining:
      for (const PeerStatus& peer : others) {
        if (peer.status != BrokerStatus::kJoining) {
          return refuse("broker is joining and broker " + peer.broker + " is " +
                        std::string(BrokerStatusName(peer.status)) +
                        ": a joining broker may be promoted only when no other broker holds "
                        "the cluster's data");
        }
      }
      return Promotion::kPromote;
  }
  return Status::Internal("unknown HA status");
}

}  // namespace qpidd::ha
