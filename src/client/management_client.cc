#include "client/management_client.h"

#include <utility>

#include <proton/codec/map.hpp>
#include <proton/codec/vector.hpp>
#include <proton/message.hpp>
#include <proton/symbol.hpp>
#include <proton/types.hpp>

#include "management/protocol.h"

namespace qpidd::client {
namespace {

std::string AsString(const proton::value& v) {
  if (v.type() == proton::SYMBOL) return proton::get<proton::symbol>(v);
  if (v.type() == proton::STRING) return proton::get<std::string>(v);
  return {};
}

// Decodes a reply: statusCode (any integer type) and statusDescription are required.
Result<ManagementResponse> Decode(const proton::message& reply, const std::string& from) {
  const auto& properties = reply.properties();
  std::string code_key(management::kStatusCode);
  if (!properties.exists(code_key)) {
    return Status::Internal(from + ": the reply has no " + code_key);
  }
  proton::scalar code = properties.get(code_key);
  if (!proton::type_id_is_signed_int(code.type()) && !proton::type_id_is_unsigned_int(code.type())) {
    return Status::Internal(from + ": the reply's " + code_key + " is a " +
                            proton::type_name(code.type()) + ", not an integer");
  }
  ManagementResponse response;
  response.status_code = static_cast<int32_t>(proton::coerce<int64_t>(code));
  std::string description_key(management::kStatusDescription);
  if (properties.exists(description_key)) {
    proton::scalar d = properties.get(description_key);
    if (d.type() == proton::STRING) response.status_description = proton::get<std::string>(d);
  }
  if (response.status_description.empty()) {
    response.status_description = std::string(management::StatusCodeText(response.status_code));
  }
  response.body = reply.body();
  return response;
}

}  // namespace

AttributeMap ManagementResponse::BodyMap() const {
  AttributeMap map;
  if (body.type() != proton::MAP) return map;
  std::vector<std::pair<proton::value, proton::value>> pairs;
  proton::get(body, pairs);
  for (auto& [k, v] : pairs) map[AsString(k)] = std::move(v);
  return map;
}

Result<std::unique_ptr<ManagementClient>> ManagementClient::Connect(const ClientOptions& options) {
  auto addresses = ParseBrokerUrl(options.url);
  if (!addresses.ok()) {
    return Status::InvalidArgument("bad broker address '" + options.url +
                                   "': " + addresses.status().message());
  }
  ConnectionSettings settings{options.timeout, options.ha_admin || options.ha_override,
                              options.container_id, options.ha_override};
  std::string failures;
  StatusCode code = StatusCode::kInternal;
  for (const BrokerAddress& address : addresses.value()) {
    auto connection = ManagementConnection::Open(address, settings);
    if (connection.ok()) {
      return std::make_unique<ManagementClient>(std::move(connection).value(), options.timeout);
    }
    failures += (failures.empty() ? "" : "; ") + connection.status().message();
    code = connection.status().code();
  }
  return Status::Error(code, "cannot connect to " + failures);
}

Result<ManagementResponse> ManagementClient::Call(const ManagementRequest& request) {
  proton::message message;
  auto& properties = message.properties();
  properties.put(std::string(management::kOperation), request.operation);
  if (!request.type.empty()) properties.put(std::string(management::kType), request.type);
  if (!request.name.empty()) properties.put(std::string(management::kName), request.name);
  for (const auto& [key, value] : request.properties) properties.put(key, value);
  proton::value body;
  body = request.attributes;
  message.body(body);
  auto reply = connection_->Call(std::move(message), timeout_);
  if (!reply.ok()) return reply.status();
  return Decode(reply.value(), address().HostPort());
}

Result<std::vector<AttributeMap>> ManagementClient::Query(
    const std::string& type, const std::vector<std::string>& attribute_names) {
  ManagementRequest request;
  request.operation = std::string(management::kQuery);
  request.type = type;
  request.attributes[std::string(management::kAttributeNames)] =
      std::vector<proton::value>(attribute_names.begin(), attribute_names.end());
  auto response = Call(request);
  if (!response.ok()) return response.status();
  if (!response.value().ok()) {
    return Status::Error(StatusCode::kInternal, response.value().status_description);
  }
  AttributeMap body = response.value().BodyMap();
  auto names_it = body.find(std::string(management::kAttributeNames));
  auto results_it = body.find(std::string(management::kResults));
  if (names_it == body.end() || results_it == body.end()) {
    return Status::Internal(address().HostPort() + ": the QUERY reply lacks attributeNames or "
                                                   "results");
  }
  std::vector<proton::value> names, results;
  proton::get(names_it->second, names);
  proton::get(results_it->second, results);
  std::vector<AttributeMap> rows;
  for (const auto& result : results) {
    std::vector<proton::value> values;
    proton::get(result, values);
    AttributeMap row;
    for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
      row[AsString(names[i])] = values[i];
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace qpidd::client
