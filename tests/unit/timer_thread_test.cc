#include "common/timer_thread.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace qpidd {
namespace {

using namespace std::chrono_literals;

void WaitUntil(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
}

TEST(TimerThreadTest, RunsTasksInDueOrder) {
  TimerThread timer;
  std::mutex mutex;
  std::vector<int> order;
  auto record = [&](int n) {
    return [&, n] {
      std::lock_guard lock(mutex);
      order.push_back(n);
    };
  };
  timer.After(60ms, record(3));
  timer.After(20ms, record(1));
  timer.After(40ms, record(2));
  WaitUntil([&] {
    std::lock_guard lock(mutex);
    return order.size() == 3;
  });
  std::lock_guard lock(mutex);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(TimerThreadTest, EveryRepeats) {
  TimerThread timer;
  std::atomic<int> runs{0};
  timer.Every(5ms, [&] { ++runs; });
  WaitUntil([&] { return runs >= 3; });
  EXPECT_GE(runs.load(), 3);
}

TEST(TimerThreadTest, StoppingDropsTasksNotYetDue) {
  std::atomic<bool> ran{false};
  {
    TimerThread timer;
    timer.After(1h, [&] { ran = true; });
  }
  EXPECT_FALSE(ran.load());
}

}  // namespace
}  // namespace qpidd
