#include "common/timer_thread.h"

#include <memory>

namespace qpidd {

TimerThread::TimerThread() : thread_([this] { Run(); }) {}

TimerThread::~TimerThread() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void TimerThread::After(Clock::duration delay, Task task) {
  {
    std::lock_guard lock(mutex_);
    due_.emplace(Clock::now() + delay, std::move(task));
  }
  wake_.notify_one();
}

void TimerThread::Every(Clock::duration period, Task task) {
  // Each run schedules the next; the shared task outlives every copy of the wrapper.
  auto shared = std::make_shared<Task>(std::move(task));
  auto repeat = std::make_shared<std::function<void()>>();
  *repeat = [this, period, shared, weak = std::weak_ptr<std::function<void()>>(repeat)] {
    (*shared)();
    if (auto again = weak.lock()) After(period, [again] { (*again)(); });
  };
  After(period, [repeat] { (*repeat)(); });
}

void TimerThread::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (due_.empty()) {
      wake_.wait(lock);
      continue;
    }
    auto first = due_.begin();
    if (first->first > Clock::now()) {
      wake_.wait_until(lock, first->first);
      continue;
    }
    Task task = std::move(first->second);
    due_.erase(first);
    lock.unlock();
    task();
    lock.lock();
  }
}

}  // namespace qpidd
