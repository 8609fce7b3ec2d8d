#include "broker/queue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "test_messages.h"

namespace qpidd::broker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using test::BodyText;
using test::TextMessage;

// Counts what the queue tells it.
class RecordingListener : public QueueListener {
 public:
  void OnMessagesAvailable() override { available.fetch_add(1); }
  void OnQueueDeleted() override { deleted.fetch_add(1); }
  std::atomic<int> available{0};
  std::atomic<int> deleted{0};
};

// Counts into storage that outlives it, to see whether a destroyed listener was called.
class CountingListener : public QueueListener {
 public:
  explicit CountingListener(std::atomic<int>* calls) : calls_(calls) {}
  void OnMessagesAvailable() override { calls_->fetch_add(1); }
  void OnQueueDeleted() override { calls_->fetch_add(1); }

 private:
  std::atomic<int>* calls_;
};

// One observed queue event, as the HA module would see it.
struct Event {
  std::string kind;
  uint64_t position;
  uint32_t delivery_count;
  PublishContext* context;
  bool operator==(const Event&) const = default;
};

void PrintTo(const Event& e, std::ostream* os) {
  *os << e.kind << "(" << e.position << ", count " << e.delivery_count << ")";
}

class RecordingObserver : public QueueObserver {
 public:
  void OnEnqueue(const QueuedMessage& m, PublishContext* context) override {
    events.push_back({"enqueue", m.position, m.delivery_count, context});
  }
  void OnAcquire(const QueuedMessage& m) override {
    events.push_back({"acquire", m.position, m.delivery_count, nullptr});
  }
  void OnRequeue(const QueuedMessage& m) override {
    events.push_back({"requeue", m.position, m.delivery_count, nullptr});
  }
  void OnDequeue(const QueuedMessage& m) override {
    events.push_back({"dequeue", m.position, m.delivery_count, nullptr});
  }
  std::vector<Event> events;
};

Event Enq(uint64_t p, PublishContext* c = nullptr) { return {"enqueue", p, 0, c}; }
Event Acq(uint64_t p, uint32_t n = 0) { return {"acquire", p, n, nullptr}; }
Event Req(uint64_t p, uint32_t n = 0) { return {"requeue", p, n, nullptr}; }
Event Deq(uint64_t p, uint32_t n = 0) { return {"dequeue", p, n, nullptr}; }

class QueueTest : public ::testing::Test {
 protected:
  QueuePtr queue_ = std::make_shared<Queue>("q", QueueSettings{});
  std::shared_ptr<RecordingListener> listener_ = std::make_shared<RecordingListener>();

  // Enqueues messages with bodies "m1".."mN" (after those already enqueued by this helper).
  void EnqueueN(int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(queue_->Enqueue(TextMessage("m" + std::to_string(++made_)), nullptr).ok());
    }
  }

  // The body of the next acquired message, or "" when the queue has none.
  std::string AcquireBody() {
    auto m = queue_->Acquire(listener_);
    return m ? BodyText(m->message) : "";
  }

  std::vector<QueuedMessage> AcquireAll() {
    std::vector<QueuedMessage> out;
    while (auto m = queue_->Acquire(listener_)) out.push_back(*m);
    return out;
  }

 private:
  int made_ = 0;
};

// --- Order and outcomes --------------------------------------------------------------------

TEST_F(QueueTest, MessagesAreAcquiredInFifoOrder) {
  EnqueueN(5);
  for (int i = 1; i <= 5; ++i) {
    auto m = queue_->Acquire(listener_);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(BodyText(m->message), "m" + std::to_string(i));
    EXPECT_EQ(m->position, static_cast<uint64_t>(i));
    EXPECT_EQ(m->delivery_count, 0u);
  }
  EXPECT_FALSE(queue_->Acquire(listener_).has_value());
}

TEST_F(QueueTest, PositionsAreNeverReused) {
  EnqueueN(3);
  for (const auto& m : AcquireAll()) queue_->Accept(m.position);
  EnqueueN(1);
  EXPECT_EQ(queue_->Purge(), 1u);
  EnqueueN(1);
  auto m = queue_->Acquire(listener_);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->position, 5u);
  EXPECT_EQ(BodyText(m->message), "m5");
}

TEST_F(QueueTest, ReleasedMessageKeepsItsPlace) {
  EnqueueN(5);
  const auto acquired = AcquireAll();
  ASSERT_EQ(acquired.size(), 5u);
  queue_->Release(acquired[2].position, false);  // m3
  queue_->Release(acquired[0].position, false);  // m1
  EXPECT_EQ(AcquireBody(), "m1");
  EXPECT_EQ(AcquireBody(), "m3");
  EXPECT_EQ(AcquireBody(), "");
}

TEST_F(QueueTest, ReleasedMessageGoesBeforeLaterMessagesStillWaiting) {
  EnqueueN(4);
  auto m1 = queue_->Acquire(listener_);
  auto m2 = queue_->Acquire(listener_);
  ASSERT_TRUE(m1 && m2);
  queue_->Release(m2->position, false);
  EnqueueN(1);  // m5
  queue_->Release(m1->position, false);
  EXPECT_EQ(AcquireBody(), "m1");
  EXPECT_EQ(AcquireBody(), "m2");
  EXPECT_EQ(AcquireBody(), "m3");
  EXPECT_EQ(AcquireBody(), "m4");
  EXPECT_EQ(AcquireBody(), "m5");
  EXPECT_EQ(AcquireBody(), "");
}

