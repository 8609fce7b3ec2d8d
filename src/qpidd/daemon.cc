#include "qpidd/daemon.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <thread>
#include <utility>

namespace qpidd {
namespace {

using Clock = std::chrono::steady_clock;

std::string ErrnoText(int error) { return std::strerror(error); }

// "10 s", "0.25 s"
std::string SecondsText(std::chrono::milliseconds duration) {
  char text[32];
  (void)std::snprintf(text, sizeof(text), "%g s", static_cast<double>(duration.count()) / 1000.0);
  return text;
}

// Owns a file descriptor on the error paths below; release() hands it to its final owner.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// mkdir -p, giving `mode` to each directory it creates.
Status MakeDirectories(const std::string& path, mode_t mode) {
  if (path.empty()) return Status::InvalidArgument("empty directory name");
  size_t next = 0;
  while (next != std::string::npos) {
    next = path.find('/', next + 1);
    std::string prefix = path.substr(0, next);
    if (prefix.empty()) continue;
    if (::mkdir(prefix.c_str(), mode) == 0 || errno == EEXIST) continue;
    return Status::Internal("cannot create directory " + prefix + ": " + ErrnoText(errno));
  }
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    return Status::InvalidArgument(path + " is not a directory");
  }
  return Status::Ok();
}

// Replaces the file's contents with "<our pid>\n".
Status WritePid(int fd, const std::string& path) {
  std::string text = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    return Status::Internal("cannot write pid to " + path + ": " + ErrnoText(errno));
  }
  return Status::Ok();
}

std::string PidText(const std::string& path) {
  Result<pid_t> pid = ReadPidFile(path);
  return pid.ok() ? "pid " + std::to_string(pid.value()) : "pid unknown";
}

bool SameFile(int fd, const std::string& path) {
  struct stat by_fd {};
  struct stat by_path {};
  return ::fstat(fd, &by_fd) == 0 && ::stat(path.c_str(), &by_path) == 0 &&
         by_fd.st_dev == by_path.st_dev && by_fd.st_ino == by_path.st_ino;
}

// Open-file-description locks (not flock) on the pid file: F_OFD_GETLK can test the lock without
// taking it, so --check never makes a starting broker fail its own lock.
struct flock WholeFile(decltype(flock::l_type) type) {
  struct flock lock {};
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  return lock;
}

}  // namespace

// ---- DataDirLock

DataDirLock::DataDirLock(int fd, std::string lock_path)
    : fd_(fd), lock_path_(std::move(lock_path)) {}

DataDirLock::DataDirLock(DataDirLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), lock_path_(std::move(other.lock_path_)) {}

DataDirLock& DataDirLock::operator=(DataDirLock&& other) noexcept {
  if (this != &other) {
    CloseFd(fd_);
    fd_ = std::exchange(other.fd_, -1);
    lock_path_ = std::move(other.lock_path_);
  }
  return *this;
}

// The lock file stays: unlinking it would let a broker that opened it just before lock an
// orphaned inode while a third one creates and locks a new file.
DataDirLock::~DataDirLock() { CloseFd(fd_); }

Result<DataDirLock> DataDirLock::Acquire(const std::string& data_dir) {
  Status status = MakeDirectories(data_dir, 0750);
  if (!status.ok()) return Status::Internal("data directory " + data_dir + ": " + status.message());
  std::string lock_path = data_dir + "/lock";
  Fd fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640));
  if (fd.get() < 0) {
    return Status::Internal("cannot open lock file " + lock_path + ": " + ErrnoText(errno));
  }
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    if (error == EWOULDBLOCK) {
      return Status::Error(StatusCode::kPreconditionFailed,
                           "data directory " + data_dir + " is in use by another broker (" +
                               PidText(lock_path) + "): could not lock " + lock_path);
    }
    return Status::Internal("could not lock " + lock_path + ": " + ErrnoText(error));
  }
  status = WritePid(fd.get(), lock_path);
  if (!status.ok()) return status;
  return DataDirLock(fd.release(), std::move(lock_path));
}

// ---- PidFile

std::string PidFile::PathFor(const std::string& pid_dir, uint16_t port) {
  return pid_dir + "/qpidd." + std::to_string(port) + ".pid";
}

PidFile::PidFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

