#include "ha/ha_options.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace qpidd::ha {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

// The options through the broker's parser, as qpidd reads them.
class HaOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/qpidd-ha-options-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    parser_.SetDefaultConfigFile(dir_ + "/absent.conf");  // never the host's qpidd.conf
    parser_.AddGroup(ha_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<ParsedOptions> Run(std::vector<std::string> args) {
    args.insert(args.begin(), "qpidd");
    std::vector<const char*> argv;
    for (const std::string& arg : args) argv.push_back(arg.c_str());
    return parser_.Parse(static_cast<int>(argv.size()), argv.data());
  }

  HaSettings Parse(std::vector<std::string> args) {
    Result<ParsedOptions> result = Run(args);
    EXPECT_TRUE(result.ok()) << result.status().message();
    return ha_.settings();
  }

  // A cluster broker's arguments plus `args`, so that one option at a time can be checked.
  HaSettings ParseCluster(std::vector<std::string> args) {
    args.insert(args.begin(), {"--ha-cluster", "yes", "--ha-brokers-url", "node1,node2"});
    return Parse(args);
  }

  std::string Error(std::vector<std::string> args) {
    Result<ParsedOptions> result = Run(args);
    EXPECT_FALSE(result.ok());
    return result.ok() ? std::string() : result.status().message();
  }

  std::string ClusterError(std::vector<std::string> args) {
    args.insert(args.begin(), {"--ha-cluster", "yes", "--ha-brokers-url", "node1,node2"});
    return Error(args);
  }

  std::string WriteConfig(const std::string& text) {
    std::string path = dir_ + "/qpidd.conf";
    std::ofstream(path) << text;
    return path;
  }

  std::string dir_;
  HaOptions ha_;
  BrokerOptionsParser parser_;
};

TEST_F(HaOptionsTest, Defaults) {
  HaSettings s = Parse({});
  EXPECT_FALSE(s.cluster);
  EXPECT_TRUE(s.brokers_url.empty());
  EXPECT_TRUE(s.brokers.empty());
  EXPECT_TRUE(s.public_url.empty());
  EXPECT_TRUE(s.public_brokers.empty());
  EXPECT_EQ(s.replicate, broker::ReplicationLevel::kNone);
  EXPECT_TRUE(s.username.empty());
  EXPECT_TRUE(s.password.empty());
  EXPECT_TRUE(s.mechanism.empty());
  EXPECT_EQ(s.flow_messages, 1000u);
  EXPECT_EQ(s.flow_bytes, 0u);
  EXPECT_EQ(s.backup_timeout, seconds(10));
  EXPECT_EQ(s.link_maintenance_interval, seconds(2));
  EXPECT_EQ(s.link_heartbeat_interval, seconds(120));
  EXPECT_TRUE(s.given.empty());
}

TEST_F(HaOptionsTest, EveryOptionOnTheCommandLine) {
  HaSettings s = Parse({"--ha-cluster", "yes", "--ha-brokers-url", "amqp:tcp:node1:5673,node2",
                        "--ha-public-url", "vip:5672", "--ha-replicate", "all", "--ha-username",
                        "ha", "--ha-password", "secret", "--ha-mechanism", "plain",
                        "--ha-backup-timeout", "0.5", "--ha-flow-messages", "0", "--ha-flow-bytes",
                        "1048576", "--link-maintenance-interval", "100ms",
                        "--link-heartbeat-interval", "5"});
  EXPECT_TRUE(s.cluster);
  EXPECT_EQ(s.brokers_url, "amqp:tcp:node1:5673,node2");
  ASSERT_EQ(s.brokers.size(), 2u);
  EXPECT_EQ(s.brokers[0].HostPort(), "node1:5673");
  EXPECT_EQ(s.brokers[1].HostPort(), "node2:5672");
  EXPECT_EQ(s.public_url, "vip:5672");
  ASSERT_EQ(s.public_brokers.size(), 1u);
  EXPECT_EQ(s.public_brokers[0].host, "vip");
  EXPECT_EQ(s.replicate, broker::ReplicationLevel::kAll);
  EXPECT_EQ(s.username, "ha");
  EXPECT_EQ(s.password, "secret");
  EXPECT_EQ(s.mechanism, "PLAIN");
  EXPECT_EQ(s.backup_timeout, milliseconds(500));
  EXPECT_EQ(s.flow_messages, 0u);
  EXPECT_EQ(s.flow_bytes, 1048576u);
  EXPECT_EQ(s.link_maintenance_interval, milliseconds(100));
  EXPECT_EQ(s.link_heartbeat_interval, seconds(5));
  EXPECT_EQ(s.given, (std::vector<std::string>{
                         "ha-brokers-url", "ha-public-url", "ha-replicate", "ha-username",
                         "ha-password", "ha-mechanism", "ha-backup-timeout", "ha-flow-messages",
                         "ha-flow-bytes", "link-maintenance-interval", "link-heartbeat-interval"}));
}

