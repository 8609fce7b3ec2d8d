#include "ha/ha_state.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "common/log.h"
#include "ha/promotion.h"

namespace qpidd::ha {
namespace {

using enum BrokerStatus;

constexpr BrokerStatus kEvery[] = {kStandalone, kJoining, kCatchup, kReady, kRecovering, kActive};

const std::set<std::pair<BrokerStatus, BrokerStatus>> kLegal = {
    {kStandalone, kJoining}, {kJoining, kCatchup}, {kJoining, kRecovering}, {kCatchup, kReady},
    {kReady, kRecovering},   {kReady, kCatchup},   {kRecovering, kActive},
};

TEST(HaStatusTest, NamesAndParsing) {
  EXPECT_EQ(BrokerStatusName(kStandalone), "standalone");
  EXPECT_EQ(BrokerStatusName(kJoining), "joining");
  EXPECT_EQ(BrokerStatusName(kCatchup), "catchup");
  EXPECT_EQ(BrokerStatusName(kReady), "ready");
  EXPECT_EQ(BrokerStatusName(kRecovering), "recovering");
  EXPECT_EQ(BrokerStatusName(kActive), "active");
  for (BrokerStatus status : kEvery) {
    Result<BrokerStatus> parsed = ParseBrokerStatus(BrokerStatusName(status));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed.value(), status);
  }
  for (const char* bad : {"", "Ready", "catch-up", "primary", "ready "}) {
    Result<BrokerStatus> parsed = ParseBrokerStatus(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().message(),
              "unknown HA status '" + std::string(bad) +
                  "': expected standalone, joining, catchup, ready, recovering or active");
  }
}

TEST(HaStatusTest, IsPrimary) {
  for (BrokerStatus status : kEvery) {
    EXPECT_EQ(IsPrimary(status), status == kRecovering || status == kActive)
        << BrokerStatusName(status);
  }
}

// Every pair of statuses, against the table in ha_state.h.
TEST(HaStatusTest, LegalTransitionTable) {
  for (BrokerStatus from : kEvery) {
    for (BrokerStatus to : kEvery) {
      EXPECT_EQ(IsLegalTransition(from, to), kLegal.contains({from, to}))
          << BrokerStatusName(from) << " -> " << BrokerStatusName(to);
    }
  }
}

TEST(HaStateTest, StartsStandaloneOrAsGiven) {
  EXPECT_EQ(HaState().status(), kStandalone);
  EXPECT_EQ(HaState(kJoining).status(), kJoining);
}

TEST(HaStateTest, EveryLegalTransitionIsApplied) {
  for (const auto& [from, to] : kLegal) {
    HaState state(from);
    Status status = state.Transition(to, "test");
    EXPECT_TRUE(status.ok()) << status.message();
    EXPECT_EQ(state.status(), to);
  }
}

TEST(HaStateTest, EveryIllegalTransitionIsRefusedAndChangesNothing) {
  for (BrokerStatus from : kEvery) {
    for (BrokerStatus to : kEvery) {
      if (from == to || kLegal.contains({from, to})) continue;
      HaState state(from);
      Status status = state.Transition(to, "why not");
      EXPECT_EQ(status.code(), StatusCode::kInternal);
      EXPECT_EQ(status.message(), "illegal HA status transition from " +
                                      std::string(BrokerStatusName(from)) + " to " +
                                      std::string(BrokerStatusName(to)) + " (why not)");
      EXPECT_EQ(state.status(), from);
    }
  }
}

TEST(HaStateTest, SameStatusIsANoOp) {
  for (BrokerStatus status : kEvery) {
    HaState state(status);
    EXPECT_TRUE(state.Transition(status, "again").ok());
    EXPECT_EQ(state.status(), status);
  }
}

TEST(HaStateTest, BackupLifeThenPromotion) {
  HaState state;
  EXPECT_TRUE(state.Transition(kJoining, "ha-cluster=yes").ok());
  EXPECT_TRUE(state.Transition(kCatchup, "connected to the primary").ok());
  EXPECT_TRUE(state.Transition(kReady, "every queue caught up").ok());
  EXPECT_TRUE(state.Transition(kRecovering, "promoted").ok());
  EXPECT_TRUE(state.Transition(kActive, "all backups recovered").ok());
  // active is terminal.
  for (BrokerStatus to : kEvery) {
    if (to != kActive) {
      EXPECT_FALSE(state.Transition(to, "demote").ok());
    }
  }
}

// Each transition is logged once, at notice, with its reason; a no-op or a refusal is not.
TEST(HaStateTest, TransitionsAreLoggedAtNotice) {
  char pattern[] = "/tmp/qpidd-ha-state-test-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string dir = pattern;
  log::Sinks sinks;
  sinks.file = dir + "/qpidd.log";
  ASSERT_TRUE(log::Configure({"notice+:ha"}, sinks).ok());
  HaState state(kJoining);
  EXPECT_TRUE(state.Transition(kCatchup, "connected to the primary").ok());
  EXPECT_TRUE(state.Transition(kCatchup, "again").ok());
  EXPECT_FALSE(state.Transition(kActive, "bad").ok());
  log::Shutdown();
  std::ifstream in(sinks.file);
  std::stringstream text;
  text << in.rdbuf();
  std::filesystem::remove_all(dir);
  EXPECT_NE(
      text.str().find("[notice] ha: HA status joining -> catchup: connected to the primary\n"),
      std::string::npos)
      << text.str();
  EXPECT_EQ(text.str().find("again"), std::string::npos) << text.str();
  EXPECT_EQ(text.str().find("bad"), std::string::npos) << text.str();
}

// Promotion rules.

std::string Refusal(BrokerStatus self, const std::vector<PeerStatus>& others) {
  Result<Promotion> result = DecidePromotion(self, others);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kPreconditionFailed);
  return result.status().message();
}

