#include "management/request.h"

#include <algorithm>
#include <cctype>

#include <proton/scalar.hpp>
#include <proton/symbol.hpp>
#include <proton/types.hpp>

#include "management/protocol.h"

namespace qpidd::management {
namespace {

using PropertyMap = proton::message::property_map;

// Reads an optional string property; `*present` says whether it was there (and not null).
Status StringProperty(const PropertyMap& properties, std::string_view key, std::string& out,
                      bool* present) {
  *present = false;
  std::string k(key);
  if (!properties.exists(k)) return Status::Ok();
  proton::scalar value = properties.get(k);
  switch (value.type()) {
    case proton::NULL_TYPE: return Status::Ok();
    case proton::STRING: out = proton::get<std::string>(value); break;
    case proton::SYMBOL: out = proton::get<proton::symbol>(value); break;
    default:
      return Status::InvalidArgument("application-property '" + k + "' must be a string, not " +
                                     proton::type_name(value.type()));
  }
  *present = true;
  return Status::Ok();
}

// Reads an optional non-negative integer property (QUERY's offset and count).
Status IntegerProperty(const PropertyMap& properties, std::string_view key,
                       std::optional<int64_t>& out) {
  std::string k(key);
  if (!properties.exists(k)) return Status::Ok();
  proton::scalar value = properties.get(k);
  if (value.type() == proton::NULL_TYPE) return Status::Ok();
  if (!proton::type_id_is_signed_int(value.type()) &&
      !proton::type_id_is_unsigned_int(value.type())) {
    return Status::InvalidArgument("application-property '" + k + "' must be an integer, not " +
                                   proton::type_name(value.type()));
  }
  int64_t n = proton::type_id_is_signed_int(value.type())
                  ? proton::coerce<int64_t>(value)
                  : static_cast<int64_t>(std::min<uint64_t>(proton::coerce<uint64_t>(value),
                                                            INT64_MAX));
  if (n < 0) {
    return Status::InvalidArgument("application-property '" + k + "' must not be negative");
  }
  out = n;
  return Status::Ok();
}

// Takes a string attribute out of the body (Dispatch-style requests put name/type there).
Status LiftFromBody(AttributeMap& body, std::string_view key, std::string& out, bool* present) {
  *present = false;
  auto it = body.find(std::string(key));
  if (it == body.end()) return Status::Ok();
  proton::value value = std::move(it->second);
  body.erase(it);
  if (value.type() == proton::NULL_TYPE) return Status::Ok();
  if (value.type() == proton::STRING) {
    out = proton::get<std::string>(value);
  } else if (value.type() == proton::SYMBOL) {
    out = proton::get<proton::symbol>(value);
  } else {
    return Status::InvalidArgument("attribute '" + std::string(key) + "' must be a string, not " +
                                   TypeName(value));
  }
  *present = true;
  return Status::Ok();
}

// Merges a value given both as a property and in the body: they must agree.
Status Merge(std::string_view key, const std::string& from_body, bool in_body, std::string& value,
             bool& present) {
  if (!in_body) return Status::Ok();
  if (present && value != from_body) {
    return Status::InvalidArgument("'" + std::string(key) + "' is '" + value +
                                   "' in the application-properties but '" + from_body +
                                   "' in the body");
  }
  value = from_body;
  present = true;
  return Status::Ok();
}

}  // namespace

Result<Request> ParseRequest(const proton::message& message) {
  Request request;
  const PropertyMap& properties = message.properties();

  bool present = false;
  if (Status s = StringProperty(properties, kOperation, request.operation, &present); !s.ok()) {
    return s;
  }
  if (!present || request.operation.empty()) {
    return Status::InvalidArgument("missing application-property 'operation'");
  }
  std::transform(request.operation.begin(), request.operation.end(), request.operation.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });

  auto body = AttributeMapFromProton(message.body(), "the request body");
  if (!body.ok()) return body.status();
  request.attributes = std::move(body).value();

  std::string type, entity_type, name, identity;
  bool has_type = false, has_entity_type = false, has_name = false, has_identity = false;
  if (Status s = StringProperty(properties, kType, type, &has_type); !s.ok()) return s;
  if (Status s = StringProperty(properties, kEntityType, entity_type, &has_entity_type); !s.ok()) {
    return s;
  }
  if (Status s = StringProperty(properties, kName, name, &has_name); !s.ok()) return s;
  if (Status s = StringProperty(properties, kIdentity, identity, &has_identity); !s.ok()) return s;

  std::string body_value;
  bool in_body = false;
  if (Status s = LiftFromBody(request.attributes, kType, body_value, &in_body); !s.ok()) return s;
  if (Status s = Merge(kType, body_value, in_body, type, has_type); !s.ok()) return s;
  if (Status s = LiftFromBody(request.attributes, kName, body_value, &in_body); !s.ok()) return s;
  if (Status s = Merge(kName, body_value, in_body, name, has_name); !s.ok()) return s;
  if (Status s = LiftFromBody(request.attributes, kIdentity, body_value, &in_body); !s.ok()) {
    return s;
  }
  if (Status s = Merge(kIdentity, body_value, in_body, identity, has_identity); !s.ok()) return s;

  // Every entity's identity is its name, so both may be given only when they agree.
  if (has_name && has_identity && name != identity) {
    return Status::InvalidArgument("name '" + name + "' and identity '" + identity +
                                   "' name different entities");
  }
  request.has_name = has_name || has_identity;
  request.name = has_name ? name : identity;

  if (has_entity_type && (!has_type || type == kManagementNodeType)) {
    request.type = entity_type;
  } else if (has_type && type != kManagementNodeType) {
    request.type = type;
  }

  std::optional<int64_t> offset;
  if (Status s = IntegerProperty(properties, kOffset, offset); !s.ok()) return s;
  request.offset = offset.value_or(0);
  if (Status s = IntegerProperty(properties, kCount, request.count); !s.ok()) return s;
  return request;
}

}  // namespace qpidd::management
