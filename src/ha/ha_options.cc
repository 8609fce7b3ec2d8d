#include "ha/ha_options.h"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cctype>
#include <limits>
#include <string_view>

#include "common/duration.h"

namespace qpidd::ha {
namespace po = boost::program_options;

namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

// AMQP carries a link's idle timeout (twice the heartbeat interval) in milliseconds in a uint32.
constexpr auto kMaxHeartbeat = std::chrono::seconds(std::numeric_limits<uint32_t>::max() / 2000);
constexpr size_t kMaxMechanismLength = 20;  // RFC 4422

// Options with a second name. Neither name has a default, so that giving either is seen.
struct Alias {
  const char* name;
  const char* alias;
};
constexpr Alias kAliases[] = {{"ha-brokers-url", "ha-brokers"},
                              {"ha-public-url", "ha-public-brokers"}};

// clang-format off
std::unique_ptr<po::options_description> MakeDescription() {
  auto ha = std::make_unique<po::options_description>("HA options");
  ha->add_options()
      ("ha-cluster", po::value<std::string>()->value_name("yes|no")->default_value("no"),
       "Join an HA active/passive cluster: start as a backup and replicate the primary until "
       "promoted. The other HA options need --ha-cluster yes, except those of "
       "--ha-queue-replication.")
      ("ha-queue-replication",
       po::value<std::string>()->value_name("yes|no")->default_value("no"),
       "Replicate single queues without a cluster: serve this broker's queues to replicas "
       "elsewhere and keep replicas here (qpid-ha replicate). With it, the credential, flow "
       "and link interval options of this section apply to its links. Implied by "
       "--ha-cluster yes.")
      ("ha-brokers-url", po::value<std::string>()->value_name("URL"),
       "The real addresses of every broker in the cluster, e.g. amqp:node1,node2 (not a "
       "virtual IP). Required with --ha-cluster yes.")
      ("ha-brokers", po::value<std::string>()->value_name("URL"), "Alias of --ha-brokers-url.")
      ("ha-public-url", po::value<std::string>()->value_name("URL"),
       "URL given to clients for failover. Default: none.")
      ("ha-public-brokers", po::value<std::string>()->value_name("URL"),
       "Alias of --ha-public-url.")
      ("ha-replicate", po::value<std::string>()->value_name("LEVEL")->default_value("none"),
       "Replication level of new queues and exchanges that set no qpid.replicate: none, "
       "configuration or all. Must be the same on every broker of the cluster.")
      ("ha-username", po::value<std::string>()->value_name("USER"),
       "User name of the links between brokers (not available yet: brokers accept only "
       "ANONYMOUS). Default: none.")
      ("ha-password", po::value<std::string>()->value_name("PASSWORD"),
       "Password of --ha-username.")
      ("ha-mechanism", po::value<std::string>()->value_name("MECHANISM"),
       "SASL mechanism of the links between brokers (only ANONYMOUS yet). Default: the SASL "
       "negotiation picks.")
      ("ha-backup-timeout", po::value<std::string>()->value_name("SECONDS")->default_value("10"),
       "How long a newly promoted primary holds messages for each backup that was ready until "
       "it reconnects; 0 means not at all. Also with a unit: 500ms, 10s.")
      ("ha-primary-lost-command", po::value<std::string>()->value_name("COMMAND"),
       "A shell command a backup runs when it finds its primary's process gone: the link broke "
       "and the primary's host refused a new connection (not a mere timeout). It gets "
       "QPIDD_HA_PRIMARY_ADDRESS, QPIDD_HA_PRIMARY_ID and QPIDD_HA_BROKER_ID in its environment "
       "and at most 30 s. A cluster manager's agent sets it to hear of the loss at once. "
       "Default: none.")
      ("ha-flow-messages", po::value<std::string>()->value_name("N")->default_value("1000"),
       "Message credit of each replication link; 0 means unlimited.")
      ("ha-flow-bytes", po::value<std::string>()->value_name("BYTES")->default_value("0"),
       "Byte credit of each replication link; 0 means unlimited.")
      ("link-maintenance-interval",
       po::value<std::string>()->value_name("SECONDS")->default_value("2"),
       "How often a backup retries connecting to the primary. Also with a unit: 100ms.")
      ("link-heartbeat-interval",
       po::value<std::string>()->value_name("SECONDS")->default_value("120"),
       "Heartbeat of the links between brokers: a peer silent for twice as long is taken for "
       "dead. Also with a unit: 500ms.");
  return ha;
}
// clang-format on

bool Given(const po::variables_map& values, const std::string& name) {
  return values.count(name) && !values[name].defaulted();
}

std::string Text(const po::variables_map& values, const std::string& name) {
  return values.count(name) ? values[name].as<std::string>() : std::string();
}

std::string Dashed(std::string_view name) { return "--" + std::string(name); }

// Options of the links between brokers, which stand-alone queue replication has too.
bool IsReplicationLinkOption(std::string_view name) {
  constexpr std::string_view kLinkOptions[] = {
      "ha-username",   "ha-password",
      "ha-mechanism",  "ha-flow-messages",
      "ha-flow-bytes", "link-maintenance-interval",
      "link-heartbeat-interval"};
  return std::find(std::begin(kLinkOptions), std::end(kLinkOptions), name) !=
         std::end(kLinkOptions);
}

// The value of `name` or of its alias, and the spelling used; both given is an error.
Result<std::string> OneOf(const po::variables_map& values, const Alias& alias,
                          std::string* spelling) {
  const bool main_given = Given(values, alias.name);
  const bool alias_given = Given(values, alias.alias);
  if (main_given && alias_given) {
    return Status::InvalidArgument(
        "options " + Dashed(alias.alias) + " and " + Dashed(alias.name) +
        " both given (on the command line or in the config file): " + Dashed(alias.alias) +
        " is another name for " + Dashed(alias.name) + "; give only one");
  }
  *spelling = alias_given ? alias.alias : alias.name;
  return Text(values, *spelling);
}

// An empty URL means "not set", as does "none" (classic qpidd's convention).
Status ParseUrl(std::string_view option, const std::string& text, std::string* url,
                std::vector<BrokerAddress>* addresses) {
  if (text.empty() || text == "none") return Status::Ok();
  Result<std::vector<BrokerAddress>> parsed = ParseBrokerUrl(text);
  if (!parsed.ok()) return InvalidOptionValue(option, text, parsed.status().message());
  *url = text;
  *addresses = std::move(parsed).value();
  return Status::Ok();
}

// A duration from `min` to `max`; the error keeps ParseDuration's reason.
Status ParseDurationOption(std::string_view option, const std::string& text, nanoseconds min,
                           nanoseconds max, std::string_view range, nanoseconds* out) {
  Result<nanoseconds> parsed = ParseDuration(text);
  if (!parsed.ok()) {
    std::string why = parsed.status().message();
    const std::string prefix = "invalid duration '" + text + "': ";
    if (why.starts_with(prefix)) why.erase(0, prefix.size());
    return InvalidOptionValue(option, text, why);
  }
  if (parsed.value() < min || parsed.value() > max) {
    return InvalidOptionValue(option, text, "expected " + std::string(range));
  }
  *out = parsed.value();
  return Status::Ok();
}

// SASL mechanism names are upper-case letters, digits, '-' and '_' (RFC 4422); any case is taken.
Status ParseMechanism(const std::string& text, std::string* out) {
  std::string upper;
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      return InvalidOptionValue("ha-mechanism", text,
                                "expected a SASL mechanism name such as PLAIN or ANONYMOUS");
    }
    upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (upper.size() > kMaxMechanismLength) {
    return InvalidOptionValue("ha-mechanism", text,
                              "a SASL mechanism name has at most 20 characters");
  }
  *out = upper;
  return Status::Ok();
}

