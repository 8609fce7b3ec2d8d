// Runs --ha-primary-lost-command (doc/ha-protocol.md 11.1): a shell command, in the background,
// with what it needs to know in its environment, bounded in time. The broker knows nothing of
// who listens (a cluster manager's agent, a script).
//
// THREAD SAFE. The destructor waits for commands still running (killing them at their deadline).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace qpidd::ha {

class PrimaryLostHook {
 public:
  // An empty `command` runs nothing.
  explicit PrimaryLostHook(std::string command,
                           std::chrono::milliseconds deadline = std::chrono::seconds(30));
  ~PrimaryLostHook();
  PrimaryLostHook(const PrimaryLostHook&) = delete;
  PrimaryLostHook& operator=(const PrimaryLostHook&) = delete;

  bool empty() const { return command_.empty(); }
  // Starts `/bin/sh -c COMMAND` with `environment` added to the broker's; returns at once. The
  // outcome (exit status, a failure to start, a kill at the deadline) is logged.
  void Run(const std::map<std::string, std::string>& environment);

 private:
  void Wait(int pid);  // on a waiter thread

  const std::string command_;
  const std::chrono::milliseconds deadline_;
  std::mutex mutex_;
  std::vector<std::thread> waiters_;  // one per command started; joined by the destructor
};

}  // namespace qpidd::ha
