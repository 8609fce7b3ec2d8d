// A management request as the agent reads it from an AMQP message: the operation, the entity
// type and name from the application-properties, the attributes from the body. Parsing checks only
// the request's shape; what each type accepts is checked by the type (entity_type.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <proton/message.hpp>

#include "common/status.h"
#include "management/value_codec.h"

namespace qpidd::management {

struct Request {
  std::string operation;    // upper-cased: requests may spell it in any case
  // The entity type: the `type` property, or `entityType` when `type` is absent or names the
  // management node itself (the draft's QUERY and GET-* requests). Empty: none given.
  std::string type;
  std::string name;         // `name`, else `identity` (they must agree when both are given)
  bool has_name = false;
  AttributeMap attributes;  // the body, without name/identity/type (lifted into the fields above)
  int64_t offset = 0;       // QUERY paging
  std::optional<int64_t> count;
};

// A request missing its operation, with a property of the wrong type, or with a body that is not
// a map is an InvalidArgument error naming what is wrong.
Result<Request> ParseRequest(const proton::message& message);

}  // namespace qpidd::management