Status ParseValues(const po::variables_map& values, HaSettings* s) {
  Result<bool> cluster = ParseBoolOption("ha-cluster", Text(values, "ha-cluster"));
  if (!cluster.ok()) return cluster.status();
  s->cluster = cluster.value();
  Result<bool> queue_replication =
      ParseBoolOption("ha-queue-replication", Text(values, "ha-queue-replication"));
  if (!queue_replication.ok()) return queue_replication.status();
  s->queue_replication = queue_replication.value() || s->cluster;

  std::string spelling;
  Result<std::string> brokers = OneOf(values, kAliases[0], &spelling);
  if (!brokers.ok()) return brokers.status();
  if (Status st = ParseUrl(spelling, brokers.value(), &s->brokers_url, &s->brokers); !st.ok()) {
    return st;
  }
  Result<std::string> public_url = OneOf(values, kAliases[1], &spelling);
  if (!public_url.ok()) return public_url.status();
  if (Status st = ParseUrl(spelling, public_url.value(), &s->public_url, &s->public_brokers);
      !st.ok()) {
    return st;
  }

  const std::string replicate = Text(values, "ha-replicate");
  Result<broker::ReplicationLevel> level = broker::ParseReplicationLevel(replicate);
  if (!level.ok()) {
    return InvalidOptionValue("ha-replicate", replicate, "expected none, configuration or all");
  }
  s->replicate = level.value();

  s->primary_lost_command = Text(values, "ha-primary-lost-command");
  if (values.count("ha-primary-lost-command") && s->primary_lost_command.empty()) {
    return Status::InvalidArgument("invalid --ha-primary-lost-command '': give a command");
  }
  s->username = Text(values, "ha-username");
  s->password = Text(values, "ha-password");
  if (Status st = ParseMechanism(Text(values, "ha-mechanism"), &s->mechanism); !st.ok()) return st;

  Result<uint64_t> messages =
      ParseUnsignedOption("ha-flow-messages", Text(values, "ha-flow-messages"), 0,
                          std::numeric_limits<uint32_t>::max());
  if (!messages.ok()) return messages.status();
  s->flow_messages = static_cast<uint32_t>(messages.value());
  Result<uint64_t> bytes = ParseUnsignedOption("ha-flow-bytes", Text(values, "ha-flow-bytes"), 0,
                                               std::numeric_limits<uint64_t>::max());
  if (!bytes.ok()) return bytes.status();
  s->flow_bytes = bytes.value();

  if (Status st = ParseDurationOption("ha-backup-timeout", Text(values, "ha-backup-timeout"),
                                      nanoseconds(0), nanoseconds::max(), "0 or more",
                                      &s->backup_timeout);
      !st.ok()) {
    return st;
  }
  // A zero interval would make a busy loop, or turn heartbeats off (AMQP's idle timeout 0).
  if (Status st = ParseDurationOption(
          "link-maintenance-interval", Text(values, "link-maintenance-interval"), milliseconds(1),
          nanoseconds::max(), "at least 1ms", &s->link_maintenance_interval);
      !st.ok()) {
    return st;
  }
  return ParseDurationOption("link-heartbeat-interval", Text(values, "link-heartbeat-interval"),
                             milliseconds(1), kMaxHeartbeat,
                             "from 1ms to " + std::to_string(kMaxHeartbeat.count()) + "s",
                             &s->link_heartbeat_interval);
}

}  // namespace

