// Queue policies: ring, last-value, priority levels (with fairshare), expiry, alternate
// exchanges, flow-control thresholds and delayed auto-delete.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "broker/available_messages.h"
#include "broker/broker.h"
#include "broker/queue.h"
#include "tests/unit/test_messages.h"

namespace qpidd::broker {
namespace {

using test::BodyText;
using test::TextMessage;

class Consumer : public QueueListener {
 public:
  void OnMessagesAvailable() override {}
  void OnQueueDeleted() override {}
};

class FlowWatcher : public FlowListener {
 public:
  void OnFlowResumed() override { ++resumed; }
  int resumed = 0;
};

MessagePtr WithPriority(std::string_view body, uint8_t priority) {
  return test::Decoded(
      test::EncodeWith(body, [&](pn_message_t* m) { pn_message_set_priority(m, priority); }));
}

MessagePtr WithKey(std::string_view body, std::string_view key, std::string_view value) {
  return test::Decoded(test::EncodeWith(body, [&](pn_message_t* m) {
    pn_data_t* props = pn_message_properties(m);
    pn_data_put_map(props);
    pn_data_enter(props);
    pn_data_put_string(props, pn_bytes(key.size(), key.data()));
    pn_data_put_string(props, pn_bytes(value.size(), value.data()));
    pn_data_exit(props);
  }));
}

MessagePtr WithTtl(std::string_view body, uint32_t ttl_ms) {
  return test::Decoded(test::EncodeWith(body, [&](pn_message_t* m) { pn_message_set_ttl(m, ttl_ms); }));
}

// Acquires and accepts everything available; returns the bodies in delivery order.
std::vector<std::string> Drain(Queue& queue) {
  auto consumer = std::make_shared<Consumer>();
  std::vector<std::string> out;
  while (auto m = queue.Acquire(consumer)) {
    out.push_back(BodyText(m->message));
    queue.Accept(m->position);
  }
  return out;
}

QueueSettings Settings(const Arguments& arguments, bool auto_delete = false) {
  QueueSettings s;
  s.auto_delete = auto_delete;
  s.arguments = arguments;
  EXPECT_TRUE(ApplyQueueArguments(arguments, s).ok());
  return s;
}

TEST(QueuePolicyTest, RingKeepsTheNewestN) {
  Queue queue("ring", Settings({{"qpid.max_count", uint64_t{3}},
                                {"qpid.policy_type", std::string("ring")}}));
  for (const char* body : {"1", "2", "3", "4", "5"}) {
    ASSERT_TRUE(queue.Enqueue(TextMessage(body), nullptr).ok());
  }
  EXPECT_EQ(queue.Stats().ring_dropped, 2u);
  EXPECT_EQ(Drain(queue), (std::vector<std::string>{"3", "4", "5"}));
}

TEST(QueuePolicyTest, RingByBytesDropsAsManyAsItTakes) {
  const auto small = TextMessage("s");
  const auto big = TextMessage(std::string(3 * small->size(), 'b'));
  Queue queue("ring", Settings({{"qpid.max_size", uint64_t{4 * small->size()}},
                                {"qpid.policy_type", std::string("ring")}}));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(queue.Enqueue(small, nullptr).ok());
  ASSERT_TRUE(queue.Enqueue(big, nullptr).ok());
  EXPECT_LE(queue.Stats().bytes, 4 * small->size());
  EXPECT_EQ(queue.Stats().ring_dropped, 4u);
}

TEST(QueuePolicyTest, RingNeverDropsForAMessageThatCannotFit) {
  Queue queue("ring", Settings({{"qpid.max_size", uint64_t{200}},
                                {"qpid.policy_type", std::string("ring")}}));
  ASSERT_TRUE(queue.Enqueue(TextMessage("keep"), nullptr).ok());
  Status s = queue.Enqueue(TextMessage(std::string(500, 'x')), nullptr);
  EXPECT_EQ(s.code(), StatusCode::kResourceLimit);
  EXPECT_NE(s.message().find("ring queue 'ring'"), std::string::npos) << s.message();
  EXPECT_EQ(Drain(queue), (std::vector<std::string>{"keep"}));
}

TEST(QueuePolicyTest, RingDoesNotDropMessagesBeingDelivered) {
  Queue queue("ring", Settings({{"qpid.max_count", uint64_t{2}},
                                {"qpid.policy_type", std::string("ring")}}));
  auto consumer = std::make_shared<Consumer>();
  ASSERT_TRUE(queue.Enqueue(TextMessage("a"), nullptr).ok());
  ASSERT_TRUE(queue.Enqueue(TextMessage("b"), nullptr).ok());
  auto a = queue.Acquire(consumer);
  auto b = queue.Acquire(consumer);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(queue.Enqueue(TextMessage("c"), nullptr).code(), StatusCode::kResourceLimit);
  queue.Accept(a->position);
  EXPECT_TRUE(queue.Enqueue(TextMessage("c"), nullptr).ok());
}

TEST(QueuePolicyTest, LastValueReplacesByKeyAndKeepsMessagesWithoutOne) {
  Queue queue("lvq", Settings({{"qpid.last_value_queue_key", std::string("sym")}}));
  ASSERT_TRUE(queue.Enqueue(WithKey("a1", "sym", "a"), nullptr).ok());
  ASSERT_TRUE(queue.Enqueue(WithKey("b1", "sym", "b"), nullptr).ok());
  ASSERT_TRUE(queue.Enqueue(TextMessage("plain1"), nullptr).ok());
  ASSERT_TRUE(queue.Enqueue(WithKey("a2", "sym", "a"), nullptr).ok());
  ASSERT_TRUE(queue.Enqueue(TextMessage("plain2"), nullptr).ok());
  EXPECT_EQ(queue.Stats().lvq_replaced, 1u);
  EXPECT_EQ(queue.Stats().depth, 4u);
  // The replacing message takes its own arrival place.
  EXPECT_EQ(Drain(queue), (std::vector<std::string>{"b1", "plain1", "a2", "plain2"}));
}

TEST(QueuePolicyTest, LastValueReleasedOldValueGivesWayToTheNewer) {
  Queue queue("lvq", Settings({{"qpid.last_value_queue_key", std::string("k")}}));
  auto consumer = std::make_shared<Consumer>();
  ASSERT_TRUE(queue.Enqueue(WithKey("old", "k", "x"), nullptr).ok());
  auto old = queue.Acquire(consumer);
  ASSERT_TRUE(old);
  ASSERT_TRUE(queue.Enqueue(WithKey("new", "k", "x"), nullptr).ok());
  queue.Release(old->position, false);
  EXPECT_EQ(Drain(queue), (std::vector<std::string>{"new"}));
  // Without a newer value, a released message comes back.
  ASSERT_TRUE(queue.Enqueue(WithKey("only", "k", "y"), nullptr).ok());
  auto only = queue.Acquire(consumer);
  ASSERT_TRUE(only);
  queue.Release(only->position, false);
  EXPECT_EQ(Drain(queue), (std::vector<std::string>{"only"}));
}

TEST(QueuePolicyTest, LastValueReplacementFitsAFullQueue) {
  Queue queue("lvq", Settings({{"qpid.last_value_queue_key", std::string("k")},
                               {"qpid.max_count", uint64_t{1}}}));
  ASSERT_TRUE(queue.Enqueue(WithKey("v1", "k", "x"), nullptr).ok());
  EXPECT_TRUE(queue.Enqueue(WithKey("v2", "k", "x"), nullptr).ok());
  EXPECT_EQ(queue.Enqueue(WithKey("other", "k", "y"), nullptr).code(),
            StatusCode::kResourceLimit);
  EXPECT_EQ(Drain(queue), (std::vector<std::string>{"v2"}));
}

TEST(QueuePolicyTest, PriorityLevelsMatchClassicQpidd) {
  // Ten levels: one per priority. Two: 0-4 and 5-9. Three: 0-3, 4, 5-9.
  for (uint8_t p = 0; p < 10; ++p) EXPECT_EQ(AvailableMessages::LevelOf(p, 10), p);
  EXPECT_EQ(AvailableMessages::LevelOf(4, 2), 0u);
  EXPECT_EQ(AvailableMessages::LevelOf(5, 2), 1u);
  EXPECT_EQ(AvailableMessages::LevelOf(3, 3), 0u);
  EXPECT_EQ(AvailableMessages::LevelOf(4, 3), 1u);
  EXPECT_EQ(AvailableMessages::LevelOf(9, 3), 2u);
  EXPECT_EQ(AvailableMessages::LevelOf(9, 1), 0u);
}

TEST(QueuePolicyTest, PriorityOrdersByLevelThenFifo) {
  Queue queue("prio", Settings({{"qpid.priorities", uint64_t{10}}}));
  const std::pair<const char*, uint8_t> sent[] = {{"l1", 1}, {"h1", 8}, {"m1", 4},
                                                  {"h2", 8}, {"l2", 1}, {"top", 9}};
  for (const auto& [body, priority] : sent) {
    ASSERT_TRUE(queue.Enqueue(WithPriority(body, priority), nullptr).ok());
  }
  EXPECT_EQ(Drain(queue), (std::vector<std::string>{"top", "h1", "h2", "m1", "l1", "l2"}));
}

TEST(QueuePolicyTest, ReleasedPriorityMessageKeepsItsTurn) {
  Queue queue("prio", Settings({{"qpid.priorities", uint64_t{2}}}));
  auto consumer = std::make_shared<Consumer>();
  ASSERT_TRUE(queue.Enqueue(WithPriority("h1", 9), nullptr).ok());
  ASSERT_TRUE(queue.Enqueue(WithPriority("h2", 9), nullptr).ok());
  ASSERT_TRUE(queue.Enqueue(WithPriority("low", 0), nullptr).ok());
  auto h1 = queue.Acquire(consumer);
  ASSERT_TRUE(h1);
  queue.Release(h1->position, true);
  EXPECT_EQ(Drain(queue), (std::vector<std::string>{"h1", "h2", "low"}));
}

TEST(QueuePolicyTest, FairshareGivesLowerLevelsATurn) {
  Queue queue("fair", Settings({{"qpid.priorities", uint64_t{10}},
                                {"qpid.fairshare", uint64_t{2}}}));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(queue.Enqueue(WithPriority("h" + std::to_string(i), 9), nullptr).ok());
  }
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(queue.Enqueue(WithPriority("l" + std::to_string(i), 0), nullptr).ok());
  }
  EXPECT_EQ(Drain(queue), (std::vector<std::string>{"h0", "h1", "l0", "l1", "h2", "h3", "l2",
                                                    "h4"}));
}

