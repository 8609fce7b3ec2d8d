// A management reply before it becomes an AMQP message, and how broker errors map to status codes.
#pragma once

#include <cstdint>
#include <string>

#include <proton/message.hpp>
#include <proton/value.hpp>

#include "common/status.h"
#include "management/value_codec.h"

namespace qpidd::management {

struct Reply {
  int32_t code = 0;
  std::string description;  // "OK", "Created"... on success; what went wrong otherwise
  proton::value body;       // a map (an empty one when there is nothing to say)
};

// A success reply; the description is the code's text ("OK", "Created", "No Content").
Reply SuccessReply(int32_t code, const AttributeMap& body = {});
Reply SuccessReply(int32_t code, proton::value body);

// An error reply carrying the status's message:
//   kInvalidArgument 400, kUnauthorized/kResourceLimit 403, kNotFound 404,
//   kAlreadyExists/kPreconditionFailed 409, kInternal 500, kNotImplemented 501.
Reply ErrorReply(const Status& status);
int32_t StatusCodeFor(StatusCode code);

// The reply message for `request`: to its reply-to, correlated by its correlation-id when set,
// else by its message-id; statusCode and statusDescription as application-properties.
proton::message ReplyMessage(const Reply& reply, const proton::message& request);

}  // namespace qpidd::management