HaOptions::HaOptions() : description_(MakeDescription()) {}
HaOptions::~HaOptions() = default;

const po::options_description& HaOptions::Description() const { return *description_; }

Status HaOptions::Apply(const po::variables_map& values) {
  HaSettings s;
  if (Status st = ParseValues(values, &s); !st.ok()) return st;

  for (const auto& option : description_->options()) {
    const std::string& name = option->long_name();
    if (name != "ha-cluster" && name != "ha-queue-replication" && Given(values, name)) {
      s.given.push_back(name);
    }
  }
  // Our rule: no option is accepted and silently ignored (classic qpidd ignored them).
  if (!s.cluster) {
    for (const std::string& name : s.given) {
      if (!IsReplicationLinkOption(name)) {
        return Status::InvalidArgument("option " + Dashed(name) +
                                       " needs --ha-cluster yes: with --ha-cluster no it would "
                                       "be ignored");
      }
      if (!s.queue_replication) {
        return Status::InvalidArgument("option " + Dashed(name) +
                                       " needs --ha-cluster yes or --ha-queue-replication yes: "
                                       "without either it would be ignored");
      }
    }
  }
  if (s.cluster && s.brokers.empty()) {
    return Status::InvalidArgument(
        "--ha-cluster yes needs --ha-brokers-url: the URL of every broker in the cluster");
  }
  // HA is managed (promotion, status) through the $management node.
  if (s.cluster && values.count("mgmt-enable")) {
    Result<bool> mgmt = ParseBoolOption("mgmt-enable", Text(values, "mgmt-enable"));
    if (mgmt.ok() && !mgmt.value()) {
      return Status::InvalidArgument("--ha-cluster yes needs --mgmt-enable yes");
    }
  }
  if (!s.password.empty() && s.username.empty()) {
    return Status::InvalidArgument("option --ha-password needs --ha-username");
  }
  settings_ = std::move(s);
  return Status::Ok();
}

Status CheckHaSupported(const HaSettings& settings) {
  const char* why = "this broker has no authentication yet: brokers accept only ANONYMOUS, "
                    "which the links between brokers use";
  if (!settings.username.empty()) {
    return Status::NotImplemented(std::string("--ha-username is not available yet: ") + why);
  }
  if (!settings.mechanism.empty() && settings.mechanism != "ANONYMOUS") {
    return Status::NotImplemented("--ha-mechanism " + settings.mechanism +
                                  " is not available yet: " + why);
  }
  return Status::Ok();
}

}  // namespace qpidd::ha
