#include "tools/qpid_ha_options.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>

namespace qpidd::tools::qpid_ha {
namespace {

constexpr char kUsage[] = R"(Usage:  qpid-ha <command> [OPTIONS]

Administers a qpidd-ha broker's HA module. Options may come before or after
the command.

Commands:
  ping                    Check that the broker answers: open a connection
                          and close it.
  status                  Print the broker's HA status: standalone, joining,
                          catchup, ready, recovering or active.
  query                   Print the broker's HA settings and its view of the
                          cluster.
  promote                 Make a ready broker the primary. For the cluster
                          manager only: needs --cluster-manager.
  replicate SOURCE QUEUE  Make the broker's existing, empty queue QUEUE a
                          replica of the queue of the same name at SOURCE,
                          a broker or cluster URL (node1 or node1,node2).
                          The two words may come in either order. Both
                          brokers need --ha-queue-replication yes.
  replicate-stop QUEUE    Stop replicating into QUEUE: it keeps its
                          messages and serves clients again.
  replicas                List the broker's replicas: queue, source, status
                          (connecting, catchup, replicating), messages.
  help                    Show this help and exit.

Options:
  -h, --help              Show this help and exit.
  -b, --broker URL        Broker to connect to (default localhost:5672):
                          [amqp:][tcp:][user/password@]host[:port], or a
                          comma-separated list tried in turn.
  --timeout SECONDS       Bound on connecting and on each reply (default 10;
                          0: no bound).

Status options:
  --expect STATE          Print nothing; exit 0 if the status is STATE, else
                          1. STATE primary matches recovering and active.
  --is-primary            Print nothing; exit 0 if the broker is the primary
                          (recovering or active), else 1. Wins over --expect.
  --all                   The status of every broker of the broker's
                          ha-brokers-url, one "host:port status" line each.

Query options:
  --all                   One block per broker of the broker's
                          ha-brokers-url, separated by a blank line.

Promote options:
  --cluster-manager       Confirm that the cluster manager is the caller:
                          promoting the wrong broker breaks the cluster.

Exit codes:
  0  success (status --expect, --is-primary: the status matched)
  1  failure: cannot connect, the broker refused, no HA module, or the
     status did not match (the reason is printed, except for a mismatch)
  2  usage error (the bad command, option or value is named)
)";

// The states a broker reports (src/ha/ha_state.h), and "primary" for --expect.
constexpr std::string_view kStates[] = {"standalone", "joining",    "catchup", "ready",
                                        "recovering", "active",     "primary"};

enum class Flag { kHelp, kBroker, kTimeout, kExpect, kIsPrimary, kAll, kClusterManager };

struct OptionSpec {
  std::string_view name;  // long form, without "--"
  char short_name;        // 0: none
  bool takes_value;
  Flag flag;
};

constexpr OptionSpec kOptions[] = {
    {"help", 'h', false, Flag::kHelp},
    {"broker", 'b', true, Flag::kBroker},
    {"timeout", 0, true, Flag::kTimeout},
    {"expect", 0, true, Flag::kExpect},
    {"is-primary", 0, false, Flag::kIsPrimary},
    {"all", 0, false, Flag::kAll},
    {"cluster-manager", 0, false, Flag::kClusterManager},
};

struct CommandName {
  std::string_view name;
  Command command;
};

constexpr CommandName kCommands[] = {
    {"ping", Command::kPing},       {"status", Command::kStatus}, {"query", Command::kQuery},
    {"promote", Command::kPromote}, {"replicate", Command::kReplicate},
    {"replicate-stop", Command::kReplicateStop}, {"replicas", Command::kReplicas},
    {"help", Command::kHelp},
};

// The option `matches` picks out, or null.
template <typename Predicate>
const OptionSpec* FindOption(Predicate matches) {
  auto it = std::find_if(std::begin(kOptions), std::end(kOptions), matches);
  return it == std::end(kOptions) ? nullptr : &*it;
}

const OptionSpec* FindLong(std::string_view name) {
  return FindOption([&](const OptionSpec& o) { return o.name == name; });
}

const OptionSpec* FindShort(char c) {
  return FindOption([&](const OptionSpec& o) { return o.short_name == c; });
}

std::string Spelling(std::string_view name) { return "--" + std::string(name); }

std::optional<UsageError> ApplyTimeout(const std::string& value, Options& options) {
  char* end = nullptr;
  double seconds = std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0' || !std::isfinite(seconds) || seconds < 0 ||
      seconds > 86400) {
    return UsageError{"invalid --timeout '" + value +
                      "': expected a number of seconds from 0 (no bound) to 86400"};
  }
  if (seconds == 0) {
    options.timeout = kNoTimeout;
  } else {
    options.timeout =
        std::chrono::milliseconds(std::max<int64_t>(1, std::llround(seconds * 1000)));
  }
  return std::nullopt;
}

std::optional<UsageError> ApplyExpect(const std::string& value, Options& options) {
  if (!IsKnownState(value)) {
    return UsageError{"invalid --expect '" + value +
                      "': expected standalone, joining, catchup, ready, recovering, active or "
                      "primary"};
  }
  options.expect = value;
  return std::nullopt;
}

std::optional<UsageError> Apply(const OptionSpec& o, const std::string& value, Options& options) {
  switch (o.flag) {
    case Flag::kHelp: options.help = true; break;
    case Flag::kBroker:
      if (value.empty()) return UsageError{"option --broker needs a non-empty address"};
      options.broker = value;
      break;
    case Flag::kTimeout: return ApplyTimeout(value, options);
    case Flag::kExpect: return ApplyExpect(value, options);
    case Flag::kIsPrimary: options.is_primary = true; break;
    case Flag::kAll: options.all = true; break;
    case Flag::kClusterManager: options.cluster_manager = true; break;
  }
  return std::nullopt;
}