PidFile::PidFile(PidFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

PidFile& PidFile::operator=(PidFile&& other) noexcept {
  if (this != &other) {
    Remove();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

PidFile::~PidFile() { Remove(); }

void PidFile::Remove() {
  if (fd_ < 0) return;
  // Unlink while still holding the lock, and only our own file.
  if (SameFile(fd_, path_)) ::unlink(path_.c_str());
  CloseFd(fd_);
}

Result<PidFile> PidFile::Create(const std::string& pid_dir, uint16_t port) {
  Status status = MakeDirectories(pid_dir, 0755);
  if (!status.ok()) return Status::Internal("pid directory " + pid_dir + ": " + status.message());
  std::string path = PathFor(pid_dir, port);
  // A stopping broker unlinks its file while holding the lock; if we locked that orphan, go
  // round again and lock the file now at the path.
  for (int attempt = 0; attempt < 10; ++attempt) {
    Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (fd.get() < 0) {
      return Status::Internal("cannot open pid file " + path + ": " + ErrnoText(errno));
    }
    struct flock lock = WholeFile(F_WRLCK);
    if (::fcntl(fd.get(), F_OFD_SETLK, &lock) != 0) {
      int error = errno;
      if (error == EAGAIN || error == EACCES) {
        return Status::Error(StatusCode::kPreconditionFailed,
                             "another broker (" + PidText(path) + ") is running on port " +
                                 std::to_string(port) + ": pid file " + path + " is locked");
      }
      return Status::Internal("could not lock " + path + ": " + ErrnoText(error));
    }
    if (!SameFile(fd.get(), path)) continue;
    status = WritePid(fd.get(), path);
    if (!status.ok()) return status;
    return PidFile(fd.release(), std::move(path));
  }
  return Status::Internal("could not lock " + path + ": it keeps being replaced");
}

Result<pid_t> ReadPidFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read " + path + ": " + ErrnoText(errno));
  std::string text;
  std::getline(in, text);
  int64_t pid = 0;
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9' &&
         pid < 1'000'000'000) {
    pid = pid * 10 + (text[digits] - '0');
    ++digits;
  }
  if (digits == 0 || digits != text.size() || pid <= 0) {
    return Status::InvalidArgument(path + " holds no pid: '" + text + "'");
  }
  return static_cast<pid_t>(pid);
}

bool IsProcessAlive(pid_t pid) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0 && errno != EPERM) return false;
  // A zombie has exited; only its parent's wait() is missing. State is the field after "(comm)".
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  size_t paren = line.rfind(')');
  if (paren == std::string::npos || paren + 2 >= line.size()) return true;
  char state = line[paren + 2];
  return state != 'Z' && state != 'X';
}

Result<pid_t> CheckRunning(const std::string& pid_dir, uint16_t port) {
  std::string path = PidFile::PathFor(pid_dir, port);
  std::string none = "no broker is running on port " + std::to_string(port);
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return Status::NotFound(none + " (no pid file " + path + ")");
    return Status::Internal("cannot open pid file " + path + ": " + ErrnoText(errno));
  }
  struct flock probe = WholeFile(F_RDLCK);
  if (::fcntl(fd.get(), F_OFD_GETLK, &probe) != 0) {
    return Status::Internal("cannot test the lock on " + path + ": " + ErrnoText(errno));
  }
  if (probe.l_type == F_UNLCK) {
    return Status::NotFound(none + " (stale pid file " + path + ")");
  }
  // The broker truncates then writes its pid: give a file caught in between a moment.
  Result<pid_t> pid = ReadPidFile(path);
  for (int attempt = 0; !pid.ok() && attempt < 20; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    pid = ReadPidFile(path);
  }
  return pid;
}

