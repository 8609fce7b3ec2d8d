// Values as the command-line tools read and print them.
#pragma once

#include <string>
#include <string_view>

#include <proton/value.hpp>

#include "common/status.h"

namespace qpidd::client {

// A value typed on the command line: an integer ("12", "-3") becomes a long, "true"/"false" a
// boolean, a double-quoted text ("\"12\"") the string inside the quotes, anything else a string.
proton::value ParseTypedValue(std::string_view text);

// "NAME=VALUE" into its parts, the value typed as above. An empty NAME or a missing '=' is an
// InvalidArgument naming `text`.
Result<std::pair<std::string, proton::value>> ParseKeyValue(std::string_view text);

// For tables: strings as they are, numbers in decimal, booleans true/false, null empty, maps as
// {k=v, ...}, lists as [a, b].
std::string ValueText(const proton::value& v);

}  // namespace qpidd::client
