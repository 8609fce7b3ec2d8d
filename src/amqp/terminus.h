// Reading what a peer asked for in an attach: the node address, capabilities, filters and
// distribution mode of its source or target.
#pragma once

#include <proton/link.h>
#include <proton/terminus.h>

#include <optional>
#include <string>

#include "broker/value.h"

namespace qpidd::amqp {

std::string TerminusAddress(pn_terminus_t* terminus);
bool HasCapability(pn_terminus_t* terminus, const char* capability);

// The binding a receiver from an exchange asked for through its source filter.
struct BindingFilter {
  enum class Kind { kNone, kKey, kHeaders };
  Kind kind = Kind::kNone;
  std::string key;               // direct or topic binding key
  broker::Arguments arguments;   // headers binding
  std::string filter_name;       // the filter-set key, to echo back as accepted
};

// Reads the legacy-amqp direct/topic/headers binding filters (symbolic or numeric descriptors)
// and subject filters. Unsupported filters are ignored (not echoed back), as the spec allows.
BindingFilter ReadBindingFilter(pn_terminus_t* source);

// Echoes the filter we applied into our local source, so the peer sees it was honoured.
void EchoBindingFilter(pn_terminus_t* local_source, pn_terminus_t* remote_source,
                       const BindingFilter& filter);

}  // namespace qpidd::amqp
