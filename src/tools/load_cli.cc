#include "tools/load_cli.h"

#include "common/duration.h"

namespace qpidd::tools {

UsageError InvalidValue(std::string_view option, std::string_view text, std::string_view why) {
  std::string message = "invalid value '" + std::string(text) + "' for " + std::string(option);
  if (!why.empty()) message += ": " + std::string(why);
  return UsageError{std::move(message)};
}

bool ParseCount(std::string_view option, std::string_view text, uint64_t min, uint64_t max,
                uint64_t* value, UsageError* error) {
  // Digits only: strtoull would take "-1", " 5" and "5x" without complaint.
  if (text.empty() || text.size() > 20) {
    *error = InvalidValue(option, text, "expected a whole number");
    return false;
  }
  uint64_t result = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      *error = InvalidValue(option, text, "expected a whole number");
      return false;
    }
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (result > (UINT64_MAX - digit) / 10) {
      *error = InvalidValue(option, text, "too large");
      return false;
    }
    result = result * 10 + digit;
  }
  if (result < min || result > max) {
    *error = InvalidValue(option, text,
                          "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return false;
  }
  *value = result;
  return true;
}

bool ParseYesNo(std::string_view option, std::string_view text, bool* value, UsageError* error) {
  if (text == "yes" || text == "true" || text == "1") {
    *value = true;
    return true;
  }
  if (text == "no" || text == "false" || text == "0") {
    *value = false;
    return true;
  }
  *error = InvalidValue(option, text, "expected yes or no");
  return false;
}

bool ParseSeconds(std::string_view option, std::string_view text, std::chrono::nanoseconds* value,
                  UsageError* error) {
  Result<std::chrono::nanoseconds> parsed = ParseDuration(text);
  if (!parsed.ok()) {
    *error = InvalidValue(option, text, "expected seconds, e.g. 2, 0.5 or 500ms");
    return false;
  }
  *value = parsed.value();
  return true;
}

bool ParseProperty(std::string_view option, std::string_view text,
                   std::pair<std::string, std::string>* value, UsageError* error) {
  size_t equals = text.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    *error = InvalidValue(option, text, "expected NAME=VALUE");
    return false;
  }
  *value = {std::string(text.substr(0, equals)), std::string(text.substr(equals + 1))};
  return true;
}

bool ParseBrokers(std::string_view option, std::string_view text, std::vector<BrokerAddress>* value,
                  UsageError* error) {
  Result<std::vector<BrokerAddress>> parsed = ParseBrokerUrl(text);
  if (!parsed.ok()) {
    *error = InvalidValue(option, text, parsed.status().message());
    return false;
  }
  for (const BrokerAddress& address : parsed.value()) {
    if (address.tls) {
      *error = InvalidValue(option, text, "TLS (amqps:, ssl:) is not supported by this tool yet");
      return false;
    }
  }
  *value = std::move(parsed).value();
  return true;
}

}  // namespace qpidd::tools
