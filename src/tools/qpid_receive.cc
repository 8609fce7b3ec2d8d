// qpid-receive: receives messages from an address over AMQP 1.0, accepting each (at-least-once),
// and reports throughput and end-to-end latency. Also the benchmark's load consumer.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "tools/load_cli.h"
#include "tools/load_connection.h"
#include "tools/load_receiver.h"
#include "tools/load_report.h"
#include "tools/load_signals.h"

namespace po = boost::program_options;

namespace qpidd::tools {
namespace {

constexpr const char* kProgram = "qpid-receive";

struct ReceiveConfig {
  std::vector<BrokerAddress> brokers;
  ReceiverOptions receiver;
  bool forever = false;
  bool print_content = true;
  bool reconnect = false;
  std::chrono::nanoseconds reconnect_timeout{std::chrono::seconds(60)};
  bool report_total = false;
  bool report_json = false;
  bool help = false;
};

po::options_description Options() {
  po::options_description options("Options");
  // clang-format off
  options.add_options()
      ("help,h", "print this help and exit")
      ("broker,b", po::value<std::string>()->value_name("URL"),
       "broker(s) to connect to, tried in turn: [amqp:][user/password@]host[:port][,...] "
       "(default localhost:5672)")
      ("address,a", po::value<std::string>()->value_name("ADDR"),
       "address (queue) to receive from")
      ("messages,m", po::value<std::string>()->value_name("N"),
       "stop after N messages (default 0 = no limit: stop on --timeout or when interrupted)")
      ("timeout", po::value<std::string>()->value_name("SECONDS"),
       "stop when nothing arrived for this long (default 0 = wait for ever)")
      ("forever,f", po::bool_switch(), "ignore --timeout: wait for messages for ever")
      ("capacity", po::value<std::string>()->value_name("N"),
       "credit window: at most N messages on their way (default 1000)")
      ("print-content", po::value<std::string>()->value_name("yes|no"),
       "print each message body on its own line (default yes)")
      ("browse", po::bool_switch(),
       "browse: leave the messages on the queue (source distribution-mode copy)")
      ("presettled", po::bool_switch(),
       "ask for pre-settled messages (at-most-once) instead of accepting each one")
      ("create", po::bool_switch(),
       "ask the broker to create the queue (terminus capability create-on-demand)")
      ("reconnect", po::bool_switch(),
       "when the connection is lost, reconnect (to the brokers of -b and those the broker "
       "advertised) and carry on")
      ("reconnect-timeout", po::value<std::string>()->value_name("SECONDS"),
       "with --reconnect: give up after this long without a connection (default 60)")
      ("ignore-duplicates", po::bool_switch(),
       "neither count nor print a message whose sn property was already seen (redelivered)")
      ("report-total", po::bool_switch(), "print a throughput and end-to-end latency summary")
      ("report-json", po::bool_switch(), "print the summary as one line of JSON");
  // clang-format on
  return options;
}

std::string HelpText() {
  std::ostringstream text;
  text << "Usage: qpid-receive -a ADDRESS [OPTIONS]\n"
       << "Receive messages from an AMQP 1.0 broker, accepting each one (at-least-once).\n\n"
       << Options()
       << "\nThe --report-total line is: msgs secs tp(m/s) l-p50(ms) l-p99(ms) l-max(ms), where\n"
       << "secs runs from the first to the last arrival and l-* is the end-to-end latency:\n"
       << "arrival minus the ts property qpid-send put in the message (the CLOCK_MONOTONIC\n"
       << "clock, so only meaningful with qpid-send on the same host; '-' without it).\n\n"
       << "Exit status:\n"
       << "  0  received as asked (N messages, or until --timeout or an interruption)\n"
       << "  1  connection, authentication or link failure (e.g. the address does not exist),\n"
       << "     or standard output could not be written\n"
       << "  2  bad option or value\n"
       << "  3  --timeout expired before N messages (-m N) arrived\n";
  return text.str();
}

bool ParseCommandLine(int argc, char** argv, ReceiveConfig* config, UsageError* error) {
  po::variables_map values;
  try {
    // No positional arguments: an empty description makes any of them an error.
    po::store(po::command_line_parser(argc, argv)
                  .options(Options())
                  .positional(po::positional_options_description())
                  .run(),
              values);
  } catch (const po::error& e) {
    *error = UsageError{e.what()};
    return false;
  }
  auto text = [&](const char* name) { return values[name].as<std::string>(); };
  auto given = [&](const char* name) { return values.count(name) > 0; };

  config->help = given("help");
  if (config->help) return true;
  std::string brokers = given("broker") ? text("broker") : "localhost:5672";
  if (!ParseBrokers("--broker", brokers, &config->brokers, error)) return false;
  if (!given("address") || text("address").empty()) {
    *error = UsageError{"an address is required (-a ADDRESS)"};
    return false;
  }
  ReceiverOptions& receiver = config->receiver;
  receiver.address = text("address");
  if (given("messages") &&
      !ParseCount("--messages", text("messages"), 0, UINT64_MAX, &receiver.messages, error)) {
    return false;
  }
  if (given("timeout")) {
    std::chrono::nanoseconds timeout{};
    if (!ParseSeconds("--timeout", text("timeout"), &timeout, error)) return false;
    receiver.timeout_nanos = timeout.count();
  }
  if (given("capacity")) {
    uint64_t capacity = 0;
    if (!ParseCount("--capacity", text("capacity"), 1, 1 << 20, &capacity, error)) return false;
    receiver.capacity = static_cast<uint32_t>(capacity);
  }
  if (given("print-content") &&
      !ParseYesNo("--print-content", text("print-content"), &config->print_content, error)) {
    return false;
  }
  config->forever = values["forever"].as<bool>();
  if (config->forever) receiver.timeout_nanos = 0;
  receiver.browse = values["browse"].as<bool>();
  receiver.presettled = values["presettled"].as<bool>();
  receiver.create = values["create"].as<bool>();
  receiver.ignore_duplicates = values["ignore-duplicates"].as<bool>();
  config->reconnect = values["reconnect"].as<bool>();
  if (given("reconnect-timeout") && !ParseSeconds("--reconnect-timeout", text("reconnect-timeout"),
                                                  &config->reconnect_timeout, error)) {
    return false;
  }
  config->report_total = values["report-total"].as<bool>();
  config->report_json = values["report-json"].as<bool>();
  return true;
}

std::string ContainerId() {
  char host[256] = "localhost";
  gethostname(host, sizeof(host) - 1);
  return std::string(kProgram) + "-" + host + "-" + std::to_string(getpid());
}

int Run(ReceiveConfig& config) {
  // Bodies go out through a large buffer: one write() per many messages, not per line.
  static char output_buffer[1 << 16];
  std::setvbuf(stdout, output_buffer, _IOFBF, sizeof(output_buffer));
  config.receiver.print_to = config.print_content ? stdout : nullptr;

  Receiver receiver(config.receiver);
  ConnectionSettings settings;
  settings.brokers = config.brokers;
  settings.container_id = ContainerId();
  settings.program = kProgram;
  settings.reconnect = config.reconnect;
  settings.reconnect_timeout = config.reconnect_timeout;
  ClientConnection connection(std::move(settings));
  InstallStopSignals();
  Status status = connection.Run(receiver);
  std::fflush(stdout);

  if (config.report_total || config.report_json) {
    RunSummary summary;
    summary.tool = kProgram;
    summary.latency_kind = "e2e";
    summary.messages = receiver.received();
    summary.duplicates = receiver.duplicates();
    summary.start_nanos = receiver.start_nanos();
    summary.end_nanos = receiver.end_nanos();
    if (summary.start_nanos != 0) {
      summary.elapsed_seconds = static_cast<double>(summary.end_nanos - summary.start_nanos) / 1e9;
    }
    summary.latency = &receiver.latency();
    if (config.report_total) PrintReportTotal(stdout, summary);
    if (config.report_json) PrintReportJson(stdout, summary);
  }

  const uint64_t wanted = config.receiver.messages;
  if (receiver.output_failed()) {
    std::fprintf(stderr, "%s: cannot write to standard output: stopped after %llu messages\n",
                 kProgram, static_cast<unsigned long long>(receiver.received()));
    return kExitFailure;
  }
  if (!receiver.link_error().empty()) {
    std::fprintf(stderr, "%s: %s (broker %s)\n", kProgram, receiver.link_error().c_str(),
                 connection.broker().c_str());
    return kExitFailure;
  }
  if (!status.ok() && connection.opened() && !receiver.attached()) {
    // Some brokers refuse an address by ending the session or connection, not the link.
    std::fprintf(stderr, "%s: cannot receive from '%s' (broker %s): %s\n", kProgram,
                 config.receiver.address.c_str(), connection.broker().c_str(),
                 connection.failure().c_str());
    return kExitFailure;
  }
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", kProgram, status.message().c_str());
    return kExitFailure;
  }
  if (wanted != 0 && receiver.received() < wanted) {
    if (receiver.timed_out()) {
      std::fprintf(stderr, "%s: timed out: received %llu of %llu messages\n", kProgram,
                   static_cast<unsigned long long>(receiver.received()),
                   static_cast<unsigned long long>(wanted));
      return kExitTimeout;
    }
    std::fprintf(stderr, "%s: interrupted: received %llu of %llu messages\n", kProgram,
                 static_cast<unsigned long long>(receiver.received()),
                 static_cast<unsigned long long>(wanted));
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace
}  // namespace qpidd::tools

int main(int argc, char** argv) {
  using namespace qpidd::tools;
  ReceiveConfig config;
  UsageError error;
  if (!ParseCommandLine(argc, argv, &config, &error)) {
    std::fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", kProgram,
                 error.message.c_str(), kProgram);
    return kExitUsage;
  }
  if (config.help) {
    std::fputs(HelpText().c_str(), stdout);
    return kExitOk;
  }
  return Run(config);
}
