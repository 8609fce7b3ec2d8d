// The names and codes of the management protocol (doc/management.md), shared by the broker's
// agent and the tools' client so that neither spells a property name on its own. Header-only:
// the client library includes it without linking the agent.
#pragma once

#include <cstdint>
#include <string_view>

namespace qpidd::management {

// The node requests are sent to.
inline constexpr std::string_view kManagementNode = "$management";

// Application-properties of a request.
inline constexpr std::string_view kOperation = "operation";
inline constexpr std::string_view kType = "type";
inline constexpr std::string_view kName = "name";
inline constexpr std::string_view kIdentity = "identity";
inline constexpr std::string_view kEntityType = "entityType";  // QUERY and GET-* filters
inline constexpr std::string_view kOffset = "offset";          // QUERY paging
inline constexpr std::string_view kCount = "count";

// Application-properties of a reply.
inline constexpr std::string_view kStatusCode = "statusCode";
inline constexpr std::string_view kStatusDescription = "statusDescription";

// The type of the management node itself, as the draft names it (GET-TYPES and friends).
inline constexpr std::string_view kManagementNodeType = "org.amqp.management";

// QUERY body keys.
inline constexpr std::string_view kAttributeNames = "attributeNames";
inline constexpr std::string_view kResults = "results";

// Operations. Requests may spell them in any case; these are the canonical spellings.
inline constexpr std::string_view kCreate = "CREATE";
inline constexpr std::string_view kRead = "READ";
inline constexpr std::string_view kUpdate = "UPDATE";
inline constexpr std::string_view kDelete = "DELETE";
inline constexpr std::string_view kQuery = "QUERY";
inline constexpr std::string_view kPurge = "PURGE";
inline constexpr std::string_view kGetTypes = "GET-TYPES";
inline constexpr std::string_view kGetAttributes = "GET-ATTRIBUTES";
inline constexpr std::string_view kGetOperations = "GET-OPERATIONS";
inline constexpr std::string_view kGetMgmtNodes = "GET-MGMT-NODES";

// Entity types.
inline constexpr std::string_view kQueueType = "queue";
inline constexpr std::string_view kExchangeType = "exchange";
inline constexpr std::string_view kBindingType = "binding";
inline constexpr std::string_view kConnectionType = "connection";
inline constexpr std::string_view kBrokerType = "broker";

// Reply status codes, HTTP-like as the draft has them.
inline constexpr int32_t kOk = 200;
inline constexpr int32_t kCreated = 201;
inline constexpr int32_t kNoContent = 204;
inline constexpr int32_t kBadRequest = 400;
inline constexpr int32_t kForbidden = 403;
inline constexpr int32_t kNotFound = 404;
inline constexpr int32_t kConflict = 409;
inline constexpr int32_t kInternalError = 500;
inline constexpr int32_t kNotImplemented = 501;

// "OK", "Not Found"...; "Unknown" for a code not listed above.
inline std::string_view StatusCodeText(int32_t code) {
  switch (code) {
    case kOk: return "OK";
    case kCreated: return "Created";
    case kNoContent: return "No Content";
    case kBadRequest: return "Bad Request";
    case kForbidden: return "Forbidden";
    case kNotFound: return "Not Found";
    case kConflict: return "Conflict";
    case kInternalError: return "Internal Server Error";
    case kNotImplemented: return "Not Implemented";
    default: return "Unknown";
  }
}

inline bool IsSuccess(int32_t code) { return code >= 200 && code < 300; }

}  // namespace qpidd::management