TEST(QueuePolicyTest, FairshareServesEveryLevelInTurn) {
  Queue queue("fair", Settings({{"qpid.priorities", uint64_t{3}}, {"qpid.fairshare", uint64_t{2}}}));
  for (const auto& [prefix, priority] : {std::pair{"h", 9}, std::pair{"m", 4}, std::pair{"l", 0}}) {
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(queue.Enqueue(WithPriority(prefix + std::to_string(i),
                                             static_cast<uint8_t>(priority)),
                                nullptr)
                      .ok());
    }
  }
  EXPECT_EQ(Drain(queue), (std::vector<std::string>{"h0", "h1", "m0", "m1", "l0", "l1", "h2",
                                                    "m2", "l2"}));
}

TEST(QueuePolicyTest, ExpiredMessagesAreNeverDeliveredOrBrowsed) {
  Queue queue("ttl", QueueSettings{});
  auto consumer = std::make_shared<Consumer>();
  ASSERT_TRUE(queue.Enqueue(WithTtl("short", 1), nullptr).ok());
  ASSERT_TRUE(queue.Enqueue(TextMessage("keep"), nullptr).ok());
  ASSERT_TRUE(queue.Enqueue(WithTtl("short2", 1), nullptr).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto browsed = queue.Browse(0, consumer);
  ASSERT_TRUE(browsed);
  EXPECT_EQ(BodyText(browsed->message), "keep");
  EXPECT_FALSE(queue.Browse(browsed->position, consumer).has_value());
  EXPECT_EQ(Drain(queue), (std::vector<std::string>{"keep"}));
  EXPECT_EQ(queue.Stats().expired, 2u);
}

TEST(QueuePolicyTest, PurgeExpiredReachesPastTheHead) {
  Queue queue("ttl", QueueSettings{});
  ASSERT_TRUE(queue.Enqueue(TextMessage("keep"), nullptr).ok());
  ASSERT_TRUE(queue.Enqueue(WithTtl("short", 1), nullptr).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(queue.PurgeExpired(), 1u);
  EXPECT_EQ(queue.Stats().depth, 1u);
}

TEST(QueuePolicyTest, FlowStopsAtTheStopThresholdAndResumesBelowTheResumeOne) {
  QueueSettings s = Settings({{"qpid.max_count", uint64_t{10}}});
  ApplyQueueDefaults(QueueDefaults{}, s);
  EXPECT_EQ(s.flow_stop_count, 8u);
  EXPECT_EQ(s.flow_resume_count, 7u);
  Queue queue("flow", s);
  auto watcher = std::make_shared<FlowWatcher>();
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(queue.Enqueue(TextMessage("m"), nullptr).ok());
  EXPECT_FALSE(queue.FlowStopped(watcher));
  ASSERT_TRUE(queue.Enqueue(TextMessage("m"), nullptr).ok());
  EXPECT_TRUE(queue.FlowStopped(watcher));
  EXPECT_TRUE(queue.Stats().flow_stopped);
  auto consumer = std::make_shared<Consumer>();
  auto first = queue.Acquire(consumer);
  queue.Accept(first->position);
  EXPECT_EQ(watcher->resumed, 1);
  EXPECT_FALSE(queue.FlowStopped(watcher));
}

TEST(QueuePolicyTest, RingQueuesHaveNoFlowControl) {
  QueueSettings s = Settings({{"qpid.max_count", uint64_t{10}},
                              {"qpid.policy_type", std::string("ring")}});
  ApplyQueueDefaults(QueueDefaults{}, s);
  EXPECT_EQ(s.flow_stop_count, 0u);
  QueueSettings bad;
  Status st = ApplyQueueArguments({{"qpid.policy_type", std::string("ring")},
                                   {"qpid.flow_stop_count", uint64_t{5}}},
                                  bad);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("ring"), std::string::npos) << st.message();
}

TEST(QueuePolicyTest, DeletedQueueReleasesHeldPublishers) {
  QueueSettings s = Settings({{"qpid.max_count", uint64_t{2}},
                              {"qpid.flow_stop_count", uint64_t{1}}});
  Queue queue("flow", s);
  auto watcher = std::make_shared<FlowWatcher>();
  ASSERT_TRUE(queue.Enqueue(TextMessage("m"), nullptr).ok());
  ASSERT_TRUE(queue.FlowStopped(watcher));
  queue.Delete();
  EXPECT_EQ(watcher->resumed, 1);
}

TEST(QueuePolicyTest, BadPolicyArgumentsAreErrorsNamingThem) {
  const std::pair<Arguments, const char*> cases[] = {
      {{{"qpid.priorities", uint64_t{11}}}, "qpid.priorities"},
      {{{"qpid.fairshare", uint64_t{2}}}, "qpid.fairshare"},
      {{{"qpid.last_value_queue_key", std::string()}}, "qpid.last_value_queue_key"},
      {{{"alternate-exchange", uint64_t{1}}}, "alternate-exchange"},
      {{{"qpid.auto_delete_timeout", uint64_t{5}}}, "qpid.auto_delete_timeout"},
      {{{"qpid.flow_stop_count", uint64_t{5}}, {"qpid.flow_resume_count", uint64_t{6}}},
       "qpid.flow_resume_count"},
  };
  for (const auto& [arguments, name] : cases) {
    QueueSettings s;
    Status st = ApplyQueueArguments(arguments, s);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << name;
    EXPECT_NE(st.message().find(name), std::string::npos) << st.message();
  }
}

TEST(QueuePolicyTest, LegacyLastValueFlagUsesTheClassicKey) {
  QueueSettings s = Settings({{"qpid.last_value_queue", true}});
  EXPECT_EQ(s.lvq_key, "qpid.LVQ_key");
}

// Through the broker: alternate exchanges.
class AlternateExchangeTest : public ::testing::Test {
 protected:
  AlternateExchangeTest() : broker_(BrokerConfig{.id = "00000000-test"}) {
    EXPECT_TRUE(broker_.CreateExchange("dlx", "fanout", ExchangeSettings{}, nullptr).ok());
    dead_ = broker_.CreateQueue("dead", QueueSettings{}, nullptr).value();
    EXPECT_TRUE(broker_.Bind("dlx", "dead", "", {}).ok());
  }

  QueuePtr WithAlternate(const std::string& name, Arguments arguments = {}) {
    arguments["alternate-exchange"] = std::string("dlx");
    QueueSettings s;
    s.arguments = arguments;
    return broker_.CreateQueue(name, s, nullptr).value();
  }

  Broker broker_;
  QueuePtr dead_;
};

TEST_F(AlternateExchangeTest, RejectedMessagesGoToTheAlternateExchange) {
  QueuePtr queue = WithAlternate("work");
  auto consumer = std::make_shared<Consumer>();
  ASSERT_TRUE(queue->Enqueue(TextMessage("bad"), nullptr).ok());
  auto m = queue->Acquire(consumer);
  queue->Reject(m->position);
  EXPECT_EQ(Drain(*dead_), (std::vector<std::string>{"bad"}));
  EXPECT_EQ(queue->Stats().rerouted, 1u);
}

TEST_F(AlternateExchangeTest, ExpiredMessagesGoToTheAlternateExchange) {
  QueuePtr queue = WithAlternate("work");
  ASSERT_TRUE(queue->Enqueue(WithTtl("late", 1), nullptr).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(queue->PurgeExpired(), 1u);
  // It does not expire again on the dead-letter queue.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(dead_->PurgeExpired(), 0u);
  EXPECT_EQ(Drain(*dead_), (std::vector<std::string>{"late"}));
}

TEST_F(AlternateExchangeTest, DeletedQueueMessagesGoToTheAlternateExchange) {
  QueuePtr queue = WithAlternate("work");
  auto consumer = std::make_shared<Consumer>();
  ASSERT_TRUE(queue->Enqueue(TextMessage("one"), nullptr).ok());
  ASSERT_TRUE(queue->Enqueue(TextMessage("two"), nullptr).ok());
  auto out = queue->Acquire(consumer);
  ASSERT_TRUE(broker_.DeleteQueue("work").ok());
  EXPECT_EQ(Drain(*dead_), (std::vector<std::string>{"two"}));
  queue->Release(out->position, true);  // its consumer gave it back after the delete
  EXPECT_EQ(Drain(*dead_), (std::vector<std::string>{"one"}));
}

TEST_F(AlternateExchangeTest, UnroutableMessagesGoToTheExchangesAlternate) {
  ExchangeSettings s;
  s.arguments["alternate-exchange"] = std::string("dlx");
  auto exchange = broker_.CreateExchange("orders", "direct", s, nullptr).value();
  EXPECT_EQ(broker_.Route(*exchange, TextMessage("lost", "nobody"), nullptr), 1u);
  EXPECT_EQ(Drain(*dead_), (std::vector<std::string>{"lost"}));
}

TEST_F(AlternateExchangeTest, MissingAlternateIsRefusedAndOneInUseCannotBeDeleted) {
  QueueSettings s;
  s.arguments["alternate-exchange"] = std::string("nowhere");
  auto refused = broker_.CreateQueue("q", s, nullptr);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("'nowhere'"), std::string::npos);
  WithAlternate("user");
  Status busy = broker_.DeleteExchange("dlx");
  EXPECT_EQ(busy.code(), StatusCode::kPreconditionFailed);
  EXPECT_NE(busy.message().find("queue 'user'"), std::string::npos) << busy.message();
}

TEST_F(AlternateExchangeTest, FullQueueBehindAnExchangeRefusesThePublisher) {
  QueueSettings s;
  s.arguments["qpid.max_count"] = uint64_t{1};
  ASSERT_TRUE(broker_.CreateQueue("small", s, nullptr).ok());
  ASSERT_TRUE(broker_.Bind("amq.fanout", "small", "", {}).ok());
  auto fanout = broker_.FindExchange("amq.fanout");
  Status refused;
  EXPECT_EQ(broker_.Route(*fanout, TextMessage("1"), nullptr, &refused), 1u);
  EXPECT_TRUE(refused.ok());
  EXPECT_EQ(broker_.Route(*fanout, TextMessage("2"), nullptr, &refused), 0u);
  EXPECT_EQ(refused.code(), StatusCode::kResourceLimit);
  EXPECT_NE(refused.message().find("'small'"), std::string::npos) << refused.message();
}

TEST(AutoDeleteDelayTest, QueueGoesAfterItsDelayUnlessAConsumerComesBack) {
  Broker broker(BrokerConfig{.id = "00000000-test"});
  QueueSettings s = Settings({{"qpid.auto_delete_timeout", uint64_t{1}}}, /*auto_delete=*/true);
  QueuePtr queue = broker.CreateQueue("temp", s, nullptr).value();
  auto consumer = std::make_shared<Consumer>();
  ASSERT_TRUE(queue->AddConsumer(consumer).ok());
  ASSERT_TRUE(queue->RemoveConsumer(consumer.get()));
  broker.ReleaseAutoDelete(queue);
  EXPECT_NE(broker.FindQueue("temp"), nullptr);  // not yet
  ASSERT_TRUE(queue->AddConsumer(consumer).ok());  // back within the delay, and gone again:
  ASSERT_TRUE(queue->RemoveConsumer(consumer.get()));  // the first delay must not apply
  broker.ReleaseAutoDelete(queue);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  ASSERT_TRUE(queue->AddConsumer(consumer).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_NE(broker.FindQueue("temp"), nullptr);
  ASSERT_TRUE(queue->RemoveConsumer(consumer.get()));
  broker.ReleaseAutoDelete(queue);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (broker.FindQueue("temp") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(broker.FindQueue("temp"), nullptr);
}

}  // namespace
}  // namespace qpidd::broker
