#include "qpidd/daemon.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

namespace qpidd {
namespace {

using std::chrono::milliseconds;

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/qpidd-daemon-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::string ReadAll(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // Forks a child that runs `body` and then waits for SIGTERM (or `linger` to pass). The child
  // reports on a pipe once `body` returned true; the parent waits for that report.
  template <typename Body>
  pid_t StartChild(Body body, milliseconds linger = milliseconds(20000)) {
    int report[2];
    EXPECT_EQ(pipe(report), 0);
    pid_t pid = fork();
    if (pid == 0) {
      close(report[0]);
      char ok = body() ? 'y' : 'n';
      (void)!write(report[1], &ok, 1);
      std::this_thread::sleep_for(linger);
      _exit(0);
    }
    close(report[1]);
    char ok = 0;
    EXPECT_EQ(read(report[0], &ok, 1), 1);
    EXPECT_EQ(ok, 'y');
    close(report[0]);
    return pid;
  }

  static int Reap(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
  }

  std::string dir_;
};

// ---- DataDirLock

TEST_F(DaemonTest, LockCreatesTheDataDirectoryAndWritesOurPid) {
  std::string data_dir = dir_ + "/a/b/data";
  Result<DataDirLock> lock = DataDirLock::Acquire(data_dir);
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  struct stat info {};
  ASSERT_EQ(stat(data_dir.c_str(), &info), 0);
  EXPECT_TRUE(S_ISDIR(info.st_mode));
  EXPECT_EQ(info.st_mode & 0027, 0u) << "no write for group, nothing for others";
  EXPECT_EQ(lock.value().lock_path(), data_dir + "/lock");
  EXPECT_EQ(ReadAll(data_dir + "/lock"), std::to_string(getpid()) + "\n");
}

TEST_F(DaemonTest, SecondLockOnTheSameDirectoryIsRefusedWithTheHoldersPid) {
  Result<DataDirLock> first = DataDirLock::Acquire(dir_);
  ASSERT_TRUE(first.ok());
  // A second open file description in the same process conflicts, as another process would.
  Result<DataDirLock> second = DataDirLock::Acquire(dir_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().message(),
            "data directory " + dir_ + " is in use by another broker (pid " +
                std::to_string(getpid()) + "): could not lock " + dir_ + "/lock");
  // The refused attempt did not overwrite the holder's pid.
  EXPECT_EQ(ReadAll(dir_ + "/lock"), std::to_string(getpid()) + "\n");
}

TEST_F(DaemonTest, LockHeldByAnotherProcessIsRefusedUntilItExits) {
  pid_t child = StartChild([&] {
    static std::optional<DataDirLock> held;
    Result<DataDirLock> lock = DataDirLock::Acquire(dir_);
    if (!lock.ok()) return false;
    held.emplace(std::move(lock).value());
    return true;
  });
  Result<DataDirLock> refused = DataDirLock::Acquire(dir_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPreconditionFailed);
  EXPECT_NE(refused.status().message().find("in use by another broker (pid " +
                                            std::to_string(child) + ")"),
            std::string::npos)
      << refused.status().message();
  kill(child, SIGKILL);
  Reap(child);
  // The kernel dropped the dead holder's lock; its stale pid does not matter.
  Result<DataDirLock> taken = DataDirLock::Acquire(dir_);
  ASSERT_TRUE(taken.ok()) << taken.status().message();
  EXPECT_EQ(ReadAll(dir_ + "/lock"), std::to_string(getpid()) + "\n");
}

TEST_F(DaemonTest, LockIsReleasedOnDestructionAndMove) {
  {
    Result<DataDirLock> lock = DataDirLock::Acquire(dir_);
    ASSERT_TRUE(lock.ok());
    DataDirLock moved = std::move(lock).value();
    EXPECT_FALSE(DataDirLock::Acquire(dir_).ok());
  }
  EXPECT_TRUE(DataDirLock::Acquire(dir_).ok());
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/lock"));
}

TEST_F(DaemonTest, LockOnAFileIsAnError) {
  std::string file = dir_ + "/file";
  std::ofstream(file) << "x";
  Result<DataDirLock> lock = DataDirLock::Acquire(file);
  ASSERT_FALSE(lock.ok());
  EXPECT_NE(lock.status().message().find(file), std::string::npos);
}

// ---- PidFile

TEST_F(DaemonTest, PidFileIsNamedByPortHoldsOurPidAndIsRemoved) {
  std::string path = dir_ + "/run/qpidd.5673.pid";
  EXPECT_EQ(PidFile::PathFor(dir_ + "/run", 5673), path);
  {
    Result<PidFile> pid_file = PidFile::Create(dir_ + "/run", 5673);
    ASSERT_TRUE(pid_file.ok()) << pid_file.status().message();
    EXPECT_EQ(pid_file.value().path(), path);
    EXPECT_EQ(ReadAll(path), std::to_string(getpid()) + "\n");
    Result<pid_t> pid = ReadPidFile(path);
    ASSERT_TRUE(pid.ok());
    EXPECT_EQ(pid.value(), getpid());
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(DaemonTest, SecondPidFileForTheSamePortIsRefused) {
  Result<PidFile> first = PidFile::Create(dir_, 5672);
  ASSERT_TRUE(first.ok());
  Result<PidFile> second = PidFile::Create(dir_, 5672);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("pid " + std::to_string(getpid())), std::string::npos)
      << second.status().message();
  EXPECT_NE(second.status().message().find("port 5672"), std::string::npos);
  EXPECT_TRUE(PidFile::Create(dir_, 5673).ok());  // another port is another broker
  EXPECT_EQ(ReadAll(PidFile::PathFor(dir_, 5672)), std::to_string(getpid()) + "\n");
}

TEST_F(DaemonTest, StalePidFileIsTakenOver) {
  std::string path = PidFile::PathFor(dir_, 5672);
  std::ofstream(path) << "999999\n";
  Result<PidFile> pid_file = PidFile::Create(dir_, 5672);
  ASSERT_TRUE(pid_file.ok());
  EXPECT_EQ(ReadAll(path), std::to_string(getpid()) + "\n");
}

TEST_F(DaemonTest, MovedPidFileIsRemovedOnce) {
  std::string path = PidFile::PathFor(dir_, 5672);
  {
    Result<PidFile> created = PidFile::Create(dir_, 5672);
    ASSERT_TRUE(created.ok());
    PidFile held = std::move(created).value();
    EXPECT_TRUE(std::filesystem::exists(path));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(DaemonTest, ReadPidFileErrors) {
  EXPECT_EQ(ReadPidFile(dir_ + "/none").status().code(), StatusCode::kNotFound);
  for (const char* text : {"", "abc\n", "12x\n", "0\n", "-5\n", " 12\n"}) {
    std::ofstream(dir_ + "/bad") << text;
    Result<pid_t> pid = ReadPidFile(dir_ + "/bad");
    ASSERT_FALSE(pid.ok()) << text;
    EXPECT_NE(pid.status().message().find(dir_ + "/bad"), std::string::npos);
  }
  std::ofstream(dir_ + "/good") << "4242";  // no newline
  EXPECT_EQ(ReadPidFile(dir_ + "/good").value(), 4242);
}

// ---- --check and --quit

TEST_F(DaemonTest, CheckWithoutPidFile) {
  Result<pid_t> pid = CheckRunning(dir_, 5672);
  ASSERT_FALSE(pid.ok());
  EXPECT_EQ(pid.status().code(), StatusCode::kNotFound);
  EXPECT_NE(pid.status().message().find("no broker is running on port 5672"), std::string::npos);
}

TEST_F(DaemonTest, CheckSeesAStalePidFileAsNotRunning) {
  // Our own pid: alive, but no broker holds the file's lock.
  std::ofstream(PidFile::PathFor(dir_, 5672)) << getpid() << "\n";
  Result<pid_t> pid = CheckRunning(dir_, 5672);
  ASSERT_FALSE(pid.ok());
  EXPECT_NE(pid.status().message().find("stale"), std::string::npos);
}

TEST_F(DaemonTest, CheckFindsABrokerInThisProcess) {
  Result<PidFile> pid_file = PidFile::Create(dir_, 5672);
  ASSERT_TRUE(pid_file.ok());
  Result<pid_t> pid = CheckRunning(dir_, 5672);
  ASSERT_TRUE(pid.ok()) << pid.status().message();
  EXPECT_EQ(pid.value(), getpid());
  // Checking took no lock: the holder keeps its file and a new broker is still refused.
  EXPECT_FALSE(PidFile::Create(dir_, 5672).ok());
  EXPECT_FALSE(CheckRunning(dir_, 5673).ok());
}

TEST_F(DaemonTest, QuitStopsTheBrokerAndWaitsForIt) {
  pid_t child = StartChild([&] {
    // Leak the pid file on purpose: SIGTERM ends the child without destructors.
    static std::optional<PidFile> pid_file;
    Result<PidFile> created = PidFile::Create(dir_, 5680);
    if (!created.ok()) return false;
    pid_file.emplace(std::move(created).value());
    return true;
  });
  Result<pid_t> running = CheckRunning(dir_, 5680);
  ASSERT_TRUE(running.ok()) << running.status().message();
  EXPECT_EQ(running.value(), child);

  Result<pid_t> stopped = QuitRunning(dir_, 5680, milliseconds(5000));
  ASSERT_TRUE(stopped.ok()) << stopped.status().message();
  EXPECT_EQ(stopped.value(), child);
  EXPECT_FALSE(IsProcessAlive(child));  // a zombie until reaped, which counts as gone
  int status = Reap(child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
  // The killed broker left its file behind; it is stale now.
  EXPECT_NE(CheckRunning(dir_, 5680).status().message().find("stale"), std::string::npos);
  EXPECT_EQ(QuitRunning(dir_, 5680).status().code(), StatusCode::kNotFound);
}

TEST_F(DaemonTest, QuitGivesUpOnABrokerThatIgnoresSigterm) {
  pid_t child = StartChild([&] {
    signal(SIGTERM, SIG_IGN);
    static std::optional<PidFile> pid_file;
    Result<PidFile> created = PidFile::Create(dir_, 5681);
    if (!created.ok()) return false;
    pid_file.emplace(std::move(created).value());
    return true;
  });
  Result<pid_t> stopped = QuitRunning(dir_, 5681, milliseconds(200));
  ASSERT_FALSE(stopped.ok());
  EXPECT_NE(stopped.status().message().find("pid " + std::to_string(child)), std::string::npos);
  EXPECT_NE(stopped.status().message().find("still running 0.2 s after SIGTERM"), std::string::npos)
      << stopped.status().message();
  kill(child, SIGKILL);
  Reap(child);
}

TEST_F(DaemonTest, IsProcessAlive) {
  EXPECT_TRUE(IsProcessAlive(getpid()));
  EXPECT_FALSE(IsProcessAlive(0));
  EXPECT_FALSE(IsProcessAlive(-1));
  pid_t child = fork();
  if (child == 0) _exit(0);
  // Exited but not reaped: a zombie is not alive.
  for (int i = 0; i < 200 && IsProcessAlive(child); ++i) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_FALSE(IsProcessAlive(child));
  Reap(child);
  EXPECT_FALSE(IsProcessAlive(child));
}

// ---- Daemonize

// Runs Daemonize() and, in the daemon, `in_daemon` and then exits: the daemon never returns to
// the test runner.
template <typename InDaemon>
Result<std::optional<ReadyNotifier>> DaemonizeAnd(InDaemon in_daemon, milliseconds wait) {
  Result<std::optional<ReadyNotifier>> result = Daemonize(wait);
  if (result.ok() && result.value().has_value()) {
    in_daemon(*std::move(result).value());
    _exit(0);
  }
  return result;
}

TEST_F(DaemonTest, DaemonizeReturnsInTheParentOnceTheDaemonIsReady) {
  std::string marker = dir_ + "/ready";
  auto result = DaemonizeAnd(
      [&](ReadyNotifier notifier) {
        // Proves the daemon's state: new session, cwd /, stdio on /dev/null.
        std::ofstream out(marker);
        char cwd[256] = {};
        out << (getsid(0) == getpid()) << " " << (getcwd(cwd, sizeof(cwd)) ? cwd : "?") << " "
            << std::filesystem::read_symlink("/proc/self/fd/1").string() << " " << getpid();
        out.close();
        notifier.Ready();
        notifier.Failed("ignored: already reported");
      },
      milliseconds(10000));
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_FALSE(result.value().has_value());
  // Written before Ready(), so present now.
  std::istringstream state(ReadAll(marker));
  int session_leader = -1;
  std::string cwd, stdout_target;
  pid_t daemon_pid = 0;
  state >> session_leader >> cwd >> stdout_target >> daemon_pid;
  EXPECT_EQ(session_leader, 0) << "forked twice: not a session leader";
  EXPECT_EQ(cwd, "/");
  EXPECT_EQ(stdout_target, "/dev/null");
  EXPECT_NE(daemon_pid, getpid());
}

TEST_F(DaemonTest, DaemonizePrintsTheDaemonsReadyOutputInTheParent) {
  ::testing::internal::CaptureStdout();
  auto result =
      DaemonizeAnd([](ReadyNotifier notifier) { notifier.Ready("38211\n"); }, milliseconds(10000));
  std::string printed = ::testing::internal::GetCapturedStdout();
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(printed, "38211\n");
}

TEST_F(DaemonTest, DaemonizeReportsTheDaemonsError) {
  auto result = DaemonizeAnd(
      [](ReadyNotifier notifier) {
        notifier.Failed("cannot listen on port 5672: Address already in use");
      },
      milliseconds(10000));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "cannot listen on port 5672: Address already in use");
}

TEST_F(DaemonTest, DaemonizeReportsADaemonThatDiedWithoutAWord) {
  auto result = DaemonizeAnd([](ReadyNotifier) {}, milliseconds(10000));
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("exited before it was ready"), std::string::npos);
}

TEST_F(DaemonTest, DaemonizeGivesUpAfterTheWait) {
  auto result = DaemonizeAnd(
      [](ReadyNotifier notifier) {
        std::this_thread::sleep_for(milliseconds(1500));
        notifier.Ready();  // too late; the parent is gone, and this must not kill us (SIGPIPE)
      },
      milliseconds(200));
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("within 0.2 s"), std::string::npos)
      << result.status().message();
}

TEST_F(DaemonTest, DefaultNotifierDoesNothing) {
  ReadyNotifier notifier;
  notifier.Ready();
  notifier.Failed("nothing");
}

}  // namespace
}  // namespace qpidd