TEST_F(HaOptionsTest, ConfigFileAndCommandLine) {
  std::string path = WriteConfig(
      "ha-cluster = yes\nha-brokers-url = node1,node2\nha-replicate = configuration\n"
      "ha-flow-messages = 10\nlink-heartbeat-interval = 10s\n");
  HaSettings s = Parse({"--config", path, "--ha-flow-messages", "20"});
  EXPECT_TRUE(s.cluster);
  EXPECT_EQ(s.brokers.size(), 2u);
  EXPECT_EQ(s.replicate, broker::ReplicationLevel::kConfiguration);
  EXPECT_EQ(s.flow_messages, 20u);  // the command line overrides the file
  EXPECT_EQ(s.link_heartbeat_interval, seconds(10));
}

TEST_F(HaOptionsTest, ConfigFileBadValueNamesOptionAndValue) {
  std::string path = WriteConfig("ha-cluster = yes\nha-brokers-url = n1\nha-replicate = most\n");
  EXPECT_EQ(Error({"--config", path}),
            "invalid value 'most' for option --ha-replicate: expected none, configuration or all");
}

TEST_F(HaOptionsTest, Cluster) {
  EXPECT_TRUE(ParseCluster({}).cluster);
  EXPECT_FALSE(Parse({"--ha-cluster", "no"}).cluster);
  EXPECT_FALSE(Parse({"--ha-cluster", "off"}).cluster);
  EXPECT_TRUE(Parse({"--ha-cluster", "TRUE", "--ha-brokers-url", "n1"}).cluster);
  EXPECT_EQ(Error({"--ha-cluster", "maybe"}),
            "invalid value 'maybe' for option --ha-cluster: expected yes or no");
}

TEST_F(HaOptionsTest, ClusterNeedsBrokersUrl) {
  const std::string expected =
      "--ha-cluster yes needs --ha-brokers-url: the URL of every broker in the cluster";
  EXPECT_EQ(Error({"--ha-cluster", "yes"}), expected);
  EXPECT_EQ(Error({"--ha-cluster", "yes", "--ha-brokers-url", ""}), expected);
  EXPECT_EQ(Error({"--ha-cluster", "yes", "--ha-brokers-url", "none"}), expected);
}

TEST_F(HaOptionsTest, ClusterNeedsManagement) {
  EXPECT_EQ(ClusterError({"--mgmt-enable", "no"}), "--ha-cluster yes needs --mgmt-enable yes");
  EXPECT_TRUE(ParseCluster({"--mgmt-enable", "yes"}).cluster);
}

TEST_F(HaOptionsTest, BrokersUrl) {
  EXPECT_EQ(ParseCluster({}).brokers_url, "node1,node2");
  HaSettings s = Parse({"--ha-cluster", "yes", "--ha-brokers-url", "amqp:guest/pw@n1:1,[::1]:2"});
  ASSERT_EQ(s.brokers.size(), 2u);
  EXPECT_EQ(s.brokers[0].user, "guest");
  EXPECT_EQ(s.brokers[1].HostPort(), "[::1]:2");
  EXPECT_EQ(Error({"--ha-cluster", "yes", "--ha-brokers-url", "node1:abc"}).rfind(
                "invalid value 'node1:abc' for option --ha-brokers-url: ", 0),
            0u);
  EXPECT_NE(Error({"--ha-cluster", "yes", "--ha-brokers-url", "n1,,n2"}).find("--ha-brokers-url"),
            std::string::npos);
}

TEST_F(HaOptionsTest, PublicUrl) {
  EXPECT_EQ(ParseCluster({"--ha-public-url", "amqp:vip"}).public_brokers.size(), 1u);
  EXPECT_TRUE(ParseCluster({"--ha-public-url", "none"}).public_brokers.empty());
  EXPECT_EQ(ClusterError({"--ha-public-url", "vip:99999"})
                .rfind("invalid value 'vip:99999' for option --ha-public-url: ", 0),
            0u);
}

