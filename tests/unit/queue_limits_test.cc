// Queue limits with the classic "reject" policy: qpid.max_count, qpid.max_size and the broker's
// default queue limit.
#include <gtest/gtest.h>

#include "broker/broker.h"
#include "broker/queue.h"
#include "tests/unit/test_messages.h"

namespace qpidd::broker {
namespace {

using test::TextMessage;

class CountingListener : public QueueListener {
 public:
  void OnMessagesAvailable() override {}
  void OnQueueDeleted() override {}
};

QueueSettings Limited(uint64_t max_count, uint64_t max_bytes) {
  QueueSettings s;
  s.max_count = max_count;
  s.max_bytes = max_bytes;
  return s;
}

TEST(QueueLimitsTest, CountLimitRejectsTheMessageThatWouldPassIt) {
  Queue queue("limited", Limited(2, 0));
  EXPECT_TRUE(queue.Enqueue(TextMessage("a"), nullptr).ok());
  EXPECT_TRUE(queue.Enqueue(TextMessage("b"), nullptr).ok());
  Status full = queue.Enqueue(TextMessage("c"), nullptr);
  EXPECT_EQ(full.code(), StatusCode::kResourceLimit);
  EXPECT_NE(full.message().find("queue 'limited' is full"), std::string::npos) << full.message();
  EXPECT_NE(full.message().find("qpid.max_count"), std::string::npos) << full.message();
  EXPECT_EQ(queue.Stats().depth, 2u);
  EXPECT_EQ(queue.Stats().enqueued, 2u);
}

TEST(QueueLimitsTest, AcquiredMessagesCountUntilAccepted) {
  Queue queue("q", Limited(1, 0));
  auto listener = std::make_shared<CountingListener>();
  ASSERT_TRUE(queue.Enqueue(TextMessage("a"), nullptr).ok());
  auto m = queue.Acquire(listener);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(queue.Enqueue(TextMessage("b"), nullptr).code(), StatusCode::kResourceLimit);
  queue.Accept(m->position);
  EXPECT_TRUE(queue.Enqueue(TextMessage("b"), nullptr).ok());
}

TEST(QueueLimitsTest, ByteLimitCountsMessageSizes) {
  const auto message = TextMessage(std::string(100, 'x'));
  Queue queue("bytes", Limited(0, message->size() * 2));
  EXPECT_TRUE(queue.Enqueue(message, nullptr).ok());
  EXPECT_TRUE(queue.Enqueue(message, nullptr).ok());
  Status full = queue.Enqueue(message, nullptr);
  EXPECT_EQ(full.code(), StatusCode::kResourceLimit);
  EXPECT_NE(full.message().find("qpid.max_size"), std::string::npos) << full.message();
  queue.Purge();
  EXPECT_TRUE(queue.Enqueue(message, nullptr).ok());
}

TEST(QueueLimitsTest, ArgumentsSetTheLimits) {
  QueueSettings settings;
  ASSERT_TRUE(ApplyQueueArguments({{"qpid.max_count", uint64_t{5}},
                                   {"qpid.max_size", std::string("1000")},
                                   {"qpid.policy_type", std::string("reject")}},
                                  settings)
                  .ok());
  EXPECT_EQ(settings.max_count, 5u);
  EXPECT_EQ(settings.max_bytes, 1000u);
}

TEST(QueueLimitsTest, BadLimitValuesAreErrorsNamingTheArgument) {
  QueueSettings settings;
  Status s = ApplyQueueArguments({{"qpid.max_count", int64_t{-1}}}, settings);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("qpid.max_count"), std::string::npos) << s.message();
  s = ApplyQueueArguments({{"qpid.policy_type", std::string("sometimes")}}, settings);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("sometimes"), std::string::npos) << s.message();
}

TEST(QueueLimitsTest, PoliciesThisBrokerLacksAreRefusedSayingWhy) {
  QueueSettings settings;
  Status s = ApplyQueueArguments({{"qpid.policy_type", std::string("ring_strict")}}, settings);
  EXPECT_EQ(s.code(), StatusCode::kNotImplemented);
  EXPECT_NE(s.message().find("'ring'"), std::string::npos) << s.message();
  s = ApplyQueueArguments({{"qpid.policy_type", std::string("flow_to_disk")}}, settings);
  EXPECT_EQ(s.code(), StatusCode::kNotImplemented);
  EXPECT_NE(s.message().find("no message store"), std::string::npos) << s.message();
  ASSERT_TRUE(ApplyQueueArguments({{"qpid.policy_type", std::string("ring")}}, settings).ok());
  EXPECT_EQ(settings.limit_policy, LimitPolicy::kRing);
}

TEST(QueueLimitsTest, BrokerDefaultLimitAppliesUnlessTheQueueSetsItsOwn) {
  Broker broker(BrokerConfig{.id = "00000000-test", .default_queue_limit = 5000, .max_connections = 0});
  auto plain = broker.CreateQueue("plain", QueueSettings{}, nullptr);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain.value()->settings().max_bytes, 5000u);

  QueueSettings own;
  own.arguments["qpid.max_size"] = uint64_t{0};  // explicitly unlimited
  auto unlimited = broker.CreateQueue("unlimited", own, nullptr);
  ASSERT_TRUE(unlimited.ok());
  EXPECT_EQ(unlimited.value()->settings().max_bytes, 0u);
}

TEST(QueueExclusiveTest, ExclusiveQueueTakesOneConsumerAtATime) {
  QueueSettings settings;
  settings.exclusive = true;
  Queue queue("solo", settings);
  auto first = std::make_shared<CountingListener>();
  auto second = std::make_shared<CountingListener>();
  EXPECT_TRUE(queue.AddConsumer(first).ok());
  Status refused = queue.AddConsumer(second);
  EXPECT_EQ(refused.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(refused.message().find("queue 'solo' is exclusive"), std::string::npos)
      << refused.message();
  queue.RemoveConsumer(first.get());
  EXPECT_TRUE(queue.AddConsumer(second).ok());
}

TEST(QueueExclusiveTest, OrdinaryQueueTakesManyConsumers) {
  Queue queue("shared", QueueSettings{});
  auto a = std::make_shared<CountingListener>();
  auto b = std::make_shared<CountingListener>();
  EXPECT_TRUE(queue.AddConsumer(a).ok());
  EXPECT_TRUE(queue.AddConsumer(b).ok());
  EXPECT_EQ(queue.Stats().consumers, 2u);
}

}  // namespace
}  // namespace qpidd::broker
