#include "ocf/run_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace qpidd::ocf {
namespace {

// Closes a descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

}  // namespace

std::string CommandResult::Summary() const {
  if (!started) return "could not run: " + Trimmed(output);
  if (timed_out) return "killed at the deadline";
  return "exit status " + std::to_string(exit_status) +
         (output.empty() ? "" : ": " + Trimmed(output));
}

CommandResult RunCommand(const std::vector<std::string>& argv,
                         std::chrono::steady_clock::time_point deadline) {
  CommandResult result;
  int pipe_fds[2];
  if (argv.empty() || pipe2(pipe_fds, O_CLOEXEC) != 0) {
    result.output = argv.empty() ? "no command" : std::strerror(errno);
    return result;
  }
  Fd read_end(pipe_fds[0]);
  Fd write_end(pipe_fds[1]);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) {
    result.output = std::strerror(errno);
    return result;
  }
  if (pid == 0) {
    const int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, STDIN_FILENO);
    dup2(write_end.get(), STDOUT_FILENO);
    dup2(write_end.get(), STDERR_FILENO);
    execvp(args[0], args.data());
    // Only async-signal-safe calls here: the agent may fork from several threads at once.
    static constexpr char kCannotRun[] = ": cannot be run (not found or not executable)\n";
    (void)!write(STDERR_FILENO, args[0], std::strlen(args[0]));
    (void)!write(STDERR_FILENO, kCannotRun, sizeof(kCannotRun) - 1);
    _exit(127);
  }
  write_end.Reset();
  char buffer[4096];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      result.timed_out = true;
      break;
    }
    pollfd poll_fd{read_end.get(), POLLIN, 0};
    const int ready = poll(&poll_fd, 1, static_cast<int>(std::min<long>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    const ssize_t n = read(read_end.get(), buffer, sizeof(buffer));
    if (n <= 0) break;  // end of output: the command closed its side (exited, usually)
    result.output.append(buffer, static_cast<size_t>(n));
  }
  // After end of output the command exits at once; still, never wait past the deadline.
  int status = 0;
  while (true) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) return result;
    if (std::chrono::steady_clock::now() >= deadline && !result.timed_out) {
      kill(pid, SIGKILL);
      result.timed_out = true;
    }
    usleep(10000);
  }
  result.started = !(WIFEXITED(status) && WEXITSTATUS(status) == 127 && !result.timed_out &&
                     result.output.find(argv[0] + ": ") == 0);
  if (WIFEXITED(status)) result.exit_status = WEXITSTATUS(status);
  return result;
}

}  // namespace qpidd::ocf
