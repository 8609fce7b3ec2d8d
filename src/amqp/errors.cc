#include "amqp/errors.h"

#include <proton/condition.h>
#include <proton/disposition.h>
#include <proton/terminus.h>

namespace qpidd::amqp {

const char* ConditionName(StatusCode code) {
  switch (code) {
    case StatusCode::kNotFound: return "amqp:not-found";
    case StatusCode::kInvalidArgument: return "amqp:invalid-field";
    case StatusCode::kAlreadyExists: return "amqp:resource-locked";
    case StatusCode::kResourceLimit: return "amqp:resource-limit-exceeded";
    case StatusCode::kUnauthorized: return "amqp:unauthorized-access";
    case StatusCode::kPreconditionFailed: return "amqp:precondition-failed";
    case StatusCode::kNotImplemented: return "amqp:not-implemented";
    case StatusCode::kInternal: case StatusCode::kOk: break;
  }
  return "amqp:internal-error";
}

void RefuseAttach(pn_link_t* link, const char* condition, const std::string& description) {
  // A null local terminus tells the peer the node was not created (part 2.6.3).
  pn_terminus_set_type(pn_link_is_sender(link) ? pn_link_source(link) : pn_link_target(link),
                       PN_UNSPECIFIED);
  pn_link_open(link);
  CloseLinkWithError(link, condition, description);
}

void RejectDelivery(pn_delivery_t* delivery, const Status& status) {
  pn_condition_t* c = pn_disposition_condition(pn_delivery_local(delivery));
  pn_condition_set_name(c, ConditionName(status.code()));
  pn_condition_set_description(c, status.message().c_str());
  pn_delivery_update(delivery, PN_REJECTED);
  pn_delivery_settle(delivery);
}

void CloseLinkWithError(pn_link_t* link, const char* condition, const std::string& description) {
  pn_condition_t* c = pn_link_condition(link);
  pn_condition_set_name(c, condition);
  pn_condition_set_description(c, description.c_str());
  pn_link_close(link);
}

}  // namespace qpidd::amqp
