#include "ocf/actions.h"

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "ocf/agent_log.h"
#include "ocf/broker_process.h"
#include "ocf/broker_status.h"
#include "ocf/cluster_tools.h"
#include "ocf/scores.h"

namespace qpidd::ocf {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr milliseconds kLocalReadBound{10000};  // one management round trip to our broker
constexpr milliseconds kMemberReadBound{5000};  // to another member (the broker's probe bound)
// A promotion asks the other members too, and waits for the slowest: a member on a node that
// just died answers nothing until this bound, which then delays the failover by as much. A live
// broker answers in milliseconds; one that cannot within a second is no primary clients could
// use either. A ready backup asks only whether another primary answers (the split-brain guard;
// Pacemaker has already demoted or lost the old one), so it waits less; a joining broker must
// know whether a member holding data is up, so it waits the full second.
constexpr milliseconds kPromoteMemberBound{1000};
constexpr milliseconds kPromoteReadyMemberBound{300};
constexpr milliseconds kPollPeriod{200};
constexpr milliseconds kPromotePollPeriod{20};  // a failover waits for it

Outcome Generic(const std::string& why) { return Outcome::Of(ExitCode::kErrGeneric, why); }

std::string EnvOr(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value == nullptr ? fallback : value;
}

BrokerAddress LocalAddress(const Params& params) {
  BrokerAddress address;
  address.host = params.AgentHost();
  address.port = params.PortNumber();
  return address;
}

milliseconds LocalReadTimeout(const Deadline& deadline) {
  return std::max(milliseconds(100), std::min(deadline.Left(), kLocalReadBound));
}

bool Promoted(const Params& params) { return fs::exists(PromotedMarkerPath(params)); }

void SetPromoted(const Params& params, bool promoted) {
  std::error_code ignored;
  if (promoted) {
    std::ofstream(PromotedMarkerPath(params)) << "promoted by the agent\n";
  } else {
    fs::remove(PromotedMarkerPath(params), ignored);
  }
}

// The last non-empty line of the broker's log, to say why it died.
std::string LastLogLine(const Params& params) {
  if (params.log_file.empty()) return "";
  std::ifstream file(params.log_file);
  std::string line, last;
  while (std::getline(file, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

// What the broker logged at critical level among its last lines (a fatal error stops it), each
// without its time stamp, joined with "; ". Empty when none.
std::string CriticalLogLines(const Params& params) {
  if (params.log_file.empty()) return "";
  constexpr size_t kTailLines = 20;
  std::ifstream file(params.log_file);
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(file, line)) {
    tail.push_back(line);
    if (tail.size() > kTailLines) tail.pop_front();
  }
  const std::string marker = "[critical] ";
  std::string critical;
  for (const std::string& l : tail) {
    const auto at = l.find(marker);
    if (at == std::string::npos) continue;
    critical += (critical.empty() ? "" : "; ") + l.substr(at + marker.size());
  }
  return critical;
}

std::vector<BrokerAddress> ClusterAddresses(const Params& params, const HaBrokerStatus& own) {
  std::string url = own.brokers_url.empty() ? EffectiveBrokersUrl(params) : own.brokers_url;
  auto parsed = ParseBrokerUrl(url);
  if (url.empty() || !parsed.ok()) return {};
  return parsed.value();
}

std::vector<MemberView> ViewCluster(const ActionContext& context, const HaBrokerStatus& own,
                                    milliseconds bound = kMemberReadBound) {
  const auto timeout = std::max(milliseconds(100), std::min(context.deadline.Left() / 3, bound));
  auto members = ViewMembers(ClusterAddresses(context.params, own), own,
                             LocalAddress(context.params), timeout);
  for (const MemberView& member : members) {
    if (!member.self && !member.reachable) {
      AgentLog(LogLevel::kInfo, "member " + member.address + " did not answer: " + member.error);
    }
  }
  return members;
}

// The score of a broker in `own` state; the members are asked only when it matters (joining).
std::optional<int> ScoreFor(const ActionContext& context, const HaBrokerStatus& own) {
  if (own.state != HaState::kJoining) return PromotionScore(own.state, {});
  return PromotionScore(own.state, ViewCluster(context, own));
}

// Waits until the local broker answers a READ of ha-broker, or the process is gone, or the
// deadline.
Result<HaBrokerStatus> AwaitManagement(const ActionContext& context, pid_t pid) {
  const Params& params = context.params;
  Status last = Status::Internal("no attempt");
  while (!context.deadline.Expired()) {
    if (!ProcessAlive(pid)) {
      const std::string log_line = LastLogLine(params);
      return Status::Internal("broker (pid " + std::to_string(pid) + ") exited during start" +
                              (log_line.empty() ? "" : ": " + log_line));
    }
    auto status = ReadHaBroker(LocalAddress(params),
                               std::min(LocalReadTimeout(context.deadline), milliseconds(2000)));
    if (status.ok()) return status;
    last = status.status();
    std::this_thread::sleep_for(kPollPeriod);
  }
  return Status::Internal("broker (pid " + std::to_string(pid) +
                          ") did not answer management in time: " + last.message());
}

}  // namespace

Outcome ValidateAll(const ActionContext& context) {
  return ValidateParams(context.params, context.check_level);
}

Outcome ReloadAgent(const ActionContext& context) {
  if (Outcome valid = ValidateParams(context.params, 0); !valid.ok()) return valid;
  std::string reloadable;
  for (const ParamInfo& info : ParamInfos()) {
    if (info.reloadable) reloadable += (reloadable.empty() ? "" : ", ") + std::string(info.name);
  }
  AgentLog(LogLevel::kNotice, "reload-agent: new values of " + reloadable +
                                  " apply at the broker's next start; restart the instances one "
                                  "at a time, the primary's last (move the primary first)");
  return Outcome::Ok();
}

Outcome Start(const ActionContext& context) {
  const Params& params = context.params;
  if (Outcome valid = ValidateParams(params, 10); !valid.ok()) return valid;
  pid_t pid = 0;
  if (auto running = FindBrokers(params); !running.empty()) {
    pid = running.front();
    AgentLog(LogLevel::kInfo, "broker already running (pid " + std::to_string(pid) + ")");
  } else {
    SetPromoted(params, false);  // a marker left by a primary that died
    auto extra = SplitOptions(params.extra_options);  // validated above
    const auto argv = BrokerCommand(params, context.agent_path, extra.value());
    auto spawned = SpawnBroker(params, argv);
    if (!spawned.ok()) return Generic(spawned.status().message());
    pid = spawned.value();
    AgentLog(LogLevel::kNotice, "started broker (pid " + std::to_string(pid) + ") on port " +
                                    params.port + " as a backup");
  }
  auto status = AwaitManagement(context, pid);
  if (!status.ok()) return Generic(status.status().message());
  if (!IsBackup(status.value().state) && !IsPrimary(status.value().state)) {
    return Outcome::Of(ExitCode::kErrConfigured,
                       "broker is " + status.value().status +
                           ", not a cluster member: check ha-cluster in config/extra_options");
  }
  PublishPromotionScore(context.instance, ScoreFor(context, status.value()), context.deadline);
  return Outcome::Ok();
}

Outcome Stop(const ActionContext& context) {
  const Status stopped = StopBrokers(context.params, context.deadline);
  PublishPromotionScore(context.instance, std::nullopt, context.deadline);
  if (!stopped.ok()) return Generic(stopped.message());
  SetPromoted(context.params, false);  // stopped, not failed
  AgentLog(LogLevel::kInfo, "broker stopped");
  return Outcome::Ok();
}

Outcome Monitor(const ActionContext& context) {
  const Params& params = context.params;
  const auto pids = FindBrokers(params);
  if (pids.empty()) {
    PublishPromotionScore(context.instance, std::nullopt, context.deadline);
    if (Promoted(params)) {
      // A primary gone without a stop. When it stopped itself (a fatal HA error such as
      // finding itself a stale primary), its critical log lines say why: a failed primary.
      if (const std::string why = CriticalLogLines(params); !why.empty()) {
        return Outcome::Of(ExitCode::kFailedPromoted, "the primary stopped itself: " + why);
      }
      const std::string last = LastLogLine(params);
      return Outcome::Of(ExitCode::kNotRunning, "the primary's broker is gone" +
                                                    (last.empty() ? "" : " (log: " + last + ")"));
    }
    return Outcome::Of(ExitCode::kNotRunning);
  }
  const std::string who = "broker (pid " + std::to_string(pids.front()) + ")";
  auto status = ReadHaBroker(LocalAddress(params), LocalReadTimeout(context.deadline),
                             context.check_level >= 10);
  if (!status.ok()) {
    PublishPromotionScore(context.instance, std::nullopt, context.deadline);
    if (Promoted(params)) {
      return Outcome::Of(ExitCode::kFailedPromoted,
                         "primary " + who + " fails management: " + status.status().message());
    }
    return Generic(who + " fails management: " + status.status().message());
  }
  const HaBrokerStatus& own = status.value();
  if (!IsBackup(own.state) && !IsPrimary(own.state)) {
    PublishPromotionScore(context.instance, std::nullopt, context.deadline);
    return Generic(who + " is " + own.status + ", not a cluster member");
  }
  if (!own.replication_error.empty()) {
    AgentLog(LogLevel::kWarning, "the primary refuses this backup: " + own.replication_error);
  }
  SetPromoted(params, IsPrimary(own.state));
  PublishPromotionScore(context.instance, ScoreFor(context, own), context.deadline);
  return Outcome::Of(IsPrimary(own.state) ? ExitCode::kRunningPromoted : ExitCode::kSuccess);
}

Outcome Promote(const ActionContext& context) {
  const Params& params = context.params;
  if (FindBrokers(params).empty()) return Generic("cannot promote: the broker is not running");
  auto status = ReadHaBroker(LocalAddress(params), LocalReadTimeout(context.deadline));
  if (!status.ok()) return Generic("cannot promote: " + status.status().message());
  const HaBrokerStatus own = status.value();
  if (IsPrimary(own.state)) {
    SetPromoted(params, true);
    PublishPromotionScore(context.instance, kPrimaryScore, context.deadline);
    return Outcome::Ok();
  }
  // The split-brain guard and the joining rule, with the members' own answers (no notify data).
  const auto members = ViewCluster(
      context, own,
      own.state == HaState::kReady ? kPromoteReadyMemberBound : kPromoteMemberBound);
  if (Outcome verdict = PromotionVerdict(own.state, members); !verdict.ok()) return verdict;
  if (Status promoted = PromoteBroker(LocalAddress(params), LocalReadTimeout(context.deadline));
      !promoted.ok()) {
    return Generic("PROMOTE failed: " + promoted.message());
  }
  while (!context.deadline.Expired()) {
    auto now = ReadHaBroker(LocalAddress(params), LocalReadTimeout(context.deadline));
    if (now.ok() && IsPrimary(now.value().state)) {
      // The primary's score is left to the monitor that Pacemaker runs right after: a change of
      // score makes Pacemaker replan, and done here it would hold back what waits for this
      // promotion (the VIP's start) until then.
      SetPromoted(params, true);
      AgentLog(LogLevel::kNotice, "promoted: broker was " + own.status + ", is " +
                                      now.value().status);
      return Outcome::Ok();
    }
    std::this_thread::sleep_for(kPromotePollPeriod);
  }
  return Generic("PROMOTE accepted but the broker did not report recovering/active in time");
}

Outcome Demote(const ActionContext& context) {
  const Params& params = context.params;
  if (FindBrokers(params).empty()) {
    // Nothing is promoted here any more. Pacemaker demotes a failed primary before stopping it:
    // a failure here would only make it abort and replan that failover.
    SetPromoted(params, false);
    AgentLog(LogLevel::kNotice, "demote: the broker is not running, so it is no primary");
    return Outcome::Ok();
  }
  auto status = ReadHaBroker(LocalAddress(params), LocalReadTimeout(context.deadline));
  if (status.ok() && IsBackup(status.value().state)) {
    SetPromoted(params, false);
    return Outcome::Ok();
  }
  // A primary (or a broker that cannot say it is not one) becomes a backup by a restart.
  AgentLog(LogLevel::kNotice, "demote: restarting the broker as a backup (" +
                                  (status.ok() ? status.value().status
                                               : status.status().message()) + ")");
  ActionContext stop_context = context;
  stop_context.deadline = Deadline::After(context.deadline.Left() / 2);
  if (Outcome stopped = Stop(stop_context); !stopped.ok()) return stopped;
  return Start(context);
}

Outcome Notify(const ActionContext& /*context*/) {
  AgentLog(LogLevel::kDebug, "notify " + EnvOr("OCF_RESKEY_CRM_meta_notify_type", "") + "-" +
                                 EnvOr("OCF_RESKEY_CRM_meta_notify_operation", ""));
  return Outcome::Ok();
}

Outcome PrimaryLost(const ActionContext& context) {
  AgentLog(LogLevel::kNotice, "primary " + EnvOr("QPIDD_HA_PRIMARY_ID", "?") + "@" +
                                  EnvOr("QPIDD_HA_PRIMARY_ADDRESS", "?") +
                                  " lost, reported by backup " + EnvOr("QPIDD_HA_BROKER_ID", "?"));
  if (!FailPromotedInstance(context.instance, context.deadline)) {
    return Generic("primary-lost: Pacemaker was not told (see the log)");
  }
  return Outcome::Ok();
}

}  // namespace qpidd::ocf
