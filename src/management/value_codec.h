// Conversions between Proton's values (as management requests carry them) and the broker's
// scalar Value/Arguments. The broker keeps only scalars, so a nested map or list, or an AMQP type
// it has no kind for (binary, uuid, timestamp...), is an error naming the offending attribute.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <proton/value.hpp>

#include "broker/value.h"
#include "common/status.h"

namespace qpidd::management {

// A request body or an entity's attributes, by attribute name.
using AttributeMap = std::map<std::string, proton::value>;

// `what` names the value in errors, e.g. "argument 'x-match'".
Result<broker::Value> ValueFromProton(const proton::value& v, std::string_view what);
proton::value ValueToProton(const broker::Value& v);

// A map with string (or symbol) keys and scalar values. Null is an empty map. `what` names the
// map in errors; a bad value is named "argument 'key'".
Result<broker::Arguments> ArgumentsFromProton(const proton::value& v, std::string_view what);
proton::value ArgumentsToProton(const broker::Arguments& arguments);

// A map with string (or symbol) keys; any values. Null is an empty map. Used for bodies.
Result<AttributeMap> AttributeMapFromProton(const proton::value& v, std::string_view what);
proton::value AttributeMapToProton(const AttributeMap& attributes);

// "string", "map", "ulong"...: the AMQP name of a value's type, for error messages.
std::string TypeName(const proton::value& v);

}  // namespace qpidd::management
