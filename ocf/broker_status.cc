#include "ocf/broker_status.h"

#include <unistd.h>

#include <future>
#include <memory>

#include <proton/types.hpp>

#include "client/management_client.h"
#include "client/management_connection.h"
#include "client/value_text.h"

namespace qpidd::ocf {
namespace {

using client::AttributeMap;
using client::ConnectionSettings;
using client::ManagementClient;
using client::ManagementConnection;
using client::ManagementRequest;

constexpr char kHaType[] = "ha-broker";

std::string Text(const AttributeMap& map, const std::string& name) {
  auto it = map.find(name);
  if (it == map.end() || it->second.type() == proton::NULL_TYPE) return "";
  return client::ValueText(it->second);
}

Result<std::unique_ptr<ManagementClient>> Connect(const BrokerAddress& address,
                                                  std::chrono::milliseconds timeout) {
  // Recognisable in the broker's connection list and logs.
  ConnectionSettings settings{timeout, /*ha_admin=*/true,
                              "qpidd-ocf-agent-" + std::to_string(getpid())};
  auto connection = ManagementConnection::Open(address, settings);
  if (!connection.ok()) return connection.status();
  return std::make_unique<ManagementClient>(std::move(connection).value(), timeout);
}

Result<client::ManagementResponse> CallHaBroker(ManagementClient& client,
                                                const std::string& operation) {
  ManagementRequest request;
  request.operation = operation;
  request.type = kHaType;
  request.name = kHaType;
  auto reply = client.Call(request);
  if (!reply.ok()) return reply.status();
  if (reply.value().status_code == 404) {
    return Status::NotFound(client.address().HostPort() + ": the HA module is not loaded");
  }
  return reply;
}

}  // namespace

Result<HaBrokerStatus> ReadHaBroker(const BrokerAddress& address,
                                    std::chrono::milliseconds timeout, bool deep) {
  auto client = Connect(address, timeout);
  if (!client.ok()) return client.status();
  auto reply = CallHaBroker(*client.value(), "READ");
  if (!reply.ok()) return reply.status();
  if (!reply.value().ok()) {
    return Status::Internal(address.HostPort() + ": READ ha-broker: " +
                            reply.value().status_description);
  }
  const AttributeMap ha = reply.value().BodyMap();
  HaBrokerStatus status;
  status.status = Text(ha, "status");
  status.state = ParseHaState(status.status);
  status.address = Text(ha, "address");
  status.brokers_url = Text(ha, "brokersUrl");
  status.replication_error = Text(ha, "replicationError");
  if (deep) {
    auto queues = client.value()->Query("queue", {"name"});
    if (!queues.ok()) {
      return Status::Internal(address.HostPort() + ": QUERY queue: " + queues.status().message());
    }
  }
  return status;
}

Status PromoteBroker(const BrokerAddress& address, std::chrono::milliseconds timeout) {
  auto client = Connect(address, timeout);
  if (!client.ok()) return client.status();
  auto reply = CallHaBroker(*client.value(), "PROMOTE");
  if (!reply.ok()) return reply.status();
  if (!reply.value().ok()) return Status::Internal(reply.value().status_description);
  return Status::Ok();
}

std::vector<MemberView> ViewMembers(const std::vector<BrokerAddress>& brokers_url,
                                    const HaBrokerStatus& own, const BrokerAddress& local,
                                    std::chrono::milliseconds timeout) {
  std::vector<MemberView> members(brokers_url.size());
  std::vector<std::future<Result<HaBrokerStatus>>> reads(brokers_url.size());
  for (size_t i = 0; i < brokers_url.size(); ++i) {
    const BrokerAddress& address = brokers_url[i];
    members[i].address = address.HostPort();
    members[i].self = members[i].address == own.address ||
                      (address.host == local.host && address.port == local.port);
    if (members[i].self) {
      members[i].reachable = true;
      members[i].state = own.state;
    } else {
      reads[i] = std::async(std::launch::async, [address, timeout] {
        return ReadHaBroker(address, timeout);
      });
    }
  }
  for (size_t i = 0; i < brokers_url.size(); ++i) {
    if (!reads[i].valid()) continue;
    auto read = reads[i].get();
    if (read.ok()) {
      members[i].reachable = true;
      members[i].state = read.value().state;
    } else {
      members[i].error = read.status().message();
    }
  }
  return members;
}

}  // namespace qpidd::ocf
