#include "broker/publish_hold.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace qpidd::broker {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// What a publisher's connection would settle, and with which outcome.
struct Settlement {
  uint64_t delivery_id;
  StatusCode code;
  std::string message;
  std::thread::id thread;
};

// Records every settle function asked for and every settlement that ran.
class RecordingSettleTarget : public SettleTarget {
 public:
  PublishHold::SettleFn MakeSettleFn(uint64_t delivery_id) override {
    {
      std::lock_guard lock(mutex_);
      asked_.push_back(delivery_id);
    }
    return [this, delivery_id](const Status& status) {
      std::lock_guard lock(mutex_);
      settled_.push_back({delivery_id, status.code(), status.message(), std::this_thread::get_id()});
    };
  }
  std::vector<uint64_t> asked() const {
    std::lock_guard lock(mutex_);
    return asked_;
  }
  std::vector<Settlement> settled() const {
    std::lock_guard lock(mutex_);
    return settled_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<uint64_t> asked_;
  std::vector<Settlement> settled_;
};

TEST(PublishHoldTest, ContextWithoutHoldIsNotHeldAndCreatesNothing) {
  RecordingSettleTarget target;
  {
    PublishContext context(&target, 11);
    EXPECT_FALSE(context.held());
  }
  EXPECT_THAT(target.asked(), IsEmpty()) << "no settle function is built when nobody holds";
  EXPECT_THAT(target.settled(), IsEmpty());
}

TEST(PublishHoldTest, LastOfSeveralHoldersSettlesOnceWithOk) {
  RecordingSettleTarget target;
  PublishContext context(&target, 42);
  std::shared_ptr<PublishHold> first = context.Hold();
  std::shared_ptr<PublishHold> second = context.Hold();
  std::shared_ptr<PublishHold> third = context.Hold();
  EXPECT_TRUE(context.held());
  EXPECT_EQ(first, second) << "every holder shares the one hold";
  EXPECT_EQ(second, third);
  EXPECT_THAT(target.asked(), ElementsAre(42u));

  first.reset();
  third.reset();
  EXPECT_THAT(target.settled(), IsEmpty()) << "one holder is left";
  second.reset();
  const auto settled = target.settled();
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_EQ(settled[0].delivery_id, 42u);
  EXPECT_EQ(settled[0].code, StatusCode::kOk);
}

TEST(PublishHoldTest, FailureIsReportedToTheSettlement) {
  RecordingSettleTarget target;
  PublishContext context(&target, 5);
  auto hold = context.Hold();
  hold->Fail(Status::ResourceLimit("backup b2 is too far behind"));
  hold.reset();
  const auto settled = target.settled();
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_EQ(settled[0].code, StatusCode::kResourceLimit);
  EXPECT_EQ(settled[0].message, "backup b2 is too far behind");
}

TEST(PublishHoldTest, FirstFailureWins) {
  RecordingSettleTarget target;
  PublishContext context(&target, 5);
  auto a = context.Hold();
  auto b = context.Hold();
  a->Fail(Status::Internal("first"));
  b->Fail(Status::NotFound("second"));
  a->Fail(Status::Ok());  // an Ok "failure" does not clear the first one
  a.reset();
  b.reset();
  const auto settled = target.settled();
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_EQ(settled[0].code, StatusCode::kInternal);
  EXPECT_EQ(settled[0].message, "first");
}

TEST(PublishHoldTest, OkFailDoesNotPreventALaterRealFailure) {
  RecordingSettleTarget target;
  PublishContext context(&target, 5);
  auto hold = context.Hold();
  hold->Fail(Status::Ok());
  hold->Fail(Status::Internal("real"));
  hold.reset();
  ASSERT_EQ(target.settled().size(), 1u);
  EXPECT_EQ(target.settled()[0].code, StatusCode::kInternal);
}

TEST(PublishHoldTest, HoldReleasedOnAnotherThreadSettlesThere) {
  RecordingSettleTarget target;
  PublishContext context(&target, 9);
  auto hold = context.Hold();
  std::thread::id other;
  std::thread t([h = std::move(hold), &other]() mutable {
    other = std::this_thread::get_id();
    h->Fail(Status::Internal("lost backup"));
    h.reset();
  });
  t.join();
  const auto settled = target.settled();
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_EQ(settled[0].thread, other);
  EXPECT_EQ(settled[0].code, StatusCode::kInternal);
}

TEST(PublishHoldTest, ManyThreadsDroppingHoldsSettleExactlyOnce) {
  for (int round = 0; round < 50; ++round) {
    RecordingSettleTarget target;
    {
      PublishContext context(&target, static_cast<uint64_t>(round));
      // Every hold is taken while routing, before any holder may drop its own.
      std::vector<std::shared_ptr<PublishHold>> holds;
      for (int i = 0; i < 8; ++i) holds.push_back(context.Hold());
      std::vector<std::thread> threads;
      for (int i = 0; i < 8; ++i) {
        threads.emplace_back([h = std::move(holds[i]), i]() mutable {
          if (i == 3) h->Fail(Status::Internal("thread 3"));
          h.reset();
        });
      }
      for (auto& t : threads) t.join();
    }
    const auto settled = target.settled();
    ASSERT_EQ(settled.size(), 1u) << "round " << round;
    EXPECT_EQ(settled[0].code, StatusCode::kInternal);
  }
}

TEST(PublishHoldTest, SecondHoldAfterTheFirstWasDroppedSettlesNothingTwice) {
  RecordingSettleTarget target;
  PublishContext context(&target, 3);
  context.Hold().reset();  // taken and dropped: the publisher is settled
  ASSERT_EQ(target.settled().size(), 1u);

  auto late = context.Hold();
  ASSERT_NE(late, nullptr) << "a late holder still gets something to hold and Fail()";
  late->Fail(Status::Internal("too late"));
  late.reset();
  EXPECT_TRUE(context.held());
  EXPECT_EQ(target.settled().size(), 1u);
  EXPECT_THAT(target.asked(), ElementsAre(3u)) << "no second settle function";
  EXPECT_EQ(target.settled()[0].code, StatusCode::kOk);
}

TEST(PublishHoldTest, ContextWithoutTargetCanStillBeHeld) {
  PublishContext context(nullptr, 1);
  auto hold = context.Hold();
  ASSERT_NE(hold, nullptr);
  hold->Fail(Status::Internal("nobody listens"));
  hold.reset();
  EXPECT_TRUE(context.held());
}

TEST(PublishHoldTest, HoldOutlivesItsContext) {
  RecordingSettleTarget target;
  std::shared_ptr<PublishHold> hold;
  {
    PublishContext context(&target, 77);
    hold = context.Hold();
  }  // routing is over; the holder keeps the publisher waiting
  EXPECT_THAT(target.settled(), IsEmpty());
  hold.reset();
  ASSERT_EQ(target.settled().size(), 1u);
  EXPECT_EQ(target.settled()[0].delivery_id, 77u);
}

TEST(PublishHoldTest, DirectlyMadeHoldSettlesWhenDestroyed) {
  int calls = 0;
  Status seen;
  {
    auto hold = std::make_shared<PublishHold>([&](const Status& s) {
      ++calls;
      seen = s;
    });
    hold->Fail(Status::NotImplemented("x"));
  }
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen.code(), StatusCode::kNotImplemented);
  { PublishHold empty{PublishHold::SettleFn()}; }  // no function: nothing to call, no crash
}

}  // namespace
}  // namespace qpidd::broker
