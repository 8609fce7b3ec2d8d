// The `replicate` attribute of queues and exchanges: the qpid.replicate argument (none,
// configuration or all) that the HA module reads, offered as an attribute of its own.
#pragma once

#include <proton/value.hpp>

#include "broker/queue.h"
#include "broker/value.h"
#include "common/status.h"
#include "management/value_codec.h"

namespace qpidd::management {

// Copies a CREATE's `replicate` attribute into `arguments` as qpid.replicate. Giving both is
// allowed only when they agree. The broker validates the level itself.
Status MergeReplicateAttribute(const AttributeMap& attributes, broker::Arguments& arguments);

// The level as reported: its name, or null when unset (the broker's default applies).
proton::value ReplicateAttributeValue(broker::ReplicationLevel level);

}  // namespace qpidd::management
