#include "ocf/broker_process.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace qpidd::ocf {
namespace {

bool HasPair(const std::vector<std::string>& argv, const std::string& option,
             const std::string& value) {
  for (size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] == option && argv[i + 1] == value) return true;
  }
  return false;
}

TEST(OcfBrokerProcessTest, CommandLineOfAClusterMember) {
  Params params;
  params.port = "5673";
  params.brokers_url = "node1,node2";
  params.brokers_url_given = true;
  const auto argv = BrokerCommand(params, "/usr/lib/ocf/resource.d/qpid/qpidd", {"--x", "y"});
  EXPECT_EQ(argv.front(), "/usr/sbin/qpidd");
  EXPECT_TRUE(HasPair(argv, "--config", "/etc/qpid/qpidd.conf"));
  EXPECT_TRUE(HasPair(argv, "--data-dir", "/var/lib/qpidd"));
  EXPECT_TRUE(HasPair(argv, "--port", "5673"));
  EXPECT_TRUE(HasPair(argv, "--ha-cluster", "yes"));
  EXPECT_TRUE(HasPair(argv, "--ha-brokers-url", "node1,node2"));
  EXPECT_TRUE(HasPair(argv, "--ha-primary-lost-command",
                      "'/usr/lib/ocf/resource.d/qpid/qpidd' primary-lost"));
  EXPECT_TRUE(HasPair(argv, "--log-to-file", "/var/log/qpidd-ha/qpidd.log"));
  EXPECT_EQ(std::find(argv.begin(), argv.end(), "--interface"), argv.end());
  // Extra options come last, so they win.
  EXPECT_EQ(argv[argv.size() - 2], "--x");
  EXPECT_EQ(argv.back(), "y");
}

TEST(OcfBrokerProcessTest, BrokersUrlAndInterfaceOnlyWhenGiven) {
  Params params;
  params.interface = "10.0.0.1";
  params.log_file = "";
  const auto argv = BrokerCommand(params, "/a'b", {});
  EXPECT_TRUE(HasPair(argv, "--interface", "10.0.0.1"));
  EXPECT_EQ(std::find(argv.begin(), argv.end(), "--ha-brokers-url"), argv.end());
  EXPECT_EQ(std::find(argv.begin(), argv.end(), "--log-to-file"), argv.end());
  EXPECT_TRUE(HasPair(argv, "--ha-primary-lost-command", "'/a'\\''b' primary-lost"));
}

TEST(OcfBrokerProcessTest, RecognisesItsBrokerByDataDirAndPort) {
  Params params;
  params.data_dir = "/d";
  params.port = "5673";
  EXPECT_TRUE(IsOurBroker({"qpidd", "--data-dir", "/d", "--port", "5673"}, params));
  EXPECT_FALSE(IsOurBroker({"qpidd", "--data-dir", "/d", "--port", "5672"}, params));
  EXPECT_FALSE(IsOurBroker({"qpidd", "--data-dir", "/d2", "--port", "5673"}, params));
  EXPECT_FALSE(IsOurBroker({"sleep", "/d", "5673"}, params));
}

}  // namespace
}  // namespace qpidd::ocf
