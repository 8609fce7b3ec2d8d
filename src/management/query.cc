#include "management/query.h"

#include <algorithm>

#include <proton/codec/vector.hpp>

#include "management/attributes.h"
#include "management/protocol.h"

namespace qpidd::management {
namespace {

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

Result<Reply> RunQuery(const Request& request, const std::vector<const EntityType*>& types) {
  if (Status s = CheckKnownAttributes(request.attributes, {kAttributeNames}, "query", kQuery);
      !s.ok()) {
    return s;
  }
  std::vector<std::string> wanted;
  if (Status s = ReadStringList(request.attributes, kAttributeNames, wanted); !s.ok()) return s;

  // Every attribute some queried type reports, in the types' own order.
  std::vector<std::string> known;
  for (const EntityType* type : types) {
    for (const auto& name : type->AttributeNames()) {
      if (!Contains(known, name)) known.push_back(name);
    }
  }
  for (const auto& name : wanted) {
    if (!Contains(known, name)) {
      std::string of = types.size() == 1 ? "type " + std::string(types[0]->name()) : "any type";
      return Status::InvalidArgument("unknown attribute '" + name + "' in attributeNames: " + of +
                                     " has no such attribute");
    }
  }
  if (wanted.empty()) wanted = known;

  std::vector<proton::value> results;
  int64_t skipped = 0;
  for (const EntityType* type : types) {
    for (const auto& row : type->List()) {
      if (skipped < request.offset) {
        ++skipped;
        continue;
      }
      if (request.count && static_cast<int64_t>(results.size()) >= *request.count) break;
      std::vector<proton::value> values;
      values.reserve(wanted.size());
      for (const auto& name : wanted) {
        auto it = row.find(name);
        values.push_back(it == row.end() ? proton::value() : it->second);
      }
      results.emplace_back(values);
    }
  }

  std::vector<proton::value> names(wanted.begin(), wanted.end());
  AttributeMap body{{std::string(kAttributeNames), proton::value(names)},
                    {std::string(kResults), proton::value(results)}};
  return SuccessReply(kOk, body);
}

}  // namespace qpidd::management
