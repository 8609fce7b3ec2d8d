// qpid-send: sends messages to an address over AMQP 1.0, at-least-once with an in-flight window,
// and reports throughput and publisher accept latency. Also the benchmark's load producer.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tools/load_cli.h"
#include "tools/load_connection.h"
#include "tools/load_message.h"
#include "tools/load_report.h"
#include "tools/load_sender.h"
#include "tools/load_signals.h"
#include "tools/load_source.h"

namespace po = boost::program_options;

namespace qpidd::tools {
namespace {

constexpr const char* kProgram = "qpid-send";
constexpr uint64_t kMaxContentSize = 100 * 1024 * 1024;

struct SendConfig {
  std::vector<BrokerAddress> brokers;
  SenderOptions sender;
  MessageSpec spec;
  uint64_t messages = 1;
  bool messages_given = false;
  std::string content;
  bool content_stdin = false;
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
      ("address,a", po::value<std::string>()->value_name("ADDR"), "address (queue) to send to")
      ("messages,m", po::value<std::string>()->value_name("N"),
       "number of messages to send (default 1; 0 = until interrupted, or until the end of "
       "stdin with --content-stdin)")
      ("content-size", po::value<std::string>()->value_name("N"), "body of N 'X' characters")
      ("content-string", po::value<std::string>()->value_name("S"), "body S")
      ("content-stdin", po::bool_switch(), "one message per line of standard input")
      ("capacity", po::value<std::string>()->value_name("N"),
       "at most N unacknowledged messages in flight (default 1000)")
      ("durable", po::value<std::string>()->value_name("yes|no"),
       "mark messages durable (default no)")
      ("subject", po::value<std::string>()->value_name("S"), "message subject")
      ("reply-to", po::value<std::string>()->value_name("ADDR"), "message reply-to address")
      ("property,P", po::value<std::vector<std::string>>()->value_name("NAME=VALUE"),
       "string application property (repeatable)")
      ("presettled", po::bool_switch(), "send pre-settled (fire and forget, no accept wait)")
      ("create", po::bool_switch(),
       "ask the broker to create the queue (terminus capability create-on-demand)")
      ("timeout", po::value<std::string>()->value_name("SECONDS"),
       "give up when nothing was sent or accepted for this long (default 0 = never)")
      ("reconnect", po::bool_switch(),
       "when the connection is lost, reconnect (to the brokers of -b and those the broker "
       "advertised) and carry on, sending again what was not acknowledged")
      ("reconnect-timeout", po::value<std::string>()->value_name("SECONDS"),
       "with --reconnect: give up after this long without a connection (default 60)")
      ("report-total", po::bool_switch(), "print a throughput and accept-latency summary")
      ("report-json", po::bool_switch(), "print the summary as one line of JSON");
  // clang-format on
  return options;
}

std::string HelpText() {
  std::ostringstream text;
  text << "Usage: qpid-send -a ADDRESS [OPTIONS]\n"
       << "Send messages to an AMQP 1.0 broker, at-least-once: each message is settled when the\n"
       << "broker accepts it, with at most --capacity in flight.\n\n"
       << Options()
       << "\nEach message carries the application properties sn (sequence number from 0) and\n"
       << "ts (CLOCK_MONOTONIC nanoseconds at send), which qpid-receive reads for latency.\n"
       << "The --report-total line is: msgs secs tp(m/s) l-p50(ms) l-p99(ms) l-max(ms),\n"
       << "where l-* is the publisher accept latency (send -> accepted).\n\n"
       << "Exit status:\n"
       << "  0  every message was sent and accepted\n"
       << "  1  connection, authentication or link failure, or a message was rejected,\n"
       << "     released or modified\n"
       << "  2  bad option or value\n"
       << "  3  --timeout expired before every message was accepted\n";
  return text.str();
}

// Fills CONFIG from the command line; false with ERROR set on a usage error.
bool ParseCommandLine(int argc, char** argv, SendConfig* config, UsageError* error) {
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
  config->sender.address = text("address");
  if (given("messages")) {
    config->messages_given = true;
    if (!ParseCount("--messages", text("messages"), 0, UINT64_MAX, &config->messages, error)) {
      return false;
    }
  }
  config->content_stdin = values["content-stdin"].as<bool>();
  int content_options = (given("content-size") ? 1 : 0) + (given("content-string") ? 1 : 0) +
                        (config->content_stdin ? 1 : 0);
  if (content_options > 1) {
    *error = UsageError{"--content-size, --content-string and --content-stdin exclude each other"};
    return false;
  }
  if (given("content-size")) {
    uint64_t size = 0;
    if (!ParseCount("--content-size", text("content-size"), 0, kMaxContentSize, &size, error)) {
      return false;
    }
    config->content.assign(size, 'X');
  }
  if (given("content-string")) config->content = text("content-string");
  if (given("capacity")) {
    uint64_t capacity = 0;
    if (!ParseCount("--capacity", text("capacity"), 1, 1 << 20, &capacity, error)) return false;
    config->sender.capacity = static_cast<uint32_t>(capacity);
  }
  if (given("durable") && !ParseYesNo("--durable", text("durable"), &config->spec.durable, error)) {
    return false;
  }
  if (given("subject")) config->spec.subject = text("subject");
  if (given("reply-to")) config->spec.reply_to = text("reply-to");
  if (given("property")) {
    for (const std::string& item : values["property"].as<std::vector<std::string>>()) {
      std::pair<std::string, std::string> property;
      if (!ParseProperty("--property", item, &property, error)) return false;
      if (property.first == kSequenceKey || property.first == kTimestampKey) {
        *error = InvalidValue("--property", item, "sn and ts are set by qpid-send");
        return false;
      }
      config->spec.properties.push_back(std::move(property));
    }
  }
  if (given("timeout")) {
    std::chrono::nanoseconds timeout{};
    if (!ParseSeconds("--timeout", text("timeout"), &timeout, error)) return false;
    config->sender.timeout_nanos = timeout.count();
  }
  config->sender.presettled = values["presettled"].as<bool>();
  config->sender.create = values["create"].as<bool>();
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

int Run(const SendConfig& config) {
  std::unique_ptr<MessageSource> source;
  if (config.content_stdin) {
    std::ios::sync_with_stdio(false);
    source = std::make_unique<LineSource>(config.spec, std::cin,
                                          config.messages_given ? config.messages : 0);
  } else {
    MessageEncoder encoder(config.spec);
    Result<MessageTemplate> message = encoder.Encode(config.content);
    if (!message.ok()) {
      std::fprintf(stderr, "%s: %s\n", kProgram, message.status().message().c_str());
      return kExitFailure;
    }
    source = std::make_unique<RepeatedSource>(std::move(message).value(), config.messages);
  }
  Sender sender(config.sender, *source);
  ConnectionSettings settings;
  settings.brokers = config.brokers;
  settings.container_id = ContainerId();
  settings.program = kProgram;
  settings.reconnect = config.reconnect;
  settings.reconnect_timeout = config.reconnect_timeout;
  ClientConnection connection(std::move(settings));
  InstallStopSignals();
  Status status = connection.Run(sender);

  if (config.report_total || config.report_json) {
    RunSummary summary;
    summary.tool = kProgram;
    summary.latency_kind = "accept";
    summary.messages = sender.accepted();
    summary.errors = sender.failed();
    summary.resent = sender.resent();
    summary.start_nanos = sender.start_nanos();
    summary.end_nanos = sender.end_nanos();
    if (summary.start_nanos != 0) {
      summary.elapsed_seconds = static_cast<double>(summary.end_nanos - summary.start_nanos) / 1e9;
    }
    summary.latency = config.sender.presettled ? nullptr : &sender.latency();
    if (config.report_total) PrintReportTotal(stdout, summary);
    if (config.report_json) PrintReportJson(stdout, summary);
  }

  if (!sender.link_error().empty()) {
    std::fprintf(stderr, "%s: %s (broker %s)\n", kProgram, sender.link_error().c_str(),
                 connection.broker().c_str());
    return kExitFailure;
  }
  if (!status.ok() && connection.opened() && !sender.attached()) {
    // Some brokers refuse an address by ending the session or connection, not the link.
    std::fprintf(stderr, "%s: cannot send to '%s' (broker %s): %s\n", kProgram,
                 config.sender.address.c_str(), connection.broker().c_str(),
                 connection.failure().c_str());
    return kExitFailure;
  }
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", kProgram, status.message().c_str());
    return kExitFailure;
  }
  if (!source->error().ok()) {
    std::fprintf(stderr, "%s: %s\n", kProgram, source->error().message().c_str());
    return kExitFailure;
  }
  if (sender.failed() > 0) {
    std::fprintf(stderr, "%s: %llu of %llu messages were not accepted\n", kProgram,
                 static_cast<unsigned long long>(sender.failed()),
                 static_cast<unsigned long long>(sender.sent()));
    return kExitFailure;
  }
  if (sender.timed_out()) {
    std::fprintf(stderr, "%s: timed out: %llu of %llu sent messages accepted\n", kProgram,
                 static_cast<unsigned long long>(sender.accepted()),
                 static_cast<unsigned long long>(sender.sent()));
    return kExitTimeout;
  }
  // -m 0 runs until interrupted: then the interruption is the normal end.
  bool endless = config.messages == 0 && !config.content_stdin;
  if (StopRequested() && !endless) {
    std::fprintf(stderr, "%s: interrupted after %llu accepted messages\n", kProgram,
                 static_cast<unsigned long long>(sender.accepted()));
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace
}  // namespace qpidd::tools

int main(int argc, char** argv) {
  using namespace qpidd::tools;
  SendConfig config;
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
