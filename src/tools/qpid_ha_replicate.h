// qpid-ha's stand-alone replication commands (doc/ha-protocol.md 17.5, man/qpid-ha.1):
// replicate, replicate-stop and replicas, through the ha-broker operations REPLICATE and
// REPLICATE-STOP and its `replicas` attribute. Each returns the tool's exit code and prints
// failures as "qpid-ha: <reason>".
#pragma once

#include "client/management_client.h"
#include "tools/qpid_ha_options.h"

namespace qpidd::tools::qpid_ha {

int ReplicateCommand(client::ManagementClient& client, const Options& options);
int ReplicateStopCommand(client::ManagementClient& client, const Options& options);
int ReplicasCommand(client::ManagementClient& client);

}  // namespace qpidd::tools::qpid_ha
