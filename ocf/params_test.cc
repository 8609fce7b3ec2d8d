#include "ocf/params.h"

#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

namespace qpidd::ocf {
namespace {

Lookup MapLookup(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(OcfParamsTest, DefaultsWhenNothingIsSet) {
  const Params params = ReadParams(MapLookup({}));
  EXPECT_EQ(params.binary, "/usr/sbin/qpidd");
  EXPECT_EQ(params.config, "/etc/qpid/qpidd.conf");
  EXPECT_EQ(params.data_dir, "/var/lib/qpidd");
  EXPECT_EQ(params.PortNumber(), 5672);
  EXPECT_EQ(params.AgentHost(), "127.0.0.1");
  EXPECT_FALSE(params.brokers_url_given);
}

TEST(OcfParamsTest, ReadsEveryParameter) {
  const Params params = ReadParams(MapLookup({{"OCF_RESKEY_port", "5673"},
                                              {"OCF_RESKEY_interface", "10.0.0.1"},
                                              {"OCF_RESKEY_brokers_url", " node1,node2 "},
                                              {"OCF_RESKEY_extra_options", "--ha-replicate all"}}));
  EXPECT_EQ(params.PortNumber(), 5673);
  EXPECT_EQ(params.AgentHost(), "10.0.0.1");
  EXPECT_EQ(params.brokers_url, "node1,node2");
  EXPECT_TRUE(params.brokers_url_given);
  EXPECT_EQ(params.extra_options, "--ha-replicate all");
}

TEST(OcfParamsTest, InherentlyBadValuesAreNotConfigured) {
  for (const char* port : {"0", "70000", "", "12x", "-1"}) {
    Params params;
    params.port = port;
    const Outcome verdict = ValidateParams(params, 0);
    EXPECT_EQ(verdict.code, ExitCode::kErrConfigured) << port;
    EXPECT_NE(verdict.reason.find("port"), std::string::npos) << verdict.reason;
  }
  Params url;
  url.brokers_url = "node1:notaport";
  url.brokers_url_given = true;
  EXPECT_EQ(ValidateParams(url, 0).code, ExitCode::kErrConfigured);
  Params quote;
  quote.extra_options = "--log-enable 'debug+";
  EXPECT_EQ(ValidateParams(quote, 0).code, ExitCode::kErrConfigured);
  const Params two_primaries =
      ReadParams(MapLookup({{"OCF_RESKEY_CRM_meta_promoted_max", "2"}}));
  const Outcome promoted = ValidateParams(two_primaries, 0);
  EXPECT_EQ(promoted.code, ExitCode::kErrConfigured);
  EXPECT_NE(promoted.reason.find("promoted-max is 2"), std::string::npos) << promoted.reason;
  EXPECT_TRUE(
      ValidateParams(ReadParams(MapLookup({{"OCF_RESKEY_CRM_meta_master_max", "1"}})), 0).ok());
  Params relative;
  relative.data_dir = "var/lib/qpidd";
  EXPECT_EQ(ValidateParams(relative, 0).code, ExitCode::kErrConfigured);
}

TEST(OcfParamsTest, LevelTenLooksAtThisHost) {
  Params missing_binary;
  missing_binary.binary = "/nonexistent/qpidd";
  EXPECT_EQ(ValidateParams(missing_binary, 0).code, ExitCode::kSuccess);
  EXPECT_EQ(ValidateParams(missing_binary, 10).code, ExitCode::kErrInstalled);

  const std::string plain_file = ::testing::TempDir() + "ocf_params_test_not_executable";
  std::ofstream(plain_file) << "not a program\n";
  std::filesystem::permissions(plain_file, std::filesystem::perms::owner_read |
                                               std::filesystem::perms::owner_write);
  Params not_executable;
  not_executable.binary = plain_file;
  EXPECT_EQ(ValidateParams(not_executable, 10).code, ExitCode::kErrInstalled);

  Params missing_config;
  missing_config.binary = "/bin/sh";
  missing_config.config = "/nonexistent/qpidd.conf";
  const Outcome verdict = ValidateParams(missing_config, 10);
  EXPECT_EQ(verdict.code, ExitCode::kErrArgs);
  EXPECT_NE(verdict.reason.find("/nonexistent/qpidd.conf"), std::string::npos);
}

TEST(OcfParamsTest, BrokersUrlFromTheConfigFile) {
  EXPECT_EQ(BrokersUrlFromConfigText("# ha-brokers-url=commented\nport=5672\n"
                                     "ha-brokers-url = node1, node2\n"),
            "node1, node2");
  EXPECT_EQ(BrokersUrlFromConfigText("ha-brokers=amqp:a,b\n"), "amqp:a,b");
  EXPECT_EQ(BrokersUrlFromConfigText("ha-public-url=vip\n"), "");
}

TEST(OcfParamsTest, SplitsExtraOptionsWithQuotes) {
  auto words = SplitOptions("  --a 1 --b 'two words' --c=\"x y\"  ");
  ASSERT_TRUE(words.ok());
  EXPECT_EQ(words.value(),
            (std::vector<std::string>{"--a", "1", "--b", "two words", "--c=x y"}));
  EXPECT_TRUE(SplitOptions("").value().empty());
  EXPECT_FALSE(SplitOptions("--a \"open").ok());
}

}  // namespace
}  // namespace qpidd::ocf
