// QUERY, as the AMQP Management draft has it: the body names the attributes wanted
// (`attributeNames`, empty or absent for all) and the reply holds
// {attributeNames: [...], results: [[value per name], ...]}, one row per entity.
#pragma once

#include <vector>

#include "common/status.h"
#include "management/entity_type.h"
#include "management/reply.h"
#include "management/request.h"

namespace qpidd::management {

// Runs QUERY over `types`: one type when the request names one, every type when it names none
// (rows then carry null for attributes their type lacks). An attribute name no queried type
// reports is a 400 naming it. The request's `offset` and `count` page through the rows.
Result<Reply> RunQuery(const Request& request, const std::vector<const EntityType*>& types);

}  // namespace qpidd::management
