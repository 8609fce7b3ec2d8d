#include "tools/qpid_ha_replicate.h"

#include <iostream>
#include <string>
#include <vector>

#include <proton/types.hpp>

#include "client/table.h"
#include "client/value_text.h"
#include "tools/replicate_arguments.h"

namespace qpidd::tools::qpid_ha {
namespace {

using client::AttributeMap;
using client::ManagementClient;
using client::ManagementRequest;
using client::ManagementResponse;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr char kHaType[] = "ha-broker";

int Fail(const std::string& message) {
  std::cerr << "qpid-ha: " << message << "\n";
  return kExitFailed;
}

std::string Text(const AttributeMap& row, const std::string& name) {
  auto it = row.find(name);
  return it == row.end() ? std::string() : client::ValueText(it->second);
}

// An operation on the ha-broker entity; its refusals are errors naming the broker.
Result<AttributeMap> CallHaBroker(ManagementClient& client, const std::string& operation,
                                  AttributeMap attributes = {}) {
  ManagementRequest request;
  request.operation = operation;
  request.type = kHaType;
  request.name = kHaType;
  request.attributes = std::move(attributes);
  auto reply = client.Call(request);
  if (!reply.ok()) return reply.status();
  const ManagementResponse& response = reply.value();
  if (!response.ok()) {
    return Status::Internal(client.address().HostPort() + ": " + response.status_description +
                            " (" + std::to_string(response.status_code) + ")");
  }
  return response.BodyMap();
}

// The broker has the ha-broker type: an older broker, or one without the module, answers 404.
Status CheckHaModule(ManagementClient& client) {
  ManagementRequest request;
  request.operation = "READ";
  request.type = kHaType;
  request.name = kHaType;
  auto reply = client.Call(request);
  if (!reply.ok()) return reply.status();
  if (reply.value().status_code == 404) {
    return Status::NotFound("HA module is not loaded on broker at " + client.address().HostPort());
  }
  return Status::Ok();
}

// Whether the broker has queue `name`; an error when it cannot tell.
Result<bool> HasQueue(ManagementClient& client, const std::string& name) {
  ManagementRequest request;
  request.operation = "READ";
  request.type = "queue";
  request.name = name;
  auto reply = client.Call(request);
  if (!reply.ok()) return reply.status();
  if (reply.value().status_code == 404) return false;
  if (!reply.value().ok()) {
    return Status::Internal(client.address().HostPort() + ": reading queue '" + name +
                            "': " + reply.value().status_description);
  }
  return true;
}

void PrintReplicas(const std::vector<AttributeMap>& replicas) {
  client::Table table;
  table.AddColumn("queue");
  table.AddColumn("source");
  table.AddColumn("status");
  table.AddColumn("messages", client::Table::Align::kRight);
  table.AddColumn("received", client::Table::Align::kRight);
  table.AddColumn("connected");
  table.AddColumn("last error");
  for (const AttributeMap& r : replicas) {
    table.AddRow({Text(r, "queue"), Text(r, "source"), Text(r, "status"), Text(r, "messages"),
                  Text(r, "msgsReceived"), Text(r, "connected"), Text(r, "lastError")});
  }
  table.Print(std::cout);
}

// The replicas list of the ha-broker entity, each as attribute name to value.
std::vector<AttributeMap> ReplicaMaps(const AttributeMap& ha) {
  std::vector<AttributeMap> out;
  auto it = ha.find("replicas");
  if (it == ha.end() || (it->second.type() != proton::LIST && it->second.type() != proton::ARRAY)) {
    return out;
  }
  std::vector<proton::value> list;
  proton::get(it->second, list);
  for (const auto& item : list) {
    if (item.type() != proton::MAP) continue;
    std::vector<std::pair<proton::value, proton::value>> pairs;
    proton::get(item, pairs);
    AttributeMap map;
    for (auto& [k, v] : pairs) map[client::ValueText(k)] = std::move(v);
    out.push_back(std::move(map));
  }
  return out;
}

}  // namespace

int ReplicateCommand(ManagementClient& client, const Options& options) {
  if (Status s = CheckHaModule(client); !s.ok()) return Fail(s.message());
  Status lookup_error = Status::Ok();
  auto is_local_queue = [&](const std::string& name) {
    auto has = HasQueue(client, name);
    if (!has.ok()) {
      if (lookup_error.ok()) lookup_error = has.status();
      return false;
    }
    return has.value();
  };
  auto resolved =
      ResolveReplicateArguments(options.arguments[0], options.arguments[1], is_local_queue);
  if (!lookup_error.ok()) return Fail(lookup_error.message());
  if (!resolved.ok()) {
    return Fail(client.address().HostPort() + ": " + resolved.status().message());
  }
  auto replica =
      CallHaBroker(client, "REPLICATE",
                   {{"source", resolved.value().source}, {"queue", resolved.value().queue}});
  if (!replica.ok()) return Fail(replica.status().message());
  return kExitOk;
}

int ReplicateStopCommand(ManagementClient& client, const Options& options) {
  if (Status s = CheckHaModule(client); !s.ok()) return Fail(s.message());
  auto replica = CallHaBroker(client, "REPLICATE-STOP", {{"queue", options.arguments[0]}});
  if (!replica.ok()) return Fail(replica.status().message());
  return kExitOk;
}

int ReplicasCommand(ManagementClient& client) {
  if (Status s = CheckHaModule(client); !s.ok()) return Fail(s.message());
  auto ha = CallHaBroker(client, "READ");
  if (!ha.ok()) return Fail(ha.status().message());
  const std::vector<AttributeMap> replicas = ReplicaMaps(ha.value());
  if (!replicas.empty()) PrintReplicas(replicas);
  return kExitOk;
}

}  // namespace qpidd::tools::qpid_ha
