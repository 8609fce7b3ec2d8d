#include "qpidd/broker_options.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>

namespace qpidd {
namespace {

namespace po = boost::program_options;

class BrokerOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/qpidd-options-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    // Never read the host's /etc/qpid/qpidd.conf.
    parser_.SetDefaultConfigFile(dir_ + "/absent.conf");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<ParsedOptions> Run(std::vector<std::string> args) {
    args.insert(args.begin(), "qpidd");
    std::vector<const char*> argv;
    for (const std::string& arg : args) argv.push_back(arg.c_str());
    return parser_.Parse(static_cast<int>(argv.size()), argv.data());
  }

  BrokerOptions Parse(std::vector<std::string> args) {
    Result<ParsedOptions> result = Run(args);
    EXPECT_TRUE(result.ok()) << result.status().message();
    return result.ok() ? result.value().options : BrokerOptions();
  }

  std::string Error(std::vector<std::string> args) {
    Result<ParsedOptions> result = Run(args);
    EXPECT_FALSE(result.ok());
    return result.ok() ? std::string() : result.status().message();
  }

  std::string WriteConfig(const std::string& text) {
    std::string path = dir_ + "/qpidd.conf";
    std::ofstream(path) << text;
    return path;
  }

  std::string dir_;
  BrokerOptionsParser parser_;
};

TEST_F(BrokerOptionsTest, Defaults) {
  BrokerOptions options = Parse({});
  EXPECT_EQ(options.port, 5672);
  EXPECT_TRUE(options.interfaces.empty());
  EXPECT_EQ(options.data_dir, "/var/lib/qpidd");
  EXPECT_EQ(options.pid_dir, "/var/lib/qpidd");
  EXPECT_EQ(options.worker_threads, 0u);
  EXPECT_TRUE(options.log_enable.empty());
  EXPECT_TRUE(options.log_to_stderr);
  EXPECT_FALSE(options.log_to_stderr_given);
  EXPECT_EQ(options.log_to_file, "");
  EXPECT_FALSE(options.log_to_syslog);
  EXPECT_FALSE(options.daemon);
  EXPECT_FALSE(options.quit);
  EXPECT_FALSE(options.check);
  EXPECT_EQ(options.max_connections, 500u);
  EXPECT_EQ(options.default_queue_limit, 104857600u);
  EXPECT_FALSE(options.auth);
  EXPECT_TRUE(options.mgmt_enable);
  EXPECT_EQ(options.idle_timeout_seconds, 0u);
  EXPECT_FALSE(options.help);
  EXPECT_FALSE(options.version);
  EXPECT_FALSE(options.config_file_given);
}

TEST(BrokerOptionsDefaultTest, DefaultConfigFileIsEtcQpidd) {
  BrokerOptions options;
  EXPECT_EQ(options.config_file, "/etc/qpid/qpidd.conf");
  EXPECT_NE(BrokerOptionsHelp().find("/etc/qpid/qpidd.conf"), std::string::npos);
}

TEST_F(BrokerOptionsTest, EveryOptionOnTheCommandLine) {
  BrokerOptions options = Parse({"--port",
                                 "5673",
                                 "--interface",
                                 "127.0.0.1",
                                 "--interface=::1",
                                 "--data-dir",
                                 "/srv/q",
                                 "--worker-threads",
                                 "4",
                                 "--log-enable",
                                 "debug+:ha",
                                 "--log-enable",
                                 "notice+",
                                 "--log-to-stderr",
                                 "no",
                                 "--log-to-file",
                                 "/var/log/q.log",
                                 "--log-to-syslog",
                                 "yes",
                                 "--daemon",
                                 "--pid-dir",
                                 "/run/q",
                                 "--max-connections",
                                 "20",
                                 "--default-queue-limit",
                                 "0",
                                 "--auth",
                                 "yes",
                                 "--mgmt-enable",
                                 "no",
                                 "--idle-timeout",
                                 "30"});
  EXPECT_EQ(options.port, 5673);
  EXPECT_EQ(options.interfaces, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(options.data_dir, "/srv/q");
  EXPECT_EQ(options.worker_threads, 4u);
  EXPECT_EQ(options.log_enable, (std::vector<std::string>{"debug+:ha", "notice+"}));
  EXPECT_FALSE(options.log_to_stderr);
  EXPECT_TRUE(options.log_to_stderr_given);
  EXPECT_EQ(options.log_to_file, "/var/log/q.log");
  EXPECT_TRUE(options.log_to_syslog);
  EXPECT_TRUE(options.daemon);
  EXPECT_EQ(options.pid_dir, "/run/q");
  EXPECT_EQ(options.max_connections, 20u);
  EXPECT_EQ(options.default_queue_limit, 0u);
  EXPECT_TRUE(options.auth);  // parsed; main refuses it
  EXPECT_FALSE(options.mgmt_enable);
  EXPECT_EQ(options.idle_timeout_seconds, 30u);
}

TEST_F(BrokerOptionsTest, ShortSwitches) {
  BrokerOptions options = Parse({"-d"});
  EXPECT_TRUE(options.daemon);
  EXPECT_TRUE(Parse({"-q"}).quit);
  EXPECT_TRUE(Parse({"-c"}).check);
  EXPECT_TRUE(Parse({"-dc"}).check);
}

TEST_F(BrokerOptionsTest, BadPortNamesOptionAndValue) {
  EXPECT_EQ(Error({"--port", "abc"}),
            "invalid value 'abc' for option --port: expected a number from 0 to 65535");
  EXPECT_EQ(Error({"--port=x"}),
            "invalid value 'x' for option --port: expected a number from 0 to 65535");
  EXPECT_NE(Error({"--port", "65536"}).find("'65536'"), std::string::npos);
  EXPECT_NE(Error({"--port=-1"}).find("'-1'"), std::string::npos);
  EXPECT_NE(Error({"--port="}).find("--port"), std::string::npos);
  EXPECT_NE(Error({"--port", ""}).find("invalid value '' for option --port"), std::string::npos);
  EXPECT_NE(Error({"--port", "99999999999999999999999"}).find("--port"), std::string::npos);
  EXPECT_NE(Error({"--port", " 5672"}).find("--port"), std::string::npos);
}

TEST_F(BrokerOptionsTest, PortZeroAsksForAFreePort) {
  EXPECT_EQ(Parse({"--port", "0"}).port, 0);
  EXPECT_EQ(Parse({"--port", "65535"}).port, 65535);
}

TEST_F(BrokerOptionsTest, BadLogRuleIsAnOptionError) {
  EXPECT_EQ(Error({"--log-enable", "notice+", "--log-enable", "bogus"}),
            "invalid value 'bogus' for option --log-enable: unknown level 'bogus' (expected "
            "trace, debug, info, notice, warning, error, critical, optionally followed by '+')");
  EXPECT_NE(Error({"--log-enable", "debug+:nowhere"}).find("unknown category 'nowhere'"),
            std::string::npos);
  std::string path = WriteConfig("\nlog-enable = info+:hq\n");
  EXPECT_NE(Error({"--config", path})
                .find(path + ":2: invalid value 'info+:hq' for option "
                             "--log-enable"),
            std::string::npos);
}

TEST_F(BrokerOptionsTest, OtherBadNumbers) {
  EXPECT_EQ(Error({"--worker-threads", "many"}),
            "invalid value 'many' for option --worker-threads: expected a number from 0 to 1024");
  EXPECT_NE(Error({"--max-connections", "0"}).find("--max-connections"), std::string::npos);
  EXPECT_NE(Error({"--default-queue-limit", "10M"}).find("'10M'"), std::string::npos);
  EXPECT_NE(Error({"--idle-timeout", "1.5"}).find("--idle-timeout"), std::string::npos);
  EXPECT_NE(Error({"--idle-timeout", "4294968"}).find("--idle-timeout"), std::string::npos);
  EXPECT_EQ(Parse({"--idle-timeout", "4294967"}).idle_timeout_seconds, 4294967u);
}

TEST_F(BrokerOptionsTest, FlowThresholdsAndPurgeInterval) {
  BrokerOptions defaults = Parse({});
  EXPECT_EQ(defaults.flow_stop_percent, 80u);
  EXPECT_EQ(defaults.flow_resume_percent, 70u);
  EXPECT_EQ(defaults.queue_purge_interval_s, 600u);
  BrokerOptions set = Parse({"--default-flow-stop-threshold", "90", "--default-flow-resume-threshold",
                             "50", "--queue-purge-interval", "5"});
  EXPECT_EQ(set.flow_stop_percent, 90u);
  EXPECT_EQ(set.flow_resume_percent, 50u);
  EXPECT_EQ(set.queue_purge_interval_s, 5u);
  EXPECT_NE(Error({"--default-flow-stop-threshold", "101"}).find("--default-flow-stop-threshold"),
            std::string::npos);
  const std::string above = Error({"--default-flow-stop-threshold", "60",
                                   "--default-flow-resume-threshold", "70"});
  EXPECT_NE(above.find("--default-flow-resume-threshold"), std::string::npos) << above;
  EXPECT_NE(above.find("'70'"), std::string::npos) << above;
  EXPECT_EQ(Parse({"--default-flow-stop-threshold", "0"}).flow_stop_percent, 0u);
}

TEST_F(BrokerOptionsTest, BooleansTakeTheClassicSpellings) {
  for (const char* yes : {"yes", "true", "1", "on", "YES"}) {
    EXPECT_TRUE(Parse({"--auth", yes}).auth) << yes;
    EXPECT_TRUE(Parse({"--log-to-syslog", yes}).log_to_syslog) << yes;
  }
  for (const char* no : {"no", "false", "0", "off", "No"}) {
    EXPECT_FALSE(Parse({"--mgmt-enable", no}).mgmt_enable) << no;
    EXPECT_FALSE(Parse({"--log-to-stderr", no}).log_to_stderr) << no;
  }
  EXPECT_EQ(Error({"--auth", "maybe"}),
            "invalid value 'maybe' for option --auth: expected yes or no");
  EXPECT_NE(Error({"--mgmt-enable="}).find("--mgmt-enable"), std::string::npos);
}

TEST_F(BrokerOptionsTest, LogToStderrDefaultsOffForADaemon) {
  EXPECT_FALSE(Parse({"--daemon"}).log_to_stderr);
  BrokerOptions options = Parse({"--daemon", "--log-to-stderr", "yes"});
  EXPECT_TRUE(options.log_to_stderr);
  EXPECT_TRUE(options.log_to_stderr_given);
}

TEST_F(BrokerOptionsTest, UnknownOptionIsNamed) {
  EXPECT_EQ(Error({"--no-such-option"}), "unknown option --no-such-option");
  EXPECT_EQ(Error({"-x"}), "unknown option -x");
  EXPECT_NE(Error({"--port", "1", "--ha-cluster", "yes"}).find("--ha-cluster"), std::string::npos);
}

TEST_F(BrokerOptionsTest, AbbreviationsAreRefused) {
  EXPECT_NE(Error({"--po", "5673"}).find("--po"), std::string::npos);
  EXPECT_NE(Error({"--data", "/x"}).find("--data"), std::string::npos);
}

TEST_F(BrokerOptionsTest, OtherCommandLineErrors) {
  EXPECT_NE(Error({"stray"}).find("unexpected argument 'stray'"), std::string::npos);
  EXPECT_NE(Error({"--port", "1", "2"}).find("unexpected argument '2'"), std::string::npos);
  EXPECT_NE(Error({"--port"}).find("--port"), std::string::npos);
  EXPECT_EQ(Error({"--port", "1", "--port", "2"}), "option --port given more than once");
  EXPECT_NE(Error({"--daemon=yes"}).find("--daemon"), std::string::npos);
  EXPECT_NE(Error({"--data-dir", ""}).find("invalid value '' for option --data-dir"),
            std::string::npos);
  EXPECT_NE(Error({"--interface", ""}).find("--interface"), std::string::npos);
}

TEST_F(BrokerOptionsTest, PidDirDefaultsToTheDataDir) {
  EXPECT_EQ(Parse({"--data-dir", "/srv/qpidd"}).pid_dir, "/srv/qpidd");
  EXPECT_EQ(Parse({"--data-dir", "/srv/qpidd", "--pid-dir", "/run"}).pid_dir, "/run");
}

TEST_F(BrokerOptionsTest, RelativePathsBecomeAbsolute) {
  std::string cwd = std::filesystem::current_path().string();
  BrokerOptions options = Parse({"--data-dir", "data", "--log-to-file", "./logs/q.log"});
  EXPECT_EQ(options.data_dir, cwd + "/data");
  EXPECT_EQ(options.pid_dir, cwd + "/data");
  EXPECT_EQ(options.log_to_file, cwd + "/logs/q.log");
}

TEST_F(BrokerOptionsTest, MissingDefaultConfigFileIsSkipped) {
  BrokerOptions options = Parse({});
  EXPECT_EQ(options.config_file, dir_ + "/absent.conf");
  EXPECT_FALSE(options.config_file_given);
}

TEST_F(BrokerOptionsTest, MissingExplicitConfigFileIsAnError) {
  EXPECT_EQ(Error({"--config", dir_ + "/nope.conf"}),
            "config file " + dir_ + "/nope.conf does not exist");
}

TEST_F(BrokerOptionsTest, DefaultConfigFileIsReadWhenPresent) {
  std::string path = WriteConfig("port=6000\n");
  parser_.SetDefaultConfigFile(path);
  BrokerOptions options = Parse({});
  EXPECT_EQ(options.port, 6000);
  EXPECT_FALSE(options.config_file_given);
}

TEST_F(BrokerOptionsTest, ConfigFileSyntax) {
  std::string path = WriteConfig(
      "# qpidd configuration\n"
      "\n"
      "port=5680\n"
      "  data-dir = /srv/broker   \n"
      "\tworker-threads\t=\t2\n"
      "log-enable=info+   # trailing comment\n"
      "log-enable = debug+:ha\n"
      "   # indented comment\n"
      "interface=10.0.0.1\n"
      "interface = 10.0.0.2\n"
      "mgmt-enable = no\n"
      "daemon = yes\n"
      "log-to-file=/var/log/qpidd.log\n");
  BrokerOptions options = Parse({"--config", path});
  EXPECT_TRUE(options.config_file_given);
  EXPECT_EQ(options.config_file, path);
  EXPECT_EQ(options.port, 5680);
  EXPECT_EQ(options.data_dir, "/srv/broker");
  EXPECT_EQ(options.worker_threads, 2u);
  EXPECT_EQ(options.log_enable, (std::vector<std::string>{"info+", "debug+:ha"}));
  EXPECT_EQ(options.interfaces, (std::vector<std::string>{"10.0.0.1", "10.0.0.2"}));
  EXPECT_FALSE(options.mgmt_enable);
  EXPECT_TRUE(options.daemon);
  EXPECT_FALSE(options.log_to_stderr);  // daemon from the file counts too
  EXPECT_EQ(options.log_to_file, "/var/log/qpidd.log");
}

TEST_F(BrokerOptionsTest, CommandLineOverridesConfigFile) {
  std::string path = WriteConfig(
      "port=5680\ninterface=10.0.0.1\ninterface=10.0.0.2\nauth=yes\ndaemon=yes\n"
      "max-connections=7\n");
  BrokerOptions options =
      Parse({"--config", path, "--port", "5690", "--interface", "127.0.0.1", "--auth", "no"});
  EXPECT_EQ(options.port, 5690);
  EXPECT_EQ(options.interfaces, std::vector<std::string>{"127.0.0.1"});
  EXPECT_FALSE(options.auth);
  EXPECT_TRUE(options.daemon);
  EXPECT_EQ(options.max_connections, 7u);
}

TEST_F(BrokerOptionsTest, BadValueOnTheCommandLineIsNotBlamedOnTheFile) {
  std::string path = WriteConfig("port=5680\n");
  EXPECT_EQ(Error({"--config", path, "--port", "x"}),
            "invalid value 'x' for option --port: expected a number from 0 to 65535");
}

TEST_F(BrokerOptionsTest, ConfigFileErrorsNameFileAndLine) {
  std::string path = WriteConfig("port=5680\n\n# comment\nno-such-option = 1\n");
  EXPECT_EQ(Error({"--config", path}), path + ":4: unknown option 'no-such-option'");

  path = WriteConfig("port=5680\njust some words\n");
  EXPECT_EQ(Error({"--config", path}), path + ":2: expected name=value, found 'just some words'");

  path = WriteConfig("= 5\n");
  EXPECT_NE(Error({"--config", path}).find(path + ":1: expected name=value"), std::string::npos);

  path = WriteConfig("# ok\nport = abc # comment\n");
  EXPECT_EQ(Error({"--config", path}),
            path + ":2: invalid value 'abc' for option --port: expected a number from 0 to 65535");

  path = WriteConfig("daemon=maybe\n");
  EXPECT_EQ(Error({"--config", path}),
            path + ":1: invalid value 'maybe' for option --daemon: expected yes or no");

  path = WriteConfig("port=1\nauth=no\nport=2\n");
  EXPECT_EQ(Error({"--config", path}),
            path + ":3: option 'port' given more than once (first on line 1)");

  path = WriteConfig("config=/etc/other.conf\n");
  EXPECT_NE(Error({"--config", path}).find(path + ":1: 'config'"), std::string::npos);

  path = WriteConfig("--port=5\n");
  EXPECT_EQ(Error({"--config", path}), path + ":1: unknown option '--port'");

  path = WriteConfig("po=5\n");  // no abbreviations in the file either
  EXPECT_EQ(Error({"--config", path}), path + ":1: unknown option 'po'");

  path = WriteConfig("d=yes\n");  // nor short names
  EXPECT_EQ(Error({"--config", path}), path + ":1: unknown option 'd'");
}

TEST_F(BrokerOptionsTest, UnreadableConfigFileIsAnError) {
  EXPECT_NE(Error({"--config", dir_}).find(dir_), std::string::npos);
}

TEST_F(BrokerOptionsTest, HelpListsEveryOptionWithItsDefault) {
  Result<ParsedOptions> result = Run({"--help"});
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result.value().options.help);
  EXPECT_EQ(result.value().text_to_print, parser_.Help());
  // Boost wraps the descriptions: compare with the whitespace runs collapsed.
  std::string help;
  for (char c : result.value().text_to_print) {
    bool space = std::isspace(static_cast<unsigned char>(c));
    if (!space || (!help.empty() && help.back() != ' ')) help += space ? ' ' : c;
  }
  for (const char* option : {"--config",
                             "--port",
                             "--interface",
                             "--data-dir",
                             "--worker-threads",
                             "--log-enable",
                             "--log-to-stderr",
                             "--log-to-file",
                             "--log-to-syslog",
                             "--daemon",
                             "--pid-dir",
                             "--quit",
                             "--check",
                             "--max-connections",
                             "--default-queue-limit",
                             "--default-flow-stop-threshold",
                             "--default-flow-resume-threshold",
                             "--queue-purge-interval",
                             "--auth",
                             "--mgmt-enable",
                             "--idle-timeout",
                             "--help",
                             "--version",
                             "-d [",
                             "-q [",
                             "-c [",
                             "-h [",
                             "-v ["}) {
    EXPECT_NE(help.find(option), std::string::npos) << option;
  }
  for (const char* default_text :
       {"(=5672)", "(=/var/lib/qpidd)", "(=0)", "(=500)", "(=104857600)", "(=no)", "(=yes)",
        "notice+", "every interface", "the data directory"}) {
    EXPECT_NE(help.find(default_text), std::string::npos) << default_text;
  }
}

TEST_F(BrokerOptionsTest, HelpAndVersionIgnoreABrokenConfigFile) {
  std::string path = WriteConfig("garbage\n");
  EXPECT_TRUE(Run({"--config", path, "-h"}).ok());
  Result<ParsedOptions> result = Run({"--config", path, "--version"});
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result.value().options.version);
  EXPECT_EQ(result.value().text_to_print.rfind("qpidd (qpidd-ha) ", 0), 0u);
}

