#include "ocf/scores.h"

#include <gtest/gtest.h>

namespace qpidd::ocf {
namespace {

MemberView Self(HaState state) { return {"a:5672", true, true, state, ""}; }
MemberView Peer(const char* address, HaState state) { return {address, false, true, state, ""}; }
MemberView Down(const char* address) {
  return {address, false, false, HaState::kUnknown, "refused"};
}

TEST(OcfScoresTest, ParsesEveryState) {
  for (HaState state : {HaState::kStandalone, HaState::kJoining, HaState::kCatchup,
                        HaState::kReady, HaState::kRecovering, HaState::kActive}) {
    EXPECT_EQ(ParseHaState(HaStateName(state)), state);
  }
  EXPECT_EQ(ParseHaState("bogus"), HaState::kUnknown);
}

TEST(OcfScoresTest, PrimaryHighestReadyPromotableOthersNone) {
  EXPECT_EQ(PromotionScore(HaState::kActive, {}), kPrimaryScore);
  EXPECT_EQ(PromotionScore(HaState::kRecovering, {}), kPrimaryScore);
  EXPECT_EQ(PromotionScore(HaState::kReady, {}), kReadyScore);
  EXPECT_GT(kPrimaryScore, kReadyScore);
  EXPECT_EQ(PromotionScore(HaState::kCatchup, {Self(HaState::kCatchup)}), std::nullopt);
  EXPECT_EQ(PromotionScore(HaState::kStandalone, {}), std::nullopt);
}

TEST(OcfScoresTest, ColdStartChoosesTheFirstReachableMember) {
  // Every member joining: the first reachable address is chosen.
  EXPECT_EQ(PromotionScore(HaState::kJoining,
                           {Self(HaState::kJoining), Peer("b:5672", HaState::kJoining)}),
            kColdStartScore);
  EXPECT_EQ(PromotionScore(HaState::kJoining,
                           {Peer("b:5672", HaState::kJoining), Self(HaState::kJoining)}),
            std::nullopt);
  // An earlier member that is down does not count.
  EXPECT_EQ(PromotionScore(HaState::kJoining, {Down("b:5672"), Self(HaState::kJoining)}),
            kColdStartScore);
  // Alone in its own URL, or with an empty one.
  EXPECT_EQ(PromotionScore(HaState::kJoining, {Self(HaState::kJoining)}), kColdStartScore);
  EXPECT_TRUE(ChosenAtColdStart({}));
}

TEST(OcfScoresTest, NoColdStartWhenAnotherMemberHoldsData) {
  for (HaState other : {HaState::kCatchup, HaState::kReady, HaState::kActive}) {
    EXPECT_EQ(PromotionScore(HaState::kJoining,
                             {Self(HaState::kJoining), Peer("b:5672", other)}),
              std::nullopt)
        << HaStateName(other);
  }
}

TEST(OcfScoresTest, PromotionVerdicts) {
  EXPECT_TRUE(PromotionVerdict(HaState::kReady, {Self(HaState::kReady), Down("b:5672")}).ok());
  EXPECT_TRUE(PromotionVerdict(HaState::kJoining,
                               {Self(HaState::kJoining), Peer("b:5672", HaState::kJoining)})
                  .ok());
  const Outcome catchup = PromotionVerdict(HaState::kCatchup, {Self(HaState::kCatchup)});
  EXPECT_EQ(catchup.code, ExitCode::kErrGeneric);
  EXPECT_NE(catchup.reason.find("catchup"), std::string::npos);

  const Outcome joining = PromotionVerdict(
      HaState::kJoining, {Self(HaState::kJoining), Peer("b:5672", HaState::kReady)});
  EXPECT_EQ(joining.code, ExitCode::kErrGeneric);
  EXPECT_NE(joining.reason.find("b:5672 is ready"), std::string::npos) << joining.reason;

  // The split-brain guard holds even for a ready broker.
  const Outcome two =
      PromotionVerdict(HaState::kReady, {Self(HaState::kReady), Peer("b:5672", HaState::kActive)});
  EXPECT_EQ(two.code, ExitCode::kErrGeneric);
  EXPECT_NE(two.reason.find("b:5672 is already primary"), std::string::npos) << two.reason;
}

}  // namespace
}  // namespace qpidd::ocf
