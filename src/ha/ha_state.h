// A broker's HA status (the classic names, which tools and scripts match) and the holder of the
// current one, which allows only the legal transitions.
#pragma once

#include <mutex>
#include <string_view>

#include "common/status.h"

namespace qpidd::ha {

enum class BrokerStatus {
  kStandalone,  // not a cluster member (ha-cluster=no)
  kJoining,     // cluster member started, not yet hearing from a primary
  kCatchup,     // backup receiving the primary's data, not yet all of it
  kReady,       // backup caught up: it may be promoted
  kRecovering,  // new primary, holding messages until its expected backups reconnect
  kActive,      // primary
};

// "standalone", "joining", "catchup", "ready", "recovering", "active".
std::string_view BrokerStatusName(BrokerStatus status);
// The exact names above; anything else is an error naming the text.
Result<BrokerStatus> ParseBrokerStatus(std::string_view text);
// recovering and active.
bool IsPrimary(BrokerStatus status);

// Legal transitions; any other means the cluster's state is broken:
//   standalone -> joining     a cluster broker starts
//   joining    -> catchup     the first message from a primary arrived
//   joining    -> recovering  promoted as the first primary of a new cluster
//   catchup    -> ready       every queue is caught up (the primary says so)
//   ready      -> recovering  promoted after the primary failed
//   ready      -> catchup     the new primary gave up waiting for this backup
//   recovering -> active      no expected backup left to wait for
// active is terminal: a primary becomes a backup again only by restarting. A backup that loses
// its primary keeps its status: a ready one must stay promotable, and a catchup one, with only
// part of the data, must not become promotable by going back to joining.
bool IsLegalTransition(BrokerStatus from, BrokerStatus to);

// The broker's current status. Thread-safe.
class HaState {
 public:
  explicit HaState(BrokerStatus initial = BrokerStatus::kStandalone) : status_(initial) {}

  BrokerStatus status() const;

  // Moves to `to` and logs it at notice with `reason`. Moving to the current status does
  // nothing. An illegal transition changes nothing and returns an error (kInternal) naming both
  // statuses and the reason: the caller logs it as critical and stops the broker.
  Status Transition(BrokerStatus to, std::string_view reason);

 private:
  mutable std::mutex mutex_;
  BrokerStatus status_;
};

}  // namespace qpidd::ha
