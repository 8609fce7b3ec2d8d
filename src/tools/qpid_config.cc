// qpid-config: lists and changes a broker's queues, exchanges and bindings, with the classic
// command syntax, over AMQP Management (doc/management.md, man/qpid-config.1).
//
// Exit codes: 0 done, 1 the broker refused (its statusDescription is printed), 2 usage error
// (the bad option or value is named), 3 cannot connect (each address and why is named).

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

#include <proton/types.hpp>

#include "client/management_client.h"
#include "client/table.h"
#include "client/value_text.h"
#include "common/status.h"
#include "tools/qpid_config_format.h"
#include "tools/qpid_config_options.h"

namespace qpidd::tools {
namespace {

using client::AttributeMap;
using client::ManagementClient;
using client::ManagementRequest;
using client::ManagementResponse;
using client::Table;

constexpr int kExitOk = 0;
constexpr int kExitBrokerError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitConnect = 3;

std::string YesOrBlank(const AttributeMap& row, const std::string& name) {
  return Flag(row, name) ? "Y" : "";
}

std::string BindingArgumentsText(const AttributeMap& binding) {
  auto it = binding.find("arguments");
  if (it == binding.end() || it->second.type() != proton::MAP) return "";
  std::string text = client::ValueText(it->second);
  return text == "{}" ? "" : " " + text;
}

bool Matches(const std::string& name, const std::string& filter) {
  return filter.empty() || name.find(filter) != std::string::npos;
}

class ConfigTool {
 public:
  ConfigTool(Options options, std::unique_ptr<ManagementClient> client)
      : options_(std::move(options)), client_(std::move(client)) {}

  int Run(const std::string& command, const std::vector<std::string>& args);

 private:
  int Summary();
  int ListQueues(const std::string& filter);
  int ListExchanges(const std::string& filter);
  int ListAll(const std::string& filter);
  int AddQueue(const std::string& name);
  // --start-replica: REPLICATE on the ha-broker entity (doc/ha-protocol.md 12.1).
  int StartReplica(const std::string& queue, const std::string& source);
  int AddExchange(const std::string& type, const std::string& name);
  int Delete(const std::string& type, const std::string& name);
  int Bind(const std::vector<std::string>& args);
  int Unbind(const std::vector<std::string>& args);

  // Sends a request; prints why it failed and returns the exit code, or returns nullopt on 2xx.
  std::optional<int> Send(const ManagementRequest& request);
  std::optional<int> Load(const std::string& type, std::vector<AttributeMap>& rows);
  int Failed(const Status& status);
  void PrintQueues(const std::vector<AttributeMap>& queues);
  void PrintExchanges(const std::vector<AttributeMap>& exchanges);
  AttributeMap DeclareArguments() const;
  void AddCommonAttributes(ManagementRequest& request) const;

