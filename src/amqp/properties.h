// The connection properties we read from peers and offer to them in the AMQP open.
#pragma once

#include <proton/codec.h>

#include <map>
#include <string>
#include <vector>

#include "broker/broker_observer.h"

namespace qpidd::amqp {

// Property a tool sets on its open to be admitted to a backup broker as an administrator.
inline constexpr const char* kHaAdminProperty = "qpid.ha-admin";
// Property a replicating backup sets on its open (used by the HA module).
inline constexpr const char* kHaBackupProperty = "qpid.ha-backup";

// Fills info.admin / info.backup_link from the peer's open properties (a map, possibly empty).
void ReadPeerProperties(pn_data_t* properties, broker::ConnectionInfo& info);

// Writes our product name and version, then `extra` (symbol keys), then `lists` (each a list of
// maps with symbol keys), into our open properties.
void WriteBrokerProperties(pn_data_t* properties, const broker::Arguments& extra = {},
                           const std::map<std::string, std::vector<broker::Arguments>>& lists = {});

}  // namespace qpidd::amqp
