// The broker's options, read from the command line and from the config file
// (--config, default /etc/qpid/qpidd.conf) with Boost.Program_options.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace boost::program_options {
class options_description;
class variables_map;
}  // namespace boost::program_options

namespace qpidd {

struct BrokerOptions {
  std::string config_file = "/etc/qpid/qpidd.conf";
  bool config_file_given = false;  // --config on the command line: a missing file is an error then
  uint16_t port = 5672;
  std::vector<std::string> interfaces;  // empty: every interface
  std::string data_dir = "/var/lib/qpidd";
  unsigned worker_threads = 0;  // 0: one per core
  std::vector<std::string> log_enable;  // --log-enable rules, see common/log.h
  bool log_to_stderr = true;    // default true unless --daemon
  bool log_to_stderr_given = false;
  std::string log_to_file;
  bool log_to_syslog = false;
  bool daemon = false;
  std::string pid_dir;          // default: data_dir
  bool quit = false;            // --quit: stop the running daemon (by its pid file) and exit
  bool check = false;           // --check: exit 0 if a daemon is running (pid file), else 1
  uint32_t max_connections = 500;
  uint64_t default_queue_limit = 100 * 1024 * 1024;  // bytes; 0 = no limit
  uint32_t flow_stop_percent = 80;      // --default-flow-stop-threshold
  uint32_t flow_resume_percent = 70;    // --default-flow-resume-threshold
  uint32_t queue_purge_interval_s = 600;
  bool auth = false;            // --auth yes|no; yes is refused until authentication exists
  bool mgmt_enable = true;
  uint32_t idle_timeout_seconds = 0;  // --idle-timeout: 0 = the broker asks for none
  bool help = false;
  bool version = false;
};

// What parsing produced: options to run with, or a message to print (help or version text) and
// an exit code. An error names the option and the bad value.
struct ParsedOptions {
  BrokerOptions options;
  std::string text_to_print;  // help or version output, when options.help or options.version
};

// Parses and checks; never prints or exits. Error messages carry no "qpidd: " prefix: main adds
// it. A bad value in the config file is reported as "FILE:LINE: invalid value ...".
// Relative paths (data dir, pid dir, log file, config file) are made absolute, because a daemon
// changes its directory to /.
Result<ParsedOptions> ParseBrokerOptions(int argc, const char* const argv[]);

// The --help text (also used to check that the man page lists every option).
std::string BrokerOptionsHelp();

// Options another module (the HA module, for one) adds to the broker's. They are accepted on the
// command line and in the config file like the broker's own, and --help lists them.
class OptionGroup {
 public:
  virtual ~OptionGroup() = default;
  // The group's options with their help text. Give each a default_value() so that --help shows
  // it; a repeatable option is a po::value<std::vector<std::string>>.
  virtual const boost::program_options::options_description& Description() const = 0;
  // Reads the group's values once the command line and config file parsed. An error names the
  // option and the value (InvalidOptionValue() words it as the broker's own options do).
  virtual Status Apply(const boost::program_options::variables_map& values) = 0;
};

// The broker's parser plus any registered groups. ParseBrokerOptions() and BrokerOptionsHelp()
// use one with no extra group.
class BrokerOptionsParser {
 public:
  BrokerOptionsParser();

  // `group` must outlive the parser. Its option names must not clash with the broker's.
  void AddGroup(OptionGroup& group);
  // The config file read when --config is not given (tests point it at a temporary file).
  void SetDefaultConfigFile(std::string path);

  // Not const: registered groups receive their values through Apply().
  Result<ParsedOptions> Parse(int argc, const char* const argv[]);
  std::string Help() const;

 private:
  std::vector<OptionGroup*> groups_;  // not owned
  std::string default_config_file_;
};

// "invalid value 'abc' for option --port: expected a number from 1 to 65535"
Status InvalidOptionValue(std::string_view option, std::string_view value,
                          std::string_view expected);
// yes/no as classic qpidd takes them; also true/false, 1/0 and on/off, in any case.
Result<bool> ParseBoolOption(std::string_view option, std::string_view value);
// A decimal number from min to max, nothing else (no sign, no spaces, no unit).
Result<uint64_t> ParseUnsignedOption(std::string_view option, std::string_view value,
                                     uint64_t min, uint64_t max);

}  // namespace qpidd
