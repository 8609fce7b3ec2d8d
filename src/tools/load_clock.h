// The one clock of the load clients: CLOCK_MONOTONIC in nanoseconds. The sender stamps messages
// with it and the receiver subtracts from it, so both must run on the same host.
#pragma once

#include <cstdint>
#include <ctime>

namespace qpidd::tools {

inline int64_t NowNanos() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

}  // namespace qpidd::tools
