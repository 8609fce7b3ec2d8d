#include "ocf/scores.h"

#include <algorithm>

namespace qpidd::ocf {

HaState ParseHaState(const std::string& status) {
  if (status == "standalone") return HaState::kStandalone;
  if (status == "joining") return HaState::kJoining;
  if (status == "catchup") return HaState::kCatchup;
  if (status == "ready") return HaState::kReady;
  if (status == "recovering") return HaState::kRecovering;
  if (status == "active") return HaState::kActive;
  return HaState::kUnknown;
}

std::string HaStateName(HaState state) {
  switch (state) {
    case HaState::kStandalone: return "standalone";
    case HaState::kJoining: return "joining";
    case HaState::kCatchup: return "catchup";
    case HaState::kReady: return "ready";
    case HaState::kRecovering: return "recovering";
    case HaState::kActive: return "active";
    case HaState::kUnknown: break;
  }
  return "unknown";
}

bool IsPrimary(HaState state) {
  return state == HaState::kRecovering || state == HaState::kActive;
}

bool IsBackup(HaState state) {
  return state == HaState::kJoining || state == HaState::kCatchup || state == HaState::kReady;
}

bool ChosenAtColdStart(const std::vector<MemberView>& members) {
  const bool all_joining = std::all_of(members.begin(), members.end(), [](const MemberView& m) {
    return m.self || !m.reachable || m.state == HaState::kJoining;
  });
  if (!all_joining) return false;
  for (const MemberView& member : members) {
    if (member.self) return true;
    if (member.reachable) return false;  // an earlier joining member is up: it is chosen
  }
  return true;  // not listed itself (e.g. an empty URL): nobody else can be chosen
}

std::optional<int> PromotionScore(HaState own, const std::vector<MemberView>& members) {
  if (IsPrimary(own)) return kPrimaryScore;
  if (own == HaState::kReady) return kReadyScore;
  if (own == HaState::kJoining && ChosenAtColdStart(members)) return kColdStartScore;
  return std::nullopt;
}

Outcome PromotionVerdict(HaState own, const std::vector<MemberView>& members) {
  for (const MemberView& member : members) {
    if (!member.self && member.reachable && IsPrimary(member.state)) {
      return Outcome::Of(ExitCode::kErrGeneric,
                         "promotion refused: " + member.address + " is already primary (" +
                             HaStateName(member.state) + ")");
    }
  }
  if (IsPrimary(own) || own == HaState::kReady) return Outcome::Ok();
  if (own == HaState::kJoining) {
    for (const MemberView& member : members) {
      if (!member.self && member.reachable && member.state != HaState::kJoining) {
        return Outcome::Of(ExitCode::kErrGeneric,
                           "promotion refused: broker is joining and " + member.address + " is " +
                               HaStateName(member.state) + ", holding the cluster's data");
      }
    }
    return Outcome::Ok();
  }
  return Outcome::Of(ExitCode::kErrGeneric, "promotion refused: broker is " + HaStateName(own) +
                                                (own == HaState::kCatchup
                                                     ? ": it has not yet replicated every queue"
                                                     : ": it cannot be promoted"));
}

}  // namespace qpidd::ocf