TEST_F(HaOptionsTest, Aliases) {
  HaSettings s = Parse({"--ha-cluster", "yes", "--ha-brokers", "n1,n2,n3"});
  EXPECT_EQ(s.brokers.size(), 3u);
  EXPECT_EQ(s.brokers_url, "n1,n2,n3");
  EXPECT_EQ(s.given, std::vector<std::string>{"ha-brokers"});
  s = ParseCluster({"--ha-public-brokers", "vip1,vip2"});
  EXPECT_EQ(s.public_url, "vip1,vip2");
  EXPECT_EQ(s.public_brokers.size(), 2u);

  std::string path = WriteConfig("ha-cluster = yes\nha-brokers = a,b\nha-public-brokers = v\n");
  s = Parse({"--config", path});
  EXPECT_EQ(s.brokers_url, "a,b");
  EXPECT_EQ(s.public_url, "v");

  // An alias's bad value is named as written.
  EXPECT_EQ(Error({"--ha-cluster", "yes", "--ha-brokers", "n1:x"})
                .rfind("invalid value 'n1:x' for option --ha-brokers: ", 0),
            0u);
}

TEST_F(HaOptionsTest, AliasAndNameTogetherIsAnError) {
  const std::string brokers =
      "options --ha-brokers and --ha-brokers-url both given (on the command line or in the "
      "config file): --ha-brokers is another name for --ha-brokers-url; give only one";
  EXPECT_EQ(Error({"--ha-cluster", "yes", "--ha-brokers", "a", "--ha-brokers-url", "b"}), brokers);
  EXPECT_EQ(Error({"--ha-cluster", "yes", "--ha-brokers-url", "a", "--ha-brokers", "a"}), brokers);
  std::string path = WriteConfig("ha-cluster = yes\nha-brokers = a\n");
  EXPECT_EQ(Error({"--config", path, "--ha-brokers-url", "b"}), brokers);

  std::string error = ClusterError({"--ha-public-brokers", "a", "--ha-public-url", "b"});
  EXPECT_NE(error.find("--ha-public-brokers and --ha-public-url both given"), std::string::npos);
}

TEST_F(HaOptionsTest, Replicate) {
  EXPECT_EQ(ParseCluster({"--ha-replicate", "none"}).replicate, broker::ReplicationLevel::kNone);
  EXPECT_EQ(ParseCluster({"--ha-replicate", "configuration"}).replicate,
            broker::ReplicationLevel::kConfiguration);
  EXPECT_EQ(ParseCluster({"--ha-replicate", "all"}).replicate, broker::ReplicationLevel::kAll);
  for (const char* bad : {"", "All", "some", "unset"}) {
    EXPECT_EQ(ClusterError({"--ha-replicate", bad}),
              "invalid value '" + std::string(bad) +
                  "' for option --ha-replicate: expected none, configuration or all");
  }
}

TEST_F(HaOptionsTest, Credentials) {
  HaSettings s = ParseCluster({"--ha-username", "ha@QPID", "--ha-password", "p w"});
  EXPECT_EQ(s.username, "ha@QPID");
  EXPECT_EQ(s.password, "p w");
  EXPECT_EQ(ParseCluster({"--ha-username", "ha"}).username, "ha");
  EXPECT_EQ(ClusterError({"--ha-password", "secret"}), "option --ha-password needs --ha-username");
}

TEST_F(HaOptionsTest, Mechanism) {
  EXPECT_EQ(ParseCluster({"--ha-mechanism", "ANONYMOUS"}).mechanism, "ANONYMOUS");
  EXPECT_EQ(ParseCluster({"--ha-mechanism", "scram-sha-256"}).mechanism, "SCRAM-SHA-256");
  EXPECT_EQ(ParseCluster({"--ha-mechanism", "GSS_API"}).mechanism, "GSS_API");
  EXPECT_EQ(ParseCluster({"--ha-mechanism", ""}).mechanism, "");
  EXPECT_EQ(ClusterError({"--ha-mechanism", "PLAIN ANONYMOUS"}),
            "invalid value 'PLAIN ANONYMOUS' for option --ha-mechanism: expected a SASL "
            "mechanism name such as PLAIN or ANONYMOUS");
  EXPECT_EQ(ClusterError({"--ha-mechanism", "ABCDEFGHIJKLMNOPQRSTU"}),
            "invalid value 'ABCDEFGHIJKLMNOPQRSTU' for option --ha-mechanism: a SASL mechanism "
            "name has at most 20 characters");
}

