#include "tools/load_cli.h"

#include "common/duration.h"

namespace po = boost::program_options;

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

void AddTargetOptions(po::options_description& options, const char* address_help) {
  // clang-format off
  options.add_options()
      ("help,h", "print this help and exit")
      ("broker,b", po::value<std::string>()->value_name("URL"),
       "broker(s) to connect to, tried in turn: [amqp:][user/password@]host[:port][,...] "
       "(default localhost:5672)")
      ("address,a", po::value<std::string>()->value_name("ADDR"), address_help);
  // clang-format on
}

void AddCreateOption(po::options_description& options) {
  options.add_options()(
      "create", po::bool_switch(),
      "ask the broker to create the queue (terminus capability create-on-demand)");
}

void AddReconnectOptions(po::options_description& options, const char* carry_on) {
  std::string reconnect_help =
      "when the connection is lost, reconnect (to the brokers of -b and those the broker "
      "advertised) and carry on" +
      std::string(carry_on);
  // clang-format off
  options.add_options()
      ("reconnect", po::bool_switch(), reconnect_help.c_str())
      ("reconnect-timeout", po::value<std::string>()->value_name("SECONDS"),
       "with --reconnect: give up after this long without a connection (default 60)");
  // clang-format on
}

void AddReportOptions(po::options_description& options, const char* latency) {
  std::string total_help = "print a throughput and " + std::string(latency) + " summary";
  // clang-format off
  options.add_options()
      ("report-total", po::bool_switch(), total_help.c_str())
      ("report-json", po::bool_switch(), "print the summary as one line of JSON");
  // clang-format on
}

bool ParseCapacityOption(const OptionValues& values, uint32_t* capacity, UsageError* error) {
  if (!values.given("capacity")) return true;
  uint64_t parsed = 0;
  if (!ParseCount("--capacity", values.text("capacity"), 1, 1 << 20, &parsed, error)) return false;
  *capacity = static_cast<uint32_t>(parsed);
  return true;
}

bool ParseTimeoutOption(const OptionValues& values, int64_t* timeout_nanos, UsageError* error) {
  if (!values.given("timeout")) return true;
  std::chrono::nanoseconds timeout{};
  if (!ParseSeconds("--timeout", values.text("timeout"), &timeout, error)) return false;
  *timeout_nanos = timeout.count();
  return true;
}

bool ParseToolCommandLine(int argc, char** argv, const po::options_description& options,
                          const OwnOptionsParser& parse_own, CommonOptions* common,
                          UsageError* error) {
  po::variables_map map;
  try {
    // No positional arguments: an empty description makes any of them an error.
    po::store(po::command_line_parser(argc, argv)
                  .options(options)
                  .positional(po::positional_options_description())
                  .run(),
              map);
  } catch (const po::error& e) {
    *error = UsageError{e.what()};
    return false;
  }
  const OptionValues values(std::move(map));

  common->help = values.given("help");
  if (common->help) return true;
  std::string brokers = values.given("broker") ? values.text("broker") : "localhost:5672";
  if (!ParseBrokers("--broker", brokers, &common->brokers, error)) return false;
  if (!values.given("address") || values.text("address").empty()) {
    *error = UsageError{"an address is required (-a ADDRESS)"};
    return false;
  }
  common->address = values.text("address");
  if (!parse_own(values, error)) return false;
  common->reconnect = values.flag("reconnect");
  if (values.given("reconnect-timeout") &&
      !ParseSeconds("--reconnect-timeout", values.text("reconnect-timeout"),
                    &common->reconnect_timeout, error)) {
    return false;
  }
  common->report_total = values.flag("report-total");
  common->report_json = values.flag("report-json");
  return true;
}

}  // namespace qpidd::tools
