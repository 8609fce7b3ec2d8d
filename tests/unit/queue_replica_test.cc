// What a module keeping copies of queues on other brokers needs from a queue: positions that
// start where it says (first_position, AdvancePosition, Tail), a walk of everything the queue
// holds (SnapshotAll), replica mode (EnqueueReplica, DequeueReplica, SetReplica) and MarkUsed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "broker/queue.h"
#include "tests/unit/test_messages.h"

namespace qpidd::broker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using test::BodyText;
using test::TextMessage;

constexpr uint64_t kLongAgo = 1000;  // ms since 1970: always in the past

class Listener : public QueueListener {
 public:
  void OnMessagesAvailable() override { available.fetch_add(1); }
  void OnQueueDeleted() override {}
  std::atomic<int> available{0};
};

class FlowWatcher : public FlowListener {
 public:
  void OnFlowResumed() override {}
};

// Records enqueues (with whether a publish context came) and dequeues, by position.
class Recorder : public QueueObserver {
 public:
  void OnEnqueue(const QueuedMessage& m, PublishContext* context) override {
    events.push_back("enq " + std::to_string(m.position) + (context ? " ctx" : ""));
  }
  void OnAcquire(const QueuedMessage& m) override {
    events.push_back("acq " + std::to_string(m.position));
  }
  void OnRequeue(const QueuedMessage& m) override {
    events.push_back("req " + std::to_string(m.position));
  }
  void OnDequeue(const QueuedMessage& m) override {
    events.push_back("deq " + std::to_string(m.position));
  }
  void OnConsumerAdded() override { events.emplace_back("consumer"); }
  std::vector<std::string> events;
};

MessagePtr WithPriority(std::string_view body, uint8_t priority) {
  return test::Decoded(
      test::EncodeWith(body, [&](pn_message_t* m) { pn_message_set_priority(m, priority); }));
}

MessagePtr WithKey(std::string_view body, std::string_view value) {
  return test::Decoded(test::EncodeWith(body, [&](pn_message_t* m) {
    pn_data_t* props = pn_message_properties(m);
    pn_data_put_map(props);
    pn_data_enter(props);
    pn_data_put_string(props, pn_bytes(3, "key"));
    pn_data_put_string(props, pn_bytes(value.size(), value.data()));
    pn_data_exit(props);
  }));
}

MessagePtr WithExpiry(std::string_view body, uint32_t ttl_ms, uint64_t absolute_ms) {
  return test::Decoded(test::EncodeWith(body, [&](pn_message_t* m) {
    if (ttl_ms != 0) pn_message_set_ttl(m, ttl_ms);
    if (absolute_ms != 0) pn_message_set_expiry_time(m, static_cast<pn_timestamp_t>(absolute_ms));
  }));
}

std::vector<uint64_t> Positions(const std::vector<QueuedMessage>& messages) {
  std::vector<uint64_t> out;
  for (const auto& m : messages) out.push_back(m.position);
  return out;
}

std::vector<std::string> Bodies(const std::vector<QueuedMessage>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(BodyText(m.message));
  return out;
}

// Everything the queue holds, in position order.
std::vector<QueuedMessage> All(const Queue& queue) {
  return queue.SnapshotAll(0, std::numeric_limits<size_t>::max());
}

// The positions a browser sees, in order.
std::vector<uint64_t> Browsed(Queue& queue) {
  auto browser = std::make_shared<Listener>();
  std::vector<uint64_t> out;
  uint64_t after = 0;
  while (auto m = queue.Browse(after, browser)) out.push_back(after = m->position);
  return out;
}

QueuePtr Replica(QueueSettings settings = {}) {
  auto queue = std::make_shared<Queue>("r", std::move(settings));
  queue->SetReplica(true);
  return queue;
}

// Places "p<position>" messages at the given positions.
void Place(Queue& queue, std::initializer_list<uint64_t> positions) {
  for (uint64_t p : positions) {
    ASSERT_TRUE(queue.EnqueueReplica(TextMessage("p" + std::to_string(p)), p, 0).ok());
  }
}

// --- Positions (first_position, AdvancePosition, Tail) ------------------------------------

