// What the agent asks of Pacemaker through its command-line tools: publishing the local
// promotion score (crm_attribute --promotion) and, for the primary-lost hook, finding and failing
// the Promoted instance (crm_resource). Outside a cluster (crm_resource --force-*, ocf-tester)
// the tools fail; that is logged, never fatal.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ocf/deadline.h"

namespace qpidd::ocf {

// The resource name the scores and crm_resource use: OCF_RESOURCE_INSTANCE without a clone
// instance suffix (":0"). Empty when it is not set.
std::string ResourceName(const std::string& instance);

// crm_attribute --promotion=RSC -l reboot -v SCORE, or -D when `score` is empty. False (logged)
// when it failed or there is no resource name.
bool PublishPromotionScore(const std::string& instance, std::optional<int> score,
                           const Deadline& deadline);

// The node crm_resource --locate says holds the Promoted (or legacy Master) instance of
// `resource`, from its output lines "resource R is running on: NODE Promoted". Empty if none.
std::string PromotedNodeFromLocate(const std::string& locate_output);

// The nodes crm_resource --locate lists without the Promoted role, sorted by name.
std::vector<std::string> UnpromotedNodesFromLocate(const std::string& locate_output);

// The position of `own_node` among `unpromoted_nodes` (sorted): its turn to report a lost
// primary; their count when it is not among them (it reports last).
size_t ReporterRank(const std::vector<std::string>& unpromoted_nodes, const std::string& own_node);

// primary-lost: finds the Promoted instance's node and runs crm_resource --fail -r RSC -N NODE,
// so that Pacemaker recovers at once. False (logged) when anything failed.
bool FailPromotedInstance(const std::string& instance, const Deadline& deadline);

}  // namespace qpidd::ocf
