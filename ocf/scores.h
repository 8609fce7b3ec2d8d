// What the agent concludes from the HA states it reads: the promotion score to publish and
// whether a promotion is safe. Pure functions over what the broker and its peers reported.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ocf/exit_codes.h"

namespace qpidd::ocf {

enum class HaState { kStandalone, kJoining, kCatchup, kReady, kRecovering, kActive, kUnknown };

HaState ParseHaState(const std::string& status);
std::string HaStateName(HaState state);
bool IsPrimary(HaState state);  // recovering or active
bool IsBackup(HaState state);   // joining, catchup or ready

inline constexpr int kPrimaryScore = 1001;   // keep the primary where it is
inline constexpr int kReadyScore = 1000;     // a promotable backup
inline constexpr int kColdStartScore = 10;   // the one joining broker chosen at a cold start

// A member of brokers_url as the agent saw it, in the URL's order.
struct MemberView {
  std::string address;      // host:port
  bool self = false;        // the local broker
  bool reachable = false;   // answered a management READ of ha-broker
  HaState state = HaState::kUnknown;
  std::string error;        // why it did not answer
};

// The local broker's score: the primary kPrimaryScore, ready kReadyScore, joining kColdStartScore
// when it is chosen at a cold start (see ChosenAtColdStart), else none (nullopt: remove it).
std::optional<int> PromotionScore(HaState own, const std::vector<MemberView>& members);

// A cold start: every member that answered is joining, and the local broker is the first of
// them in brokers_url order (unreachable members are skipped). With no member listed, or the
// local broker absent from the list (a one-broker cluster), it is chosen.
bool ChosenAtColdStart(const std::vector<MemberView>& members);

// Whether promoting the local broker is safe: refused (kErrGeneric with the reason) when another
// member reports itself primary (two primaries), when the broker is in catchup, standalone or
// unknown, or when it is joining and another member holds the cluster's data (catchup, ready).
Outcome PromotionVerdict(HaState own, const std::vector<MemberView>& members);

}  // namespace qpidd::ocf
