#include "ocf/cluster_tools.h"

#include <sstream>

#include "ocf/agent_log.h"
#include "ocf/run_command.h"

namespace qpidd::ocf {
namespace {

// One cluster tool call takes well under a second; bound it so that a hung CIB connection
// cannot eat the action's time.
constexpr std::chrono::seconds kToolBound{5};

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

std::string PromotedNodeFromLocate(const std::string& locate_output) {
  std::istringstream lines(locate_output);
  std::string line;
  const std::string marker = "is running on: ";
  while (std::getline(lines, line)) {
    const auto at = line.find(marker);
    if (at == std::string::npos) continue;
    std::istringstream rest(line.substr(at + marker.size()));
    std::string node, role;
    rest >> node >> role;
    if (role == "Promoted" || role == "Master") return node;
  }
  return "";
}

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
  const CommandResult fail = RunCommand({"crm_resource", "--fail", "-r", resource, "-N", node},
                                        deadline.Within(kToolBound));
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