TEST_F(QueueTest, DeliveryCountIncrementsOnlyWhenDeliveryFailed) {
  EnqueueN(1);
  auto m = queue_->Acquire(listener_);
  ASSERT_TRUE(m);
  queue_->Release(m->position, /*delivery_failed=*/false);
  m = queue_->Acquire(listener_);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->delivery_count, 0u);
  queue_->Release(m->position, /*delivery_failed=*/true);
  m = queue_->Acquire(listener_);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->delivery_count, 1u);
  queue_->Release(m->position, true);
  m = queue_->Acquire(listener_);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->delivery_count, 2u);
  queue_->Release(m->position, false);
  m = queue_->Acquire(listener_);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->delivery_count, 2u);
  EXPECT_EQ(m->position, 1u);
  EXPECT_EQ(m->message->delivery_count(), 0u) << "the shared message itself never changes";
}

TEST_F(QueueTest, AcceptedMessageIsGoneForGood) {
  EnqueueN(2);
  auto m1 = queue_->Acquire(listener_);
  ASSERT_TRUE(m1);
  queue_->Accept(m1->position);
  queue_->Release(m1->position, false);  // too late: no longer acquired, ignored
  queue_->Accept(m1->position);          // twice: ignored
  EXPECT_EQ(AcquireBody(), "m2");
  EXPECT_EQ(AcquireBody(), "");
  const QueueStats s = queue_->Stats();
  EXPECT_EQ(s.dequeued, 1u);
  EXPECT_EQ(s.depth, 1u);
}

TEST_F(QueueTest, RejectedMessageIsDropped) {
  EnqueueN(2);
  auto m1 = queue_->Acquire(listener_);
  ASSERT_TRUE(m1);
  queue_->Reject(m1->position);
  queue_->Release(m1->position, false);
  EXPECT_EQ(AcquireBody(), "m2");
  EXPECT_EQ(AcquireBody(), "");
  const QueueStats s = queue_->Stats();
  EXPECT_EQ(s.dequeued, 1u);
  EXPECT_EQ(s.depth, 1u);
  EXPECT_EQ(s.acquired, 1u);
}

TEST_F(QueueTest, OutcomeForAMessageNotAcquiredIsIgnored) {
  EnqueueN(2);
  queue_->Accept(1);
  queue_->Reject(2);
  queue_->Release(1, true);
  queue_->Accept(99);
  EXPECT_EQ(queue_->Stats().dequeued, 0u);
  auto m = queue_->Acquire(listener_);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->position, 1u);
  EXPECT_EQ(m->delivery_count, 0u);
  EXPECT_EQ(AcquireBody(), "m2");
}

// --- Browsing ------------------------------------------------------------------------------

TEST_F(QueueTest, BrowseFromAPositionDoesNotAcquire) {
  EnqueueN(3);
  auto b1 = queue_->Browse(0, listener_);
  ASSERT_TRUE(b1);
  EXPECT_EQ(b1->position, 1u);
  auto b2 = queue_->Browse(b1->position, listener_);
  ASSERT_TRUE(b2);
  EXPECT_EQ(BodyText(b2->message), "m2");
  auto b3 = queue_->Browse(2, listener_);
  ASSERT_TRUE(b3);
  EXPECT_EQ(b3->position, 3u);
  EXPECT_FALSE(queue_->Browse(3, listener_).has_value());
  EXPECT_EQ(queue_->Stats().acquired, 0u);
  EXPECT_EQ(AcquireBody(), "m1") << "browsing took nothing";
}

TEST_F(QueueTest, BrowseSkipsAcquiredMessages) {
  EnqueueN(3);
  auto m1 = queue_->Acquire(listener_);
  auto m2 = queue_->Acquire(listener_);
  ASSERT_TRUE(m1 && m2);
  auto b = queue_->Browse(0, listener_);
  ASSERT_TRUE(b);
  EXPECT_EQ(BodyText(b->message), "m3");
  queue_->Release(m1->position, false);
  b = queue_->Browse(0, listener_);
  ASSERT_TRUE(b);
  EXPECT_EQ(BodyText(b->message), "m1");
  // A position between available ones finds the next available one.
  b = queue_->Browse(1, listener_);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->position, 3u);
}

TEST_F(QueueTest, BrowserAtTheEndIsToldOnEnqueue) {
  EnqueueN(1);
  EXPECT_FALSE(queue_->Browse(1, listener_).has_value());
  EXPECT_EQ(listener_->available, 0);
  EnqueueN(1);
  EXPECT_EQ(listener_->available, 1);
  auto b = queue_->Browse(1, listener_);
  ASSERT_TRUE(b);
  EXPECT_EQ(BodyText(b->message), "m2");
}

// --- Listeners -----------------------------------------------------------------------------