Result<pid_t> QuitRunning(const std::string& pid_dir, uint16_t port,
                          std::chrono::milliseconds timeout) {
  Result<pid_t> running = CheckRunning(pid_dir, port);
  if (!running.ok()) return running;
  pid_t pid = running.value();
  if (::kill(pid, SIGTERM) != 0) {
    if (errno == ESRCH) return pid;  // it exited on its own meanwhile
    return Status::Internal("cannot signal broker (pid " + std::to_string(pid) +
                            "): " + ErrnoText(errno));
  }
  Clock::time_point deadline = Clock::now() + timeout;
  while (IsProcessAlive(pid)) {
    if (Clock::now() >= deadline) {
      return Status::Internal("broker (pid " + std::to_string(pid) + ") is still running " +
                              SecondsText(timeout) + " after SIGTERM");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pid;
}

// ---- Daemonize

// The report on the socket: 'R' + output for the parent's stdout, or 'F' + error message; then
// a NUL.
constexpr char kReady = 'R';
constexpr char kFailed = 'F';

ReadyNotifier::ReadyNotifier(ReadyNotifier&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

ReadyNotifier& ReadyNotifier::operator=(ReadyNotifier&& other) noexcept {
  if (this != &other) {
    CloseFd(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

ReadyNotifier::~ReadyNotifier() { CloseFd(fd_); }

void ReadyNotifier::Ready(std::string_view output) { Send(kReady, output); }

void ReadyNotifier::Failed(std::string_view message) { Send(kFailed, message); }

void ReadyNotifier::Send(char tag, std::string_view message) {
  if (fd_ < 0) return;
  std::string report(1, tag);
  report += message;
  report += '\0';
  size_t sent = 0;
  while (sent < report.size()) {
    // MSG_NOSIGNAL: a parent that gave up waiting must not kill the broker with SIGPIPE.
    ssize_t n = ::send(fd_, report.data() + sent, report.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  CloseFd(fd_);
}

namespace {

// In the original process: the daemon's report, or why there is none.
Status WaitForReport(int fd, std::chrono::milliseconds wait) {
  Clock::time_point deadline = Clock::now() + wait;
  std::string report;
  while (report.find('\0') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      return Status::Internal("the daemon did not report that it was ready within " +
                              SecondsText(wait));
    }
    pollfd poll_fd{fd, POLLIN, 0};
    int ready = ::poll(&poll_fd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) {
      return Status::Internal("waiting for the daemon: " + ErrnoText(errno));
    }
    if (ready <= 0) continue;
    char buffer[512];
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return Status::Internal("the daemon exited before it was ready (see the broker's log)");
    }
    report.append(buffer, static_cast<size_t>(n));
  }
  std::string message = report.substr(1, report.find('\0') - 1);
  if (report.front() == kReady) {
    (void)std::fwrite(message.data(), 1, message.size(), stdout);
    (void)std::fflush(stdout);
    return Status::Ok();
  }
  return Status::Internal(message.empty() ? "the daemon failed to start" : message);
}

[[noreturn]] void ReportAndExit(int fd, std::string_view message) {
  ReadyNotifier notifier(fd);
  notifier.Failed(message);
  ::_exit(1);
}

}  // namespace

Result<std::optional<ReadyNotifier>> Daemonize(std::chrono::milliseconds wait) {
  int sockets[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0) {
    return Status::Internal("cannot create the daemon's socket pair: " + ErrnoText(errno));
  }
  Fd parent_end(sockets[0]);
  Fd daemon_end(sockets[1]);
  // Buffered output would otherwise be written once by each process.
  (void)std::fflush(stdout);
  (void)std::fflush(stderr);

  pid_t child = ::fork();
  if (child < 0) return Status::Internal("cannot fork: " + ErrnoText(errno));
  if (child > 0) {
    ::close(daemon_end.release());
    // The intermediate child exits as soon as it has forked the daemon.
    int child_status = 0;
    while (::waitpid(child, &child_status, 0) < 0 && errno == EINTR) {
    }
    Status status = WaitForReport(parent_end.get(), wait);
    if (!status.ok()) return status;
    return std::optional<ReadyNotifier>();
  }

  // Intermediate child: a new session, then fork again so that the daemon is not a session
  // leader and can never acquire a controlling terminal.
  ::close(parent_end.release());
  if (::setsid() < 0) ReportAndExit(daemon_end.release(), "setsid failed: " + ErrnoText(errno));
  pid_t daemon = ::fork();
  if (daemon < 0) ReportAndExit(daemon_end.release(), "cannot fork: " + ErrnoText(errno));
  if (daemon > 0) ::_exit(0);

  // The daemon. Its directory is "/" so it keeps no mount busy (options hold absolute paths).
  if (::chdir("/") != 0) {
    ReportAndExit(daemon_end.release(), "cannot change directory to /: " + ErrnoText(errno));
  }
  int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd < 0)
    ReportAndExit(daemon_end.release(), "cannot open /dev/null: " + ErrnoText(errno));
  for (int fd = 0; fd <= 2; ++fd) ::dup2(null_fd, fd);
  if (null_fd > 2) ::close(null_fd);
  return std::optional<ReadyNotifier>(ReadyNotifier(daemon_end.release()));
}

}  // namespace qpidd