// An option group as the HA module will add one.
class HaOptions : public OptionGroup {
 public:
  HaOptions() : description_("HA options") {
    // clang-format off
    description_.add_options()
        ("ha-cluster", po::value<std::string>()->default_value("no"), "Join an HA cluster.")
        ("ha-brokers-url", po::value<std::string>()->default_value(""), "Brokers' URL.");
    // clang-format on
  }
  const po::options_description& Description() const override { return description_; }
  Status Apply(const po::variables_map& values) override {
    ++applied;
    Result<bool> cluster = ParseBoolOption("ha-cluster", values["ha-cluster"].as<std::string>());
    if (!cluster.ok()) return cluster.status();
    this->cluster = cluster.value();
    brokers_url = values["ha-brokers-url"].as<std::string>();
    return Status::Ok();
  }

  int applied = 0;
  bool cluster = false;
  std::string brokers_url;

 private:
  po::options_description description_;
};

TEST_F(BrokerOptionsTest, RegisteredGroupIsParsedFromBothSources) {
  HaOptions ha;
  parser_.AddGroup(ha);
  std::string path = WriteConfig("ha-cluster = yes\nha-brokers-url = node1,node2\nport=5680\n");
  BrokerOptions options = Parse({"--config", path, "--ha-brokers-url", "node3"});
  EXPECT_EQ(options.port, 5680);
  EXPECT_EQ(ha.applied, 1);
  EXPECT_TRUE(ha.cluster);
  EXPECT_EQ(ha.brokers_url, "node3");
}

