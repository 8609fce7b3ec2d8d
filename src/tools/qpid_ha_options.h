// qpid-ha's command line (doc/ha-protocol.md 12.2, man/qpid-ha.1): the command, the options (before
// or after it), how each is checked before connecting, and the help text. A bad command, option or
// value is a UsageError naming it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qpidd::tools::qpid_ha {

enum class Command {
  kNone,  // none given: a usage error, reported by Parse
  kPing,
  kStatus,
  kQuery,
  kPromote,
  kReplicate,      // replicate SOURCE QUEUE (either order)
  kReplicateStop,  // replicate-stop QUEUE
  kReplicas,
  kHelp,
};

// --timeout 0 means no bound; the waits still need a finite duration, so "none" is a year.
inline constexpr std::chrono::milliseconds kNoTimeout = std::chrono::hours(24 * 365);

struct Options {
  Command command = Command::kNone;
  std::string broker = "localhost:5672";
  std::chrono::milliseconds timeout{10000};
  bool help = false;
  std::optional<std::string> expect;  // status --expect STATE
  bool is_primary = false;            // status --is-primary
  bool all = false;                   // status --all, query --all
  bool cluster_manager = false;       // promote --cluster-manager
  std::vector<std::string> arguments;  // the words after replicate or replicate-stop
};

// Printed with a pointer to --help; the tool exits 2, as qpid-config does for usage errors.
struct UsageError {
  std::string message;
};

// args are the words after the program name. Options may come before or after the command; "--"
// ends the options. With -h/--help anywhere, only unknown options are errors: the command is not
// required. Otherwise the command must be given, known, and have exactly its words (replicate
// two, replicate-stop one, the others none), and each option
// must apply to it (--expect, --is-primary: status; --all: status and query; --cluster-manager:
// promote).
std::optional<UsageError> Parse(const std::vector<std::string>& args, Options& options);

// The states --expect accepts: the six HA states, and "primary".
bool IsKnownState(std::string_view state);

// Whether the broker's `status` is what --expect asked for. "primary" stands for recovering or
// active (as the classic qpid-ha promised); anything else must match exactly.
bool ExpectMatches(std::string_view expected, std::string_view status);

// recovering or active: what --is-primary accepts.
bool IsPrimaryStatus(std::string_view status);

// What --help and the help command print.
std::string_view UsageText();

}  // namespace qpidd::tools::qpid_ha
