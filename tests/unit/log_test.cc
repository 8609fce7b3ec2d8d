#include "common/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace qpidd::log {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/qpidd-log-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    Shutdown();
    std::filesystem::remove_all(dir_);
  }

  static std::string ReadAll(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::string dir_;
};

TEST_F(LogTest, Names) {
  EXPECT_EQ(LevelName(Level::kTrace), "trace");
  EXPECT_EQ(LevelName(Level::kWarning), "warning");
  EXPECT_EQ(LevelName(Level::kCritical), "critical");
  EXPECT_EQ(CategoryName(Category::kBroker), "broker");
  EXPECT_EQ(CategoryName(Category::kManagement), "management");
  EXPECT_EQ(CategoryName(Category::kHa), "ha");
}

TEST_F(LogTest, NoRulesMeansNoticeAndAbove) {
  ASSERT_TRUE(Configure({}, Sinks{}).ok());
  EXPECT_FALSE(Enabled(Level::kInfo, Category::kBroker));
  EXPECT_TRUE(Enabled(Level::kNotice, Category::kBroker));
  EXPECT_TRUE(Enabled(Level::kCritical, Category::kTool));
  EXPECT_FALSE(Enabled(Level::kDebug, Category::kHa));
}

TEST_F(LogTest, PlusMeansThisLevelAndAbove) {
  ASSERT_TRUE(Configure({"debug+:ha"}, Sinks{}).ok());
  EXPECT_FALSE(Enabled(Level::kTrace, Category::kHa));
  EXPECT_TRUE(Enabled(Level::kDebug, Category::kHa));
  EXPECT_TRUE(Enabled(Level::kInfo, Category::kHa));
  EXPECT_TRUE(Enabled(Level::kCritical, Category::kHa));
  // Rules replace the default: nothing else is on.
  EXPECT_FALSE(Enabled(Level::kCritical, Category::kBroker));
  EXPECT_FALSE(Enabled(Level::kNotice, Category::kNetwork));
}

TEST_F(LogTest, WithoutPlusOnlyThatLevel) {
  ASSERT_TRUE(Configure({"info"}, Sinks{}).ok());
  for (int c = 0; c < kCategoryCount; ++c) {
    auto category = static_cast<Category>(c);
    EXPECT_FALSE(Enabled(Level::kDebug, category));
    EXPECT_TRUE(Enabled(Level::kInfo, category));
    EXPECT_FALSE(Enabled(Level::kNotice, category));
  }
}

TEST_F(LogTest, RulesAddUp) {
  ASSERT_TRUE(Configure({"warning+", "trace:network", "info+:AMQP"}, Sinks{}).ok());
  EXPECT_TRUE(Enabled(Level::kWarning, Category::kBroker));
  EXPECT_FALSE(Enabled(Level::kNotice, Category::kBroker));
  EXPECT_TRUE(Enabled(Level::kTrace, Category::kNetwork));
  EXPECT_FALSE(Enabled(Level::kDebug, Category::kNetwork));
  EXPECT_TRUE(Enabled(Level::kError, Category::kNetwork));
  EXPECT_TRUE(Enabled(Level::kInfo, Category::kAmqp));
  EXPECT_FALSE(Enabled(Level::kDebug, Category::kAmqp));
}

TEST_F(LogTest, BadRuleIsNamedAndChangesNothing) {
  ASSERT_TRUE(Configure({"debug+:ha"}, Sinks{}).ok());
  struct Case {
    const char* rule;
    const char* why;
  };
  for (const Case& c :
       {Case{"verbose", "unknown level 'verbose'"},
        Case{"debug+:nosuch", "unknown category 'nosuch'"}, Case{"debug:", "unknown category ''"},
        Case{"", "unknown level ''"}, Case{"+", "unknown level ''"},
        Case{"debug++", "unknown level 'debug+'"}, Case{"debug+:ha:x", "unknown category 'ha:x'"},
        Case{"notice -", "unknown level 'notice -'"}}) {
    Status status = Configure({"notice+", c.rule}, Sinks{});
    ASSERT_FALSE(status.ok()) << c.rule;
    EXPECT_NE(status.message().find("bad log rule '" + std::string(c.rule) + "'"),
              std::string::npos)
        << status.message();
    EXPECT_NE(status.message().find(c.why), std::string::npos) << status.message();
  }
  EXPECT_TRUE(Enabled(Level::kDebug, Category::kHa));
  EXPECT_FALSE(Enabled(Level::kNotice, Category::kBroker));
}

TEST_F(LogTest, CheckRuleAppliesNothing) {
  ASSERT_TRUE(Configure({"error+"}, Sinks{}).ok());
  EXPECT_TRUE(CheckRule("trace+").ok());
  EXPECT_TRUE(CheckRule("DEBUG+:HA").ok());
  EXPECT_EQ(CheckRule("loud").message(),
            "unknown level 'loud' (expected trace, debug, info, notice, warning, error, "
            "critical, optionally followed by '+')");
  EXPECT_EQ(CheckRule("info:db").message(),
            "unknown category 'db' (expected broker, amqp, network, management, ha, tool)");
  EXPECT_FALSE(Enabled(Level::kTrace, Category::kBroker));
}

