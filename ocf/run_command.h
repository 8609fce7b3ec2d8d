// Runs a helper program (crm_attribute, crm_resource) and collects its output, bounded by a
// deadline: a helper that hangs is killed, never waited for past it.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace qpidd::ocf {

struct CommandResult {
  bool started = false;     // false: it could not be run (e.g. not installed); see `output`
  bool timed_out = false;   // killed at the deadline
  int exit_status = -1;     // its exit status when it exited normally
  std::string output;       // stdout and stderr, interleaved

  bool ok() const { return started && !timed_out && exit_status == 0; }
  // One line for logs: "exit status 1: Could not connect to the CIB".
  std::string Summary() const;
};

CommandResult RunCommand(const std::vector<std::string>& argv,
                         std::chrono::steady_clock::time_point deadline);

}  // namespace qpidd::ocf
