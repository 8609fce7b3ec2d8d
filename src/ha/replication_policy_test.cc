#include "ha/replication_policy.h"

#include <gtest/gtest.h>

namespace qpidd::ha {
namespace {

using broker::ReplicationLevel;

TEST(ReplicationPolicyTest, AQueueTakesItsOwnLevelElseTheDefault) {
  broker::QueueSettings settings;
  EXPECT_EQ(QueueLevel(settings, ReplicationLevel::kAll).value(), ReplicationLevel::kAll);
  settings.arguments["qpid.replicate"] = std::string("configuration");
  EXPECT_EQ(QueueLevel(settings, ReplicationLevel::kAll).value(), ReplicationLevel::kConfiguration);
  settings.arguments["qpid.replicate"] = std::string("bogus");
  auto bad = QueueLevel(settings, ReplicationLevel::kAll);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bogus"), std::string::npos);
}

TEST(ReplicationPolicyTest, TemporaryQueuesAreNotReplicatedUnlessTheyAsk) {
  broker::QueueSettings temporary;
  temporary.exclusive = true;
  temporary.auto_delete = true;
  EXPECT_EQ(QueueLevel(temporary, ReplicationLevel::kAll).value(), ReplicationLevel::kNone);
  temporary.arguments["qpid.auto_delete_timeout"] = uint64_t{30};
  EXPECT_EQ(QueueLevel(temporary, ReplicationLevel::kAll).value(), ReplicationLevel::kAll)
      << "with a timeout it outlives its consumer: not temporary";
  temporary.arguments.erase("qpid.auto_delete_timeout");
  temporary.arguments["qpid.replicate"] = std::string("all");
  EXPECT_EQ(QueueLevel(temporary, ReplicationLevel::kNone).value(), ReplicationLevel::kAll);
}

TEST(ReplicationPolicyTest, ExchangesReplicateAtMostTheirConfiguration) {
  EXPECT_EQ(ExchangeLevel({}, ReplicationLevel::kAll).value(), ReplicationLevel::kConfiguration);
  EXPECT_EQ(ExchangeLevel({{"qpid.replicate", std::string("none")}}, ReplicationLevel::kAll).value(),
            ReplicationLevel::kNone);
}

TEST(ReplicationPolicyTest, ABindingNeedsBothEndsReplicated) {
  broker::BindingInfo b{"e", "q", "k", {}};
  EXPECT_TRUE(BindingReplicated(b, ReplicationLevel::kConfiguration, ReplicationLevel::kAll));
  EXPECT_FALSE(BindingReplicated(b, ReplicationLevel::kNone, ReplicationLevel::kAll));
  EXPECT_FALSE(BindingReplicated(b, ReplicationLevel::kConfiguration, ReplicationLevel::kNone));
  b.arguments["qpid.replicate"] = std::string("none");
  EXPECT_FALSE(BindingReplicated(b, ReplicationLevel::kConfiguration, ReplicationLevel::kAll));
}

TEST(ReplicationPolicyTest, MarkingWritesTheLevelAndAFreshIdentity) {
  broker::Arguments a;
  MarkReplicated(a, ReplicationLevel::kAll);
  EXPECT_EQ(std::get<std::string>(a.at(kReplicateArgument)), "all");
  const std::string first = UuidOf(a);
  EXPECT_EQ(first.size(), 36u);
  MarkReplicated(a, ReplicationLevel::kAll);
  EXPECT_NE(UuidOf(a), first);
  EXPECT_EQ(UuidOf({}), "");
}

TEST(ReplicationPolicyTest, TheIdentityArgumentIsReservedAndAlternatesMustBeReplicated) {
  Status s = CheckReservedArguments("queue", "q", {{kUuidArgument, std::string("x")}});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("qpid.ha-uuid"), std::string::npos);
  EXPECT_TRUE(CheckReservedArguments("queue", "q", {}).ok());
}

}  // namespace
}  // namespace qpidd::ha
