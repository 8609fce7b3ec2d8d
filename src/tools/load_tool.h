// The frame around qpid-send's and qpid-receive's link: main() and its exit paths, the
// connection, the end-of-run summary and the failures both tools report alike.
#pragma once

#include <boost/program_options.hpp>
#include <functional>
#include <string>

#include "common/status.h"
#include "tools/load_cli.h"
#include "tools/load_connection.h"
#include "tools/load_report.h"

namespace qpidd::tools {

// What ToolMain() needs of a tool, without the type of its configuration.
struct ToolSpec {
  const char* program = nullptr;  // "qpid-send" / "qpid-receive": prefix of every error
  const boost::program_options::options_description* options = nullptr;  // shared ones included
  std::string (*help_text)() = nullptr;
  CommonOptions* common = nullptr;  // filled by the parse, before run
  OwnOptionsParser parse_own;
  std::function<int()> run;
};

int ToolMain(int argc, char** argv, const ToolSpec& tool);

// A tool's whole main(): parses the command line into a CONFIG (whose `common` holds the shared
// options) with PARSE_OWN for the tool's own options. A usage error prints the message and a
// --help hint (kExitUsage), --help prints HELP_TEXT() (kExitOk), otherwise the exit code is what
// RUN(config) returns.
template <typename Config, typename RunFn>
int ToolMain(int argc, char** argv, const char* program,
             const boost::program_options::options_description& options, std::string (*help_text)(),
             bool (*parse_own)(const OptionValues&, Config*, UsageError*), RunFn run) {
  Config config;
  return ToolMain(argc, argv,
                  {.program = program,
                   .options = &options,
                   .help_text = help_text,
                   .common = &config.common,
                   .parse_own =
                       [&config, parse_own](const OptionValues& values, UsageError* error) {
                         return parse_own(values, &config, error);
                       },
                   .run = [&config, run] { return run(config); }});
}

// The connection as the shared options ask, with a container id unique to this process.
ConnectionSettings ToolConnectionSettings(const char* program, const CommonOptions& common);

// Prints SUMMARY as --report-total and --report-json ask, with its elapsed time filled in from
// its start and end.
void PrintReports(const CommonOptions& common, RunSummary summary);

// The failures both tools check first, in this order: the broker detached the link (LINK_ERROR),
// refused the address by ending the session or connection (the link never ATTACHED), or the
// connection failed (STATUS). Prints the error and returns true when one happened.
// ACTION is "send to" or "receive from".
bool ReportRunFailure(const char* program, const char* action, const std::string& address,
                      const std::string& link_error, bool attached,
                      const ClientConnection& connection, const Status& status);

}  // namespace qpidd::tools
