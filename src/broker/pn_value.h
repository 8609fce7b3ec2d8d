// Reading broker Values out of Proton's pn_data_t codec, for the few places that decode AMQP
// data themselves (message sections, attach filters, connection properties).
#pragma once

#include <proton/codec.h>

#include <string>

#include "broker/value.h"

namespace qpidd::broker {

// The string, symbol or binary at the codec's current position; empty for other types.
std::string PnStringAt(pn_data_t* data);

// The scalar at the codec's current position; null for compound and unsupported types.
// Integers keep their signedness (unsigned kinds as uint64_t, signed as int64_t); timestamps
// are int64_t milliseconds; chars are their code point.
Value PnScalarAt(pn_data_t* data);

// Writes `value` at the codec's current position: null, bool, long, ulong, double, or string.
void PnPutValue(pn_data_t* data, const Value& value);
// Writes a map with symbol keys (`symbol_keys`) or string keys.
void PnPutArguments(pn_data_t* data, const Arguments& arguments, bool symbol_keys);

}  // namespace qpidd::broker