TEST_F(QueueTest, ListenerThatFoundQueueEmptyIsToldOnNextEnqueue) {
  EXPECT_TRUE(queue_->AddConsumer(listener_).ok());
  EXPECT_FALSE(queue_->Acquire(listener_).has_value());
  EXPECT_EQ(listener_->available, 0);
  EnqueueN(1);
  EXPECT_EQ(listener_->available, 1);
  // Told once: it must look again (and find the queue empty again) to be told again.
  EnqueueN(1);
  EXPECT_EQ(listener_->available, 1);
}

TEST_F(QueueTest, ListenerThatGotAMessageIsNotTold) {
  EnqueueN(1);
  EXPECT_TRUE(queue_->Acquire(listener_).has_value());
  EnqueueN(1);
  EXPECT_EQ(listener_->available, 0);
}

TEST_F(QueueTest, ListenerThatLookedTwiceIsToldOnce) {
  EXPECT_FALSE(queue_->Acquire(listener_).has_value());
  EXPECT_FALSE(queue_->Acquire(listener_).has_value());
  EXPECT_FALSE(queue_->Browse(0, listener_).has_value());
  EnqueueN(1);
  EXPECT_EQ(listener_->available, 1);
}

TEST_F(QueueTest, WaitingListenerIsToldWhenAMessageIsReleased) {
  EnqueueN(1);
  auto other = std::make_shared<RecordingListener>();
  auto m = queue_->Acquire(other);
  ASSERT_TRUE(m);
  EXPECT_FALSE(queue_->Acquire(listener_).has_value());
  queue_->Release(m->position, false);
  EXPECT_EQ(listener_->available, 1);
  EXPECT_EQ(other->available, 0);
  EXPECT_EQ(AcquireBody(), "m1");
}

TEST_F(QueueTest, AcceptOrRejectDoesNotWakeListeners) {
  EnqueueN(2);
  auto other = std::make_shared<RecordingListener>();
  auto m1 = queue_->Acquire(other);
  auto m2 = queue_->Acquire(other);
  ASSERT_TRUE(m1 && m2);
  EXPECT_FALSE(queue_->Acquire(listener_).has_value());
  queue_->Accept(m1->position);
  queue_->Reject(m2->position);
  EXPECT_EQ(listener_->available, 0);
}

TEST_F(QueueTest, AllWaitingListenersAreTold) {
  std::vector<std::shared_ptr<RecordingListener>> listeners;
  for (int i = 0; i < 4; ++i) {
    listeners.push_back(std::make_shared<RecordingListener>());
    EXPECT_TRUE(queue_->AddConsumer(listeners.back()).ok());
    if (i % 2 == 0) {
      EXPECT_FALSE(queue_->Acquire(listeners.back()).has_value());
    } else {
      EXPECT_FALSE(queue_->Browse(0, listeners.back()).has_value());
    }
  }
  EnqueueN(1);
  for (const auto& l : listeners) EXPECT_EQ(l->available, 1);
}

TEST_F(QueueTest, RemovedListenerIsNotTold) {
  EXPECT_TRUE(queue_->AddConsumer(listener_).ok());
  EXPECT_FALSE(queue_->Acquire(listener_).has_value());
  queue_->RemoveConsumer(listener_.get());
  EnqueueN(1);
  EXPECT_EQ(listener_->available, 0);
  queue_->Delete();
  EXPECT_EQ(listener_->deleted, 0);
}

TEST_F(QueueTest, DestroyedListenerIsNotCalled) {
  std::atomic<int> calls{0};
  auto gone = std::make_shared<CountingListener>(&calls);
  EXPECT_TRUE(queue_->AddConsumer(gone).ok());
  EXPECT_FALSE(queue_->Acquire(gone).has_value());
  gone.reset();  // destroyed without RemoveConsumer
  EnqueueN(1);
  queue_->Delete();
  EXPECT_EQ(calls, 0);
}

// The header promises listeners are called with no queue lock held: one may look again at once.
TEST_F(QueueTest, ListenerMayAcquireFromInsideItsNotification) {
  class Greedy : public QueueListener {
   public:
    explicit Greedy(std::weak_ptr<Queue> q) : queue_(std::move(q)) {}
    void OnMessagesAvailable() override {
      if (auto q = queue_.lock()) got = q->Acquire(self.lock());
    }
    void OnQueueDeleted() override {}
    std::weak_ptr<Queue> queue_;
    std::weak_ptr<Greedy> self;
    std::optional<QueuedMessage> got;
  };
  auto greedy = std::make_shared<Greedy>(queue_);
  greedy->self = greedy;
  EXPECT_FALSE(queue_->Acquire(greedy).has_value());
  EnqueueN(1);
  ASSERT_TRUE(greedy->got.has_value());
  EXPECT_EQ(BodyText(greedy->got->message), "m1");
}

// --- Delete and purge ----------------------------------------------------------------------