TEST(QueuePositionTest, FirstPositionIsWhereNumberingStarts) {
  QueueSettings settings;
  EXPECT_EQ(settings.first_position, 1u);
  settings.first_position = (uint64_t{3} << 48) + 1;
  Queue queue("q", settings);
  EXPECT_EQ(queue.Tail(), 0u) << "no message yet";
  ASSERT_TRUE(queue.Enqueue(TextMessage("a"), nullptr).ok());
  ASSERT_TRUE(queue.Enqueue(TextMessage("b"), nullptr).ok());
  EXPECT_THAT(Positions(All(queue)), ElementsAre(settings.first_position, settings.first_position + 1));
  EXPECT_EQ(queue.Tail(), settings.first_position + 1);
}

TEST(QueuePositionTest, FirstPositionZeroMeansOne) {
  QueueSettings settings;
  settings.first_position = 0;
  Queue queue("q", settings);
  ASSERT_TRUE(queue.Enqueue(TextMessage("a"), nullptr).ok());
  EXPECT_EQ(queue.Tail(), 1u);
}

TEST(QueuePositionTest, DeclareArgumentsCannotSetTheFirstPosition) {
  QueueSettings settings;
  ASSERT_TRUE(ApplyQueueArguments({{"first_position", uint64_t{50}},
                                   {"qpid.first_position", uint64_t{50}}},
                                  settings)
                  .ok());
  EXPECT_EQ(settings.first_position, 1u);
}

TEST(QueuePositionTest, AdvancePositionRaisesTheNextPositionAndNeverLowersIt) {
  Queue queue("q", QueueSettings{});
  ASSERT_TRUE(queue.Enqueue(TextMessage("a"), nullptr).ok());
  queue.AdvancePosition(100);
  EXPECT_EQ(queue.Tail(), 1u) << "skipped positions are not given";
  ASSERT_TRUE(queue.Enqueue(TextMessage("b"), nullptr).ok());
  queue.AdvancePosition(50);
  ASSERT_TRUE(queue.Enqueue(TextMessage("c"), nullptr).ok());
  EXPECT_THAT(Positions(All(queue)), ElementsAre(1, 100, 101));
  EXPECT_EQ(queue.Tail(), 101u);
}

TEST(QueuePositionTest, TailKeepsTheHighestPositionEvenWhenItsMessageIsGone) {
  Queue queue("q", QueueSettings{});
  ASSERT_TRUE(queue.Enqueue(TextMessage("a"), nullptr).ok());
  EXPECT_EQ(queue.Purge(), 1u);
  EXPECT_EQ(queue.Tail(), 1u);
}

// --- SnapshotAll ---------------------------------------------------------------------------

TEST(QueueSnapshotAllTest, ListsAvailableAndAcquiredMessagesInPositionOrder) {
  QueueSettings settings;
  settings.priority_levels = 10;
  Queue queue("q", settings);
  const uint8_t priorities[] = {1, 9, 4, 9, 0, 5};  // positions 1..6
  for (uint8_t p : priorities) {
    ASSERT_TRUE(queue.Enqueue(WithPriority("x" + std::to_string(p), p), nullptr).ok());
  }
  auto consumer = std::make_shared<Listener>();
  auto first = queue.Acquire(consumer);   // priority 9: position 2
  auto second = queue.Acquire(consumer);  // priority 9: position 4
  ASSERT_TRUE(first && second);
  ASSERT_EQ(first->position, 2u);
  ASSERT_EQ(second->position, 4u);

  EXPECT_THAT(Positions(queue.SnapshotAll(0, 100)), ElementsAre(1, 2, 3, 4, 5, 6));
  EXPECT_THAT(Positions(queue.Snapshot(0, 100)), ElementsAre(1, 3, 5, 6)) << "available only";
  EXPECT_THAT(Positions(queue.SnapshotAll(1, 3)), ElementsAre(2, 3, 4));
  EXPECT_THAT(Positions(queue.SnapshotAll(4, 100)), ElementsAre(5, 6));
  EXPECT_TRUE(queue.SnapshotAll(6, 100).empty());
  EXPECT_TRUE(queue.SnapshotAll(0, 0).empty());
  EXPECT_TRUE(queue.SnapshotAll(std::numeric_limits<uint64_t>::max(), 10).empty());
  EXPECT_EQ(queue.Stats().acquired, 2u) << "a snapshot changes nothing";
}

