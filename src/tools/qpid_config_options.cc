#include "tools/qpid_config_options.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "client/value_text.h"
#include "common/status.h"
#include "common/url.h"

namespace qpidd::tools {
namespace {

constexpr char kUsage[] = R"(Usage:  qpid-config [OPTIONS]
        qpid-config [OPTIONS] exchanges [filter-string]
        qpid-config [OPTIONS] queues    [filter-string]
        qpid-config [OPTIONS] list      [filter-string]
        qpid-config [OPTIONS] add exchange <type> <name> [AddExchangeOptions]
        qpid-config [OPTIONS] del exchange <name>
        qpid-config [OPTIONS] add queue <name> [AddQueueOptions]
        qpid-config [OPTIONS] del queue <name> [DelQueueOptions]
        qpid-config [OPTIONS] bind   <exchange-name> <queue-name> [binding-key]
                  <for type headers>    [all|any] k1=v1 [k2=v2 ...]
        qpid-config [OPTIONS] unbind <exchange-name> <queue-name> [binding-key]

Without a command, prints a summary of the broker's exchanges and queues.
Options may come before or after the command.

Options:
  -h, --help              Show this help and exit.
  -b, --broker URL        Broker to connect to (default localhost:5672):
                          [amqp:][tcp:][user/password@]host[:port], or a
                          comma-separated list tried in turn.
  --timeout SECONDS       Bound on connecting (per address) and on each
                          request (default 10).
  -r, --recursive         Show bindings in queues, exchanges and list.
  --ha-admin              Connect as an HA admin tool (admitted by backup
                          brokers, which refuse changes to replicated objects).
  --ha-override           Implies --ha-admin: change replicated objects on a
                          backup anyway (repair only: the backup then differs
                          from its primary until it rejoins).

Add Queue Options:
  --durable               The queue is durable.
  --auto-delete           The queue is deleted when its last consumer goes.
  --exclusive             One consumer at a time (another is refused).
  --replicate LEVEL       HA replication: none, configuration or all.
  --alternate-exchange NAME
                          Where messages rejected by a consumer, expired, or
                          left when the queue is deleted go. It must exist.
  --max-queue-size BYTES  Limit of the bytes held (qpid.max_size; default
                          the broker's --default-queue-limit).
  --max-queue-count N     Limit of the messages held (qpid.max_count).
  --limit-policy POLICY   What a full queue does (qpid.policy_type):
                            none    no qpid.policy_type is sent, so the
                                    broker's default, reject, applies
                            reject  the publisher's message is rejected
                            ring    the oldest messages are dropped
                          ring-strict and flow-to-disk are passed on: this
                          broker refuses them and says why.
  --flow-stop-count N     Publishers to the queue get no more credit once
                          it holds N messages (qpid.flow_stop_count) ...
  --flow-resume-count N   ... until it is back at N (qpid.flow_resume_count).
  --flow-stop-size BYTES  As --flow-stop-count, in bytes (qpid.flow_stop_size).
  --flow-resume-size BYTES
                          As --flow-resume-count (qpid.flow_resume_size).
                          Flow control applies to reject queues, not ring.
  --lvq-key KEY           Last-value queue: a message replaces the one with
                          the same value of its application property KEY.
  --priorities N          Priority levels, 0 to 10 (qpid.priorities).
  --fairshare N           With 2 or more priority levels: after N messages
                          in a row from a level, a lower one gets a turn.
  --argument NAME=VALUE   A declare argument (repeatable). Integers and
                          true/false are typed; "quoted" values are strings.
  --start-replica URL     Then make the queue a replica of the queue of the
                          same name at URL, a broker or cluster (as
                          qpid-ha replicate; both brokers need
                          --ha-queue-replication yes).

Add Exchange Options:
  --durable               The exchange is durable.
  --replicate LEVEL       HA replication: none, configuration or all.
  --alternate-exchange NAME
                          Where messages no binding matches go.
  --argument NAME=VALUE   A declare argument (repeatable).

Delete Queue Options:
  --force                 Delete even if the queue has messages or consumers.
  --force-if-not-empty    Delete even if the queue has messages.
  --force-if-used         Delete even if the queue has consumers.

Not available in this version (refused by name, never ignored):
  --file-count, --file-size, --cluster-durable, --group-header,
  --shared-groups, --order, --generate-queue-events, --sequence, --ive,
  --sasl-mechanism, --sasl-service-name,
  --ssl-certificate, --ssl-key

Exit codes:
  0  success
  1  the broker refused the request (its reason is printed)
  2  usage error (the bad command, option or value is named)
  3  cannot connect to the broker (each address and the reason is named)
)";

constexpr std::string_view kNoStore = "this broker has no message store";
constexpr std::string_view kNoGroups = "message groups are not built yet";
constexpr std::string_view kNoSecurityOptions =
    "give the user and password in the broker URL (user/password@host)";

constexpr OptionSpec kOptions[] = {
    {"help", 'h', false, Scope::kGeneral, ""},
    {"broker", 'b', true, Scope::kGeneral, ""},
    {"broker-addr", 'a', true, Scope::kGeneral, ""},  // the classic alias of --broker
    {"timeout", 0, true, Scope::kGeneral, ""},
    {"recursive", 'r', false, Scope::kGeneral, ""},
    {"ha-admin", 0, false, Scope::kGeneral, ""},
    {"ha-override", 0, false, Scope::kGeneral, ""},
    {"durable", 0, false, Scope::kAdd, ""},
    {"replicate", 0, true, Scope::kAdd, ""},
    {"alternate-exchange", 0, true, Scope::kAdd, ""},
    {"argument", 0, true, Scope::kAdd, ""},
    {"auto-delete", 0, false, Scope::kAddQueue, ""},
    {"exclusive", 0, false, Scope::kAddQueue, ""},
    {"max-queue-size", 0, true, Scope::kAddQueue, ""},
    {"max-queue-count", 0, true, Scope::kAddQueue, ""},
    {"limit-policy", 0, true, Scope::kAddQueue, ""},
    {"lvq-key", 0, true, Scope::kAddQueue, ""},
    {"priorities", 0, true, Scope::kAddQueue, ""},
    {"fairshare", 0, true, Scope::kAddQueue, ""},
    {"flow-stop-size", 0, true, Scope::kAddQueue, ""},
    {"flow-resume-size", 0, true, Scope::kAddQueue, ""},
    {"flow-stop-count", 0, true, Scope::kAddQueue, ""},
    {"flow-resume-count", 0, true, Scope::kAddQueue, ""},
    {"start-replica", 0, true, Scope::kAddQueue, ""},
    {"force", 0, false, Scope::kDelQueue, ""},
    {"force-if-not-empty", 0, false, Scope::kDelQueue, ""},
    {"force-if-used", 0, false, Scope::kDelQueue, ""},
    // Classic options for what this broker does not have: refused by name rather than ignored.
    {"file-count", 0, true, Scope::kUnavailable, kNoStore},
    {"file-size", 0, true, Scope::kUnavailable, kNoStore},
    {"cluster-durable", 0, false, Scope::kUnavailable, kNoStore},
    {"group-header", 0, true, Scope::kUnavailable, kNoGroups},
    {"shared-groups", 0, false, Scope::kUnavailable, kNoGroups},
    {"order", 0, true, Scope::kUnavailable, "for a last-value queue use --lvq-key KEY"},
    {"generate-queue-events", 0, true, Scope::kUnavailable, "queue events are not built yet"},
    {"sequence", 0, false, Scope::kUnavailable, "exchange sequence numbers are not built yet"},
    {"ive", 0, false, Scope::kUnavailable, "initial-value exchanges are not built yet"},
    {"sasl-mechanism", 0, true, Scope::kUnavailable, kNoSecurityOptions},
    {"sasl-service-name", 0, true, Scope::kUnavailable, kNoSecurityOptions},
    {"ssl-certificate", 0, true, Scope::kUnavailable, "SSL is not built yet"},
    {"ssl-key", 0, true, Scope::kUnavailable, "SSL is not built yet"},
};

const OptionSpec* FindLong(std::string_view name) {
  for (const auto& o : kOptions) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

const OptionSpec* FindShort(char c) {
  for (const auto& o : kOptions) {
    if (o.short_name == c) return &o;
  }
  return nullptr;
}

const ArgumentOption* FindArgumentOption(std::string_view name) {
  for (const auto& a : kArgumentOptions) {
    if (a.option == name) return &a;
  }
  return nullptr;
}

std::string Spelling(std::string_view name) { return "--" + std::string(name); }

UsageError InvalidValue(std::string_view option, const std::string& value,
                        const std::string& expected) {
  return UsageError{"invalid value '" + value + "' for " + Spelling(option) + ": expected " +
                    expected};
}

std::optional<uint64_t> WholeNumber(const std::string& text) {
  uint64_t n = 0;
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, n);
  if (text.empty() || error != std::errc() || ptr != end) return std::nullopt;
  return n;
}

// The limit policy's declare value: the classic qpid-config names, with '_' where the broker's
// argument has it; "none" sends no argument at all.
std::optional<UsageError> LimitPolicyValue(const std::string& text,
                                           std::optional<proton::value>& out) {
  if (text == "none") return std::nullopt;
  if (text == "reject" || text == "ring" || text == "ring-strict" || text == "flow-to-disk") {
    std::string value = text;
    std::replace(value.begin(), value.end(), '-', '_');
    out = proton::value(value);
    return std::nullopt;
  }
  return InvalidValue("limit-policy", text, "none, reject, ring, ring-strict or flow-to-disk");
}

// Checks the value of an option that sets a declare argument and types it; `out` stays empty
// when the option asks for no argument (--limit-policy none).
std::optional<UsageError> ArgumentValue(const ArgumentOption& a, const std::string& text,
                                        std::optional<proton::value>& out) {
  switch (a.kind) {
    case ArgumentKind::kWholeNumber:
      if (auto n = WholeNumber(text)) {
        out = proton::value(*n);
        return std::nullopt;
      }
      return InvalidValue(a.option, text, "a whole number");
    case ArgumentKind::kPriorities:
      if (auto n = WholeNumber(text); n && *n <= kMaxPriorities) {
        out = proton::value(*n);
        return std::nullopt;
      }
      return InvalidValue(a.option, text,
                          "a number of priority levels from 0 to " +
                              std::to_string(kMaxPriorities));
    case ArgumentKind::kName:
      if (text.empty()) return InvalidValue(a.option, text, "a non-empty name");
      out = proton::value(text);
      return std::nullopt;
    case ArgumentKind::kLimitPolicy:
      return LimitPolicyValue(text, out);
  }
  return std::nullopt;
}

// Adds a declare argument; one that an earlier option set already is an error naming both.
std::optional<UsageError> AddArgument(Options& options, std::string key, proton::value value,
                                      const std::string& option) {
  for (const auto& earlier : options.arguments) {
    if (earlier.key != key) continue;
    if (earlier.option != option) {
      return UsageError{"argument " + key + " is given twice: by " + earlier.option + " and by " +
                        option};
    }
    return UsageError{option + (option == "--argument" ? " " + key : std::string()) +
                      " is given twice"};
  }
  options.arguments.push_back({std::move(key), std::move(value), option});
  return std::nullopt;
}

std::optional<UsageError> ApplyArgumentOption(const ArgumentOption& a, const std::string& value,
                                              Options& options) {
  std::optional<proton::value> typed;
  if (auto error = ArgumentValue(a, value, typed)) return error;
  if (!typed) return std::nullopt;
  return AddArgument(options, std::string(a.argument), *typed, Spelling(a.option));
}

std::optional<UsageError> ApplyTimeout(const std::string& value, Options& options) {
  char* end = nullptr;
  double seconds = std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0' || !std::isfinite(seconds) || seconds <= 0 ||
      seconds > 86400) {
    return UsageError{"invalid --timeout '" + value +
                      "': expected a number of seconds greater than 0"};
  }
  options.timeout = std::chrono::milliseconds(std::max<int64_t>(1, std::llround(seconds * 1000)));
  return std::nullopt;
}

// The options that take a value and are not declare-argument options.
std::optional<UsageError> ApplyValue(std::string_view n, const std::string& value,
                                     Options& options) {
  if (n == "broker" || n == "broker-addr") {
    options.broker = value;
  } else if (n == "timeout") {
    return ApplyTimeout(value, options);
  } else if (n == "replicate") {
    if (value != "none" && value != "configuration" && value != "all") {
      return UsageError{"invalid --replicate '" + value +
                        "': expected none, configuration or all"};
    }
    options.replicate = value;
  } else if (n == "start-replica") {
    auto source = ParseBrokerUrl(value);
    if (!source.ok() || source.value().empty()) {
      return InvalidValue(n, value,
                          "a broker URL such as node1 or node1:5672,node2:5672" +
                              (source.ok() ? std::string() : " (" + source.status().message() +
                                                                 ")"));
    }
    options.start_replica = value;
  } else if (n == "alternate-exchange") {
    if (value.empty()) return InvalidValue(n, value, "an exchange name");
    options.alternate_exchange = value;
  } else if (n == "argument") {
    auto kv = client::ParseKeyValue(value);
    if (!kv.ok()) return UsageError{"invalid --argument: " + kv.status().message()};
    auto [key, typed] = std::move(kv).value();
    return AddArgument(options, std::move(key), std::move(typed), "--argument");
  }
  return std::nullopt;
}

// The flags: options without a value.
void ApplyFlag(std::string_view n, Options& options) {
  if (n == "help") options.help = true;
  if (n == "recursive") options.recursive = true;
  if (n == "ha-admin") options.ha_admin = true;
  if (n == "ha-override") options.ha_override = true;
  if (n == "durable") options.durable = true;
  if (n == "auto-delete") options.auto_delete = true;
  if (n == "exclusive") options.exclusive = true;
  if (n == "force") options.force = true;
  if (n == "force-if-not-empty") options.force_if_not_empty = true;
  if (n == "force-if-used") options.force_if_used = true;
}

std::optional<UsageError> Apply(const OptionSpec& o, const std::string& value, Options& options) {
  if (o.scope == Scope::kUnavailable) {
    std::string why = o.unavailable_why.empty() ? "" : ": " + std::string(o.unavailable_why);
    return UsageError{"option " + Spelling(o.name) + " is not available yet in this version" +
                      why};
  }
  options.given.push_back(&o);
  if (const ArgumentOption* a = FindArgumentOption(o.name)) {
    return ApplyArgumentOption(*a, value, options);
  }
  if (o.takes_value) return ApplyValue(o.name, value, options);
  ApplyFlag(o.name, options);
  return std::nullopt;
}

}  // namespace

