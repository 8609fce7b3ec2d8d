#include "amqp/terminus.h"

#include "broker/pn_value.h"

#include <proton/codec.h>

#include <cstring>

namespace qpidd::amqp {
namespace {

constexpr uint64_t kDirectFilterCode = 0x0000468C00000000ULL;
constexpr uint64_t kTopicFilterCode = 0x0000468C00000001ULL;
constexpr uint64_t kHeadersFilterCode = 0x0000468C00000002ULL;
constexpr const char* kDirectFilterName = "apache.org:legacy-amqp-direct-binding:string";
constexpr const char* kTopicFilterName = "apache.org:legacy-amqp-topic-binding:string";
constexpr const char* kHeadersFilterName = "apache.org:legacy-amqp-headers-binding:map";

}  // namespace

std::string TerminusAddress(pn_terminus_t* terminus) {
  const char* address = pn_terminus_get_address(terminus);
  return address ? address : "";
}

bool HasCapability(pn_terminus_t* terminus, const char* capability) {
  pn_data_t* caps = pn_terminus_capabilities(terminus);
  pn_data_rewind(caps);
  if (!pn_data_next(caps)) return false;
  auto matches = [&]() {
    return pn_data_type(caps) == PN_SYMBOL && broker::PnStringAt(caps) == capability;
  };
  if (pn_data_type(caps) == PN_ARRAY || pn_data_type(caps) == PN_LIST) {
    pn_data_enter(caps);
    while (pn_data_next(caps)) {
      if (matches()) return true;
    }
    return false;
  }
  return matches();  // a single symbol is allowed in place of an array
}

BindingFilter ReadBindingFilter(pn_terminus_t* source) {
  BindingFilter result;
  pn_data_t* filter = pn_terminus_filter(source);
  pn_data_rewind(filter);
  if (!pn_data_next(filter) || pn_data_type(filter) != PN_MAP) return result;
  pn_data_enter(filter);
  while (pn_data_next(filter)) {
    std::string name = broker::PnStringAt(filter);
    if (!pn_data_next(filter)) break;
    if (pn_data_type(filter) != PN_DESCRIBED) continue;
    pn_data_enter(filter);
    pn_data_next(filter);
    uint64_t code = 0;
    std::string symbol;
    if (pn_data_type(filter) == PN_ULONG) code = pn_data_get_ulong(filter);
    else symbol = broker::PnStringAt(filter);
    pn_data_next(filter);
    if (code == kDirectFilterCode || code == kTopicFilterCode || symbol == kDirectFilterName ||
        symbol == kTopicFilterName) {
      result.kind = BindingFilter::Kind::kKey;
      result.key = broker::PnStringAt(filter);
      result.filter_name = name;
    } else if ((code == kHeadersFilterCode || symbol == kHeadersFilterName) &&
               pn_data_type(filter) == PN_MAP) {
      result.kind = BindingFilter::Kind::kHeaders;
      result.filter_name = name;
      pn_data_enter(filter);
      while (pn_data_next(filter)) {
        std::string key = broker::PnStringAt(filter);
        if (!pn_data_next(filter)) break;
        result.arguments[key] = broker::PnScalarAt(filter);
      }
      pn_data_exit(filter);
    }
    pn_data_exit(filter);
  }
  return result;
}

void EchoBindingFilter(pn_terminus_t* local_source, pn_terminus_t* remote_source,
                       const BindingFilter& filter) {
  pn_data_t* out = pn_terminus_filter(local_source);
  pn_data_clear(out);
  if (filter.kind == BindingFilter::Kind::kNone) return;
  // Copy just the entry we honoured from the peer's filter set.
  pn_data_t* in = pn_terminus_filter(remote_source);
  pn_data_rewind(in);
  if (!pn_data_next(in) || pn_data_type(in) != PN_MAP) return;
  pn_data_enter(in);
  pn_data_put_map(out);
  pn_data_enter(out);
  while (pn_data_next(in)) {
    const bool ours = broker::PnStringAt(in) == filter.filter_name;
    if (ours) pn_data_appendn(out, in, 1);
    if (!pn_data_next(in)) break;
    if (ours) pn_data_appendn(out, in, 1);
  }
  pn_data_exit(out);
  pn_data_exit(in);
}

}  // namespace qpidd::amqp
