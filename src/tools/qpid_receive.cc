// qpid-receive: receives messages from an address over AMQP 1.0, accepting each (at-least-once),
// and reports throughput and end-to-end latency. Also the benchmark's load consumer.
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
#include "tools/load_tool.h"

namespace po = boost::program_options;

namespace qpidd::tools {
namespace {

constexpr const char* kProgram = "qpid-receive";

struct ReceiveConfig {
  CommonOptions common;
  ReceiverOptions receiver;
  bool forever = false;
  bool print_content = true;
};

po::options_description Options() {
  po::options_description options("Options");
  AddTargetOptions(options, "address (queue) to receive from");
  // clang-format off
  options.add_options()
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
       "ask for pre-settled messages (at-most-once) instead of accepting each one");
  // clang-format on
  AddCreateOption(options);
  AddReconnectOptions(options, "");
  options.add_options()(
      "ignore-duplicates", po::bool_switch(),
      "neither count nor print a message whose sn property was already seen (redelivered)");
  AddReportOptions(options, "end-to-end latency");
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

// Fills CONFIG with qpid-receive's own options; false with ERROR set on a bad value.
bool ParseOwnOptions(const OptionValues& values, ReceiveConfig* config, UsageError* error) {
  ReceiverOptions& receiver = config->receiver;
  receiver.address = config->common.address;
  if (values.given("messages") && !ParseCount("--messages", values.text("messages"), 0, UINT64_MAX,
                                              &receiver.messages, error)) {
    return false;
  }
  if (!ParseTimeoutOption(values, &receiver.timeout_nanos, error)) return false;
  if (!ParseCapacityOption(values, &receiver.capacity, error)) return false;
  if (values.given("print-content") &&
      !ParseYesNo("--print-content", values.text("print-content"), &config->print_content, error)) {
    return false;
  }
  config->forever = values.flag("forever");
  if (config->forever) receiver.timeout_nanos = 0;
  receiver.browse = values.flag("browse");
  receiver.presettled = values.flag("presettled");
  receiver.create = values.flag("create");
  receiver.ignore_duplicates = values.flag("ignore-duplicates");
  return true;
}

int Run(ReceiveConfig& config) {
  // Bodies go out through a large buffer: one write() per many messages, not per line.
  static char output_buffer[1 << 16];
  std::setvbuf(stdout, output_buffer, _IOFBF, sizeof(output_buffer));
  config.receiver.print_to = config.print_content ? stdout : nullptr;

  Receiver receiver(config.receiver);
  ClientConnection connection(ToolConnectionSettings(kProgram, config.common));
  InstallStopSignals();
  Status status = connection.Run(receiver);
  std::fflush(stdout);

  PrintReports(config.common, {.tool = kProgram,
                               .latency_kind = "e2e",
                               .messages = receiver.received(),
                               .duplicates = receiver.duplicates(),
                               .start_nanos = receiver.start_nanos(),
                               .end_nanos = receiver.end_nanos(),
                               .latency = &receiver.latency()});

  const uint64_t wanted = config.receiver.messages;
  if (receiver.output_failed()) {
    std::fprintf(stderr, "%s: cannot write to standard output: stopped after %llu messages\n",
                 kProgram, static_cast<unsigned long long>(receiver.received()));
    return kExitFailure;
  }
  if (ReportRunFailure(kProgram, "receive from", config.receiver.address, receiver.link_error(),
                       receiver.attached(), connection, status)) {
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
  return ToolMain(argc, argv, kProgram, Options(), HelpText, ParseOwnOptions, Run);
}
