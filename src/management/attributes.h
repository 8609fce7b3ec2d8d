// Typed reads of a request's attributes. Each read leaves `out` unchanged when the attribute is
// absent or null, and fails with an InvalidArgument naming the attribute when it has the wrong
// type: a management client gets "attribute 'durable' must be a boolean, not string", never a
// guess at what it meant.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "broker/value.h"
#include "common/status.h"
#include "management/value_codec.h"

namespace qpidd::management {

Status ReadBool(const AttributeMap& attributes, std::string_view key, bool& out);
// `present` (may be null) says whether a non-null value was there.
Status ReadString(const AttributeMap& attributes, std::string_view key, std::string& out,
                  bool* present = nullptr);
// A map of scalars; nested maps or lists are refused naming the argument.
Status ReadArguments(const AttributeMap& attributes, std::string_view key,
                     broker::Arguments& out);
// A list (or array) of strings.
Status ReadStringList(const AttributeMap& attributes, std::string_view key,
                      std::vector<std::string>& out);

// Refuses an attribute `operation` on `type` does not take (a typo must not be ignored).
Status CheckKnownAttributes(const AttributeMap& attributes,
                            std::initializer_list<std::string_view> known, std::string_view type,
                            std::string_view operation);

}  // namespace qpidd::management