TEST_F(QueueTest, DeleteTellsEveryConsumerOnce) {
  auto second = std::make_shared<RecordingListener>();
  EXPECT_TRUE(queue_->AddConsumer(listener_).ok());
  EXPECT_TRUE(queue_->AddConsumer(second).ok());
  EXPECT_FALSE(queue_->deleted());
  queue_->Delete();
  EXPECT_TRUE(queue_->deleted());
  EXPECT_EQ(listener_->deleted, 1);
  EXPECT_EQ(second->deleted, 1);
  queue_->Delete();
  EXPECT_EQ(listener_->deleted, 1);
  EXPECT_EQ(listener_->available, 0);
}

TEST_F(QueueTest, EnqueueAfterDeleteFailsNamingTheQueue) {
  queue_->Delete();
  Status s = queue_->Enqueue(TextMessage("late"), nullptr);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_THAT(s.message(), HasSubstr("'q'"));
  EXPECT_EQ(queue_->Stats().enqueued, 0u);
}

TEST_F(QueueTest, DeletedQueueHasNothingToAcquireOrBrowse) {
  EnqueueN(3);
  queue_->Delete();
  EXPECT_FALSE(queue_->Acquire(listener_).has_value());
  EXPECT_FALSE(queue_->Browse(0, listener_).has_value());
  EXPECT_TRUE(queue_->Snapshot(0, 10).empty());
  const QueueStats s = queue_->Stats();
  EXPECT_EQ(s.depth, 0u);
  EXPECT_EQ(s.bytes, 0u);
}

TEST_F(QueueTest, MessageAcquiredBeforeDeleteIsDroppedWhenSettled) {
  EnqueueN(3);
  auto m1 = queue_->Acquire(listener_);
  auto m2 = queue_->Acquire(listener_);
  ASSERT_TRUE(m1 && m2);
  queue_->Delete();
  EXPECT_EQ(queue_->Stats().acquired, 2u);
  EXPECT_EQ(queue_->Stats().bytes, m1->message->size() + m2->message->size());
  queue_->Release(m1->position, true);
  queue_->Accept(m2->position);
  EXPECT_FALSE(queue_->Acquire(listener_).has_value()) << "released onto a deleted queue";
  const QueueStats s = queue_->Stats();
  EXPECT_EQ(s.depth, 0u);
  EXPECT_EQ(s.acquired, 0u);
  EXPECT_EQ(s.bytes, 0u);
}

TEST_F(QueueTest, PurgeRemovesOnlyAvailableMessages) {
  EnqueueN(4);
  auto m1 = queue_->Acquire(listener_);
  ASSERT_TRUE(m1);
  EXPECT_EQ(queue_->Purge(), 3u);
  QueueStats s = queue_->Stats();
  EXPECT_EQ(s.depth, 1u);
  EXPECT_EQ(s.acquired, 1u);
  EXPECT_EQ(s.dequeued, 3u);
  EXPECT_EQ(s.bytes, m1->message->size());
  EXPECT_EQ(AcquireBody(), "");
  queue_->Release(m1->position, false);  // the acquired one survives the purge
  EXPECT_EQ(AcquireBody(), "m1");
  EXPECT_EQ(queue_->Purge(), 0u);
}

// --- Stats and snapshots -------------------------------------------------------------------

TEST_F(QueueTest, StatsCountDepthBytesAcquiredEnqueuedDequeuedAndConsumers) {
  QueueStats s = queue_->Stats();
  EXPECT_EQ(s.depth, 0u);
  EXPECT_EQ(s.bytes, 0u);
  EXPECT_EQ(s.consumers, 0u);

  auto a = TextMessage("aaaa");
  auto b = TextMessage(std::string(1000, 'b'));
  auto c = TextMessage("c");
  ASSERT_TRUE(queue_->Enqueue(a, nullptr).ok());
  ASSERT_TRUE(queue_->Enqueue(b, nullptr).ok());
  ASSERT_TRUE(queue_->Enqueue(c, nullptr).ok());
  s = queue_->Stats();
  EXPECT_EQ(s.depth, 3u);
  EXPECT_EQ(s.bytes, a->size() + b->size() + c->size());
  EXPECT_EQ(s.enqueued, 3u);
  EXPECT_EQ(s.dequeued, 0u);
  EXPECT_EQ(s.acquired, 0u);

  auto m1 = queue_->Acquire(listener_);
  auto m2 = queue_->Acquire(listener_);
  ASSERT_TRUE(m1 && m2);
  s = queue_->Stats();
  EXPECT_EQ(s.depth, 3u) << "acquired messages are still on the queue";
  EXPECT_EQ(s.acquired, 2u);
  EXPECT_EQ(s.bytes, a->size() + b->size() + c->size());

  queue_->Accept(m2->position);
  queue_->Release(m1->position, true);
  s = queue_->Stats();
  EXPECT_EQ(s.depth, 2u);
  EXPECT_EQ(s.acquired, 0u);
  EXPECT_EQ(s.bytes, a->size() + c->size());
  EXPECT_EQ(s.enqueued, 3u);
  EXPECT_EQ(s.dequeued, 1u);

  auto second = std::make_shared<RecordingListener>();
  EXPECT_TRUE(queue_->AddConsumer(listener_).ok());
  EXPECT_TRUE(queue_->AddConsumer(second).ok());
  EXPECT_EQ(queue_->Stats().consumers, 2u);
  queue_->RemoveConsumer(second.get());
  EXPECT_EQ(queue_->Stats().consumers, 1u);
}

