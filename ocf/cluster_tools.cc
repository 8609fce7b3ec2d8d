#include "ocf/cluster_tools.h"

#include <sys/utsname.h>

#include <algorithm>
#include <cstdlib>
#include <future>
#include <sstream>
#include <thread>

#include "ocf/agent_log.h"
#include "ocf/params.h"
#include "ocf/run_command.h"

namespace qpidd::ocf {
namespace {

// One cluster tool call takes well under a second; bound it so that a hung CIB connection
// cannot eat the action's time.
constexpr std::chrono::seconds kToolBound{5};

// How long a backup leaves the one before it (in node name order) to report a lost primary.
constexpr std::chrono::milliseconds kReporterTurn{500};

}  // namespace

std::string ResourceName(const std::string& instance) {
  return instance.substr(0, instance.find(':'));
}

bool PublishPromotionScore(const std::string& instance, std::optional<int> score,
                           const Deadline& deadline) {
  const std::string resource = ResourceName(instance);
  const std::string what = score ? "promotion score " + std::to_string(*score)
                                 : std::string("removal of the promotion score");
  if (resource.empty()) {
    AgentLog(LogLevel::kInfo, "no OCF_RESOURCE_INSTANCE: " + what + " not published");
    return false;
  }
  std::vector<std::string> argv = {"crm_attribute", "--promotion=" + resource, "-l", "reboot"};
  if (score) {
    argv.insert(argv.end(), {"-v", std::to_string(*score)});
  } else {
    argv.push_back("-D");
  }
  const CommandResult result = RunCommand(argv, deadline.Within(kToolBound));
  if (!result.ok()) {
    AgentLog(LogLevel::kWarning, what + " not published (crm_attribute " + result.Summary() +
                                     "); outside a cluster this is expected");
    return false;
  }
  AgentLog(LogLevel::kDebug, what + " published");
  return true;
}

namespace {

struct LocatedInstance {
  std::string node;
  bool promoted = false;
};

// crm_resource --locate's lines "resource R is running on: NODE [Promoted]".
std::vector<LocatedInstance> LocatedInstances(const std::string& locate_output) {
  std::istringstream lines(locate_output);
  std::string line;
  std::vector<LocatedInstance> instances;
  const std::string marker = "is running on: ";
  while (std::getline(lines, line)) {
    const auto at = line.find(marker);
    if (at == std::string::npos) continue;
    std::istringstream rest(line.substr(at + marker.size()));
    std::string node, role;
    rest >> node >> role;
    if (node.empty()) continue;
    instances.push_back({node, role == "Promoted" || role == "Master"});
  }
  return instances;
}

}  // namespace

std::string PromotedNodeFromLocate(const std::string& locate_output) {
  for (const LocatedInstance& instance : LocatedInstances(locate_output)) {
    if (instance.promoted) return instance.node;
  }
  return "";
}

std::vector<std::string> UnpromotedNodesFromLocate(const std::string& locate_output) {
  std::vector<std::string> nodes;
  for (const LocatedInstance& instance : LocatedInstances(locate_output)) {
    if (!instance.promoted) nodes.push_back(instance.node);
  }
  std::sort(nodes.begin(), nodes.end());
  return nodes;
}

size_t ReporterRank(const std::vector<std::string>& unpromoted_nodes,
                    const std::string& own_node) {
  const auto at = std::find(unpromoted_nodes.begin(), unpromoted_nodes.end(), own_node);
  return static_cast<size_t>(at - unpromoted_nodes.begin());
}

namespace {

std::string OwnNodeName() {
  if (const char* node = std::getenv("OCF_RESKEY_CRM_meta_on_node"); node && *node) return node;
  utsname names{};
  return uname(&names) == 0 ? names.nodename : "";
}

// crm_failcount's total for `resource` on `node`, as printed ("0", "2", "INFINITY"); empty when
// it cannot say.
std::string FailCount(const std::string& resource, const std::string& node,
                      const Deadline& deadline) {
  const CommandResult result = RunCommand(
      {"crm_failcount", "--query", "--quiet", "-r", resource, "-N", node},
      deadline.Within(kToolBound));
  return result.ok() ? Trim(result.output) : "";
}

}  // namespace

bool FailPromotedInstance(const std::string& instance, const Deadline& deadline) {
  const std::string resource = ResourceName(instance);
  if (resource.empty()) {
    AgentLog(LogLevel::kError, "primary-lost: no OCF_RESOURCE_INSTANCE in the environment the "
                               "broker inherited: cannot tell Pacemaker");
    return false;
  }
  const CommandResult locate =
      RunCommand({"crm_resource", "--locate", "-r", resource}, deadline.Within(kToolBound));
  if (!locate.ok()) {
    AgentLog(LogLevel::kError, "primary-lost: crm_resource --locate -r " + resource + ": " +
                                   locate.Summary());
    return false;
  }
  const std::string node = PromotedNodeFromLocate(locate.output);
  if (node.empty()) {
    AgentLog(LogLevel::kNotice, "primary-lost: no Promoted instance of " + resource +
                                    " is known to Pacemaker: nothing to fail");
    return false;
  }
  // Every backup that saw the primary go runs this hook. One report is enough, and several at
  // once make Pacemaker replan the failover each time: the backups on the Unpromoted nodes
  // report in the order of their node names, each after the previous one had its time, and not
  // at all once the primary's node has a fail count (someone reported: with the examples'
  // migration-threshold=1, a node with failures cannot hold the Promoted instance).
  const size_t rank = ReporterRank(UnpromotedNodesFromLocate(locate.output), OwnNodeName());
  if (rank > 0) {
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
        deadline.Left() / 2, kReporterTurn * static_cast<int>(rank)));
    const std::string count = FailCount(resource, node, deadline);
    if (!count.empty() && count != "0") {
      AgentLog(LogLevel::kInfo, "primary-lost: Pacemaker already counts a failure of " +
                                    resource + " on " + node + " (" + count +
                                    "): not reported again");
      return true;
    }
  }
  // The dead primary's score goes at the same time as the failure is reported, so that
  // Pacemaker folds both into one plan. Removed later (by the dead instance's stop, or after
  // the report), the change would make Pacemaker replan the failover halfway, waiting for what
  // runs then (the old VIP's stop); removed first, it would start a move of the role that the
  // failure then interrupts.
  auto unscore = std::async(std::launch::async, [&] {
    return RunCommand(
        {"crm_attribute", "--promotion=" + resource, "-N", node, "-l", "reboot", "-D"},
        deadline.Within(kToolBound));
  });
  const CommandResult fail = RunCommand({"crm_resource", "--fail", "-r", resource, "-N", node},
                                        deadline.Within(kToolBound));
  const CommandResult unscored = unscore.get();
  if (!unscored.ok()) {
    AgentLog(LogLevel::kWarning, "primary-lost: the promotion score of " + node +
                                     " not removed (crm_attribute " + unscored.Summary() + ")");
  }
  if (!fail.ok()) {
    AgentLog(LogLevel::kError, "primary-lost: crm_resource --fail -r " + resource + " -N " +
                                   node + ": " + fail.Summary());
    return false;
  }
  AgentLog(LogLevel::kNotice, "primary-lost: told Pacemaker that " + resource + " failed on " +
                                  node);
  return true;
}

}  // namespace qpidd::ocf