TEST(QueueSnapshotAllTest, LimitCanEndOnAnAcquiredMessage) {
  Queue queue("q", QueueSettings{});
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(queue.Enqueue(TextMessage("m"), nullptr).ok());
  auto consumer = std::make_shared<Listener>();
  auto m1 = queue.Acquire(consumer);
  auto m2 = queue.Acquire(consumer);
  ASSERT_TRUE(m1 && m2);
  EXPECT_THAT(Positions(queue.SnapshotAll(0, 1)), ElementsAre(1));
  EXPECT_THAT(Positions(queue.SnapshotAll(0, 2)), ElementsAre(1, 2));
  EXPECT_THAT(Positions(queue.SnapshotAll(1, 2)), ElementsAre(2, 3));
}

TEST(QueueSnapshotAllTest, IncludesExpiredMessagesNotYetRemovedWithTheirExpiry) {
  Queue queue("q", QueueSettings{});
  ASSERT_TRUE(queue.Enqueue(WithExpiry("stale", 0, kLongAgo), nullptr).ok());
  ASSERT_TRUE(queue.Enqueue(TextMessage("plain"), nullptr).ok());
  auto all = queue.SnapshotAll(0, 10);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].expires_at_ms, kLongAgo);
  EXPECT_EQ(all[1].expires_at_ms, 0u);
  EXPECT_THAT(Positions(queue.Snapshot(0, 10)), ElementsAre(2)) << "management hides it";
}

TEST(QueueSnapshotAllTest, WalkInBatchesSeesEveryMessageOnce) {
  QueueSettings settings;
  settings.priority_levels = 3;
  Queue queue("q", settings);
  const auto low = WithPriority("low", 0);
  const auto high = WithPriority("high", 9);
  constexpr int kCount = 200000;
  for (int i = 0; i < kCount; ++i) {
    ASSERT_TRUE(queue.Enqueue(i % 3 == 0 ? high : low, nullptr).ok());
  }
  auto consumer = std::make_shared<Listener>();
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(queue.Acquire(consumer));
  uint64_t cursor = 0;
  uint64_t seen = 0;
  for (auto batch = queue.SnapshotAll(cursor, 1000); !batch.empty();
       batch = queue.SnapshotAll(cursor, 1000)) {
    for (const auto& m : batch) {
      ASSERT_EQ(m.position, cursor + 1);
      cursor = m.position;
      ++seen;
    }
  }
  EXPECT_EQ(seen, static_cast<uint64_t>(kCount));
}

// --- Replica mode: taking messages ---------------------------------------------------------

TEST(QueueReplicaTest, OrdinaryEnqueueIsRefused) {
  auto queue = Replica();
  EXPECT_TRUE(queue->replica());
  Status s = queue->Enqueue(TextMessage("x"), nullptr);
  EXPECT_EQ(s.code(), StatusCode::kPreconditionFailed);
  EXPECT_EQ(s.message(), "queue 'r' is a replica: its messages come from replication");
  EXPECT_EQ(queue->Stats().depth, 0u);
}

TEST(QueueReplicaTest, EnqueueReplicaPlacesMessagesInPositionOrder) {
  auto queue = Replica();
  auto observer = std::make_shared<Recorder>();
  queue->AddObserver(observer);
  Place(*queue, {5, 2, 9});
  EXPECT_THAT(Positions(All(*queue)), ElementsAre(2, 5, 9));
  EXPECT_THAT(Browsed(*queue), ElementsAre(2, 5, 9));
  EXPECT_EQ(queue->Tail(), 9u);
  EXPECT_THAT(observer->events, ElementsAre("enq 5", "enq 2", "enq 9")) << "no publish context";
  const QueueStats s = queue->Stats();
  EXPECT_EQ(s.enqueued, 3u);
  EXPECT_EQ(s.depth, 3u);
}

TEST(QueueReplicaTest, APositionAlreadyHeldIsLeftAsItIs) {
  auto queue = Replica();
  Place(*queue, {3});
  ASSERT_TRUE(queue->EnqueueReplica(TextMessage("other"), 3, 0).ok());
  auto all = All(*queue);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(BodyText(all[0].message), "p3");
  EXPECT_EQ(queue->Stats().enqueued, 1u);
}

