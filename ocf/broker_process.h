// The broker's process as the agent runs it: its command line, starting it detached, finding it
// again (pid file, else a scan of /proc for a process with our --data-dir and --port), and
// stopping it (SIGTERM, then SIGKILL), each bounded by a deadline.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/status.h"
#include "ocf/deadline.h"
#include "ocf/params.h"

namespace qpidd::ocf {

// binary --config C --data-dir D --port P [--interface I] --ha-cluster yes
//   [--ha-brokers-url U] --ha-primary-lost-command "'AGENT' primary-lost"
//   [--log-to-file F --log-to-stderr no] EXTRA...
// `extra` is extra_options already split.
std::vector<std::string> BrokerCommand(const Params& params, const std::string& agent_path,
                                       const std::vector<std::string>& extra);

// Whether a process's argv is a broker this agent started with these parameters: it carries
// "--data-dir DATA_DIR" and "--port PORT".
bool IsOurBroker(const std::vector<std::string>& argv, const Params& params);

std::string PidFilePath(const Params& params);
// Present while the local broker was promoted by this agent; a broker that stops answering with
// it present is a failed primary (monitor 9).
std::string PromotedMarkerPath(const Params& params);

// The running brokers started with these parameters (normally none or one).
std::vector<pid_t> FindBrokers(const Params& params);
bool ProcessAlive(pid_t pid);

// Starts `argv` in its own session, stdin from /dev/null, stdout and stderr to the log file (or
// /dev/null); as params.user/group when running as root and they exist. Creates the data
// directory and the log file's directory, and writes the pid file. Fails when it cannot exec.
Result<pid_t> SpawnBroker(const Params& params, const std::vector<std::string>& argv);

// SIGTERM to every broker found, SIGKILL to those left when most of the time is spent, then
// waits for them to be gone. Removes the pid file and the promotion marker. Fails (naming the
// pids) only if a process survives until the deadline.
Status StopBrokers(const Params& params, const Deadline& deadline);

}  // namespace qpidd::ocf
