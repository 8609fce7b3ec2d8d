// The operations the draft defines on the management node itself: GET-TYPES, GET-ATTRIBUTES,
// GET-OPERATIONS and GET-MGMT-NODES. They let a generic client discover what this broker offers.
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "management/entity_type.h"
#include "management/reply.h"
#include "management/request.h"

namespace qpidd::management {

bool IsNodeOperation(std::string_view operation);

// `types` is every type, or only the one the request's entityType names.
Result<Reply> RunNodeOperation(const Request& request,
                               const std::vector<const EntityType*>& types);

}  // namespace qpidd::management