TEST(QueueReplicaTest, PrioritiesFileEachMessageInItsLevelByPosition) {
  QueueSettings settings;
  settings.priority_levels = 10;
  auto queue = Replica(settings);
  ASSERT_TRUE(queue->EnqueueReplica(WithPriority("low7", 0), 7, 0).ok());
  ASSERT_TRUE(queue->EnqueueReplica(WithPriority("high8", 9), 8, 0).ok());
  ASSERT_TRUE(queue->EnqueueReplica(WithPriority("high3", 9), 3, 0).ok());
  ASSERT_TRUE(queue->EnqueueReplica(WithPriority("low1", 0), 1, 0).ok());
  EXPECT_THAT(Positions(All(*queue)), ElementsAre(1, 3, 7, 8));
  queue->SetReplica(false);
  auto consumer = std::make_shared<Listener>();
  std::vector<std::string> order;
  while (auto m = queue->Acquire(consumer)) order.push_back(BodyText(m->message));
  EXPECT_THAT(order, ElementsAre("high3", "high8", "low1", "low7"));
}

TEST(QueueReplicaTest, ExpiryComesFromTheCallerAndNeverApplies) {
  auto queue = Replica();
  // A long ttl in the header: the expiry given wins, and is not recomputed.
  ASSERT_TRUE(queue->EnqueueReplica(WithExpiry("stale", 3600000, 0), 1, kLongAgo).ok());
  ASSERT_TRUE(queue->EnqueueReplica(WithExpiry("ttl", 3600000, 0), 2, 0).ok());
  auto all = All(*queue);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].expires_at_ms, kLongAgo);
  EXPECT_EQ(all[1].expires_at_ms, 0u);
  EXPECT_EQ(queue->PurgeExpired(), 0u);
  EXPECT_THAT(Browsed(*queue), ElementsAre(1, 2)) << "a replica shows what it holds";
  EXPECT_THAT(Positions(queue->Snapshot(0, 10)), ElementsAre(1, 2));
  EXPECT_EQ(queue->Stats().expired, 0u);
}

TEST(QueueReplicaTest, LastValueReplicaKeepsEveryValue) {
  QueueSettings settings;
  settings.lvq_key = "key";
  auto queue = Replica(settings);
  for (uint64_t p : {1, 2, 3}) {
    ASSERT_TRUE(queue->EnqueueReplica(WithKey("a" + std::to_string(p), "a"), p, 0).ok());
  }
  EXPECT_THAT(Bodies(All(*queue)), ElementsAre("a1", "a2", "a3"));
  EXPECT_EQ(queue->Stats().lvq_replaced, 0u);
  // Removing the newest leaves the older ones alone.
  EXPECT_EQ(queue->DequeueReplica({{3, 3}}), 1u);
  EXPECT_THAT(Bodies(All(*queue)), ElementsAre("a1", "a2"));
}

TEST(QueueReplicaTest, NoLimitRingOrFlowControlApplies) {
  for (LimitPolicy policy : {LimitPolicy::kReject, LimitPolicy::kRing}) {
    QueueSettings settings;
    settings.max_count = 2;
    settings.max_bytes = 1;
    settings.limit_policy = policy;
    if (policy == LimitPolicy::kReject) settings.flow_stop_count = 1;
    auto queue = Replica(settings);
    Place(*queue, {1, 2, 3, 4, 5});
    const QueueStats s = queue->Stats();
    EXPECT_EQ(s.depth, 5u) << LimitPolicyName(policy);
    EXPECT_EQ(s.ring_dropped, 0u);
    EXPECT_FALSE(s.flow_stopped);
    EXPECT_FALSE(queue->FlowStopped(std::make_shared<FlowWatcher>()));
  }
}

TEST(QueueReplicaTest, EnqueueReplicaNeedsAReplicaAPositionAndALiveQueue) {
  Queue ordinary("q", QueueSettings{});
  Status s = ordinary.EnqueueReplica(TextMessage("x"), 1, 0);
  EXPECT_EQ(s.code(), StatusCode::kPreconditionFailed);
  EXPECT_THAT(s.message(), HasSubstr("'q' is not a replica"));
  auto queue = Replica();
  EXPECT_EQ(queue->EnqueueReplica(TextMessage("x"), 0, 0).code(), StatusCode::kInvalidArgument);
  queue->Delete();
  EXPECT_EQ(queue->EnqueueReplica(TextMessage("x"), 1, 0).code(), StatusCode::kNotFound);
}

