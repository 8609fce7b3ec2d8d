// qpid-ha: asks a broker's HA module for its status and settings, and promotes a broker for the
// cluster manager, through the management type `ha-broker` (doc/ha-protocol.md 12, man/qpid-ha.1).
//
// Every connection is an HA admin connection (open property qpid.ha-admin), so that backups,
// which refuse ordinary clients, answer too.
//
// Exit codes: 0 done (or the status matched), 1 failure (printed as "qpid-ha: <reason>", except
// for a status that did not match), 2 usage error, as qpid-config.

#include <algorithm>
#include <functional>
#include <future>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

#include <proton/types.hpp>

#include "client/management_client.h"
#include "client/management_connection.h"
#include "client/value_text.h"
#include "common/status.h"
#include "common/url.h"
#include "tools/qpid_ha_options.h"
#include "tools/qpid_ha_replicate.h"

namespace qpidd::tools::qpid_ha {
namespace {

using client::AttributeMap;
using client::ConnectionSettings;
using client::ManagementClient;
using client::ManagementConnection;
using client::ManagementRequest;
using client::ManagementResponse;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

constexpr char kHaType[] = "ha-broker";
constexpr char kPromoteRefusal[] =
    "'promote' is for the cluster manager only; incorrect use breaks the cluster. Use 'promote "
    "--cluster-manager'";

int Fail(const std::string& message) {
  std::cerr << "qpid-ha: " << message << "\n";
  return kExitFailed;
}

int Usage(const UsageError& error) {
  std::cerr << "qpid-ha: " << error.message << "\n"
            << "Try 'qpid-ha --help' for more information.\n";
  return kExitUsage;
}

std::string Text(const AttributeMap& row, const std::string& name) {
  auto it = row.find(name);
  return it == row.end() ? std::string() : client::ValueText(it->second);
}

// A message of the management client starts with the address it concerns ("host:port: why");
// for lines that name the address already, only the why.
std::string Reason(const Status& status, const BrokerAddress& address) {
  const std::string prefix = address.HostPort() + ": ";
  const std::string& message = status.message();
  return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message;
}

std::string ContainerId() {
  // Recognisable in the broker's connection list and logs, and unique across hosts.
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return "qpid-ha-" + std::string(host) + "-" + std::to_string(getpid());
}

// Connects to the first of `addresses` that answers. The error names each address and why it
// failed: "127.0.0.1:5672: Connection refused".
Result<std::unique_ptr<ManagementClient>> Connect(const std::vector<BrokerAddress>& addresses,
                                                  const Options& options) {
  ConnectionSettings settings{options.timeout, /*ha_admin=*/true, ContainerId()};
  std::string failures;
  StatusCode code = StatusCode::kInternal;
  for (const BrokerAddress& address : addresses) {
    auto connection = ManagementConnection::Open(address, settings);
    if (connection.ok()) {
      return std::make_unique<ManagementClient>(std::move(connection).value(), options.timeout);
    }
    failures += (failures.empty() ? "" : "; ") + connection.status().message();
    code = connection.status().code();
  }
  return Status::Error(code, failures);
}

// Sends an operation on the ha-broker entity. A 404 means the broker has no such type: its HA
// module is not loaded (NotFound). Other refusals are kept as replies for the caller to judge.
Result<ManagementResponse> CallHaBroker(ManagementClient& client, const std::string& operation) {
  ManagementRequest request;
  request.operation = operation;
  request.type = kHaType;
  request.name = kHaType;
  auto reply = client.Call(request);
  if (!reply.ok()) return reply.status();
  if (reply.value().status_code == 404) {
    return Status::NotFound("HA module is not loaded on broker at " + client.address().HostPort());
  }
  return reply;
}

// The ha-broker entity's attributes. Errors are ready to print after "qpid-ha: ".
Result<AttributeMap> ReadHaBroker(ManagementClient& client) {
  auto reply = CallHaBroker(client, "READ");
  if (!reply.ok()) return reply.status();
  const ManagementResponse& response = reply.value();
  if (!response.ok()) {
    return Status::Internal(client.address().HostPort() + ": " + response.status_description +
                            " (" + std::to_string(response.status_code) + ")");
  }
  return response.BodyMap();
}

// A map value (a member of `members`) as attribute name to value.
AttributeMap MapOf(const proton::value& value) {
  AttributeMap map;
  if (value.type() != proton::MAP) return map;
  std::vector<std::pair<proton::value, proton::value>> pairs;
  proton::get(value, pairs);
  for (auto& [k, v] : pairs) map[client::ValueText(k)] = std::move(v);
  return map;
}

// "id@address(status), ..." from the members list.
std::string MembersText(const AttributeMap& ha) {
  auto it = ha.find("members");
  if (it == ha.end() || (it->second.type() != proton::LIST && it->second.type() != proton::ARRAY)) {
    return "";
  }
  std::vector<proton::value> members;
  proton::get(it->second, members);
  std::string text;
  for (const auto& m : members) {
    AttributeMap member = MapOf(m);
    text += (text.empty() ? "" : ", ") + Text(member, "broker-id") + "@" +
            Text(member, "address") + "(" + Text(member, "status") + ")";
  }
  return text;
}

// The query block: "%-20s %s" lines.
std::string QueryBlock(const AttributeMap& ha) {
  const std::pair<const char*, std::string> lines[] = {
      {"Status:", Text(ha, "status")},          {"Broker ID:", Text(ha, "brokerId")},
      {"Address:", Text(ha, "address")},        {"Brokers URL:", Text(ha, "brokersUrl")},
      {"Public URL:", Text(ha, "publicUrl")},   {"Replicate:", Text(ha, "replicate")},
      {"Epoch:", Text(ha, "epoch")},            {"Primary:", Text(ha, "primary")},
      {"Members:", MembersText(ha)},
  };
  std::ostringstream out;
  for (const auto& [label, value] : lines) {
    out << std::left << std::setw(20) << label << " " << value << "\n";
  }
  // Only while a primary refuses this backup (doc/ha-protocol.md 12.1).
  if (const std::string error = Text(ha, "replicationError"); !error.empty()) {
    out << std::left << std::setw(20) << "Error:" << " " << error << "\n";
  }
  return out.str();
}

// What --all prints for one broker of the cluster: `show` formats its ha-broker entity.
using Show = std::string (*)(const BrokerAddress& address, const AttributeMap& ha);

std::string StatusLine(const BrokerAddress& address, const AttributeMap& ha) {
  const std::string error = Text(ha, "replicationError");
  return address.HostPort() + " " + Text(ha, "status") + (error.empty() ? "" : " (" + error + ")") +
         "\n";
}

std::string QueryLines(const BrokerAddress& /*address*/, const AttributeMap& ha) {
  return QueryBlock(ha);
}

// Connects to one broker of the cluster and formats what it says, or why it did not.
std::string Visit(const BrokerAddress& address, const Options& options, Show show) {
  auto error_line = [&](const Status& status) {
    return address.HostPort() + " error: " + Reason(status, address) + "\n";
  };
  auto client = Connect({address}, options);
  if (!client.ok()) return error_line(client.status());
  auto ha = ReadHaBroker(*client.value());
  if (!ha.ok()) return error_line(ha.status());
  return show(address, ha.value());
}

// The brokers of the cluster, from the ha-broker entity's brokersUrl. Those whose address gives
// no credentials get -b's: a cluster is administered with one account.
Result<std::vector<BrokerAddress>> ClusterAddresses(const AttributeMap& ha,
                                                    const BrokerAddress& local) {
  const std::string url = Text(ha, "brokersUrl");
  auto addresses = ParseBrokerUrl(url);
  if (!addresses.ok()) {
    return Status::InvalidArgument(local.HostPort() + ": bad brokers URL '" + url +
                                   "': " + addresses.status().message());
  }
  for (BrokerAddress& address : addresses.value()) {
    if (address.user.empty()) {
      address.user = local.user;
      address.password = local.password;
    }
  }
  return addresses;
}

// status --all, query --all: each broker of brokersUrl, asked at the same time (an unreachable
// one costs the timeout once, not once each), printed in the URL's order. Exit 0 even if some
// failed: their lines say so.
int ShowAll(const ManagementClient& client, const AttributeMap& ha, const Options& options,
            Show show, const char* separator) {
  if (Text(ha, "brokersUrl").empty()) {
    std::cout << show(client.address(), ha);
    return kExitOk;
  }
  auto addresses = ClusterAddresses(ha, client.address());
  if (!addresses.ok()) return Fail(addresses.status().message());
  std::vector<std::future<std::string>> visits;
  std::transform(addresses.value().begin(), addresses.value().end(), std::back_inserter(visits),
                 [&](const BrokerAddress& address) {
                   return std::async(std::launch::async, Visit, address, std::cref(options), show);
                 });
  for (size_t i = 0; i < visits.size(); ++i) {
    std::cout << (i == 0 ? "" : separator) << visits[i].get();
  }
  return kExitOk;
}

int StatusCommand(ManagementClient& client, const Options& options) {
  auto ha = ReadHaBroker(client);
  if (!ha.ok()) return Fail(ha.status().message());
  const std::string status = Text(ha.value(), "status");
  if (options.is_primary) return IsPrimaryStatus(status) ? kExitOk : kExitFailed;
  if (options.expect) return ExpectMatches(*options.expect, status) ? kExitOk : kExitFailed;
  if (options.all) return ShowAll(client, ha.value(), options, StatusLine, "");
  std::cout << status << "\n";
  // stdout stays one word for scripts; why a backup cannot join goes to stderr.
  if (const std::string error = Text(ha.value(), "replicationError"); !error.empty()) {
    std::cerr << "qpid-ha: " << error << "\n";
  }
  return kExitOk;
}

int QueryCommand(ManagementClient& client, const Options& options) {
  auto ha = ReadHaBroker(client);
  if (!ha.ok()) return Fail(ha.status().message());
  if (options.all) return ShowAll(client, ha.value(), options, QueryLines, "\n");
  std::cout << QueryBlock(ha.value());
  return kExitOk;
}

int PromoteCommand(ManagementClient& client) {
  auto reply = CallHaBroker(client, "PROMOTE");
  if (!reply.ok()) return Fail(reply.status().message());
  if (!reply.value().ok()) return Fail(reply.value().status_description);
  return kExitOk;
}

int Run(const Options& options) {
  auto addresses = ParseBrokerUrl(options.broker);
  if (!addresses.ok()) {
    return Usage(UsageError{"bad broker address '" + options.broker +
                            "': " + addresses.status().message()});
  }
  auto client = Connect(addresses.value(), options);
  if (!client.ok()) return Fail(client.status().message());
  switch (options.command) {
    case Command::kPing: return kExitOk;
    case Command::kStatus: return StatusCommand(*client.value(), options);
    case Command::kQuery: return QueryCommand(*client.value(), options);
    case Command::kPromote: return PromoteCommand(*client.value());
    case Command::kReplicate: return ReplicateCommand(*client.value(), options);
    case Command::kReplicateStop: return ReplicateStopCommand(*client.value(), options);
    case Command::kReplicas: return ReplicasCommand(*client.value());
    case Command::kNone:
    case Command::kHelp: break;  // handled before connecting
  }
  return kExitUsage;
}

int Main(int argc, char** argv) {
  Options options;
  if (auto error = Parse(std::vector<std::string>(argv + 1, argv + argc), options)) {
    return Usage(*error);
  }
  if (options.help || options.command == Command::kHelp) {
    std::cout << UsageText();
    return kExitOk;
  }
  // Refused before connecting: promoting the wrong broker cannot be undone.
  if (options.command == Command::kPromote && !options.cluster_manager) {
    return Fail(kPromoteRefusal);
  }
  return Run(options);
}

}  // namespace
}  // namespace qpidd::tools::qpid_ha

int main(int argc, char** argv) {
  try {
    return qpidd::tools::qpid_ha::Main(argc, argv);
  } catch (const std::exception& e) {
    // Proton reports some failures by exception; none must end the tool with an abort.
    std::cerr << "qpid-ha: internal error: " << e.what() << "\n";
    return 1;
  }
}
