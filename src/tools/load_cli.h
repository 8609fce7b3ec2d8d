// Command-line plumbing shared by qpid-send and qpid-receive: exit codes, strict value parsing
// with the classic "invalid value 'x' for --opt" messages, the --broker list, and the options
// both tools take.
#pragma once

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/url.h"

namespace qpidd::tools {

// Exit codes of both tools (documented in --help and in the man pages).
enum ExitCode : int {
  kExitOk = 0,       // every message was sent and accepted / received as asked
  kExitFailure = 1,  // connection, authentication, link or delivery failure
  kExitUsage = 2,    // bad option or value
  kExitTimeout = 3,  // --timeout expired before the work was complete
};

// A bad option or value; the tool prints "<program>: <message>" and exits kExitUsage.
struct UsageError {
  std::string message;
};

// "invalid value 'TEXT' for OPTION" plus an optional reason.
UsageError InvalidValue(std::string_view option, std::string_view text, std::string_view why = {});

// Each returns false and fills *error when TEXT is not acceptable.
bool ParseCount(std::string_view option, std::string_view text, uint64_t min, uint64_t max,
                uint64_t* value, UsageError* error);
bool ParseYesNo(std::string_view option, std::string_view text, bool* value, UsageError* error);
bool ParseSeconds(std::string_view option, std::string_view text, std::chrono::nanoseconds* value,
                  UsageError* error);
// "name=value"; the name must not be empty.
bool ParseProperty(std::string_view option, std::string_view text,
                   std::pair<std::string, std::string>* value, UsageError* error);
bool ParseBrokers(std::string_view option, std::string_view text, std::vector<BrokerAddress>* value,
                  UsageError* error);

// What both tools read from the options they share.
struct CommonOptions {
  std::vector<BrokerAddress> brokers;
  std::string address;
  bool reconnect = false;
  std::chrono::nanoseconds reconnect_timeout{std::chrono::seconds(60)};
  bool report_total = false;
  bool report_json = false;
  bool help = false;
};

// A parsed command line, read by long option name.
class OptionValues {
 public:
  explicit OptionValues(boost::program_options::variables_map values)
      : values_(std::move(values)) {}

  bool given(const char* name) const { return values_.count(name) > 0; }
  const std::string& text(const char* name) const { return values_[name].as<std::string>(); }
  // A po::bool_switch(): false when absent.
  bool flag(const char* name) const { return values_[name].as<bool>(); }
  const std::vector<std::string>& list(const char* name) const {
    return values_[name].as<std::vector<std::string>>();
  }

 private:
  boost::program_options::variables_map values_;
};

// The shared options, in the pieces the tools place at different points of their --help.
// -h, -b and -a, at the head of the list; ADDRESS_HELP says what the address is for.
void AddTargetOptions(boost::program_options::options_description& options,
                      const char* address_help);
void AddCreateOption(boost::program_options::options_description& options);
// --reconnect, whose help ends with CARRY_ON (what carrying on means for the tool), and
// --reconnect-timeout.
void AddReconnectOptions(boost::program_options::options_description& options,
                         const char* carry_on);
// --report-total, a summary of throughput and LATENCY, and --report-json.
void AddReportOptions(boost::program_options::options_description& options, const char* latency);

// --capacity (1 to 2^20) and --timeout (seconds, kept as nanoseconds): both tools read them
// alike, though each gives them its own meaning and help. Absent, *VALUE is left as it is.
bool ParseCapacityOption(const OptionValues& values, uint32_t* capacity, UsageError* error);
bool ParseTimeoutOption(const OptionValues& values, int64_t* timeout_nanos, UsageError* error);

// Reads the tool's own options into its configuration; false with *error set on a bad value.
using OwnOptionsParser = std::function<bool(const OptionValues& values, UsageError* error)>;

// Parses ARGV against OPTIONS (no positional arguments). Reads --help (and stops there when
// given), --broker and --address, then the tool's own options with PARSE_OWN, then --reconnect*
// and --report-*: with several bad values, the first in that order is the one reported.
bool ParseToolCommandLine(int argc, char** argv,
                          const boost::program_options::options_description& options,
                          const OwnOptionsParser& parse_own, CommonOptions* common,
                          UsageError* error);

}  // namespace qpidd::tools
