// Durations as classic qpidd options take them: a plain number is seconds ("0.1", "2"), or a
// number with a unit suffix: "10s", "10ms", "10us", "10ns".
#pragma once

#include <chrono>
#include <string_view>

#include "common/status.h"

namespace qpidd {

// Negative values, unknown units, empty text and overflow are errors naming the text.
Result<std::chrono::nanoseconds> ParseDuration(std::string_view text);

}  // namespace qpidd