// "The queue keeps listeners weakly: one that is gone is simply forgotten" (queue.h). Management
// reads Stats().consumers for consumerCount and for delete's if-unused check.
TEST_F(QueueTest, DestroyedConsumerIsNotCountedInStats) {
  auto gone = std::make_shared<RecordingListener>();
  EXPECT_TRUE(queue_->AddConsumer(gone).ok());
  EXPECT_TRUE(queue_->AddConsumer(listener_).ok());
  gone.reset();
  EXPECT_EQ(queue_->Stats().consumers, 1u);
}

TEST_F(QueueTest, SnapshotListsAvailableMessagesAfterAPositionUpToALimit) {
  EnqueueN(5);
  auto m1 = queue_->Acquire(listener_);
  ASSERT_TRUE(m1);
  auto positions = [](const std::vector<QueuedMessage>& ms) {
    std::vector<uint64_t> out;
    for (const auto& m : ms) out.push_back(m.position);
    return out;
  };
  EXPECT_THAT(positions(queue_->Snapshot(0, 10)), ElementsAre(2, 3, 4, 5));
  EXPECT_THAT(positions(queue_->Snapshot(2, 2)), ElementsAre(3, 4));
  EXPECT_THAT(positions(queue_->Snapshot(4, 100)), ElementsAre(5));
  EXPECT_TRUE(queue_->Snapshot(5, 10).empty());
  EXPECT_TRUE(queue_->Snapshot(0, 0).empty());
  EXPECT_EQ(queue_->Stats().acquired, 1u) << "a snapshot acquires nothing";
  auto snap = queue_->Snapshot(0, 1);
  ASSERT_EQ(snap.size(), 1u);
  EXPECT_EQ(BodyText(snap[0].message), "m2");
}

// --- Observers -----------------------------------------------------------------------------

TEST_F(QueueTest, ObserverSeesEveryChangeInQueueOrderWithPositions) {
  auto observer = std::make_shared<RecordingObserver>();
  queue_->AddObserver(observer);
  PublishContext context(nullptr, 7);

  ASSERT_TRUE(queue_->Enqueue(TextMessage("m1"), &context).ok());
  EnqueueN(3);  // positions 2..4, no publisher context
  auto m1 = queue_->Acquire(listener_);
  auto m2 = queue_->Acquire(listener_);
  auto m3 = queue_->Acquire(listener_);
  ASSERT_TRUE(m1 && m2 && m3);
  queue_->Release(m2->position, true);
  queue_->Accept(m1->position);
  queue_->Reject(m3->position);
  auto again = queue_->Acquire(listener_);
  ASSERT_TRUE(again);
  queue_->Release(again->position, false);
  EXPECT_EQ(queue_->Purge(), 2u);

  EXPECT_THAT(observer->events,
              ElementsAre(Enq(1, &context), Enq(2), Enq(3), Enq(4), Acq(1), Acq(2), Acq(3),
                          Req(2, 1), Deq(1), Deq(3), Acq(2, 1), Req(2, 1), Deq(2, 1), Deq(4)));
}

TEST_F(QueueTest, RemovedObserverSeesNothingMore) {
  auto observer = std::make_shared<RecordingObserver>();
  auto other = std::make_shared<RecordingObserver>();
  queue_->AddObserver(observer);
  queue_->AddObserver(other);
  EnqueueN(1);
  queue_->RemoveObserver(observer.get());
  EnqueueN(1);
  EXPECT_THAT(observer->events, ElementsAre(Enq(1)));
  EXPECT_THAT(other->events, ElementsAre(Enq(1), Enq(2)));
}

TEST_F(QueueTest, ObserverIsNotToldOfAFailedEnqueue) {
  auto observer = std::make_shared<RecordingObserver>();
  queue_->AddObserver(observer);
  queue_->Delete();
  EXPECT_FALSE(queue_->Enqueue(TextMessage("x"), nullptr).ok());
  EXPECT_TRUE(observer->events.empty());
}

// --- Expiry --------------------------------------------------------------------------------

MessagePtr ExpiringMessage(std::string_view body, pn_millis_t ttl_ms, pn_timestamp_t expiry_ms) {
  return test::Decoded(test::EncodeWith(body, [&](pn_message_t* m) {
    if (ttl_ms != 0) pn_message_set_ttl(m, ttl_ms);
    if (expiry_ms != 0) pn_message_set_expiry_time(m, expiry_ms);
  }));
}

constexpr pn_timestamp_t kLongAgo = 1000;  // 1970: always in the past
constexpr pn_millis_t kHour = 3600 * 1000;

TEST_F(QueueTest, MessagePastItsAbsoluteExpiryIsNeverDelivered) {
  auto observer = std::make_shared<RecordingObserver>();
  queue_->AddObserver(observer);
  ASSERT_TRUE(queue_->Enqueue(ExpiringMessage("stale", 0, kLongAgo), nullptr).ok());
  ASSERT_TRUE(queue_->Enqueue(ExpiringMessage("fresh", kHour, 0), nullptr).ok());
  EXPECT_EQ(AcquireBody(), "fresh");
  EXPECT_EQ(AcquireBody(), "");
  const QueueStats s = queue_->Stats();
  EXPECT_EQ(s.dequeued, 1u) << "the expired message left the queue";
  EXPECT_EQ(s.depth, 1u);
  EXPECT_THAT(observer->events, ElementsAre(Enq(1), Enq(2), Deq(1), Acq(2)));
}

