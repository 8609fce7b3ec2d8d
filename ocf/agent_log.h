// The agent's log: through libqb, tagged "qpidd(RESOURCE)" as the shell agents' ocf_log does, to
// the cluster log file Pacemaker names (PCMK_logfile, else HA_LOGFILE) or else to syslog, and
// also to stderr, which crm_resource --force-* and ocf-tester show.
#pragma once

#include <string>
#include <string_view>

namespace qpidd::ocf {

enum class LogLevel { kDebug, kInfo, kNotice, kWarning, kError };

// Opens the sinks once; `resource` is OCF_RESOURCE_INSTANCE (may be empty). Until then, and
// without it, lines go to stderr only.
void OpenAgentLog(const std::string& resource);
void CloseAgentLog();

void AgentLog(LogLevel level, std::string_view message);

// Logs `reason` as an error and prints it as the OCF exit reason: the last stderr line
// "ocf-exit-reason:REASON" (or $OCF_EXIT_REASON_PREFIX), cut to the 128 characters Pacemaker keeps.
void PrintExitReason(std::string_view reason);

}  // namespace qpidd::ocf
