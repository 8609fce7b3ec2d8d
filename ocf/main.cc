// ocf:qpid:qpidd, the Pacemaker resource agent of a qpidd-ha broker (OCF 1.1, promotable clone).
// Usage: qpidd ACTION, parameters in OCF_RESKEY_*; see ocf/meta_data.cc and README.md.
// The exit status is always an explicit OCF code, and a failure prints its exit reason.

#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <string>

#include "ocf/actions.h"
#include "ocf/agent_log.h"
#include "ocf/meta_data.h"
#include "ocf/params.h"

namespace qpidd::ocf {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

struct ActionSpec {
  std::function<Outcome(const ActionContext&)> run;
  seconds default_timeout;
};

const std::map<std::string, ActionSpec>& Actions() {
  static const std::map<std::string, ActionSpec> actions = {
      {"start", {Start, seconds(kStartTimeout)}},
      {"stop", {Stop, seconds(kStopTimeout)}},
      {"monitor", {Monitor, seconds(kMonitorTimeout)}},
      {"promote", {Promote, seconds(kPromoteTimeout)}},
      {"demote", {Demote, seconds(kDemoteTimeout)}},
      {"notify", {Notify, seconds(kNotifyTimeout)}},
      {"validate-all", {ValidateAll, seconds(kValidateTimeout)}},
      {"reload-agent", {ReloadAgent, seconds(kValidateTimeout)}},
      // Not an OCF action: the broker's --ha-primary-lost-command, which it kills after 30 s.
      {"primary-lost", {PrimaryLost, seconds(25)}},
  };
  return actions;
}

int Code(ExitCode code) { return static_cast<int>(code); }

// A non-negative integer from the environment; `fallback` when unset or not a number.
long EnvNumber(const char* name, long fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  long value = 0;
  const char* end = text + std::char_traits<char>::length(text);
  auto [ptr, ec] = std::from_chars(text, end, value);
  return ec == std::errc() && ptr == end && value >= 0 ? value : fallback;
}

std::string AgentPath(const char* argv0) {
  std::error_code error;
  auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) return self.string();
  return std::filesystem::absolute(argv0, error).string();
}

int Usage() {
  std::cerr << "usage: qpidd {start|stop|monitor|promote|demote|notify|validate-all|"
               "reload-agent|meta-data}\n"
            << "An OCF resource agent: its parameters come from OCF_RESKEY_* variables.\n";
  PrintExitReason("no action given");
  return Code(ExitCode::kErrArgs);
}

int Run(int argc, char** argv) {
  if (argc < 2) return Usage();
  const std::string action = argv[1];
  if (action == "meta-data") {
    std::cout << MetaData();
    return Code(ExitCode::kSuccess);
  }
  if (action == "usage" || action == "help") {
    Usage();
    return Code(ExitCode::kSuccess);
  }
  const char* instance = std::getenv("OCF_RESOURCE_INSTANCE");
  OpenAgentLog(instance == nullptr ? "" : instance);
  auto spec = Actions().find(action);
  if (spec == Actions().end()) {
    // migrate_to, migrate_from, reload: not implemented (nor advertised).
    PrintExitReason("action '" + action + "' is not implemented");
    return Code(ExitCode::kErrUnimplemented);
  }
  const milliseconds timeout(EnvNumber(
      "OCF_RESKEY_CRM_meta_timeout",
      std::chrono::duration_cast<milliseconds>(spec->second.default_timeout).count()));
  const long level = EnvNumber("OCF_CHECK_LEVEL", EnvNumber("OCF_RESKEY_OCF_CHECK_LEVEL", 0));
  const ActionContext context{ReadParams(EnvironmentLookup()),
                              instance == nullptr ? "" : instance,
                              static_cast<int>(level),
                              AgentPath(argv[0]),
                              Deadline::After(timeout)};
  AgentLog(LogLevel::kDebug, action + " (timeout " + std::to_string(timeout.count()) + " ms)");
  const Outcome outcome = spec->second.run(context);
  if (!outcome.reason.empty()) PrintExitReason(outcome.reason);
  return Code(outcome.code);
}

}  // namespace
}  // namespace qpidd::ocf

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  int code = 1;
  try {
    code = qpidd::ocf::Run(argc, argv);
  } catch (const std::exception& e) {
    // Proton reports some failures by exception; the agent still ends with an OCF code.
    qpidd::ocf::PrintExitReason(std::string("internal error: ") + e.what());
    code = 1;
  }
  qpidd::ocf::CloseAgentLog();
  return code;
}