TEST_F(QueueTest, TtlCountsFromArrivalOnTheQueue) {
  ASSERT_TRUE(queue_->Enqueue(ExpiringMessage("short", 1, 0), nullptr).ok());
  ASSERT_TRUE(queue_->Enqueue(ExpiringMessage("long", kHour, 0), nullptr).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto m = queue_->Acquire(listener_);
  ASSERT_TRUE(m);
  EXPECT_EQ(BodyText(m->message), "long");
  EXPECT_NE(m->expires_at_ms, 0u);
  EXPECT_EQ(queue_->Stats().dequeued, 1u);
}

TEST_F(QueueTest, MessageWithoutTtlOrExpiryNeverExpires) {
  EnqueueN(1);
  auto m = queue_->Acquire(listener_);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->expires_at_ms, 0u);
}

TEST_F(QueueTest, EarlierOfTtlAndAbsoluteExpiryWins) {
  // A long ttl does not rescue a message whose absolute expiry has passed.
  ASSERT_TRUE(queue_->Enqueue(ExpiringMessage("x", kHour, kLongAgo), nullptr).ok());
  EXPECT_EQ(AcquireBody(), "");
}

TEST_F(QueueTest, BrowserNeverSeesAnExpiredMessage) {
  EnqueueN(1);  // m1, never expires
  ASSERT_TRUE(queue_->Enqueue(ExpiringMessage("stale", 0, kLongAgo), nullptr).ok());
  ASSERT_TRUE(queue_->Enqueue(ExpiringMessage("fresh", 0, 0), nullptr).ok());
  auto b = queue_->Browse(1, listener_);
  ASSERT_TRUE(b);
  EXPECT_EQ(BodyText(b->message), "fresh");
}

// --- Undeliverable-here --------------------------------------------------------------------

TEST_F(QueueTest, ListenerIdsAreUniqueAndNotZero) {
  auto a = std::make_shared<RecordingListener>();
  auto b = std::make_shared<RecordingListener>();
  EXPECT_NE(a->listener_id(), 0u);
  EXPECT_NE(a->listener_id(), b->listener_id());
}

TEST_F(QueueTest, MessageRefusedAsUndeliverableHereGoesToAnotherConsumer) {
  EnqueueN(2);
  auto other = std::make_shared<RecordingListener>();
  auto m1 = queue_->Acquire(listener_);
  ASSERT_TRUE(m1);
  queue_->Release(m1->position, true, listener_->listener_id());
  EXPECT_EQ(AcquireBody(), "m2") << "the refusing consumer skips m1";
  EXPECT_EQ(AcquireBody(), "") << "and then has nothing it may take";
  auto again = queue_->Acquire(other);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->position, m1->position);
  EXPECT_EQ(again->delivery_count, 1u);
}

TEST_F(QueueTest, ConsumerThatRefusedEverythingIsToldWhenSomethingNewArrives) {
  EnqueueN(1);
  auto m1 = queue_->Acquire(listener_);
  ASSERT_TRUE(m1);
  queue_->Release(m1->position, true, listener_->listener_id());
  const int before = listener_->available;
  EXPECT_EQ(AcquireBody(), "");
  EnqueueN(1);
  EXPECT_EQ(listener_->available, before + 1);
  EXPECT_EQ(AcquireBody(), "m2");
}

// --- Consumers coming and going ------------------------------------------------------------

TEST_F(QueueTest, ConsumerAddedToADeletedQueueIsToldAtOnce) {
  queue_->Delete();
  EXPECT_TRUE(queue_->AddConsumer(listener_).ok());
  EXPECT_EQ(listener_->deleted, 1);
  EXPECT_EQ(queue_->Stats().consumers, 0u);
}

TEST(QueueAutoDeleteTest, LastConsumerLeavingAnAutoDeleteQueueAsksForItsDeletion) {
  QueueSettings settings;
  settings.auto_delete = true;
  auto queue = std::make_shared<Queue>("auto", settings);
  auto a = std::make_shared<RecordingListener>();
  auto b = std::make_shared<RecordingListener>();
  EXPECT_FALSE(queue->RemoveConsumer(a.get())) << "never had a consumer: not yet in use";
  EXPECT_TRUE(queue->AddConsumer(a).ok());
  EXPECT_TRUE(queue->AddConsumer(b).ok());
  EXPECT_FALSE(queue->RemoveConsumer(a.get()));
  EXPECT_TRUE(queue->RemoveConsumer(b.get()));
  EXPECT_FALSE(queue->deleted()) << "the caller deletes it, through the broker";
  queue->Delete();
  EXPECT_FALSE(queue->RemoveConsumer(b.get())) << "already deleted";
}