TEST(QueueReplicaTest, WaitingBrowserIsToldOfAPlacedMessage) {
  auto queue = Replica();
  auto browser = std::make_shared<Listener>();
  EXPECT_FALSE(queue->Browse(0, browser));
  Place(*queue, {4});
  EXPECT_EQ(browser->available, 1);
  auto m = queue->Browse(0, browser);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->position, 4u);
}

// --- Replica mode: losing messages ---------------------------------------------------------

TEST(QueueReplicaTest, DequeueReplicaRemovesAvailableAndAcquiredMessagesInRanges) {
  auto queue = std::make_shared<Queue>("r", QueueSettings{});
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(queue->Enqueue(TextMessage("m"), nullptr).ok());
  auto consumer = std::make_shared<Listener>();
  auto m1 = queue->Acquire(consumer);
  auto m2 = queue->Acquire(consumer);
  ASSERT_TRUE(m1 && m2);
  queue->SetReplica(true);
  auto observer = std::make_shared<Recorder>();
  queue->AddObserver(observer);

  EXPECT_EQ(queue->DequeueReplica({{2, 3}, {5, 5}, {9, 100}}), 3u);
  EXPECT_THAT(Positions(All(*queue)), ElementsAre(1, 4, 6));
  EXPECT_THAT(observer->events, ElementsAre("deq 2", "deq 3", "deq 5"));
  QueueStats s = queue->Stats();
  EXPECT_EQ(s.depth, 3u);
  EXPECT_EQ(s.acquired, 1u);
  EXPECT_EQ(s.dequeued, 3u);
  EXPECT_EQ(s.bytes, 3 * m1->message->size());
  queue->Accept(m2->position);  // already gone: ignored
  EXPECT_EQ(queue->Stats().dequeued, 3u);
  EXPECT_EQ(queue->DequeueReplica({{1, std::numeric_limits<uint64_t>::max()}}), 3u);
  s = queue->Stats();
  EXPECT_EQ(s.depth, 0u);
  EXPECT_EQ(s.bytes, 0u);
  EXPECT_EQ(queue->DequeueReplica({{1, 10}}), 0u);
}

TEST(QueueReplicaTest, ManyRangesOnASmallReplica) {
  auto queue = Replica();
  Place(*queue, {2, 4, 5, 1001, 4000});
  PositionRanges odd;
  for (uint64_t p = 1; p < 10000; p += 2) odd.emplace_back(p, p);
  EXPECT_EQ(queue->DequeueReplica(odd), 2u);
  EXPECT_THAT(Positions(All(*queue)), ElementsAre(2, 4, 4000));
}

TEST(QueueReplicaTest, DequeueReplicaOnAnOrdinaryQueueRemovesNothing) {
  Queue queue("q", QueueSettings{});
  ASSERT_TRUE(queue.Enqueue(TextMessage("m"), nullptr).ok());
  EXPECT_EQ(queue.DequeueReplica({{1, 1}}), 0u);
  EXPECT_EQ(queue.Stats().depth, 1u);
}

