// qpid-config's command line: the options (with their classic spellings), how each is read and
// checked before connecting, and the help text. A bad option or value is a UsageError naming it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <proton/value.hpp>

namespace qpidd::tools {

// Which commands an option belongs to.
enum class Scope {
  kGeneral,      // any command
  kAddQueue,     // add queue
  kAdd,          // add queue and add exchange
  kDelQueue,     // del queue
  kUnavailable,  // a classic option this version does not have (yet)
};

struct OptionSpec {
  std::string_view name;  // long form, without "--"
  char short_name;        // 0: none
  bool takes_value;
  Scope scope;
  std::string_view unavailable_why;  // kUnavailable only: what is missing, or ""
};

// How the value of an option that sets one declare argument is read.
enum class ArgumentKind {
  kWholeNumber,  // 0 or more, sent as a ulong
  kPriorities,   // 0 to kMaxPriorities
  kName,         // a non-empty string
  kLimitPolicy,  // none, reject, ring, ring-strict or flow-to-disk (sent with '_' for '-')
};

// The add-queue options that each set one classic declare argument, in the order the queue
// listing shows them.
struct ArgumentOption {
  std::string_view option;    // without "--"
  std::string_view argument;  // the declare argument it sets
  ArgumentKind kind;
};

inline constexpr ArgumentOption kArgumentOptions[] = {
    {"max-queue-size", "qpid.max_size", ArgumentKind::kWholeNumber},
    {"max-queue-count", "qpid.max_count", ArgumentKind::kWholeNumber},
    {"limit-policy", "qpid.policy_type", ArgumentKind::kLimitPolicy},
    {"lvq-key", "qpid.last_value_queue_key", ArgumentKind::kName},
    {"priorities", "qpid.priorities", ArgumentKind::kPriorities},
    {"fairshare", "qpid.fairshare", ArgumentKind::kWholeNumber},
    {"flow-stop-size", "qpid.flow_stop_size", ArgumentKind::kWholeNumber},
    {"flow-resume-size", "qpid.flow_resume_size", ArgumentKind::kWholeNumber},
    {"flow-stop-count", "qpid.flow_stop_count", ArgumentKind::kWholeNumber},
    {"flow-resume-count", "qpid.flow_resume_count", ArgumentKind::kWholeNumber},
};

// AMQP has priorities 0 to 9, so a queue has at most 10 levels (as the broker checks too).
inline constexpr uint64_t kMaxPriorities = 10;

// The declare argument of the alternate exchange, and of the HA replication level; both are
// also management attributes of their own.
inline constexpr std::string_view kAlternateExchangeArgument = "alternate-exchange";
inline constexpr std::string_view kReplicateArgument = "qpid.replicate";

// A declare argument, and the option that set it (to name both when two options set it).
struct DeclareArgument {
  std::string key;
  proton::value value;
  std::string option;  // "--max-queue-count", "--argument"
};

struct Options {
  std::string broker = "localhost:5672";
  std::chrono::milliseconds timeout{10000};
  bool help = false;
  bool recursive = false;
  bool ha_admin = false;
  bool ha_override = false;  // implies ha_admin
  bool durable = false;
  bool auto_delete = false;
  bool exclusive = false;
  std::optional<std::string> replicate;
  std::optional<std::string> alternate_exchange;
  std::optional<std::string> start_replica;  // add queue --start-replica URL
  std::vector<DeclareArgument> arguments;
  bool force = false;
  bool force_if_not_empty = false;
  bool force_if_used = false;
  std::vector<std::string> positional;
  std::vector<const OptionSpec*> given;  // for checking options against the command
};

// A usage error: printed with a pointer to --help, exit 2.
struct UsageError {
  std::string message;
};

// Options and positional arguments in any order; "--" ends the options.
std::optional<UsageError> ParseArguments(int argc, char** argv, Options& options);

// Refuses an option the command does not use: it would otherwise be silently ignored.
// `command` is "" (the summary), "queues", "add queue"...
std::optional<UsageError> CheckScopes(const Options& options, const std::string& command);

// What --help prints.
std::string_view UsageText();

}  // namespace qpidd::tools
