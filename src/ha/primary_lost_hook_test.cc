#include "ha/primary_lost_hook.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace qpidd::ha {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string TempPath(const char* name) {
  return "/tmp/primary-lost-hook-" + std::to_string(getpid()) + "-" + name;
}

TEST(PrimaryLostHook, RunsTheCommandWithItsEnvironmentAndWaitsForItWhenDestroyed) {
  const std::string out = TempPath("env");
  std::remove(out.c_str());
  {
    PrimaryLostHook hook("echo \"$QPIDD_HA_PRIMARY_ADDRESS $QPIDD_HA_PRIMARY_ID\" > " + out);
    EXPECT_FALSE(hook.empty());
    hook.Run({{"QPIDD_HA_PRIMARY_ADDRESS", "10.0.0.1:5672"}, {"QPIDD_HA_PRIMARY_ID", "b1"}});
  }
  EXPECT_EQ(ReadFile(out), "10.0.0.1:5672 b1\n");
  std::remove(out.c_str());
}

TEST(PrimaryLostHook, AnEmptyCommandRunsNothing) {
  PrimaryLostHook hook("");
  EXPECT_TRUE(hook.empty());
  hook.Run({});
}

TEST(PrimaryLostHook, ACommandPastItsDeadlineIsKilled) {
  const auto start = std::chrono::steady_clock::now();
  {
    PrimaryLostHook hook("sleep 30", std::chrono::milliseconds(200));
    hook.Run({});
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

}  // namespace
}  // namespace qpidd::ha
