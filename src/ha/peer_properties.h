// Reading a peer's open properties (doc/ha-protocol.md 4.1, 4.3), as the broker's ConnectionInfo
// and the module's client connections give them: scalars by key.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "broker/value.h"

namespace qpidd::ha {

// The string at `key`; empty when absent or not a string.
std::string TextProperty(const broker::Arguments& properties, std::string_view key);
// The unsigned number at `key` (any integer kind); 0 when absent, negative or not a number.
uint64_t NumberProperty(const broker::Arguments& properties, std::string_view key);

}  // namespace qpidd::ha
