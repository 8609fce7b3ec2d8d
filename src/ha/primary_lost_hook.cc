#include "ha/primary_lost_hook.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/log.h"

extern char** environ;

namespace qpidd::ha {

PrimaryLostHook::PrimaryLostHook(std::string command, std::chrono::milliseconds deadline)
    : command_(std::move(command)), deadline_(deadline) {}

PrimaryLostHook::~PrimaryLostHook() {
  std::vector<std::thread> waiters;
  {
    std::lock_guard lock(mutex_);
    waiters.swap(waiters_);
  }
  for (auto& w : waiters) w.join();
}

void PrimaryLostHook::Run(const std::map<std::string, std::string>& environment) {
  if (command_.empty()) return;
  std::vector<std::string> entries;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    if (!environment.contains(entry.substr(0, entry.find('=')))) entries.push_back(entry);
  }
  for (const auto& [name, value] : environment) entries.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& entry : entries) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::string shell = "/bin/sh", flag = "-c", command = command_;
  char* argv[] = {shell.data(), flag.data(), command.data(), nullptr};

  pid_t pid = 0;
  if (int error = posix_spawn(&pid, "/bin/sh", nullptr, nullptr, argv, envp.data()); error != 0) {
    QPIDD_LOG(kError, kHa, "cannot run ha-primary-lost-command: " << std::strerror(error));
    return;
  }
  QPIDD_LOG(kNotice, kHa, "primary lost: running ha-primary-lost-command (pid " << pid << ")");
  std::lock_guard lock(mutex_);
  waiters_.emplace_back([this, pid] { Wait(pid); });
}

void PrimaryLostHook::Wait(int pid) {
  const auto deadline = std::chrono::steady_clock::now() + deadline_;
  int status = 0;
  for (;;) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {
      QPIDD_LOG(kError, kHa, "ha-primary-lost-command (pid " << pid << "): cannot wait for it: "
                                                           << std::strerror(errno));
      return;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      QPIDD_LOG(kError, kHa, "ha-primary-lost-command (pid " << pid << ") killed after "
                                                           << deadline_.count() << " ms");
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    QPIDD_LOG(kInfo, kHa, "ha-primary-lost-command (pid " << pid << ") succeeded");
  } else if (WIFEXITED(status)) {
    QPIDD_LOG(kWarning, kHa, "ha-primary-lost-command (pid " << pid << ") exited with status "
                                                             << WEXITSTATUS(status));
  } else {
    QPIDD_LOG(kWarning, kHa, "ha-primary-lost-command (pid " << pid << ") ended by signal "
                                                             << WTERMSIG(status));
  }
}

}  // namespace qpidd::ha
