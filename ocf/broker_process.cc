#include "ocf/broker_process.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace qpidd::ocf {
namespace {

namespace fs = std::filesystem;

std::string ShellQuoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::vector<std::string> ProcessArgv(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::vector<std::string> argv;
  std::string arg;
  while (std::getline(file, arg, '\0')) argv.push_back(arg);
  return argv;
}

pid_t ReadPidFile(const std::string& path) {
  std::ifstream file(path);
  long pid = 0;
  if (!(file >> pid) || pid <= 1) return 0;
  return static_cast<pid_t>(pid);
}

// The user and group the broker runs as: only when the agent is root and they exist.
struct Identity {
  bool change = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string user;
};

Identity BrokerIdentity(const Params& params) {
  Identity identity;
  if (geteuid() != 0 || params.user.empty() || params.user == "root") return identity;
  const passwd* pw = getpwnam(params.user.c_str());
  if (pw == nullptr) return identity;
  identity.change = true;
  identity.uid = pw->pw_uid;
  identity.gid = pw->pw_gid;
  identity.user = params.user;
  if (!params.group.empty()) {
    if (const group* gr = getgrnam(params.group.c_str())) identity.gid = gr->gr_gid;
  }
  return identity;
}

Status MakeDirectory(const std::string& path, const Identity& identity) {
  std::error_code error;
  fs::create_directories(path, error);
  if (error) return Status::Internal("cannot create " + path + ": " + error.message());
  if (identity.change && chown(path.c_str(), identity.uid, identity.gid) != 0) {
    return Status::Internal("cannot give " + path + " to " + identity.user + ": " +
                            std::strerror(errno));
  }
  return Status::Ok();
}

// In the child, between fork and exec: only async-signal-safe calls; a failure is written to
// `report` (close-on-exec, so a successful exec closes it with nothing written).
[[noreturn]] void ExecBroker(const std::vector<std::string>& argv, const std::string& output,
                             const Identity& identity, int report) {
  auto fail = [report](const char* what) {
    const int error = errno;
    (void)!write(report, what, strlen(what));
    (void)!write(report, ": ", 2);
    const char* why = strerror(error);
    (void)!write(report, why, strlen(why));
    _exit(127);
  };
  setsid();
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_DFL);
  const int input = open("/dev/null", O_RDONLY);
  if (input < 0 || dup2(input, STDIN_FILENO) < 0) fail("/dev/null");
  if (identity.change) {
    if (setgid(identity.gid) != 0) fail("setgid");
    if (initgroups(identity.user.c_str(), identity.gid) != 0) fail("initgroups");
    if (setuid(identity.uid) != 0) fail("setuid");
  }
  const int out = open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0640);
  if (out < 0) fail(output.c_str());
  if (dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0) fail("dup2");
  if (chdir("/") != 0) fail("chdir /");
  for (int fd = 3; fd < 1024; ++fd) {
    if (fd != report) close(fd);
  }
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  fail(argv[0].c_str());
  _exit(127);  // not reached: fail() exits
}

