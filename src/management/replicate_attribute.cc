#include "management/replicate_attribute.h"

#include <string>

#include "management/attributes.h"

namespace qpidd::management {
namespace {
constexpr std::string_view kReplicateArgument = "qpid.replicate";
}  // namespace

Status MergeReplicateAttribute(const AttributeMap& attributes, broker::Arguments& arguments) {
  std::string level;
  bool present = false;
  if (Status s = ReadString(attributes, "replicate", level, &present); !s.ok() || !present) {
    return s;
  }
  auto it = arguments.find(std::string(kReplicateArgument));
  if (it != arguments.end() && !broker::ValuesEqual(it->second, broker::Value{level})) {
    return Status::InvalidArgument("attribute 'replicate' is '" + level + "' but argument " +
                                   std::string(kReplicateArgument) + " is " +
                                   broker::ToString(it->second));
  }
  arguments[std::string(kReplicateArgument)] = level;
  return Status::Ok();
}

proton::value ReplicateAttributeValue(broker::ReplicationLevel level) {
  if (level == broker::ReplicationLevel::kUnset) return proton::value();
  return proton::value(std::string(broker::ReplicationLevelName(level)));
}

}  // namespace qpidd::management
