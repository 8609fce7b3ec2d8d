#include "tools/load_tool.h"

#include <unistd.h>

#include <cstdio>

namespace qpidd::tools {
namespace {

std::string ContainerId(const char* program) {
  char host[256] = "localhost";
  gethostname(host, sizeof(host) - 1);
  return std::string(program) + "-" + host + "-" + std::to_string(getpid());
}

}  // namespace

int ToolMain(int argc, char** argv, const ToolSpec& tool) {
  UsageError error;
  if (!ParseToolCommandLine(argc, argv, *tool.options, tool.parse_own, tool.common, &error)) {
    std::fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", tool.program,
                 error.message.c_str(), tool.program);
    return kExitUsage;
  }
  if (tool.common->help) {
    std::fputs(tool.help_text().c_str(), stdout);
    return kExitOk;
  }
  return tool.run();
}

ConnectionSettings ToolConnectionSettings(const char* program, const CommonOptions& common) {
  ConnectionSettings settings;
  settings.brokers = common.brokers;
  settings.container_id = ContainerId(program);
  settings.program = program;
  settings.reconnect = common.reconnect;
  settings.reconnect_timeout = common.reconnect_timeout;
  return settings;
}

void PrintReports(const CommonOptions& common, RunSummary summary) {
  if (!common.report_total && !common.report_json) return;
  if (summary.start_nanos != 0) {
    summary.elapsed_seconds = static_cast<double>(summary.end_nanos - summary.start_nanos) / 1e9;
  }
  if (common.report_total) PrintReportTotal(stdout, summary);
  if (common.report_json) PrintReportJson(stdout, summary);
}

bool ReportRunFailure(const char* program, const char* action, const std::string& address,
                      const std::string& link_error, bool attached,
                      const ClientConnection& connection, const Status& status) {
  if (!link_error.empty()) {
    std::fprintf(stderr, "%s: %s (broker %s)\n", program, link_error.c_str(),
                 connection.broker().c_str());
    return true;
  }
  if (!status.ok() && connection.opened() && !attached) {
    // Some brokers refuse an address by ending the session or connection, not the link.
    std::fprintf(stderr, "%s: cannot %s '%s' (broker %s): %s\n", program, action, address.c_str(),
                 connection.broker().c_str(), connection.failure().c_str());
    return true;
  }
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", program, status.message().c_str());
    return true;
  }
  return false;
}

}  // namespace qpidd::tools
