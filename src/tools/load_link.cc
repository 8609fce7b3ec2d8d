#include "tools/load_link.h"

#include <proton/codec.h>
#include <proton/condition.h>
#include <proton/link.h>
#include <proton/terminus.h>
#include <unistd.h>

#include <cstring>

namespace qpidd::tools {

void OfferCreateOnDemand(pn_terminus_t* terminus) {
  pn_data_t* capabilities = pn_terminus_capabilities(terminus);
  pn_data_put_array(capabilities, false, PN_SYMBOL);
  pn_data_enter(capabilities);
  pn_data_put_symbol(capabilities, pn_bytes(std::strlen(kCreateOnDemand), kCreateOnDemand));
  pn_data_exit(capabilities);
}

std::string LinkName(std::string_view tool, std::string_view address) {
  return std::string(tool) + "-" + std::to_string(getpid()) + "-" + std::string(address);
}

std::string DescribeCondition(pn_condition_t* condition, std::string_view fallback) {
  if (!condition || !pn_condition_is_set(condition)) return std::string(fallback);
  const char* name = pn_condition_get_name(condition);
  const char* description = pn_condition_get_description(condition);
  std::string text = name ? name : "";
  if (description && *description) text += (text.empty() ? "" : ": ") + std::string(description);
  return text;
}

std::string DetachReason(pn_link_t* link) {
  return DescribeCondition(pn_link_remote_condition(link),
                           "detached by the broker without a reason");
}

}  // namespace qpidd::tools
