#include "ha/ha_state.h"

#include <string>
#include <utility>

#include "common/log.h"

namespace qpidd::ha {
namespace {

using enum BrokerStatus;

constexpr BrokerStatus kAll[] = {kStandalone, kJoining, kCatchup, kReady, kRecovering, kActive};

constexpr std::pair<BrokerStatus, BrokerStatus> kLegal[] = {
    {kStandalone, kJoining}, {kJoining, kCatchup}, {kJoining, kRecovering}, {kCatchup, kReady},
    {kReady, kRecovering},   {kReady, kCatchup},   {kRecovering, kActive},
};

}  // namespace

std::string_view BrokerStatusName(BrokerStatus status) {
  switch (status) {
    case kStandalone: return "standalone";
    case kJoining: return "joining";
    case kCatchup: return "catchup";
    case kReady: return "ready";
    case kRecovering: return "recovering";
    case kActive: return "active";
  }
  return "unknown";
}

Result<BrokerStatus> ParseBrokerStatus(std::string_view text) {
  for (BrokerStatus status : kAll) {
    if (BrokerStatusName(status) == text) return status;
  }
  return Status::InvalidArgument("unknown HA status '" + std::string(text) +
                                 "': expected standalone, joining, catchup, ready, recovering "
                                 "or active");
}

bool IsPrimary(BrokerStatus status) { return status == kRecovering || status == kActive; }

bool IsLegalTransition(BrokerStatus from, BrokerStatus to) {
  for (const auto& [legal_from, legal_to] : kLegal) {
    if (legal_from == from && legal_to == to) return true;
  }
  return false;
}

BrokerStatus HaState::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

Status HaState::Transition(BrokerStatus to, std::string_view reason) {
  std::lock_guard lock(mutex_);
  if (to == status_) return Status::Ok();
  if (!IsLegalTransition(status_, to)) {
    return Status::Internal("illegal HA status transition from " +
                            std::string(BrokerStatusName(status_)) + " to " +
                            std::string(BrokerStatusName(to)) + " (" + std::string(reason) + ")");
  }
  // Logged under the lock so that the log shows the transitions in the order they happened.
  QPIDD_LOG(kNotice, kHa, "HA status " << BrokerStatusName(status_) << " -> "
                                        << BrokerStatusName(to) << ": " << reason);
  status_ = to;
  return Status::Ok();
}

}  // namespace qpidd::ha