// Finds the option an argument starting with '-' names, and its value when it is attached
// ("--broker=host", "-bhost"). Does not consume a following word.
std::optional<UsageError> Identify(const std::string& arg, const OptionSpec*& spec,
                                   std::optional<std::string>& value) {
  if (arg[1] == '-') {
    std::string name = arg.substr(2);
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    spec = FindLong(name);
    if (spec == nullptr) return UsageError{"unknown option '--" + name + "'"};
  } else {
    spec = FindShort(arg[1]);
    if (spec == nullptr) return UsageError{"unknown option '" + arg.substr(0, 2) + "'"};
    if (arg.size() > 2) {
      if (!spec->takes_value) return UsageError{"unknown option '" + arg + "'"};
      value = arg.substr(2);
    }
  }
  if (!spec->takes_value && value) {
    return UsageError{"option " + Spelling(spec->name) + " takes no value"};
  }
  return std::nullopt;
}

std::string_view CommandWord(Command command) {
  const auto* it = std::find_if(std::begin(kCommands), std::end(kCommands),
                               [&](const CommandName& c) { return c.command == command; });
  return it == std::end(kCommands) ? std::string_view() : it->name;
}

// The options given that do not apply to the command: they would otherwise be silently ignored.
std::optional<UsageError> CheckScopes(const std::vector<Flag>& given, Command command) {
  for (Flag flag : given) {
    bool ok = true;
    switch (flag) {
      case Flag::kExpect:
      case Flag::kIsPrimary: ok = command == Command::kStatus; break;
      case Flag::kAll: ok = command == Command::kStatus || command == Command::kQuery; break;
      case Flag::kClusterManager: ok = command == Command::kPromote; break;
      default: break;
    }
    if (ok) continue;
    const OptionSpec* o = FindOption([&](const OptionSpec& spec) { return spec.flag == flag; });
    return UsageError{"option " + Spelling(o->name) + " does not apply to '" +
                      std::string(CommandWord(command)) + "'"};
  }
  return std::nullopt;
}

// The words a command takes after it, and what they are (for the error when some are missing).
size_t WordsOf(Command command) {
  if (command == Command::kReplicate) return 2;
  if (command == Command::kReplicateStop) return 1;
  return 0;
}

// The command from the positional words: exactly one known command with its words (help may be
// followed by anything: it prints the usage all the same).
std::optional<UsageError> ParseCommand(const std::vector<std::string>& positional,
                                       Options& options) {
  if (positional.empty()) return UsageError{"no command given"};
  const std::string& word = positional[0];
  const auto* it = std::find_if(std::begin(kCommands), std::end(kCommands),
                               [&](const CommandName& c) { return c.name == word; });
  if (it == std::end(kCommands)) return UsageError{"unknown command '" + word + "'"};
  options.command = it->command;
  if (options.command == Command::kHelp) return std::nullopt;
  const size_t wanted = WordsOf(options.command);
  if (positional.size() > wanted + 1) {
    return UsageError{"unexpected argument '" + positional[wanted + 1] + "' after '" + word +
                      "'"};
  }
  if (positional.size() < wanted + 1) {
    return UsageError{"'" + word + "' needs " +
                      (options.command == Command::kReplicate
                           ? std::string("a source URL and a queue name")
                           : std::string("a queue name"))};
  }
  options.arguments.assign(positional.begin() + 1, positional.end());
  for (const std::string& argument : options.arguments) {
    if (argument.empty()) return UsageError{"'" + word + "': empty argument"};
  }
  return std::nullopt;
}

}  // namespace

std::optional<UsageError> Parse(const std::vector<std::string>& args, Options& options) {
  std::vector<std::string> positional;
  std::vector<Flag> given;
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_done || arg.size() < 2 || arg[0] != '-') {
      positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    const OptionSpec* spec = nullptr;
    std::optional<std::string> value;
    if (auto error = Identify(arg, spec, value)) return error;
    if (spec->takes_value && !value) {
      if (i + 1 >= args.size()) {
        return UsageError{"option " + Spelling(spec->name) + " needs a value"};
      }
      value = args[++i];
    }
    given.push_back(spec->flag);
    if (auto error = Apply(*spec, value.value_or(""), options)) return error;
  }
  if (options.help) return std::nullopt;
  if (auto error = ParseCommand(positional, options)) return error;
  if (auto error = CheckScopes(given, options.command)) return error;
  // --all prints a line per broker; --expect and --is-primary print nothing and answer for one.
  if (options.all && (options.expect || options.is_primary)) {
    return UsageError{"option --all cannot be combined with " +
                      std::string(options.is_primary ? "--is-primary" : "--expect")};
  }
  return std::nullopt;
}

bool IsKnownState(std::string_view state) {
  return std::find(std::begin(kStates), std::end(kStates), state) != std::end(kStates);
}

bool IsPrimaryStatus(std::string_view status) {
  return status == "recovering" || status == "active";
}

bool ExpectMatches(std::string_view expected, std::string_view status) {
  if (expected == "primary") return IsPrimaryStatus(status);
  return expected == status;
}

std::string_view UsageText() { return kUsage; }

}  // namespace qpidd::tools::qpid_ha
