// How broker Status values become AMQP error conditions on links and deliveries.
#pragma once

#include <proton/delivery.h>
#include <proton/link.h>

#include <string>

#include "common/status.h"

namespace qpidd::amqp {

// amqp:not-found, amqp:invalid-field, amqp:resource-limit-exceeded, ...
const char* ConditionName(StatusCode code);

// Answers an attach with a null terminus and detaches at once with the condition, as the spec
// asks of a refused attach. The peer sees e.g. "amqp:not-found: node 'x' not found".
void RefuseAttach(pn_link_t* link, const char* condition, const std::string& description);
inline void RefuseAttach(pn_link_t* link, const Status& status) {
  RefuseAttach(link, ConditionName(status.code()), status.message());
}

// Settles a received delivery as rejected, with the condition named by `status`.
void RejectDelivery(pn_delivery_t* delivery, const Status& status);

// Closes an attached link with a condition (e.g. its queue was deleted).
void CloseLinkWithError(pn_link_t* link, const char* condition, const std::string& description);

}  // namespace qpidd::amqp