TEST_F(BrokerOptionsTest, RegisteredGroupErrorsAndHelp) {
  HaOptions ha;
  parser_.AddGroup(ha);
  EXPECT_EQ(Error({"--ha-cluster", "perhaps"}),
            "invalid value 'perhaps' for option --ha-cluster: expected yes or no");
  std::string help = parser_.Help();
  EXPECT_NE(help.find("HA options"), std::string::npos);
  EXPECT_NE(help.find("--ha-brokers-url"), std::string::npos);
  EXPECT_NE(help.find("--port"), std::string::npos);
}

TEST_F(BrokerOptionsTest, ValueHelpers) {
  EXPECT_EQ(InvalidOptionValue("port", "x", "why").message(),
            "invalid value 'x' for option --port: why");
  EXPECT_EQ(InvalidOptionValue("--port", "x", "why").message(),
            "invalid value 'x' for option --port: why");
  EXPECT_EQ(ParseUnsignedOption("n", "18446744073709551615", 0, UINT64_MAX).value(), UINT64_MAX);
  EXPECT_FALSE(ParseUnsignedOption("n", "18446744073709551616", 0, UINT64_MAX).ok());
  EXPECT_FALSE(ParseUnsignedOption("n", "5", 6, 7).ok());
  EXPECT_FALSE(ParseUnsignedOption("n", "+5", 0, 7).ok());
}

}  // namespace
}  // namespace qpidd
