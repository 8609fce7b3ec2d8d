// Running as a daemon: the data directory lock, the pid file, --check / --quit, and the fork that
// returns to the shell only once the broker listens.
//
// main's order:
//   parse options -> (--check / --quit: CheckRunning() / QuitRunning(), exit)
//   -> (--daemon) Daemonize(): the parent waits and exits; the child gets a ReadyNotifier
//   -> DataDirLock::Acquire() -> PidFile::Create() -> set up the broker, listen
//   -> notifier.Ready(), or notifier.Failed(why) and exit non-zero.
// None of this is thread-safe; it runs on main's thread before the workers start.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace qpidd {

// Exclusive flock() on <data-dir>/lock, held while the object lives, so two brokers never share
// a data directory. The lock file holds the owner's pid, to name it when the lock is refused.
class DataDirLock {
 public:
  // Creates the data directory if missing (mode 0750; parents too). A held lock is an error:
  // "data directory /x is in use by another broker (pid 123): could not lock /x/lock".
  static Result<DataDirLock> Acquire(const std::string& data_dir);

  DataDirLock(DataDirLock&& other) noexcept;
  DataDirLock& operator=(DataDirLock&& other) noexcept;
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  ~DataDirLock();

  const std::string& lock_path() const { return lock_path_; }

 private:
  DataDirLock(int fd, std::string lock_path);
  int fd_ = -1;
  std::string lock_path_;
};

// The classic pid file <pid-dir>/qpidd.<port>.pid, holding this process's pid and locked (flock)
// while it lives, so that --check and --quit can tell a live broker from a stale file even when
// the pid has been reused. Removed on destruction.
class PidFile {
 public:
  static std::string PathFor(const std::string& pid_dir, uint16_t port);

  // Creates pid_dir if missing. Fails if a live broker holds the file.
  static Result<PidFile> Create(const std::string& pid_dir, uint16_t port);

  PidFile(PidFile&& other) noexcept;
  PidFile& operator=(PidFile&& other) noexcept;
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;
  ~PidFile();

  const std::string& path() const { return path_; }

 private:
  PidFile(int fd, std::string path);
  void Remove();
  int fd_ = -1;
  std::string path_;
};

// The pid written in a pid (or lock) file. Missing file, empty file or garbage: an error naming
// the file.
Result<pid_t> ReadPidFile(const std::string& path);

// True while the process exists and is not a zombie.
bool IsProcessAlive(pid_t pid);

// --check: the pid of the broker running on `port`, or NotFound saying why there is none.
Result<pid_t> CheckRunning(const std::string& pid_dir, uint16_t port);

// --quit: SIGTERM to the broker running on `port`, then waits up to `timeout` for it to exit.
// Returns its pid; an error if none runs or it outlives the timeout.
Result<pid_t> QuitRunning(const std::string& pid_dir, uint16_t port,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The daemon's end of the pipe to the waiting parent. Report once; later calls do nothing.
// A default-constructed notifier (no daemon) does nothing, so main can call it either way.
class ReadyNotifier {
 public:
  ReadyNotifier() = default;
  explicit ReadyNotifier(int fd) : fd_(fd) {}
  ReadyNotifier(ReadyNotifier&& other) noexcept;
  ReadyNotifier& operator=(ReadyNotifier&& other) noexcept;
  ReadyNotifier(const ReadyNotifier&) = delete;
  ReadyNotifier& operator=(const ReadyNotifier&) = delete;
  // Unreported: the parent sees the pipe close and reports that the daemon did not start.
  ~ReadyNotifier();

  // The broker listens: the parent writes `output` (e.g. the port chosen for --port 0, with its
  // newline) to its standard output and exits 0.
  void Ready(std::string_view output = {});
  // Start-up failed: the parent prints `message` and exits non-zero.
  void Failed(std::string_view message);

 private:
  void Send(char tag, std::string_view message);
  int fd_ = -1;
};

// Forks into the background (fork, setsid, fork again, chdir /, stdio to /dev/null).
//  - In the daemon: returns a ReadyNotifier (optional holds a value).
//  - In the original process: waits up to `wait` for the daemon's report, then returns
//    std::nullopt if it is ready, having written the text given to Ready() to stdout (main
//    exits 0), or an error carrying the daemon's message (main prints it and exits 1). A failed
//    fork is an error too.
Result<std::optional<ReadyNotifier>> Daemonize(
    std::chrono::milliseconds wait = std::chrono::seconds(600));

}  // namespace qpidd