std::optional<UsageError> ParseArguments(int argc, char** argv, Options& options) {
  bool options_done = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (options_done || arg.size() < 2 || arg[0] != '-') {
      options.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    const OptionSpec* spec = nullptr;
    std::optional<std::string> value;
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
        value = arg.substr(2);  // -bhost:port
      }
    }
    if (spec->takes_value && !value) {
      if (spec->scope == Scope::kUnavailable) return Apply(*spec, "", options);
      if (i + 1 >= argc) return UsageError{"option " + Spelling(spec->name) + " needs a value"};
      value = argv[++i];
    } else if (!spec->takes_value && value) {
      return UsageError{"option " + Spelling(spec->name) + " takes no value"};
    }
    if (auto error = Apply(*spec, value.value_or(""), options)) return error;
  }
  return std::nullopt;
}

std::optional<UsageError> CheckScopes(const Options& options, const std::string& command) {
  for (const OptionSpec* o : options.given) {
    bool ok = o->scope == Scope::kGeneral ||
              (o->scope == Scope::kAdd && (command == "add queue" || command == "add exchange")) ||
              (o->scope == Scope::kAddQueue && command == "add queue") ||
              (o->scope == Scope::kDelQueue && command == "del queue");
    if (!ok) {
      return UsageError{"option " + Spelling(o->name) + " does not apply to " +
                        (command.empty() ? std::string("the summary") : "'" + command + "'")};
    }
  }
  return std::nullopt;
}

std::string_view UsageText() { return kUsage; }

}  // namespace qpidd::tools
