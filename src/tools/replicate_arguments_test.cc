#include "tools/replicate_arguments.h"

#include <gtest/gtest.h>

#include <set>

namespace qpidd::tools {
namespace {

// A local broker holding `queues`.
std::function<bool(const std::string&)> LocalQueues(std::set<std::string> queues) {
  return [queues = std::move(queues)](const std::string& name) { return queues.contains(name); };
}

TEST(ReplicateArgumentsTest, SourceFirst) {
  auto resolved = ResolveReplicateArguments("node1:5673", "orders", LocalQueues({"orders"}));
  ASSERT_TRUE(resolved.ok()) << resolved.status().message();
  EXPECT_EQ("node1:5673", resolved.value().source);
  EXPECT_EQ("orders", resolved.value().queue);
}

TEST(ReplicateArgumentsTest, QueueFirst) {
  auto resolved = ResolveReplicateArguments("orders", "node1", LocalQueues({"orders"}));
  ASSERT_TRUE(resolved.ok()) << resolved.status().message();
  EXPECT_EQ("node1", resolved.value().source);
  EXPECT_EQ("orders", resolved.value().queue);
}

TEST(ReplicateArgumentsTest, ClusterUrlAsSource) {
  auto resolved = ResolveReplicateArguments("orders", "amqp:tcp:node1:5672,tcp:node2:5672",
                                            LocalQueues({"orders"}));
  ASSERT_TRUE(resolved.ok()) << resolved.status().message();
  EXPECT_EQ("amqp:tcp:node1:5672,tcp:node2:5672", resolved.value().source);
}

TEST(ReplicateArgumentsTest, NeitherIsALocalQueueNamesBoth) {
  auto resolved = ResolveReplicateArguments("node1", "missing", LocalQueues({"orders"}));
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(StatusCode::kInvalidArgument, resolved.status().code());
  EXPECT_NE(std::string::npos, resolved.status().message().find("'node1'"));
  EXPECT_NE(std::string::npos, resolved.status().message().find("'missing'"));
}

TEST(ReplicateArgumentsTest, BothLocalQueuesAndUrlsIsAmbiguous) {
  auto resolved = ResolveReplicateArguments("node1", "orders", LocalQueues({"node1", "orders"}));
  ASSERT_FALSE(resolved.ok());
  EXPECT_NE(std::string::npos, resolved.status().message().find("ambiguous"));
  EXPECT_NE(std::string::npos, resolved.status().message().find("'node1'"));
  EXPECT_NE(std::string::npos, resolved.status().message().find("'orders'"));
}

TEST(ReplicateArgumentsTest, BothLocalQueuesButOnlyOneUrl) {
  // "node1:notaport" is a queue name here and no URL: the other word must be the source.
  auto resolved = ResolveReplicateArguments("node1:notaport", "node2",
                                            LocalQueues({"node1:notaport", "node2"}));
  ASSERT_TRUE(resolved.ok()) << resolved.status().message();
  EXPECT_EQ("node2", resolved.value().source);
  EXPECT_EQ("node1:notaport", resolved.value().queue);
}

TEST(ReplicateArgumentsTest, BadSourceUrlIsNamed) {
  auto resolved = ResolveReplicateArguments("orders", "node1:99999", LocalQueues({"orders"}));
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(StatusCode::kInvalidArgument, resolved.status().code());
  EXPECT_NE(std::string::npos, resolved.status().message().find("bad source URL 'node1:99999'"))
      << resolved.status().message();
}

}  // namespace
}  // namespace qpidd::tools