TEST_F(HaOptionsTest, FlowControl) {
  EXPECT_EQ(ParseCluster({"--ha-flow-messages", "4294967295"}).flow_messages, 4294967295u);
  EXPECT_EQ(ParseCluster({"--ha-flow-bytes", "18446744073709551615"}).flow_bytes,
            18446744073709551615u);
  EXPECT_EQ(ClusterError({"--ha-flow-messages", "4294967296"}),
            "invalid value '4294967296' for option --ha-flow-messages: expected a number from 0 "
            "to 4294967295");
  EXPECT_EQ(ClusterError({"--ha-flow-messages", "-1"}),
            "invalid value '-1' for option --ha-flow-messages: expected a number from 0 to "
            "4294967295");
  EXPECT_EQ(ClusterError({"--ha-flow-bytes", "1k"}),
            "invalid value '1k' for option --ha-flow-bytes: expected a number from 0 to "
            "18446744073709551615");
}

TEST_F(HaOptionsTest, Durations) {
  EXPECT_EQ(ParseCluster({"--ha-backup-timeout", "0"}).backup_timeout, nanoseconds(0));
  EXPECT_EQ(ParseCluster({"--ha-backup-timeout", "10ns"}).backup_timeout, nanoseconds(10));
  EXPECT_EQ(ParseCluster({"--ha-backup-timeout", "10us"}).backup_timeout, nanoseconds(10000));
  EXPECT_EQ(ParseCluster({"--ha-backup-timeout", "10s"}).backup_timeout, seconds(10));
  EXPECT_EQ(ParseCluster({"--link-maintenance-interval", "0.1"}).link_maintenance_interval,
            milliseconds(100));
  EXPECT_EQ(ParseCluster({"--link-maintenance-interval", "1ms"}).link_maintenance_interval,
            milliseconds(1));
  EXPECT_EQ(ParseCluster({"--link-heartbeat-interval", "10ms"}).link_heartbeat_interval,
            milliseconds(10));
  EXPECT_EQ(ParseCluster({"--link-heartbeat-interval", "2147483"}).link_heartbeat_interval,
            seconds(2147483));

  EXPECT_EQ(ClusterError({"--ha-backup-timeout", "soon"}),
            "invalid value 'soon' for option --ha-backup-timeout: expected a number, optionally "
            "followed by s, ms, us or ns");
  EXPECT_EQ(ClusterError({"--ha-backup-timeout", "-1"}),
            "invalid value '-1' for option --ha-backup-timeout: negative");
  EXPECT_EQ(ClusterError({"--ha-backup-timeout", "10m"}).rfind(
                "invalid value '10m' for option --ha-backup-timeout: ", 0),
            0u);
  EXPECT_EQ(ClusterError({"--link-maintenance-interval", "0"}),
            "invalid value '0' for option --link-maintenance-interval: expected at least 1ms");
  EXPECT_EQ(ClusterError({"--link-maintenance-interval", "999us"}),
            "invalid value '999us' for option --link-maintenance-interval: expected at least 1ms");
  EXPECT_EQ(ClusterError({"--link-heartbeat-interval", "0"}),
            "invalid value '0' for option --link-heartbeat-interval: expected from 1ms to "
            "2147483s");
  EXPECT_EQ(ClusterError({"--link-heartbeat-interval", "2147484"}),
            "invalid value '2147484' for option --link-heartbeat-interval: expected from 1ms to "
            "2147483s");
  EXPECT_EQ(ClusterError({"--link-heartbeat-interval", "99999999999999999999"}),
            "invalid value '99999999999999999999' for option --link-heartbeat-interval: too "
            "large");
}

// With --ha-cluster no every other HA option would be ignored: each one is refused, named.
// The options of replication links are taken with --ha-queue-replication yes too.
TEST_F(HaOptionsTest, OptionsNeedCluster) {
  const std::vector<std::pair<std::string, std::string>> cluster_only = {
      {"ha-brokers-url", "n1"},    {"ha-brokers", "n1"},     {"ha-public-url", "vip"},
      {"ha-public-brokers", "vip"}, {"ha-replicate", "none"}, {"ha-backup-timeout", "10"},
  };
  for (const auto& [name, value] : cluster_only) {
    const std::string expected =
        "option --" + name + " needs --ha-cluster yes: with --ha-cluster no it would be ignored";
    EXPECT_EQ(Error({"--" + name, value}), expected);
    EXPECT_EQ(Error({"--ha-cluster", "no", "--" + name, value}), expected);
    EXPECT_EQ(Error({"--config", WriteConfig(name + " = " + value + "\n")}), expected);
    EXPECT_EQ(Error({"--ha-queue-replication", "yes", "--" + name, value}), expected);
  }
  const std::vector<std::pair<std::string, std::string>> link_options = {
      {"ha-username", "u"},         {"ha-password", "p"},
      {"ha-mechanism", "PLAIN"},    {"ha-flow-messages", "1000"},
      {"ha-flow-bytes", "0"},       {"link-maintenance-interval", "2"},
      {"link-heartbeat-interval", "120"},
  };
  for (const auto& [name, value] : link_options) {
    const std::string expected = "option --" + name +
                                 " needs --ha-cluster yes or --ha-queue-replication yes: "
                                 "without either it would be ignored";
    EXPECT_EQ(Error({"--" + name, value}), expected);
    EXPECT_EQ(Error({"--ha-cluster", "no", "--" + name, value}), expected);
    EXPECT_EQ(Error({"--config", WriteConfig(name + " = " + value + "\n")}), expected);
  }
  // A bad value is reported as such first.
  EXPECT_EQ(Error({"--ha-flow-bytes", "x"}),
            "invalid value 'x' for option --ha-flow-bytes: expected a number from 0 to "
            "18446744073709551615");
  EXPECT_FALSE(Parse({"--ha-cluster", "no"}).cluster);
}

