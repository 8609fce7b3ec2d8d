#include "ha/queue_guard.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <vector>

namespace qpidd::ha {
namespace {

// Counts settlements of the publishers whose holds a guard takes.
class CountingTarget : public broker::SettleTarget {
 public:
  broker::PublishHold::SettleFn MakeSettleFn(uint64_t delivery_id) override {
    return [this, delivery_id](const Status&) { settled.push_back(delivery_id); };
  }
  std::vector<uint64_t> settled;
};

class Follower : public GuardListener {
 public:
  void OnQueueChanged() override { ++changed; }
  void OnQueueDeleted() override { ++deleted; }
  std::atomic<int> changed{0};
  std::atomic<int> deleted{0};
};

broker::QueuedMessage At(uint64_t position) {
  broker::QueuedMessage m;
  m.position = position;
  return m;
}

class QueueGuardTest : public ::testing::Test {
 protected:
  // Enqueues `position` as if a publisher (delivery `position`) were waiting; true when the
  // guard took a hold (else the publisher is settled at once, without the target).
  bool Publish(uint64_t position) {
    broker::PublishContext context(&target_, position);
    guard_.OnEnqueue(At(position), &context);
    return context.held();
  }
  CountingTarget target_;
  QueueGuard guard_{"q"};
};

TEST_F(QueueGuardTest, WithNoBackupNobodyWaits) {
  EXPECT_FALSE(Publish(1));
  EXPECT_EQ(guard_.waiting(), 0u);
  EXPECT_EQ(guard_.tail(), 1u);
}

TEST_F(QueueGuardTest, APublisherWaitsForEveryGuardedBackup) {
  guard_.StartGuarding("b1");
  guard_.StartGuarding("b2");
  Publish(1);
  EXPECT_TRUE(target_.settled.empty());
  guard_.Release("b1", 1);
  EXPECT_TRUE(target_.settled.empty()) << "b2 does not have it yet";
  guard_.Release("b2", 1);
  EXPECT_EQ(target_.settled, std::vector<uint64_t>{1});
  EXPECT_EQ(guard_.waiting(), 0u);
}

TEST_F(QueueGuardTest, OnlyMessagesAfterTheStartAreGuarded) {
  EXPECT_FALSE(Publish(1));
  EXPECT_FALSE(Publish(2));
  EXPECT_EQ(guard_.StartGuarding("b1"), 2u) << "the start is the tail when guarding begins";
  EXPECT_EQ(guard_.StartGuarding("b1"), 2u) << "a second start changes nothing";
  EXPECT_TRUE(Publish(3));
  EXPECT_EQ(guard_.waiting(), 1u);
  guard_.StartGuardingFrom("b2", 0);
  EXPECT_TRUE(guard_.Guards("b2"));
}

TEST_F(QueueGuardTest, AConsumedMessageReleasesItsPublisher) {
  guard_.StartGuarding("b1");
  Publish(1);
  guard_.OnDequeue(At(1));
  EXPECT_EQ(target_.settled, std::vector<uint64_t>{1});
}

TEST_F(QueueGuardTest, StoppingReleasesEveryoneWaitingOnlyForThatBackup) {
  guard_.StartGuarding("b1");
  guard_.StartGuarding("b2");
  Publish(1);
  Publish(2);
  guard_.Release("b2", 2);
  guard_.StopGuarding("b1");
  EXPECT_EQ(target_.settled, std::vector<uint64_t>{2}) << "1 still waits for b2";
  EXPECT_FALSE(guard_.Guards("b1"));
  Publish(3);
  guard_.Release("b2", 3);
  guard_.Release("b2", 1);
  EXPECT_EQ(target_.settled, (std::vector<uint64_t>{2, 3, 1}));
}

TEST_F(QueueGuardTest, AFrozenGuardReleasesNobodyWhenBackupsLeave) {
  guard_.StartGuarding("b1");
  Publish(1);
  guard_.Freeze();  // the primary is shutting down: its backups' links close first
  guard_.StopGuarding("b1");
  Publish(2);
  EXPECT_TRUE(target_.settled.empty()) << "accepted with no backup holding it";
  EXPECT_EQ(guard_.waiting(), 2u);
  guard_.Release("b1", 1);  // an acknowledgement that arrived before the close still counts
  EXPECT_EQ(target_.settled, std::vector<uint64_t>{1});
}

TEST_F(QueueGuardTest, MessagesWithoutAPublisherAreNotHeld) {
  guard_.StartGuarding("b1");
  guard_.OnEnqueue(At(1), nullptr);  // a requeue or a dead letter
  EXPECT_EQ(guard_.waiting(), 0u);
  EXPECT_EQ(guard_.tail(), 1u);
}

TEST_F(QueueGuardTest, FollowersHearOfChangesAndCollectDequeues) {
  auto follower = std::make_shared<Follower>();
  guard_.AddListener("b1", follower);
  Publish(1);
  Publish(2);
  guard_.OnDequeue(At(1));
  guard_.OnDequeue(At(2));
  EXPECT_EQ(follower->changed, 4);
  IdRanges dequeued = guard_.TakeDequeued("b1");
  EXPECT_EQ(dequeued.Ranges(), (std::vector<IdRanges::Range>{{1, 2}}));
  EXPECT_TRUE(guard_.TakeDequeued("b1").empty()) << "taken once";
  EXPECT_TRUE(guard_.TakeDequeued("nobody").empty());
  guard_.RemoveListener("b1");
  Publish(3);
  EXPECT_EQ(follower->changed, 4);
}

TEST_F(QueueGuardTest, ReleaseAllSettlesEveryoneAndEndsFollowers) {
  auto follower = std::make_shared<Follower>();
  guard_.AddListener("b1", follower);
  guard_.StartGuarding("b1");
  Publish(1);
  Publish(2);
  guard_.ReleaseAll();
  EXPECT_EQ(target_.settled.size(), 2u);
  EXPECT_EQ(follower->deleted, 1);
  EXPECT_FALSE(guard_.Guards("b1"));
}

}  // namespace
}  // namespace qpidd::ha
