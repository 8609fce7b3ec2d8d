#include "management/reply.h"

#include <proton/message_id.hpp>

#include "management/protocol.h"

namespace qpidd::management {

Reply SuccessReply(int32_t code, const AttributeMap& body) {
  return SuccessReply(code, AttributeMapToProton(body));
}

Reply SuccessReply(int32_t code, proton::value body) {
  return Reply{code, std::string(StatusCodeText(code)), std::move(body)};
}

int32_t StatusCodeFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return kOk;
    case StatusCode::kInvalidArgument: return kBadRequest;
    case StatusCode::kNotFound: return kNotFound;
    case StatusCode::kAlreadyExists: return kConflict;
    case StatusCode::kPreconditionFailed: return kConflict;
    case StatusCode::kResourceLimit: return kForbidden;
    case StatusCode::kUnauthorized: return kForbidden;
    case StatusCode::kNotImplemented: return kNotImplemented;
    case StatusCode::kInternal: return kInternalError;
  }
  return kInternalError;
}

Reply ErrorReply(const Status& status) {
  std::string description = status.message();
  if (description.empty()) description = std::string(StatusCodeText(StatusCodeFor(status.code())));
  return Reply{StatusCodeFor(status.code()), std::move(description),
               AttributeMapToProton(AttributeMap{})};
}

proton::message ReplyMessage(const Reply& reply, const proton::message& request) {
  proton::message message;
  message.to(request.reply_to());
  // The draft: the reply's correlation-id is the request's message-id, unless the request set a
  // correlation-id of its own (a client correlating by its own key).
  proton::message_id correlation = request.correlation_id();
  message.correlation_id(correlation.empty() ? request.id() : correlation);
  message.properties().put(std::string(kStatusCode), reply.code);
  message.properties().put(std::string(kStatusDescription), reply.description);
  message.body(reply.body);
  return message;
}

}  // namespace qpidd::management
