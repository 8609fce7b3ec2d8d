#include "management/connection_type.h"

#include "management/attributes.h"
#include "management/protocol.h"

namespace qpidd::management {

AttributeMap DescribeConnection(const broker::ConnectionSnapshot& c) {
  std::string id = std::to_string(c.info.id);
  return AttributeMap{
      {"name", id},
      {"identity", id},
      {"type", std::string(kConnectionType)},
      {"remote-address", c.info.remote_address},
      {"container-id", c.info.container_id},
      {"user", c.info.user},
      {"admin", c.info.admin},
      {"backup-link", c.info.backup_link},
      {"msgsIn", c.messages_in},
      {"msgsOut", c.messages_out},
      {"senderCount", c.senders},
      {"receiverCount", c.receivers},
  };
}

std::string_view ConnectionType::name() const { return kConnectionType; }

std::vector<std::string> ConnectionType::AttributeNames() const {
  return {"name",  "identity",    "type",   "remote-address", "container-id", "user",
          "admin", "backup-link", "msgsIn", "msgsOut",        "senderCount",  "receiverCount"};
}

std::vector<std::string> ConnectionType::Operations() const { return {std::string(kRead)}; }

std::vector<AttributeMap> ConnectionType::List() const {
  std::vector<AttributeMap> rows;
  for (const auto& c : broker_.connections().Snapshot()) rows.push_back(DescribeConnection(c));
  return rows;
}

Result<Reply> ConnectionType::Handle(const Request& request, const broker::ConnectionInfo&) {
  if (request.operation != kRead) return Unsupported(request);
  if (Status s = RequireName(request); !s.ok()) return s;
  if (Status s = CheckKnownAttributes(request.attributes, {}, kConnectionType, kRead); !s.ok()) {
    return s;
  }
  for (const auto& c : broker_.connections().Snapshot()) {
    if (std::to_string(c.info.id) == request.name) return SuccessReply(kOk, DescribeConnection(c));
  }
  return Status::NotFound("connection '" + request.name + "' not found");
}

}  // namespace qpidd::management