TEST(QueueAutoDeleteTest, OrdinaryQueueNeverAsksForDeletion) {
  auto queue = std::make_shared<Queue>("plain", QueueSettings{});
  auto a = std::make_shared<RecordingListener>();
  EXPECT_TRUE(queue->AddConsumer(a).ok());
  EXPECT_FALSE(queue->RemoveConsumer(a.get()));
}

// --- Declare arguments ---------------------------------------------------------------------

TEST(QueueArgumentsTest, ReplicateArgumentSetsTheLevel) {
  const std::pair<const char*, ReplicationLevel> cases[] = {
      {"all", ReplicationLevel::kAll},
      {"configuration", ReplicationLevel::kConfiguration},
      {"none", ReplicationLevel::kNone}};
  for (const auto& [text, level] : cases) {
    SCOPED_TRACE(text);
    QueueSettings settings;
    Arguments args{{"qpid.replicate", std::string(text)}, {"x-other", int64_t{5}}};
    ASSERT_TRUE(ApplyQueueArguments(args, settings).ok());
    EXPECT_EQ(settings.replicate, level);
    EXPECT_EQ(settings.arguments, args) << "every argument is kept, known or not";
    EXPECT_EQ(ReplicationLevelName(level), text);
  }
}

TEST(QueueArgumentsTest, NoReplicateArgumentLeavesTheLevelUnset) {
  QueueSettings settings;
  ASSERT_TRUE(ApplyQueueArguments({{"x-unknown", true}}, settings).ok());
  EXPECT_EQ(settings.replicate, ReplicationLevel::kUnset);
  EXPECT_EQ(ReplicationLevelName(ReplicationLevel::kUnset), "");
}

TEST(QueueArgumentsTest, BadReplicateValueIsAnErrorNamingIt) {
  QueueSettings settings;
  Status s = ApplyQueueArguments({{"qpid.replicate", std::string("everything")}}, settings);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("qpid.replicate"));
  EXPECT_THAT(s.message(), HasSubstr("everything"));
  EXPECT_EQ(settings.replicate, ReplicationLevel::kUnset);

  // Case matters, as in qpidd.
  EXPECT_FALSE(ApplyQueueArguments({{"qpid.replicate", std::string("ALL")}}, settings).ok());
  EXPECT_FALSE(ApplyQueueArguments({{"qpid.replicate", std::string("")}}, settings).ok());
}

TEST(QueueArgumentsTest, NonStringReplicateValueIsAnError) {
  for (const Value& v : {Value(int64_t{1}), Value(true), Value(std::monostate{}), Value(2.5)}) {
    SCOPED_TRACE(ToString(v));
    QueueSettings settings;
    Status s = ApplyQueueArguments({{"qpid.replicate", v}}, settings);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr("qpid.replicate"));
    EXPECT_THAT(s.message(), HasSubstr(ToString(v)));
  }
}

TEST(QueueArgumentsTest, ParseReplicationLevelRoundTripsEveryName) {
  for (auto level : {ReplicationLevel::kNone, ReplicationLevel::kConfiguration,
                     ReplicationLevel::kAll}) {
    auto parsed = ParseReplicationLevel(ReplicationLevelName(level));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed.value(), level);
  }
  auto bad = ParseReplicationLevel("some");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("'some'"));
}

// --- Many threads --------------------------------------------------------------------------

// A consumer that sleeps until the queue tells it a message is there, as a link's loop would.
class WaitingConsumer : public QueueListener {
 public:
  void OnMessagesAvailable() override {
    std::lock_guard lock(mutex_);
    notified_ = true;
    cv_.notify_one();
  }
  void OnQueueDeleted() override {}
  void Arm() {
    std::lock_guard lock(mutex_);
    notified_ = false;
  }
  // False on timeout.
  bool WaitNotified(const std::atomic<bool>& done) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return notified_ || done.load(); });
  }
  void Wake() {
    std::lock_guard lock(mutex_);
    cv_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool notified_ = false;
};

struct Origin {
  int producer;
  int index;
};

// Runs `producers` threads enqueueing `per_producer` messages each and `consumers` threads taking
// them; `settle` decides each acquired message's outcome and returns true once it is consumed.
// Returns, per consumer, the origins of the messages it consumed in order.
template <typename Settle>
std::vector<std::vector<Origin>> RunProducersAndConsumers(const QueuePtr& queue, int producers,
                                                          int per_producer, int consumers,
                                                          Settle settle, int* lost_wakeups) {
  std::vector<std::vector<MessagePtr>> messages(producers);
  std::unordered_map<const Message*, Origin> origin;
  for (int p = 0; p < producers; ++p) {
    for (int i = 0; i < per_producer; ++i) {
      messages[p].push_back(TextMessage("p" + std::to_string(p) + "-" + std::to_string(i)));
      origin[messages[p].back().get()] = {p, i};
    }
  }
  const uint64_t total = static_cast<uint64_t>(producers) * per_producer;
  std::atomic<uint64_t> consumed{0};
  std::atomic<bool> done{false};
  std::atomic<int> lost{0};
  std::vector<std::shared_ptr<WaitingConsumer>> listeners;
  std::vector<std::vector<Origin>> seen(consumers);
  std::vector<std::thread> threads;
  for (int c = 0; c < consumers; ++c) {
    listeners.push_back(std::make_shared<WaitingConsumer>());
    EXPECT_TRUE(queue->AddConsumer(listeners.back()).ok());
  }
  for (int c = 0; c < consumers; ++c) {
    threads.emplace_back([&, c] {
      auto& me = listeners[c];
      while (!done.load()) {
        me->Arm();
        auto m = queue->Acquire(me);
        if (!m) {
          if (!me->WaitNotified(done)) lost.fetch_add(1);
          continue;
        }
        if (settle(*queue, *m)) {
          seen[c].push_back(origin.at(m->message.get()));
          if (consumed.fetch_add(1) + 1 == total) {
            done.store(true);
            for (auto& l : listeners) l->Wake();
          }
        }
      }
    });
  }
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      for (const auto& m : messages[p]) EXPECT_TRUE(queue->Enqueue(m, nullptr).ok());
    });
  }
  for (auto& t : threads) t.join();
  *lost_wakeups = lost.load();
  return seen;
}