TEST_F(HaOptionsTest, QueueReplication) {
  EXPECT_FALSE(Parse({}).queue_replication);
  EXPECT_TRUE(Parse({"--ha-queue-replication", "yes"}).queue_replication);
  EXPECT_FALSE(Parse({"--ha-queue-replication", "no"}).queue_replication);
  EXPECT_TRUE(Parse({"--config", WriteConfig("ha-queue-replication = yes\n")}).queue_replication);
  // A cluster member serves and keeps replicas whatever the option says.
  EXPECT_TRUE(ParseCluster({}).queue_replication);
  EXPECT_TRUE(ParseCluster({"--ha-queue-replication", "no"}).queue_replication);
  // The options of its links are taken with it, without a cluster.
  HaSettings s = Parse({"--ha-queue-replication", "yes", "--link-maintenance-interval", "0.1",
                        "--link-heartbeat-interval", "1", "--ha-flow-messages", "10"});
  EXPECT_FALSE(s.cluster);
  EXPECT_EQ(s.link_maintenance_interval, milliseconds(100));
  EXPECT_EQ(s.link_heartbeat_interval, seconds(1));
  EXPECT_EQ(s.flow_messages, 10u);
  EXPECT_EQ(s.given, (std::vector<std::string>{"ha-flow-messages", "link-maintenance-interval",
                                               "link-heartbeat-interval"}));
  EXPECT_EQ(Error({"--ha-queue-replication", "maybe"}),
            "invalid value 'maybe' for option --ha-queue-replication: expected yes or no");
}

TEST_F(HaOptionsTest, EachParseStartsFromTheDefaults) {
  EXPECT_EQ(ParseCluster({"--ha-flow-messages", "5"}).flow_messages, 5u);
  HaSettings s = Parse({});
  EXPECT_FALSE(s.cluster);
  EXPECT_EQ(s.flow_messages, 1000u);
  EXPECT_TRUE(s.given.empty());
}

TEST_F(HaOptionsTest, Help) {
  std::string help = parser_.Help();
  EXPECT_NE(help.find("HA options"), std::string::npos);
  for (const char* option :
       {"--ha-cluster yes|no (=no)", "--ha-brokers-url URL", "--ha-brokers URL",
        "--ha-public-url URL", "--ha-public-brokers URL", "--ha-replicate LEVEL (=none)",
        "--ha-username USER", "--ha-password PASSWORD", "--ha-mechanism MECHANISM",
        "--ha-backup-timeout SECONDS (=10)", "--ha-flow-messages N (=1000)",
        "--ha-flow-bytes BYTES (=0)", "--link-maintenance-interval SECONDS (=2)",
        "--link-heartbeat-interval SECONDS (=120)", "--ha-queue-replication yes|no (=no)"}) {
    EXPECT_NE(help.find(option), std::string::npos) << option;
  }
}

TEST_F(HaOptionsTest, CredentialsBetweenBrokersAreNotAvailableYet) {
  HaSettings s = ParseCluster({});
  EXPECT_TRUE(CheckHaSupported(s).ok());
  s.mechanism = "ANONYMOUS";
  EXPECT_TRUE(CheckHaSupported(s).ok());
  s.mechanism = "PLAIN";
  Status status = CheckHaSupported(s);
  EXPECT_EQ(status.code(), StatusCode::kNotImplemented);
  EXPECT_EQ(status.message(),
            "--ha-mechanism PLAIN is not available yet: this broker has no authentication yet: "
            "brokers accept only ANONYMOUS, which the links between brokers use");
  s.mechanism.clear();
  s.username = "ha";
  EXPECT_EQ(CheckHaSupported(s).code(), StatusCode::kNotImplemented);
}

}  // namespace
}  // namespace qpidd::ha
