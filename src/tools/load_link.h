// Small pieces both link roles share: the create-on-demand capability, link names and how a
// broker's refusal reads.
#pragma once

#include <string>
#include <string_view>

struct pn_condition_t;
struct pn_link_t;
struct pn_terminus_t;

namespace qpidd::tools {

// The terminus capability that asks the broker to create the queue on attach.
inline constexpr const char* kCreateOnDemand = "create-on-demand";

void OfferCreateOnDemand(pn_terminus_t* terminus);

// "qpid-send-<pid>-<address>": unique per process, readable in broker logs.
std::string LinkName(std::string_view tool, std::string_view address);

// "name: description", or FALLBACK when the condition is empty.
std::string DescribeCondition(pn_condition_t* condition, std::string_view fallback);

// Why the broker detached LINK (its remote condition), for an error message.
std::string DetachReason(pn_link_t* link);

}  // namespace qpidd::tools