TEST(HaPromotionTest, ReadyIsPromoted) {
  EXPECT_EQ(DecidePromotion(kReady, {}).value(), Promotion::kPromote);
  // Whatever the others say: a ready backup holds every queue.
  EXPECT_EQ(DecidePromotion(kReady, {{"n2:5672", kReady}, {"n3:5672", kCatchup}}).value(),
            Promotion::kPromote);
}

TEST(HaPromotionTest, PrimaryIsANoOp) {
  for (BrokerStatus self : {kRecovering, kActive}) {
    EXPECT_EQ(DecidePromotion(self, {}).value(), Promotion::kAlreadyPrimary);
    EXPECT_EQ(DecidePromotion(self, {{"n2:5672", kReady}}).value(), Promotion::kAlreadyPrimary);
  }
}

TEST(HaPromotionTest, CatchupIsRefused) {
  const std::string expected =
      "promotion refused: broker is in catchup: it has not yet replicated every queue";
  EXPECT_EQ(Refusal(kCatchup, {}), expected);
  EXPECT_EQ(Refusal(kCatchup, {{"n2:5672", kJoining}}), expected);
}

TEST(HaPromotionTest, StandaloneIsRefused) {
  EXPECT_EQ(Refusal(kStandalone, {}),
            "promotion refused: broker is standalone: it is not a cluster member "
            "(ha-cluster=no)");
}

TEST(HaPromotionTest, JoiningIsPromotedWhenEveryOtherBrokerIsJoining) {
  EXPECT_EQ(DecidePromotion(kJoining, {}).value(), Promotion::kPromote);  // none answered
  EXPECT_EQ(DecidePromotion(kJoining, {{"n2:5672", kJoining}, {"n3:5672", kJoining}}).value(),
            Promotion::kPromote);
}

TEST(HaPromotionTest, JoiningIsRefusedWhenAnotherBrokerIsNotJoining) {
  for (BrokerStatus other : kEvery) {
    if (other == kJoining) continue;
    EXPECT_EQ(Refusal(kJoining, {{"n2:5672", kJoining}, {"n3:5672", other}}),
              "promotion refused: broker is joining and broker n3:5672 is " +
                  std::string(BrokerStatusName(other)) +
                  ": a joining broker may be promoted only when no other broker holds the "
                  "cluster's data");
  }
}

}  // namespace
}  // namespace qpidd::ha
