// The management client the tools (qpid-config, qpid-ha) and the OCF agent share: connects to the
// first reachable broker of an address list and sends AMQP Management requests
// (doc/management.md) to its `$management` node.
//
//   ClientOptions options;
//   options.url = "amqp:tcp:node1:5672,node2";
//   auto client = ManagementClient::Connect(options);
//   if (!client.ok()) ...  // "cannot connect to node1:5672: Connection refused; node2:5672: ..."
//   ManagementRequest request;
//   request.operation = "READ"; request.type = "queue"; request.name = "q";
//   auto reply = client.value()->Call(request);
//
// THREAD SAFE: Call() may be used from several threads at once. Every wait is bounded by
// ClientOptions::timeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <proton/scalar.hpp>
#include <proton/value.hpp>

#include "client/management_connection.h"
#include "common/status.h"
#include "common/url.h"

namespace qpidd::client {

using AttributeMap = std::map<std::string, proton::value>;

struct ClientOptions {
  std::string url;                           // an address list, as common/url.h parses it
  std::chrono::milliseconds timeout{10000};  // per address to connect; per request to answer
  bool ha_admin = false;                     // admitted by backups (open property qpid.ha-admin)
  // May change replicated objects on a backup, for repair (qpid.ha-override; implies ha_admin).
  bool ha_override = false;
  std::string container_id;                  // empty: Proton makes one up
};

struct ManagementRequest {
  std::string operation;    // CREATE, READ, DELETE, QUERY, PURGE...
  std::string type;         // queue, exchange, binding, connection, broker
  std::string name;         // empty: not sent
  AttributeMap attributes;  // the body
  // Further application-properties (entityType, offset, count).
  std::map<std::string, proton::scalar> properties;
};

struct ManagementResponse {
  int32_t status_code = 0;
  std::string status_description;
  proton::value body;

  bool ok() const { return status_code >= 200 && status_code < 300; }
  // The body as a map (empty when it is not one).
  AttributeMap BodyMap() const;
};

class ManagementClient {
 public:
  // Parses options.url and tries each address in turn. A bad URL is InvalidArgument; when no
  // address answers, the error names each address and why it failed.
  static Result<std::unique_ptr<ManagementClient>> Connect(const ClientOptions& options);

  // Sends one request and returns the broker's reply, whatever its status code. Fails only when
  // no reply came: the connection was lost (connected() is then false) or the timeout passed.
  Result<ManagementResponse> Call(const ManagementRequest& request);

  // QUERY of one type: one map per entity, attribute name to value. `attribute_names` empty: all.
  // A non-2xx reply becomes an error carrying its description.
  Result<std::vector<AttributeMap>> Query(const std::string& type,
                                          const std::vector<std::string>& attribute_names = {});

  bool connected() const { return connection_->connected(); }
  const BrokerAddress& address() const { return connection_->address(); }
  std::string reply_address() const { return connection_->reply_address(); }

  explicit ManagementClient(std::unique_ptr<ManagementConnection> connection,
                            std::chrono::milliseconds timeout)
      : connection_(std::move(connection)), timeout_(timeout) {}

 private:
  std::unique_ptr<ManagementConnection> connection_;
  const std::chrono::milliseconds timeout_;
};

}  // namespace qpidd::client