  Options options_;
  std::unique_ptr<ManagementClient> client_;
};

int ConfigTool::Failed(const Status& status) {
  std::cerr << "qpid-config: " << status.message() << "\n";
  return client_->connected() ? kExitBrokerError : kExitConnect;
}

std::optional<int> ConfigTool::Send(const ManagementRequest& request) {
  auto response = client_->Call(request);
  if (!response.ok()) return Failed(response.status());
  if (!response.value().ok()) {
    std::cerr << "Failed: " << response.value().status_description << " ("
              << response.value().status_code << ")\n";
    return kExitBrokerError;
  }
  return std::nullopt;
}

std::optional<int> ConfigTool::Load(const std::string& type, std::vector<AttributeMap>& rows) {
  auto result = client_->Query(type);
  if (!result.ok()) {
    if (!client_->connected()) return Failed(result.status());
    std::cerr << "Failed: " << result.status().message() << "\n";
    return kExitBrokerError;
  }
  rows = std::move(result).value();
  std::sort(rows.begin(), rows.end(), [](const AttributeMap& a, const AttributeMap& b) {
    return Text(a, "name") < Text(b, "name");
  });
  return std::nullopt;
}

int ConfigTool::Run(const std::string& command, const std::vector<std::string>& args) {
  if (command.empty()) return Summary();
  if (command == "queues") return ListQueues(args.empty() ? "" : args[0]);
  if (command == "exchanges") return ListExchanges(args.empty() ? "" : args[0]);
  if (command == "list") return ListAll(args.empty() ? "" : args[0]);
  if (command == "add queue") return AddQueue(args[0]);
  if (command == "add exchange") return AddExchange(args[0], args[1]);
  if (command == "del queue") return Delete("queue", args[0]);
  if (command == "del exchange") return Delete("exchange", args[0]);
  if (command == "bind") return Bind(args);
  if (command == "unbind") return Unbind(args);
  return kExitUsage;  // not reached: commands are checked before connecting
}

// The classic summary: exchanges by type, queues by durability.
int ConfigTool::Summary() {
  std::vector<AttributeMap> exchanges, queues;
  if (auto rc = Load("exchange", exchanges)) return *rc;
  if (auto rc = Load("queue", queues)) return *rc;
  const std::string ours = client_->reply_address();
  std::erase_if(queues, [&](const AttributeMap& q) { return Text(q, "name") == ours; });
  std::map<std::string, int> by_type;
  for (const auto& e : exchanges) ++by_type[Text(e, "exchange-type")];
  std::cout << "Total Exchanges: " << exchanges.size() << "\n";
  for (const auto& [type, count] : by_type) {
    std::cout << std::string(type.size() < 15 ? 15 - type.size() : 0, ' ') << type << ": "
              << count << "\n";
  }
  size_t durable = std::count_if(queues.begin(), queues.end(),
                                 [](const AttributeMap& q) { return Flag(q, "durable"); });
  std::cout << "\n   Total Queues: " << queues.size() << "\n"
            << "        durable: " << durable << "\n"
            << "    non-durable: " << queues.size() - durable << "\n";
  return kExitOk;
}

void ConfigTool::PrintQueues(const std::vector<AttributeMap>& queues) {
  Table table;
  using A = Table::Align;
  table.AddColumn("queue");
  for (const char* h : {"dur", "autoDel", "excl"}) table.AddColumn(h);
  table.AddColumn("repl");
  for (const char* h : {"msg", "bytes", "acq", "msgIn", "msgOut", "cons", "bind"}) {
    table.AddColumn(h, A::kRight);
  }
  table.AddColumn("attributes");
  for (const auto& q : queues) {
    table.AddRow({Text(q, "name"), YesOrBlank(q, "durable"), YesOrBlank(q, "auto-delete"),
                  YesOrBlank(q, "exclusive"), Text(q, "replicate"), Text(q, "msgDepth"),
                  Text(q, "byteDepth"), Text(q, "msgAcquired"), Text(q, "msgTotalEnqueues"),
                  Text(q, "msgTotalDequeues"), Text(q, "consumerCount"), Text(q, "bindingCount"),
                  QueueAttributes(q)});
  }
  table.Print(std::cout);
}

void ConfigTool::PrintExchanges(const std::vector<AttributeMap>& exchanges) {
  Table table;
  table.AddColumn("type");
  table.AddColumn("exchange");
  for (const char* h : {"dur", "autoDel", "repl"}) table.AddColumn(h);
  table.AddColumn("bind", Table::Align::kRight);
  table.AddColumn("attributes");
  for (const auto& e : exchanges) {
    table.AddRow({Text(e, "exchange-type"), Text(e, "name"), YesOrBlank(e, "durable"),
                  YesOrBlank(e, "auto-delete"), Text(e, "replicate"), Text(e, "bindingCount"),
                  ExchangeAttributes(e)});
  }
  table.Print(std::cout);
}

int ConfigTool::ListQueues(const std::string& filter) {
  std::vector<AttributeMap> queues, bindings;
  if (auto rc = Load("queue", queues)) return *rc;
  if (options_.recursive) {
    if (auto rc = Load("binding", bindings)) return *rc;
  }
  // Our own reply queue is an artefact of asking, not part of the broker's configuration.
  const std::string ours = client_->reply_address();
  std::erase_if(queues, [&](const AttributeMap& q) {
    return Text(q, "name") == ours || !Matches(Text(q, "name"), filter);
  });
  if (!options_.recursive) {
    PrintQueues(queues);
    return kExitOk;
  }
  for (const auto& q : queues) {
    std::string name = Text(q, "name");
    std::cout << "Queue '" << name << "'\n";
    for (const auto& b : bindings) {
      if (Text(b, "queue") != name) continue;
      std::cout << "    bind [" << Text(b, "key") << "] => " << Text(b, "exchange")
                << BindingArgumentsText(b) << "\n";
    }
  }
  return kExitOk;
}

int ConfigTool::ListExchanges(const std::string& filter) {
  std::vector<AttributeMap> exchanges, bindings;
  if (auto rc = Load("exchange", exchanges)) return *rc;
  if (options_.recursive) {
    if (auto rc = Load("binding", bindings)) return *rc;
  }
  std::erase_if(exchanges,
                [&](const AttributeMap& e) { return !Matches(Text(e, "name"), filter); });
  if (!options_.recursive) {
    PrintExchanges(exchanges);
    return kExitOk;
  }
  for (const auto& e : exchanges) {
    std::string name = Text(e, "name");
    std::cout << "Exchange '" << name << "' (" << Text(e, "exchange-type") << ")\n";
    for (const auto& b : bindings) {
      if (Text(b, "exchange") != name) continue;
      std::cout << "    bind [" << Text(b, "key") << "] => " << Text(b, "queue")
                << BindingArgumentsText(b) << "\n";
    }
  }
  return kExitOk;
}

int ConfigTool::ListAll(const std::string& filter) {
  std::vector<AttributeMap> brokers, exchanges, queues, bindings;
  if (auto rc = Load("broker", brokers)) return *rc;
  if (auto rc = Load("exchange", exchanges)) return *rc;
  if (auto rc = Load("queue", queues)) return *rc;
  if (auto rc = Load("binding", bindings)) return *rc;
  const std::string ours = client_->reply_address();
  std::erase_if(queues, [&](const AttributeMap& q) {
    return Text(q, "name") == ours || !Matches(Text(q, "name"), filter);
  });
  std::erase_if(exchanges,
                [&](const AttributeMap& e) { return !Matches(Text(e, "name"), filter); });
  std::erase_if(bindings, [&](const AttributeMap& b) {
    return Text(b, "queue") == ours ||
           (!Matches(Text(b, "queue"), filter) && !Matches(Text(b, "exchange"), filter));
  });
  for (const auto& b : brokers) {
    std::cout << "Broker " << Text(b, "identity") << " (version " << Text(b, "version")
              << "): " << Text(b, "queueCount") << " queues, " << Text(b, "exchangeCount")
              << " exchanges, " << Text(b, "bindingCount") << " bindings, "
              << Text(b, "connectionCount") << " connections\n";
  }
  std::cout << "\nExchanges\n";
  PrintExchanges(exchanges);
  std::cout << "\nQueues\n";
  PrintQueues(queues);
  std::cout << "\nBindings\n";
  Table table;
  for (const char* h : {"exchange", "queue", "key", "arguments"}) table.AddColumn(h);
  for (const auto& b : bindings) {
    std::string args = BindingArgumentsText(b);
    table.AddRow({Text(b, "exchange"), Text(b, "queue"), Text(b, "key"),
                  args.empty() ? "" : args.substr(1)});
  }
  table.Print(std::cout);
  return kExitOk;
}

AttributeMap ConfigTool::DeclareArguments() const {
  AttributeMap arguments;
  for (const auto& a : options_.arguments) arguments[a.key] = a.value;
  return arguments;
}

// What add queue and add exchange have in common.
void ConfigTool::AddCommonAttributes(ManagementRequest& request) const {
  request.attributes["durable"] = options_.durable;
  if (options_.replicate) request.attributes["replicate"] = *options_.replicate;
  if (options_.alternate_exchange) {
    request.attributes["alternate-exchange"] = *options_.alternate_exchange;
  }
  if (!options_.arguments.empty()) request.attributes["arguments"] = DeclareArguments();
}

int ConfigTool::AddQueue(const std::string& name) {
  ManagementRequest request;
  request.operation = "CREATE";
  request.type = "queue";
  request.name = name;
  AddCommonAttributes(request);
  request.attributes["auto-delete"] = options_.auto_delete;
  request.attributes["exclusive"] = options_.exclusive;
  if (auto rc = Send(request)) return *rc;
  if (options_.start_replica) return StartReplica(name, *options_.start_replica);
  return kExitOk;
}

int ConfigTool::StartReplica(const std::string& queue, const std::string& source) {
  ManagementRequest request;
  request.operation = "REPLICATE";
  request.type = "ha-broker";
  request.name = "ha-broker";
  request.attributes["source"] = source;
  request.attributes["queue"] = queue;
  auto response = client_->Call(request);
  if (!response.ok()) return Failed(response.status());
  if (!response.value().ok()) {
    std::cerr << "Failed: queue '" << queue << "' was created but is not a replica of " << source
              << ": " << response.value().status_description << " ("
              << response.value().status_code << ")\n";
    return kExitBrokerError;
  }
  return kExitOk;
}

int ConfigTool::AddExchange(const std::string& type, const std::string& name) {
  ManagementRequest request;
  request.operation = "CREATE";
  request.type = "exchange";
  request.name = name;
  request.attributes["exchange-type"] = type;
  AddCommonAttributes(request);
  if (auto rc = Send(request)) return *rc;
  return kExitOk;
}

int ConfigTool::Delete(const std::string& type, const std::string& name) {
  ManagementRequest request;
  request.operation = "DELETE";
  request.type = type;
  request.name = name;
  if (type == "queue") {
    // As classic qpid-config: refuse to lose messages or consumers unless forced.
    request.attributes["if-empty"] = !(options_.force || options_.force_if_not_empty);
    request.attributes["if-unused"] = !(options_.force || options_.force_if_used);
  }
  if (auto rc = Send(request)) return *rc;
  return kExitOk;
}

// Splits bind's arguments into key and headers match; args are [exchange, queue, ...].
struct BindSpec {
  std::string key;
  AttributeMap arguments;
};

std::optional<UsageError> ParseBind(const std::vector<std::string>& args, BindSpec& spec) {
  std::vector<std::string> rest(args.begin() + 2, args.end());
  std::erase_if(rest, [](const std::string& s) { return s == ","; });
  for (auto& s : rest) {
    if (s.size() > 1 && s.back() == ',') s.pop_back();  // "k1=v1, k2=v2"
  }
  auto is_match = [](const std::string& s) { return s == "any" || s == "all"; };
  // "bind amq.match q all k=v": with a NAME=VALUE after it, any/all is the match, not a key.
  bool keyless = !rest.empty() && is_match(rest[0]) && rest.size() > 1 &&
                 rest[1].find('=') != std::string::npos;
  size_t next = 0;
  if (!rest.empty() && !keyless) spec.key = rest[next++];
  if (next == rest.size()) return std::nullopt;
  if (!is_match(rest[next])) {
    return UsageError{"unexpected argument '" + rest[next] +
                      "': a headers binding goes 'all|any NAME=VALUE ...' after the key"};
  }
  spec.arguments["x-match"] = rest[next++];
  if (next == rest.size()) {
    return UsageError{"'" + rest[next - 1] + "' needs at least one NAME=VALUE header match"};
  }
  for (; next < rest.size(); ++next) {
    auto kv = client::ParseKeyValue(rest[next]);
    if (!kv.ok()) return UsageError{"invalid header match: " + kv.status().message()};
    spec.arguments[kv.value().first] = kv.value().second;
  }
  return std::nullopt;
}

int ConfigTool::Bind(const std::vector<std::string>& args) {
  BindSpec spec;
  (void)ParseBind(args, spec);  // validated before connecting
  ManagementRequest request;
  request.operation = "CREATE";
  request.type = "binding";
  request.attributes["exchange"] = args[0];
  request.attributes["queue"] = args[1];
  request.attributes["key"] = spec.key;
  if (!spec.arguments.empty()) request.attributes["arguments"] = spec.arguments;
  if (auto rc = Send(request)) return *rc;
  return kExitOk;
}

int ConfigTool::Unbind(const std::vector<std::string>& args) {
  ManagementRequest request;
  request.operation = "DELETE";
  request.type = "binding";
  request.attributes["exchange"] = args[0];
  request.attributes["queue"] = args[1];
  request.attributes["key"] = args.size() > 2 ? args[2] : std::string();
  if (auto rc = Send(request)) return *rc;
  return kExitOk;
}

// Works out the command from the positional arguments and checks their number.
std::optional<UsageError> ParseCommand(const std::vector<std::string>& positional,
                                       std::string& command, std::vector<std::string>& args) {
  if (positional.empty()) return std::nullopt;
  const std::string& word = positional[0];
  std::vector<std::string> rest(positional.begin() + 1, positional.end());
  auto too_many = [](const std::string& what, const std::string& extra) {
    return UsageError{"unexpected argument '" + extra + "' after " + what};
  };
  if (word == "queues" || word == "exchanges" || word == "list") {
    if (rest.size() > 1) return too_many(word + " " + rest[0], rest[1]);
    command = word;
    args = rest;
    return std::nullopt;
  }
  if (word == "add" || word == "del") {
    if (rest.empty()) return UsageError{"'" + word + "' needs 'queue' or 'exchange'"};
    const std::string& what = rest[0];
    if (what != "queue" && what != "exchange") {
      return UsageError{"'" + word + " " + what + "': expected 'queue' or 'exchange'"};
    }
    command = word + " " + what;
    args.assign(rest.begin() + 1, rest.end());
    size_t wanted = (command == "add exchange") ? 2 : 1;
    if (args.size() < wanted) {
      return UsageError{"'" + command + "' needs " +
                        (command == "add exchange" ? std::string("a type and a name")
                                                   : std::string("a name"))};
    }
    if (args.size() > wanted) return too_many(command, args[wanted]);
    if (args.back().empty()) return UsageError{"'" + command + "': the name must not be empty"};
    return std::nullopt;
  }
  if (word == "bind" || word == "unbind") {
    if (rest.size() < 2) return UsageError{"'" + word + "' needs an exchange and a queue"};
    if (word == "unbind" && rest.size() > 3) return too_many("unbind", rest[3]);
    command = word;
    args = rest;
    if (word == "bind") {
      BindSpec spec;
      if (auto error = ParseBind(args, spec)) return error;
    }
    return std::nullopt;
  }
  if (word == "help") {
    command = "help";
    return std::nullopt;
  }
  return UsageError{"unknown command '" + word + "'"};
}

int Usage(const UsageError& error) {
  std::cerr << "qpid-config: " << error.message << "\n"
            << "Try 'qpid-config --help' for more information.\n";
  return kExitUsage;
}

int Main(int argc, char** argv) {
  Options options;
  if (auto error = ParseArguments(argc, argv, options)) return Usage(*error);
  std::string command;
  std::vector<std::string> args;
  if (options.help) {
    std::cout << UsageText();
    return kExitOk;
  }
  if (auto error = ParseCommand(options.positional, command, args)) return Usage(*error);
  if (command == "help") {
    std::cout << UsageText();
    return kExitOk;
  }
  if (auto error = CheckScopes(options, command)) return Usage(*error);

  client::ClientOptions client_options;
  client_options.url = options.broker;
  client_options.timeout = options.timeout;
  client_options.ha_admin = options.ha_admin;
  client_options.ha_override = options.ha_override;
  // Recognisable in the broker's connection list and logs, and unique across hosts.
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  client_options.container_id =
      "qpid-config-" + std::string(host) + "-" + std::to_string(getpid());
  auto client = ManagementClient::Connect(client_options);
  if (!client.ok()) {
    if (client.status().code() == StatusCode::kInvalidArgument) {
      return Usage(UsageError{client.status().message()});
    }
    std::cerr << "qpid-config: " << client.status().message() << "\n";
    return kExitConnect;
  }
  ConfigTool tool(std::move(options), std::move(client).value());
  return tool.Run(command, args);
}

}  // namespace
}  // namespace qpidd::tools

int main(int argc, char** argv) {
  try {
    return qpidd::tools::Main(argc, argv);
  } catch (const std::exception& e) {
    // Proton reports some failures by exception; none must end the tool with an abort.
    std::cerr << "qpid-config: internal error: " << e.what() << "\n";
    return 1;
  }
}
