// Command-line plumbing shared by qpid-send and qpid-receive: exit codes, strict value parsing
// with the classic "invalid value 'x' for --opt" messages, and the --broker list.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/url.h"

namespace qpidd::tools {

// Exit codes of both tools (documented in --help and in the man pages).
enum ExitCode : int {
  kExitOk = 0,       // every message was sent and accepted / received as asked
  kExitFailure = 1,  // connection, authentication, link or delivery failure
  kExitUsage = 2,    // bad option or value
  kExitTimeout = 3,  // --timeout expired before the work was complete
};

// A bad option or value; the tool prints "<program>: <message>" and exits kExitUsage.
struct UsageError {
  std::string message;
};

// "invalid value 'TEXT' for OPTION" plus an optional reason.
UsageError InvalidValue(std::string_view option, std::string_view text, std::string_view why = {});

// Each returns false and fills *error when TEXT is not acceptable.
bool ParseCount(std::string_view option, std::string_view text, uint64_t min, uint64_t max,
                uint64_t* value, UsageError* error);
bool ParseYesNo(std::string_view option, std::string_view text, bool* value, UsageError* error);
bool ParseSeconds(std::string_view option, std::string_view text, std::chrono::nanoseconds* value,
                  UsageError* error);
// "name=value"; the name must not be empty.
bool ParseProperty(std::string_view option, std::string_view text,
                   std::pair<std::string, std::string>* value, UsageError* error);
bool ParseBrokers(std::string_view option, std::string_view text, std::vector<BrokerAddress>* value,
                  UsageError* error);

}  // namespace qpidd::tools
