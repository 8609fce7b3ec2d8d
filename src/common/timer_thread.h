// One thread that runs tasks at their due time: the broker's housekeeping (delayed auto-delete,
// the periodic sweep of expired messages). Tasks must be short; they run one at a time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace qpidd {

class TimerThread {
 public:
  using Clock = std::chrono::steady_clock;
  using Task = std::function<void()>;

  TimerThread();
  // Stops the thread; tasks not yet due never run.
  ~TimerThread();
  TimerThread(const TimerThread&) = delete;
  TimerThread& operator=(const TimerThread&) = delete;

  // Runs `task` once, `delay` from now.
  void After(Clock::duration delay, Task task);
  // Runs `task` every `period`, the first time one period from now.
  void Every(Clock::duration period, Task task);

 private:
  void Run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::multimap<Clock::time_point, Task> due_;  // guarded by mutex_
  bool stopping_ = false;                       // guarded by mutex_
  std::thread thread_;                          // last: starts once the rest is ready
};

}  // namespace qpidd