bool WaitGone(const std::vector<pid_t>& pids, Deadline::Clock::time_point until) {
  while (true) {
    bool any = false;
    for (pid_t pid : pids) any = any || ProcessAlive(pid);
    if (!any) return true;
    if (Deadline::Clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

std::vector<std::string> BrokerCommand(const Params& params, const std::string& agent_path,
                                       const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {params.binary, "--config",   params.config,
                                   "--data-dir",  params.data_dir, "--port", params.port};
  if (!params.interface.empty()) {
    argv.insert(argv.end(), {"--interface", params.interface});
  }
  argv.insert(argv.end(), {"--ha-cluster", "yes"});
  if (params.brokers_url_given) argv.insert(argv.end(), {"--ha-brokers-url", params.brokers_url});
  argv.insert(argv.end(),
              {"--ha-primary-lost-command", ShellQuoted(agent_path) + " primary-lost"});
  if (!params.log_file.empty()) {
    argv.insert(argv.end(), {"--log-to-file", params.log_file, "--log-to-stderr", "no"});
  }
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

bool IsOurBroker(const std::vector<std::string>& argv, const Params& params) {
  bool data_dir = false;
  bool port = false;
  for (size_t i = 0; i + 1 < argv.size(); ++i) {
    data_dir = data_dir || (argv[i] == "--data-dir" && argv[i + 1] == params.data_dir);
    port = port || (argv[i] == "--port" && argv[i + 1] == params.port);
  }
  return data_dir && port;
}

std::string PidFilePath(const Params& params) { return params.data_dir + "/qpidd-agent.pid"; }

std::string PromotedMarkerPath(const Params& params) {
  return params.data_dir + "/qpidd-agent.promoted";
}

bool ProcessAlive(pid_t pid) {
  if (pid <= 0) return false;
  int status = 0;
  waitpid(pid, &status, WNOHANG);  // reaps it if it is our own child and has exited
  if (kill(pid, 0) != 0 && errno == ESRCH) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto close_paren = line.rfind(')');
  if (close_paren == std::string::npos || close_paren + 2 >= line.size()) return false;
  return line[close_paren + 2] != 'Z';
}

std::vector<pid_t> FindBrokers(const Params& params) {
  if (const pid_t pid = ReadPidFile(PidFilePath(params));
      pid > 0 && ProcessAlive(pid) && IsOurBroker(ProcessArgv(pid), params)) {
    return {pid};
  }
  // No usable pid file: a broker started before it was written, or whose file was lost.
  std::vector<pid_t> found;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    if (pid == getpid()) continue;
    if (IsOurBroker(ProcessArgv(pid), params) && ProcessAlive(pid)) found.push_back(pid);
  }
  return found;
}

Result<pid_t> SpawnBroker(const Params& params, const std::vector<std::string>& argv) {
  const Identity identity = BrokerIdentity(params);
  if (Status made = MakeDirectory(params.data_dir, identity); !made.ok()) return made;
  std::string output = "/dev/null";
  if (!params.log_file.empty()) {
    const std::string dir = fs::path(params.log_file).parent_path();
    if (Status made = MakeDirectory(dir, identity); !made.ok()) return made;
    output = params.log_file;
  }
  int report_fds[2];
  if (pipe2(report_fds, O_CLOEXEC) != 0) {
    return Status::Internal(std::string("pipe: ") + std::strerror(errno));
  }
  const pid_t pid = fork();
  if (pid < 0) {
    close(report_fds[0]);
    close(report_fds[1]);
    return Status::Internal(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    close(report_fds[0]);
    ExecBroker(argv, output, identity, report_fds[1]);
  }
  close(report_fds[1]);
  std::string failure;
  char buffer[512];
  ssize_t n;
  while ((n = read(report_fds[0], buffer, sizeof(buffer))) > 0) failure.append(buffer, n);
  close(report_fds[0]);
  if (!failure.empty()) {
    int status = 0;
    waitpid(pid, &status, 0);
    return Status::Internal("cannot start the broker: " + failure);
  }
  std::ofstream pid_file(PidFilePath(params), std::ios::trunc);
  pid_file << pid << "\n";
  if (!pid_file) return Status::Internal("cannot write " + PidFilePath(params));
  return pid;
}

Status StopBrokers(const Params& params, const Deadline& deadline) {
  const std::vector<pid_t> pids = FindBrokers(params);
  for (pid_t pid : pids) {
    kill(pid, SIGTERM);
    kill(pid, SIGCONT);  // a stopped (SIGSTOP) broker handles its SIGTERM only once continued
  }
  // SIGKILL once four fifths of the time left are spent, so that its wait fits too.
  const auto term_until = Deadline::Clock::now() + deadline.Left() * 4 / 5;
  if (!WaitGone(pids, term_until)) {
    for (pid_t pid : pids) {
      if (ProcessAlive(pid)) kill(pid, SIGKILL);
    }
    if (!WaitGone(pids, deadline.at())) {
      std::ostringstream left;
      for (pid_t pid : pids) {
        if (ProcessAlive(pid)) left << " " << pid;
      }
      return Status::Internal("broker process" + left.str() + " still running after SIGKILL");
    }
  }
  std::error_code ignored;
  fs::remove(PidFilePath(params), ignored);
  fs::remove(PromotedMarkerPath(params), ignored);
  return Status::Ok();
}

}  // namespace qpidd::ocf