// Random placements and removals on a priority replica, against a set of positions, so every
// way of removing (by range or by message, span by span or sliding) is exercised.
TEST(QueueReplicaTest, DequeueReplicaMatchesAModel) {
  std::mt19937_64 random(42);
  for (int round = 0; round < 40; ++round) {
    QueueSettings settings;
    settings.priority_levels = 3;
    auto queue = Replica(settings);
    std::set<uint64_t> model;
    const uint64_t span = 50 + random() % 3000;
    const int count = static_cast<int>(random() % 2000);
    for (int i = 0; i < count; ++i) {
      const uint64_t p = 1 + random() % span;
      ASSERT_TRUE(queue->EnqueueReplica(WithPriority("m", static_cast<uint8_t>(random() % 10)),
                                        p, 0).ok());
      model.insert(p);
    }
    for (int step = 0; step < 5; ++step) {
      PositionRanges ranges;
      uint64_t next = 1 + random() % 20;
      const size_t wanted = 1 + random() % (round % 2 == 0 ? 5 : 3000);
      while (ranges.size() < wanted && next <= span) {
        const uint64_t last = next + random() % (round % 3 == 0 ? 200 : 3);
        ranges.emplace_back(next, last);
        next = last + 2 + random() % 30;
      }
      uint64_t expected = 0;
      for (const auto& [first, last] : ranges) {
        for (auto it = model.lower_bound(first); it != model.end() && *it <= last;) {
          it = model.erase(it);
          ++expected;
        }
      }
      ASSERT_EQ(queue->DequeueReplica(ranges), expected) << "round " << round;
      const auto held = Positions(All(*queue));
      ASSERT_EQ(std::vector<uint64_t>(model.begin(), model.end()), held) << "round " << round;
      ASSERT_EQ(queue->Stats().depth, model.size());
    }
  }
}

TEST(QueueReplicaTest, AcquireGivesNothingButBrowsingWorks) {
  auto queue = Replica();
  Place(*queue, {1, 2});
  auto consumer = std::make_shared<Listener>();
  EXPECT_FALSE(queue->Acquire(consumer));
  EXPECT_EQ(queue->Stats().acquired, 0u);
  EXPECT_THAT(Browsed(*queue), ElementsAre(1, 2));
  // Refused consumers wait like any other: told of new messages and of the promotion.
  Place(*queue, {3});
  EXPECT_EQ(consumer->available, 1);
  EXPECT_FALSE(queue->Acquire(consumer));
  queue->SetReplica(false);
  EXPECT_EQ(consumer->available, 2);
  auto m = queue->Acquire(consumer);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->position, 1u);
}

TEST(QueueReplicaTest, PurgeRemovesNothing) {
  auto queue = Replica();
  Place(*queue, {1, 2});
  EXPECT_EQ(queue->Purge(), 0u);
  EXPECT_EQ(queue->Stats().depth, 2u);
}

// Records what the queue sends to its alternate exchange.
struct DeadLetters {
  std::vector<std::string> calls;
  DeadLetterHandler Handler() {
    return [this](const std::string& exchange, const std::string& queue,
                  std::vector<MessagePtr> messages, std::string_view why) {
      calls.push_back(exchange + " " + queue + " " + std::to_string(messages.size()) + " " +
                      std::string(why));
    };
  }
};

TEST(QueueReplicaTest, DeletedReplicaDropsItsMessagesWithoutRerouting) {
  QueueSettings settings;
  settings.alternate_exchange = "dlx";
  DeadLetters dead;
  auto ordinary = std::make_shared<Queue>("q", settings);
  ordinary->SetDeadLetterHandler(dead.Handler());
  ASSERT_TRUE(ordinary->Enqueue(TextMessage("m"), nullptr).ok());
  ordinary->Delete();
  ASSERT_THAT(dead.calls, ElementsAre("dlx q 1 its queue was deleted")) << "the handler works";

  dead.calls.clear();
  auto queue = Replica(settings);
  queue->SetDeadLetterHandler(dead.Handler());
  auto observer = std::make_shared<Recorder>();
  queue->AddObserver(observer);
  Place(*queue, {1, 2});
  queue->Delete();
  EXPECT_TRUE(dead.calls.empty());
  const QueueStats s = queue->Stats();
  EXPECT_EQ(s.depth, 0u);
  EXPECT_EQ(s.dequeued, 2u);
  EXPECT_EQ(s.rerouted, 0u);
  EXPECT_THAT(observer->events, ElementsAre("enq 1", "enq 2", "deq 1", "deq 2"));
}

// --- Leaving replica mode (promotion) ------------------------------------------------------