void ExpectEachConsumedOnceInProducerOrder(const std::vector<std::vector<Origin>>& seen,
                                           int producers, int per_producer) {
  std::vector<std::vector<int>> times(producers, std::vector<int>(per_producer, 0));
  for (const auto& consumer : seen) {
    std::vector<int> last(producers, -1);
    for (const Origin& o : consumer) {
      ++times[o.producer][o.index];
      // One consumer takes a producer's messages in the order they were sent.
      EXPECT_GT(o.index, last[o.producer]) << "producer " << o.producer;
      last[o.producer] = o.index;
    }
  }
  int missing = 0;
  int duplicated = 0;
  for (const auto& per : times) {
    for (int n : per) {
      missing += n == 0;
      duplicated += n > 1;
    }
  }
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(duplicated, 0);
}

TEST(QueueThreadsTest, FourProducersTwoConsumersConsumeEveryMessageExactlyOnce) {
  constexpr int kProducers = 4;
  constexpr int kPerProducer = 10000;
  auto queue = std::make_shared<Queue>("mt", QueueSettings{});
  std::mutex positions_mutex;
  std::vector<uint64_t> positions;
  int lost_wakeups = 0;
  auto seen = RunProducersAndConsumers(
      queue, kProducers, kPerProducer, 2,
      [&](Queue& q, const QueuedMessage& m) {
        {
          std::lock_guard lock(positions_mutex);
          positions.push_back(m.position);
        }
        q.Accept(m.position);
        return true;
      },
      &lost_wakeups);

  EXPECT_EQ(lost_wakeups, 0) << "a consumer waited 10 s for a notification that never came";
  ExpectEachConsumedOnceInProducerOrder(seen, kProducers, kPerProducer);
  ASSERT_EQ(positions.size(), static_cast<size_t>(kProducers * kPerProducer));
  std::sort(positions.begin(), positions.end());
  EXPECT_EQ(std::adjacent_find(positions.begin(), positions.end()), positions.end())
      << "a position was handed out twice";
  EXPECT_EQ(positions.front(), 1u);
  EXPECT_EQ(positions.back(), static_cast<uint64_t>(kProducers * kPerProducer));
  const QueueStats s = queue->Stats();
  EXPECT_EQ(s.depth, 0u);
  EXPECT_EQ(s.bytes, 0u);
  EXPECT_EQ(s.enqueued, static_cast<uint64_t>(kProducers * kPerProducer));
  EXPECT_EQ(s.dequeued, static_cast<uint64_t>(kProducers * kPerProducer));
}

TEST(QueueThreadsTest, ConcurrentReleasesLoseAndDuplicateNothing) {
  constexpr int kProducers = 4;
  constexpr int kPerProducer = 5000;
  auto queue = std::make_shared<Queue>("mt-release", QueueSettings{});
  std::atomic<uint64_t> attempts{0};
  int lost_wakeups = 0;
  auto seen = RunProducersAndConsumers(
      queue, kProducers, kPerProducer, 3,
      [&](Queue& q, const QueuedMessage& m) {
        // Every third acquisition is handed back (as a consumer closing its link would); a
        // message is released at most twice, then accepted.
        if (attempts.fetch_add(1) % 3 == 0 && m.delivery_count < 2) {
          q.Release(m.position, true);
          return false;
        }
        q.Accept(m.position);
        return true;
      },
      &lost_wakeups);
  EXPECT_EQ(lost_wakeups, 0);
  // Releases reorder messages across consumers, so only exactly-once is checked here.
  std::vector<std::vector<int>> times(kProducers, std::vector<int>(kPerProducer, 0));
  for (const auto& consumer : seen) {
    for (const Origin& o : consumer) ++times[o.producer][o.index];
  }
  int wrong = 0;
  for (const auto& per : times) {
    for (int n : per) wrong += n != 1;
  }
  EXPECT_EQ(wrong, 0);
  const QueueStats s = queue->Stats();
  EXPECT_EQ(s.depth, 0u);
  EXPECT_EQ(s.acquired, 0u);
  EXPECT_EQ(s.bytes, 0u);
}

}  // namespace
}  // namespace qpidd::broker
