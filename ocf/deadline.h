// Every action ends within OCF_RESKEY_CRM_meta_timeout (Pacemaker SIGKILLs the agent's process
// group at it): the agent gives up a little before, so that it can still say why.
#pragma once

#include <algorithm>
#include <chrono>

namespace qpidd::ocf {

class Deadline {
 public:
  using Clock = std::chrono::steady_clock;

  // `timeout` is the action's timeout; the deadline keeps a margin before it (a tenth, between
  // 0.5 s and 3 s) for the agent's last words.
  static Deadline After(std::chrono::milliseconds timeout) {
    const auto margin = std::clamp(timeout / 10, std::chrono::milliseconds(500),
                                   std::chrono::milliseconds(3000));
    return Deadline(Clock::now() + std::max(timeout - margin, timeout / 2));
  }

  Clock::time_point at() const { return at_; }
  bool Expired() const { return Clock::now() >= at_; }
  std::chrono::milliseconds Left() const {
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(at_ - Clock::now()));
  }
  // The earlier of the deadline and `bound` from now: for one step that must leave time for
  // the next.
  Clock::time_point Within(std::chrono::milliseconds bound) const {
    return std::min(at_, Clock::now() + bound);
  }

 private:
  explicit Deadline(Clock::time_point at) : at_(at) {}
  Clock::time_point at_;
};

}  // namespace qpidd::ocf