TEST(QueueReplicaTest, PromotedLastValueQueueKeepsTheNewestOfEachValue) {
  QueueSettings settings;
  settings.lvq_key = "key";
  auto queue = Replica(settings);
  auto observer = std::make_shared<Recorder>();
  queue->AddObserver(observer);
  ASSERT_TRUE(queue->EnqueueReplica(WithKey("a1", "a"), 1, 0).ok());
  ASSERT_TRUE(queue->EnqueueReplica(WithKey("b1", "b"), 2, 0).ok());
  ASSERT_TRUE(queue->EnqueueReplica(WithKey("a2", "a"), 3, 0).ok());
  ASSERT_TRUE(queue->EnqueueReplica(TextMessage("plain"), 4, 0).ok());
  ASSERT_TRUE(queue->EnqueueReplica(WithKey("a3", "a"), 5, 0).ok());
  observer->events.clear();
  queue->SetReplica(false);
  EXPECT_FALSE(queue->replica());
  EXPECT_THAT(Bodies(All(*queue)), ElementsAre("b1", "plain", "a3"));
  EXPECT_THAT(observer->events, ElementsAre("deq 1", "deq 3"));
  EXPECT_EQ(queue->Stats().lvq_replaced, 2u);
  // The last-value index is whole again: a new value replaces the newest.
  ASSERT_TRUE(queue->Enqueue(WithKey("a4", "a"), nullptr).ok());
  EXPECT_THAT(Bodies(All(*queue)), ElementsAre("b1", "plain", "a4"));
  EXPECT_EQ(queue->Stats().lvq_replaced, 3u);
}

TEST(QueueReplicaTest, PromotionLeavesAcquiredValuesToTheirConsumers) {
  QueueSettings settings;
  settings.lvq_key = "key";
  auto queue = std::make_shared<Queue>("r", settings);
  ASSERT_TRUE(queue->Enqueue(WithKey("a1", "a"), nullptr).ok());
  auto consumer = std::make_shared<Listener>();
  auto held = queue->Acquire(consumer);
  ASSERT_TRUE(held);
  queue->SetReplica(true);
  ASSERT_TRUE(queue->EnqueueReplica(WithKey("a2", "a"), 2, 0).ok());
  ASSERT_TRUE(queue->EnqueueReplica(WithKey("a3", "a"), 3, 0).ok());
  queue->SetReplica(false);
  EXPECT_THAT(Bodies(All(*queue)), ElementsAre("a1", "a3"));
  EXPECT_EQ(queue->Stats().acquired, 1u);
  queue->Release(held->position, false);  // a newer value is there: dropped
  EXPECT_THAT(Bodies(All(*queue)), ElementsAre("a3"));
}

TEST(QueueReplicaTest, MessageReleasedOnAReplicaGoesBackWhateverItsValue) {
  QueueSettings settings;
  settings.lvq_key = "key";
  auto queue = std::make_shared<Queue>("r", settings);
  ASSERT_TRUE(queue->Enqueue(WithKey("a1", "a"), nullptr).ok());
  ASSERT_TRUE(queue->Enqueue(WithKey("a2", "a"), nullptr).ok());  // replaces a1
  ASSERT_TRUE(queue->Enqueue(WithKey("a3", "a"), nullptr).ok());  // replaces a2
  auto consumer = std::make_shared<Listener>();
  auto held = queue->Acquire(consumer);
  ASSERT_TRUE(held);
  queue->SetReplica(true);
  ASSERT_TRUE(queue->EnqueueReplica(WithKey("a4", "a"), 4, 0).ok());
  queue->Release(held->position, false);
  EXPECT_THAT(Bodies(All(*queue)), ElementsAre("a3", "a4"));
  EXPECT_EQ(queue->Stats().lvq_replaced, 2u) << "only the ordinary queue's replacements";
}

TEST(QueueReplicaTest, PromotedQueueExpiresWhatIsDue) {
  auto queue = Replica();
  ASSERT_TRUE(queue->EnqueueReplica(TextMessage("stale"), 1, kLongAgo).ok());
  ASSERT_TRUE(queue->EnqueueReplica(TextMessage("fresh"), 2, 0).ok());
  queue->SetReplica(false);
  EXPECT_THAT(Browsed(*queue), ElementsAre(2));
  auto consumer = std::make_shared<Listener>();
  auto m = queue->Acquire(consumer);
  ASSERT_TRUE(m);
  EXPECT_EQ(BodyText(m->message), "fresh");
  EXPECT_EQ(queue->Stats().expired, 1u);
}

