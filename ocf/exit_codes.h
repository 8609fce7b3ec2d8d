// The OCF 1.1 return codes the agent uses (Pacemaker's enum ocf_exitcode), and an action's
// outcome: a code plus, for failures, the reason Pacemaker shows as the exit reason.
#pragma once

#include <string>

namespace qpidd::ocf {

enum class ExitCode : int {
  kSuccess = 0,           // OCF_SUCCESS; monitor: running unpromoted
  kErrGeneric = 1,        // OCF_ERR_GENERIC
  kErrArgs = 2,           // OCF_ERR_ARGS: bad on this host (a missing file), or a usage error
  kErrUnimplemented = 3,  // OCF_ERR_UNIMPLEMENTED
  kErrPerm = 4,           // OCF_ERR_PERM
  kErrInstalled = 5,      // OCF_ERR_INSTALLED: the binary is missing on this host
  kErrConfigured = 6,     // OCF_ERR_CONFIGURED: inherently bad parameters, on every host
  kNotRunning = 7,        // OCF_NOT_RUNNING
  kRunningPromoted = 8,   // OCF_RUNNING_PROMOTED
  kFailedPromoted = 9,    // OCF_FAILED_PROMOTED
};

struct Outcome {
  ExitCode code = ExitCode::kSuccess;
  std::string reason;  // empty for success; else one line, printed as the exit reason

  static Outcome Ok() { return {}; }
  static Outcome Of(ExitCode code, std::string reason = {}) { return {code, std::move(reason)}; }
  bool ok() const { return code == ExitCode::kSuccess; }
};

}  // namespace qpidd::ocf
