#include "management/entity_type.h"

#include "management/protocol.h"

namespace qpidd::management {

Status EntityType::Unsupported(const Request& request) const {
  std::string supported;
  for (const auto& op : Operations()) supported += op + ", ";
  supported += std::string(kQuery);
  return Status::NotImplemented("operation " + request.operation + " is not supported for type " +
                                std::string(name()) + " (supported: " + supported + ")");
}

Status EntityType::RequireName(const Request& request) const {
  if (request.has_name && !request.name.empty()) return Status::Ok();
  return Status::InvalidArgument(request.operation + " of a " + std::string(name()) +
                                 " needs its name: set the application-property 'name' (or "
                                 "'identity')");
}

}  // namespace qpidd::management
