// qpid-send: sends messages to an address over AMQP 1.0, at-least-once with an in-flight window,
// and reports throughput and publisher accept latency. Also the benchmark's load producer.
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
#include "tools/load_tool.h"

namespace po = boost::program_options;

namespace qpidd::tools {
namespace {

constexpr const char* kProgram = "qpid-send";
constexpr uint64_t kMaxContentSize = 100 * 1024 * 1024;

struct SendConfig {
  CommonOptions common;
  SenderOptions sender;
  MessageSpec spec;
  uint64_t messages = 1;
  bool messages_given = false;
  std::string content;
  bool content_stdin = false;
};

po::options_description Options() {
  po::options_description options("Options");
  AddTargetOptions(options, "address (queue) to send to");
  // clang-format off
  options.add_options()
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
      ("priority", po::value<std::string>()->value_name("P"), "message priority, 0 to 9")
      ("ttl", po::value<std::string>()->value_name("MS"),
       "message time to live in milliseconds: the broker never delivers it later")
      ("property,P", po::value<std::vector<std::string>>()->value_name("NAME=VALUE"),
       "string application property (repeatable)")
      ("presettled", po::bool_switch(), "send pre-settled (fire and forget, no accept wait)");
  // clang-format on
  AddCreateOption(options);
  options.add_options()(
      "timeout", po::value<std::string>()->value_name("SECONDS"),
      "give up when nothing was sent or accepted for this long (default 0 = never)");
  AddReconnectOptions(options, ", sending again what was not acknowledged");
  AddReportOptions(options, "accept-latency");
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

// Fills CONFIG with qpid-send's own options; false with ERROR set on a bad value.
bool ParseOwnOptions(const OptionValues& values, SendConfig* config, UsageError* error) {
  config->sender.address = config->common.address;
  if (values.given("messages")) {
    config->messages_given = true;
    if (!ParseCount("--messages", values.text("messages"), 0, UINT64_MAX, &config->messages,
                    error)) {
      return false;
    }
  }
  config->content_stdin = values.flag("content-stdin");
  int content_options = (values.given("content-size") ? 1 : 0) +
                        (values.given("content-string") ? 1 : 0) + (config->content_stdin ? 1 : 0);
  if (content_options > 1) {
    *error = UsageError{"--content-size, --content-string and --content-stdin exclude each other"};
    return false;
  }
  if (values.given("content-size")) {
    uint64_t size = 0;
    if (!ParseCount("--content-size", values.text("content-size"), 0, kMaxContentSize, &size,
                    error)) {
      return false;
    }
    config->content.assign(size, 'X');
  }
  if (values.given("content-string")) config->content = values.text("content-string");
  if (!ParseCapacityOption(values, &config->sender.capacity, error)) return false;
  if (values.given("durable") &&
      !ParseYesNo("--durable", values.text("durable"), &config->spec.durable, error)) {
    return false;
  }
  if (values.given("subject")) config->spec.subject = values.text("subject");
  if (values.given("reply-to")) config->spec.reply_to = values.text("reply-to");
  if (values.given("priority")) {
    uint64_t priority = 0;
    if (!ParseCount("--priority", values.text("priority"), 0, 9, &priority, error)) return false;
    config->spec.priority = static_cast<uint8_t>(priority);
  }
  if (values.given("ttl")) {
    uint64_t ttl = 0;
    if (!ParseCount("--ttl", values.text("ttl"), 1, UINT32_MAX, &ttl, error)) return false;
    config->spec.ttl_ms = static_cast<uint32_t>(ttl);
  }
  if (values.given("property")) {
    for (const std::string& item : values.list("property")) {
      std::pair<std::string, std::string> property;
      if (!ParseProperty("--property", item, &property, error)) return false;
      if (property.first == kSequenceKey || property.first == kTimestampKey) {
        *error = InvalidValue("--property", item, "sn and ts are set by qpid-send");
        return false;
      }
      config->spec.properties.push_back(std::move(property));
    }
  }
  if (!ParseTimeoutOption(values, &config->sender.timeout_nanos, error)) return false;
  config->sender.presettled = values.flag("presettled");
  config->sender.create = values.flag("create");
  return true;
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
  ClientConnection connection(ToolConnectionSettings(kProgram, config.common));
  InstallStopSignals();
  Status status = connection.Run(sender);

  PrintReports(config.common, {.tool = kProgram,
                               .latency_kind = "accept",
                               .messages = sender.accepted(),
                               .errors = sender.failed(),
                               .resent = sender.resent(),
                               .start_nanos = sender.start_nanos(),
                               .end_nanos = sender.end_nanos(),
                               .latency = config.sender.presettled ? nullptr : &sender.latency()});

  if (ReportRunFailure(kProgram, "send to", config.sender.address, sender.link_error(),
                       sender.attached(), connection, status)) {
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
  return ToolMain(argc, argv, kProgram, Options(), HelpText, ParseOwnOptions, Run);
}
