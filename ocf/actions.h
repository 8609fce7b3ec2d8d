// The agent's actions (OCF 1.1 start, stop, monitor, promote, demote, notify, validate-all) and
// the broker's primary-lost hook. Each returns the exit code and, when it fails, why.
#pragma once

#include <string>

#include "ocf/deadline.h"
#include "ocf/exit_codes.h"
#include "ocf/params.h"

namespace qpidd::ocf {

struct ActionContext {
  Params params;
  std::string instance;    // OCF_RESOURCE_INSTANCE (may carry ":N"); empty outside a cluster
  int check_level = 0;     // OCF_CHECK_LEVEL
  std::string agent_path;  // this program, for the broker's --ha-primary-lost-command
  Deadline deadline;
};

Outcome ValidateAll(const ActionContext& context);
// Pacemaker changed reloadable parameters: checks them (level 0) and says that the running
// broker keeps its values until its next start.
Outcome ReloadAgent(const ActionContext& context);
// Starts the broker as a backup (never promotes) and returns once it answers management.
Outcome Start(const ActionContext& context);
// No broker process left, whatever its state; never fails for a configuration error.
Outcome Stop(const ActionContext& context);
// 7 stopped, 0 backup, 8 primary, 9 a primary that fails; 1 a backup that fails. Publishes the
// promotion score every time.
Outcome Monitor(const ActionContext& context);
Outcome Promote(const ActionContext& context);
// A primary cannot become a backup: its broker is stopped and started again as a backup.
Outcome Demote(const ActionContext& context);
// Logged only: the promotion guard asks the members directly, so it needs no notify data.
Outcome Notify(const ActionContext& context);
// Run by the broker (--ha-primary-lost-command) when it finds its primary's process gone.
Outcome PrimaryLost(const ActionContext& context);

}  // namespace qpidd::ocf
