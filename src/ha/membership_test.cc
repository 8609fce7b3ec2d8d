#include "ha/membership.h"

#include <gtest/gtest.h>

namespace qpidd::ha {
namespace {

std::string StatusOf(const Membership& m, const std::string& id) {
  for (const auto& r : m.Records()) {
    if (r.broker_id == id) return r.status;
  }
  return "absent";
}

TEST(MembershipTest, ABackupIsReadyOnceItsSnapshotIsAppliedAndEveryQueueCaughtUp) {
  Membership m("p", "node1:5672");
  m.SetOwnStatus(BrokerStatus::kActive);
  m.Connected("b", "node2:5672", BrokerStatus::kJoining);
  EXPECT_EQ(StatusOf(m, "p"), "active");
  EXPECT_EQ(StatusOf(m, "b"), "catchup");
  m.QueueCaughtUp("b", "q1");  // may come before the snapshot is settled
  m.SnapshotApplied("b", {"q1", "q2"});
  EXPECT_EQ(StatusOf(m, "b"), "catchup");
  m.QueueCaughtUp("b", "q2");
  EXPECT_EQ(StatusOf(m, "b"), "ready");
}

TEST(MembershipTest, ADeletedQueueNoLongerHoldsABackupBack) {
  Membership m("p", "");
  m.Connected("b", "", BrokerStatus::kJoining);
  m.SnapshotApplied("b", {"q"});
  m.QueueDeleted("q");
  EXPECT_EQ(StatusOf(m, "b"), "ready");
}

TEST(MembershipTest, ExpectedBackupsAreOutstandingUntilBackAndCaughtUp) {
  Membership m("p", "");
  m.SetExpected({{"b", "node2:5672", "ready"}, {"p", "", "ready"}});
  EXPECT_TRUE(m.ExpectedOutstanding());
  EXPECT_EQ(m.ExpectedIds(), std::vector<std::string>{"b@node2:5672"});
  m.Connected("b", "node2:5672", BrokerStatus::kReady);
  EXPECT_EQ(StatusOf(m, "b"), "ready") << "its guards have existed since the promotion";
  EXPECT_TRUE(m.ExpectedOutstanding()) << "connected, not yet caught up";
  m.SnapshotApplied("b", {});
  EXPECT_FALSE(m.ExpectedOutstanding());
}

TEST(MembershipTest, AnExpectedBackupThatRestartedIsGivenUpAtOnce) {
  Membership m("p", "");
  m.SetExpected({{"old", "node2:5672", "ready"}});
  m.Connected("new", "node2:5672", BrokerStatus::kJoining);
  EXPECT_FALSE(m.ExpectedOutstanding());
  EXPECT_EQ(StatusOf(m, "old"), "absent");
  EXPECT_EQ(StatusOf(m, "new"), "catchup");
}

TEST(MembershipTest, ExpectedBackupsThatNeverCameBackAreGivenUp) {
  Membership m("p", "");
  m.SetExpected({{"b", "node2:5672", "ready"}});
  EXPECT_EQ(m.GiveUpExpected(), std::vector<std::string>{"b@node2:5672"});
  EXPECT_FALSE(m.ExpectedOutstanding());
  EXPECT_EQ(StatusOf(m, "b"), "absent");
}

TEST(MembershipTest, AReadyBackupThatIsNotExpectedCatchesUpAgain) {
  Membership m("p", "");
  m.Connected("b", "", BrokerStatus::kReady);
  EXPECT_EQ(StatusOf(m, "b"), "catchup");
}

TEST(MembershipTest, ChangesAreReportedOnce) {
  Membership m("p", "");
  EXPECT_TRUE(m.TakeChanged());
  EXPECT_FALSE(m.TakeChanged());
  m.Connected("b", "", BrokerStatus::kJoining);
  EXPECT_TRUE(m.TakeChanged());
  m.Gone("b");
  EXPECT_TRUE(m.TakeChanged());
  m.Gone("b");
  EXPECT_FALSE(m.TakeChanged());
}

}  // namespace
}  // namespace qpidd::ha
