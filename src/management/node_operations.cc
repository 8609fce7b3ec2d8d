#include "management/node_operations.h"

#include <proton/codec/vector.hpp>

#include "management/attributes.h"
#include "management/protocol.h"

namespace qpidd::management {
namespace {

proton::value List(const std::vector<std::string>& strings) {
  return proton::value(std::vector<proton::value>(strings.begin(), strings.end()));
}

}  // namespace

bool IsNodeOperation(std::string_view operation) {
  return operation == kGetTypes || operation == kGetAttributes || operation == kGetOperations ||
         operation == kGetMgmtNodes;
}

Result<Reply> RunNodeOperation(const Request& request,
                               const std::vector<const EntityType*>& types) {
  if (Status s = CheckKnownAttributes(request.attributes, {}, kManagementNodeType,
                                      request.operation);
      !s.ok()) {
    return s;
  }
  if (request.operation == kGetMgmtNodes) {
    // This broker has one management node and knows of no others.
    return SuccessReply(kOk, proton::value(std::vector<proton::value>{}));
  }
  AttributeMap body;
  for (const EntityType* type : types) {
    std::string name(type->name());
    if (request.operation == kGetTypes) {
      body[name] = List({});  // no type extends another
    } else if (request.operation == kGetAttributes) {
      body[name] = List(type->AttributeNames());
    } else {
      std::vector<std::string> operations = type->Operations();
      operations.emplace_back(kQuery);
      body[name] = List(operations);
    }
  }
  return SuccessReply(kOk, body);
}

}  // namespace qpidd::management