TEST(QueueReplicaTest, PromotedRejectQueueAppliesItsLimitToTheNextEnqueue) {
  QueueSettings settings;
  settings.max_count = 2;
  auto queue = Replica(settings);
  Place(*queue, {1, 2, 3});
  queue->SetReplica(false);
  EXPECT_EQ(queue->Stats().depth, 3u) << "nothing is dropped at promotion";
  EXPECT_EQ(queue->Enqueue(TextMessage("x"), nullptr).code(), StatusCode::kResourceLimit);
}

TEST(QueueReplicaTest, PromotedRingQueueDropsTheOldestOnTheNextEnqueue) {
  QueueSettings settings;
  settings.max_count = 2;
  settings.limit_policy = LimitPolicy::kRing;
  auto queue = Replica(settings);
  Place(*queue, {1, 2, 3});
  queue->SetReplica(false);
  queue->AdvancePosition((uint64_t{2} << 48) + 1);
  ASSERT_TRUE(queue->Enqueue(TextMessage("new"), nullptr).ok());
  EXPECT_THAT(Positions(All(*queue)), ElementsAre(3, (uint64_t{2} << 48) + 1));
  EXPECT_EQ(queue->Stats().ring_dropped, 2u);
}

TEST(QueueReplicaTest, PromotedQueueNumbersOnAboveItsTailAndFlowControlApplies) {
  QueueSettings settings;
  settings.flow_stop_count = 2;
  settings.flow_resume_count = 1;
  auto queue = Replica(settings);
  Place(*queue, {7, 3});
  queue->SetReplica(false);
  EXPECT_TRUE(queue->FlowStopped(std::make_shared<FlowWatcher>()));
  ASSERT_TRUE(queue->Enqueue(TextMessage("next"), nullptr).ok());
  EXPECT_THAT(Positions(All(*queue)), ElementsAre(3, 7, 8));
  EXPECT_EQ(queue->Tail(), 8u);
}

// --- Used and auto-delete ------------------------------------------------------------------

TEST(QueueUsedTest, MarkUsedLetsAutoDeleteApplyWithoutALocalConsumerBefore) {
  QueueSettings settings;
  settings.auto_delete = true;
  auto queue = std::make_shared<Queue>("auto", settings);
  EXPECT_FALSE(queue->used());
  EXPECT_FALSE(queue->UnusedSince(queue->ConsumerChanges()));
  queue->MarkUsed();
  EXPECT_TRUE(queue->used());
  EXPECT_TRUE(queue->UnusedSince(queue->ConsumerChanges()));
  auto consumer = std::make_shared<Listener>();
  ASSERT_TRUE(queue->AddConsumer(consumer).ok());
  EXPECT_TRUE(queue->RemoveConsumer(consumer.get()));
}

TEST(QueueUsedTest, ConsumerMarksAnOrdinaryQueueUsedAndObserversAreTold) {
  auto queue = std::make_shared<Queue>("q", QueueSettings{});
  auto observer = std::make_shared<Recorder>();
  queue->AddObserver(observer);
  auto consumer = std::make_shared<Listener>();
  ASSERT_TRUE(queue->AddConsumer(consumer).ok());
  EXPECT_TRUE(queue->used());
  EXPECT_THAT(observer->events, ElementsAre("consumer"));
}

TEST(QueueUsedTest, ReplicaIsNeverAutoDeletedAndOnlyMarkUsedMarksIt) {
  QueueSettings settings;
  settings.auto_delete = true;
  auto queue = Replica(settings);
  auto browser = std::make_shared<Listener>();
  ASSERT_TRUE(queue->AddConsumer(browser).ok());
  EXPECT_FALSE(queue->used()) << "its browsers do not use the queue it mirrors";
  EXPECT_FALSE(queue->RemoveConsumer(browser.get()));
  queue->MarkUsed();
  EXPECT_TRUE(queue->used());
  ASSERT_TRUE(queue->AddConsumer(browser).ok());
  EXPECT_FALSE(queue->RemoveConsumer(browser.get())) << "never on a replica";
  EXPECT_FALSE(queue->UnusedSince(queue->ConsumerChanges()));
  queue->SetReplica(false);
  EXPECT_TRUE(queue->UnusedSince(queue->ConsumerChanges())) << "due once promoted";
}

}  // namespace
}  // namespace qpidd::broker