TEST_F(LogTest, FileLinesHaveTimestampLevelAndCategory) {
  Sinks sinks;
  sinks.file = dir_ + "/qpidd.log";
  ASSERT_TRUE(Configure({"info+"}, sinks).ok());
  QPIDD_LOG(kNotice, kBroker, "listening on port " << 5672);
  QPIDD_LOG(kDebug, kBroker, "not written");
  QPIDD_LOG(kWarning, kHa,
            "backup "
                << "node2"
                << " lost");
  Shutdown();
  std::string text = ReadAll(sinks.file);
  std::regex expected(
      "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[notice\\] broker: listening on port "
      "5672\n"
      "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[warning\\] ha: backup node2 lost\n");
  EXPECT_TRUE(std::regex_match(text, expected)) << text;
}

TEST_F(LogTest, FileIsAppendedTo) {
  std::string path = dir_ + "/qpidd.log";
  { std::ofstream(path) << "earlier line\n"; }
  Sinks sinks;
  sinks.file = path;
  ASSERT_TRUE(Configure({}, sinks).ok());
  Write(Level::kError, Category::kTool, "later");
  Shutdown();
  std::string text = ReadAll(path);
  EXPECT_EQ(text.rfind("earlier line\n", 0), 0u) << text;
  EXPECT_NE(text.find("[error] tool: later\n"), std::string::npos) << text;
}

TEST_F(LogTest, LongMessagesAreNotCutAtLibqbDefault) {
  Sinks sinks;
  sinks.file = dir_ + "/qpidd.log";
  ASSERT_TRUE(Configure({}, sinks).ok());
  std::string message(2000, 'x');
  Write(Level::kNotice, Category::kBroker, message);
  Shutdown();
  EXPECT_NE(ReadAll(sinks.file).find(message), std::string::npos);
}

TEST_F(LogTest, StderrSink) {
  Sinks sinks;
  sinks.to_stderr = true;
  ASSERT_TRUE(Configure({"notice+"}, sinks).ok());
  ::testing::internal::CaptureStderr();
  QPIDD_LOG(kError, kNetwork, "connection refused");
  QPIDD_LOG(kInfo, kNetwork, "quiet");
  Shutdown();
  std::string text = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(std::regex_match(
      text, std::regex("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[error\\] network: "
                       "connection refused\n")))
      << text;
}

TEST_F(LogTest, NoSinkWritesNothingToStderr) {
  ASSERT_TRUE(Configure({"trace+"}, Sinks{}).ok());
  ::testing::internal::CaptureStderr();
  Write(Level::kCritical, Category::kBroker, "nowhere");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST_F(LogTest, UnopenableFileIsAnErrorNamingItAndChangesNothing) {
  ASSERT_TRUE(Configure({"debug+:ha"}, Sinks{}).ok());
  Sinks sinks;
  sinks.file = dir_ + "/missing-dir/qpidd.log";
  Status status = Configure({"trace+"}, sinks);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find(sinks.file), std::string::npos) << status.message();
  EXPECT_FALSE(Enabled(Level::kTrace, Category::kBroker));
}

TEST_F(LogTest, DisabledLogDoesNotEvaluateItsExpression) {
  ASSERT_TRUE(Configure({"error+"}, Sinks{}).ok());
  int evaluated = 0;
  auto count = [&] { return ++evaluated; };
  QPIDD_LOG(kDebug, kBroker, "value " << count());
  EXPECT_EQ(evaluated, 0);
  QPIDD_LOG(kError, kBroker, "value " << count());
  EXPECT_EQ(evaluated, 1);
}

TEST_F(LogTest, ReconfigureMovesToTheNewFile) {
  Sinks first;
  first.file = dir_ + "/first.log";
  ASSERT_TRUE(Configure({}, first).ok());
  Write(Level::kNotice, Category::kBroker, "one");
  Sinks second;
  second.file = dir_ + "/second.log";
  ASSERT_TRUE(Configure({}, second).ok());
  Write(Level::kNotice, Category::kBroker, "two");
  Shutdown();
  EXPECT_NE(ReadAll(first.file).find("one"), std::string::npos);
  EXPECT_EQ(ReadAll(first.file).find("two"), std::string::npos);
  EXPECT_NE(ReadAll(second.file).find("two"), std::string::npos);
}

TEST_F(LogTest, ShutdownTurnsEverythingOff) {
  ASSERT_TRUE(Configure({"trace+"}, Sinks{}).ok());
  Shutdown();
  EXPECT_FALSE(Enabled(Level::kCritical, Category::kBroker));
}

TEST_F(LogTest, ConcurrentWritersAndReconfiguration) {
  Sinks sinks;
  sinks.file = dir_ + "/qpidd.log";
  ASSERT_TRUE(Configure({"info+"}, sinks).ok());
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; !stop.load(); ++i) QPIDD_LOG(kNotice, kBroker, "thread " << t << " " << i);
    });
  }
  for (int round = 0; round < 20; ++round) {
    ASSERT_TRUE(Configure({round % 2 ? "notice+" : "error+"}, sinks).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  stop = true;
  for (std::thread& writer : writers) writer.join();
  Shutdown();
  std::string text = ReadAll(sinks.file);
  std::istringstream lines(text);
  std::string line;
  int count = 0;
  std::regex expected("\\S+ \\S+ \\[notice\\] broker: thread \\d \\d+");
  while (std::getline(lines, line)) {
    ++count;
    ASSERT_TRUE(std::regex_match(line, expected)) << line;
  }
  EXPECT_GT(count, 0);
}

}  // namespace
}  // namespace qpidd::log
