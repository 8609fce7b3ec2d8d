#include "qpidd/broker_options.h"

#include <boost/program_options.hpp>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "common/log.h"

namespace qpidd {
namespace po = boost::program_options;

namespace {

constexpr char kDefaultConfigFile[] = "/etc/qpid/qpidd.conf";
constexpr uint64_t kMaxWorkerThreads = 1024;
// AMQP carries the idle timeout in milliseconds in a uint32.
constexpr uint64_t kMaxIdleTimeoutSeconds = std::numeric_limits<uint32_t>::max() / 1000;

#ifdef PACKAGE_VERSION
constexpr char kVersion[] = PACKAGE_VERSION;
#else
constexpr char kVersion[] = "unknown";
#endif

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::string Quote(std::string_view text) { return "'" + std::string(text) + "'"; }

std::string Dashed(std::string_view name) {
  return name.starts_with("-") ? std::string(name) : "--" + std::string(name);
}

std::string Undashed(std::string_view name) {
  while (name.starts_with("-")) name.remove_prefix(1);
  return std::string(name);
}

// clang-format off
po::options_description BrokerDescription(const std::string& default_config_file) {
  po::options_description general("Options");
  general.add_options()
      ("config", po::value<std::string>()->value_name("FILE")->default_value(default_config_file),
       "Read options from FILE: name=value lines with the long option names, '#' comments. "
       "The command line overrides it. A missing default file is ignored.")
      ("port", po::value<std::string>()->value_name("PORT")->default_value("5672"),
       "Listen for AMQP connections on PORT. 0: a free port is chosen and printed on "
       "standard output once the broker listens.")
      ("interface", po::value<std::vector<std::string>>()->value_name("HOST"),
       "Listen on this interface only (host name or IP address); repeat for several. "
       "Default: every interface.")
      ("data-dir", po::value<std::string>()->value_name("DIR")->default_value("/var/lib/qpidd"),
       "Directory for the broker's data and its lock file; created if missing.")
      ("worker-threads", po::value<std::string>()->value_name("N")->default_value("0"),
       "Number of worker threads; 0 means one per CPU core.")
      ("max-connections", po::value<std::string>()->value_name("N")->default_value("500"),
       "Maximum number of concurrent connections.")
      ("default-queue-limit",
       po::value<std::string>()->value_name("BYTES")->default_value("104857600"),
       "Size limit of a queue that sets none of its own; 0 means no limit.")
      ("default-flow-stop-threshold",
       po::value<std::string>()->value_name("PERCENT")->default_value("80"),
       "Publishers attached to a reject-policy queue get no more credit once it holds this "
       "percentage of its limit, unless it sets qpid.flow_stop_count/size; 0 means no flow "
       "control.")
      ("default-flow-resume-threshold",
       po::value<std::string>()->value_name("PERCENT")->default_value("70"),
       "...and get credit again once it is back under this percentage.")
      ("queue-purge-interval", po::value<std::string>()->value_name("SECONDS")->default_value("600"),
       "How often every queue is swept of expired messages (which go to its alternate "
       "exchange); 0 means only when a consumer meets them.")
      ("auth", po::value<std::string>()->value_name("yes|no")->default_value("no"),
       "Require clients to authenticate (not available yet: 'yes' is refused).")
      ("mgmt-enable", po::value<std::string>()->value_name("yes|no")->default_value("yes"),
       "Enable management through the $management node (HA needs it).")
      ("idle-timeout", po::value<std::string>()->value_name("SECONDS")->default_value("0"),
       "Idle timeout the broker asks of its peers; 0 means none.")
      ("help,h", po::bool_switch(), "Print this help and exit.")
      ("version,v", po::bool_switch(), "Print the version and exit.");

  po::options_description logging("Logging options");
  logging.add_options()
      ("log-enable", po::value<std::vector<std::string>>()->value_name("RULE"),
       "Log what RULE selects: LEVEL[+][:CATEGORY], e.g. 'notice+', 'debug+:ha'. Repeat for "
       "several rules. Levels: trace debug info notice warning error critical ('+': and above). "
       "Categories: broker amqp network management ha tool. Default: notice+.")
      ("log-to-stderr",
       po::value<std::string>()->value_name("yes|no")
           ->default_value("yes", "yes, no with --daemon"),
       "Log to standard error.")
      ("log-to-file", po::value<std::string>()->value_name("FILE"),
       "Log to FILE (appended to). Default: no file.")
      ("log-to-syslog", po::value<std::string>()->value_name("yes|no")->default_value("no"),
       "Log to syslog.");

  po::options_description daemon("Daemon options");
  daemon.add_options()
      ("daemon,d", po::bool_switch(),
       "Run in the background; return 0 once the broker listens, or print why it could not "
       "start and return non-zero.")
      ("pid-dir", po::value<std::string>()->value_name("DIR"),
       "Directory for the pid file qpidd.PORT.pid. Default: the data directory.")
      ("quit,q", po::bool_switch(),
       "Stop the daemon running on --port (found by its pid file) and wait for it to exit.")
      ("check,c", po::bool_switch(),
       "Print the pid of the daemon running on --port and exit 0; exit 1 if none runs.");

  po::options_description all;
  all.add(general).add(logging).add(daemon);
  return all;
}
// clang-format on

// Where a value read from the config file came from, to name it in an error.
using Origins = std::map<std::string, std::string>;  // option name -> "FILE:LINE"

struct ConfigFile {
  po::parsed_options parsed;
  Origins origins;
  std::map<std::string, std::vector<int>> lines;  // option name -> lines it is set on
  explicit ConfigFile(const po::options_description* description) : parsed(description) {}
};

// name=value lines; '#' starts a comment anywhere; blank lines are skipped. Names are the long
// option names. Written by hand rather than with po::parse_config_file so that every error can
// name the file and line.
Status ReadConfigFile(const std::string& path, const po::options_description& description,
                      ConfigFile* out) {
  std::ifstream in(path);
  if (!in) {
    return Status::InvalidArgument("cannot read config file " + path + ": " + std::strerror(errno));
  }
  std::string raw;
  int line_number = 0;
  while (std::getline(in, raw)) {
    ++line_number;
    std::string where = path + ":" + std::to_string(line_number) + ": ";
    std::string_view line = raw;
    line = Trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    size_t equals = line.find('=');
    if (equals == std::string_view::npos) {
      return Status::InvalidArgument(where + "expected name=value, found " + Quote(line));
    }
    std::string name(Trim(line.substr(0, equals)));
    std::string value(Trim(line.substr(equals + 1)));
    if (name.empty()) {
      return Status::InvalidArgument(where + "expected name=value, found " + Quote(line));
    }
    const po::option_description* option = description.find_nothrow(name, false, false, false);
    if (option == nullptr || name != option->long_name()) {
      return Status::InvalidArgument(where + "unknown option " + Quote(name));
    }
    if (name == "config") {
      return Status::InvalidArgument(where + "'config' can only be given on the command line");
    }
    // A switch (--daemon) takes yes/no in the file; check it here, where the line is known.
    if (option->semantic()->max_tokens() == 0) {
      Result<bool> flag = ParseBoolOption(name, value);
      if (!flag.ok()) return Status::InvalidArgument(where + flag.status().message());
      value = flag.value() ? "true" : "false";
    }
    po::option parsed_option(name, {value});
    parsed_option.original_tokens = {name, value};
    out->parsed.options.push_back(std::move(parsed_option));
    out->origins[name] = path + ":" + std::to_string(line_number);
    out->lines[name].push_back(line_number);
  }
  if (in.bad()) {
    return Status::InvalidArgument("cannot read config file " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

// Turns the values in `vm` into BrokerOptions; errors for values from the config file name it.
class Converter {
 public:
  Converter(const po::variables_map& vm, const Origins& origins) : vm_(vm), origins_(origins) {}

  const Status& status() const { return status_; }

  std::string String(const std::string& name) {
    return vm_.count(name) ? vm_[name].as<std::string>() : std::string();
  }

  std::string NonEmpty(const std::string& name, std::string_view expected) {
    std::string value = String(name);
    if (value.empty() && vm_.count(name)) Fail(name, InvalidOptionValue(name, value, expected));
    return value;
  }

  std::vector<std::string> List(const std::string& name, std::string_view expected) {
    if (!vm_.count(name)) return {};
    std::vector<std::string> values = vm_[name].as<std::vector<std::string>>();
    for (std::string& value : values) {
      value = std::string(Trim(value));
      if (value.empty()) Fail(name, InvalidOptionValue(name, value, expected));
    }
    return values;
  }

  bool Bool(const std::string& name) {
    Result<bool> value = ParseBoolOption(name, String(name));
    if (!value.ok()) {
      Fail(name, value.status());
      return false;
    }
    return value.value();
  }

  bool Switch(const std::string& name) { return vm_.count(name) && vm_[name].as<bool>(); }

  uint64_t Number(const std::string& name, uint64_t min, uint64_t max) {
    Result<uint64_t> value = ParseUnsignedOption(name, String(name), min, max);
    if (!value.ok()) {
      Fail(name, value.status());
      return 0;
    }
    return value.value();
  }

  // Records `status` (which says why `value` is wrong) as a bad value for option `name`.
  void Check(const std::string& name, std::string_view value, const Status& status) {
    if (!status.ok()) Fail(name, InvalidOptionValue(name, value, status.message()));
  }

  bool Given(const std::string& name) const { return vm_.count(name) && !vm_[name].defaulted(); }

 private:
  // Keeps the first error, prefixed with "FILE:LINE: " when the value came from the file.
  void Fail(const std::string& name, const Status& status) {
    if (!status_.ok()) return;
    auto origin = origins_.find(name);
    status_ = origin == origins_.end()
                  ? status
                  : Status::InvalidArgument(origin->second + ": " + status.message());
  }

  const po::variables_map& vm_;
  const Origins& origins_;
  Status status_;
};

std::string Absolute(const std::string& path) {
  if (path.empty()) return path;
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(path, error);
  return error ? path : absolute.lexically_normal().string();
}

// Boost's messages, reworded to match ours: the option named as the user wrote it.
Status FromBoostError(const po::error& error) {
  if (const auto* unknown = dynamic_cast<const po::unknown_option*>(&error)) {
    return Status::InvalidArgument("unknown option " + unknown->get_option_name());
  }
  if (const auto* multiple = dynamic_cast<const po::multiple_occurrences*>(&error)) {
    return Status::InvalidArgument("option " + Dashed(multiple->get_option_name()) +
                                   " given more than once");
  }
  return Status::InvalidArgument(error.what());
}

}  // namespace

Status InvalidOptionValue(std::string_view option, std::string_view value,
                          std::string_view expected) {
  return Status::InvalidArgument("invalid value " + Quote(value) + " for option " + Dashed(option) +
                                 ": " + std::string(expected));
}

Result<bool> ParseBoolOption(std::string_view option, std::string_view value) {
  std::string lower;
  for (char c : value) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "yes" || lower == "true" || lower == "1" || lower == "on") return true;
  if (lower == "no" || lower == "false" || lower == "0" || lower == "off") return false;
  return InvalidOptionValue(option, value, "expected yes or no");
}

Result<uint64_t> ParseUnsignedOption(std::string_view option, std::string_view value, uint64_t min,
                                     uint64_t max) {
  auto bad = [&] {
    return InvalidOptionValue(
        option, value,
        "expected a number from " + std::to_string(min) + " to " + std::to_string(max));
  };
  if (value.empty()) return bad();
  uint64_t number = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return bad();
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (number > (std::numeric_limits<uint64_t>::max() - digit) / 10) return bad();
    number = number * 10 + digit;
  }
  if (number < min || number > max) return bad();
  return number;
}

BrokerOptionsParser::BrokerOptionsParser() : default_config_file_(kDefaultConfigFile) {}

void BrokerOptionsParser::AddGroup(OptionGroup& group) { groups_.push_back(&group); }

void BrokerOptionsParser::SetDefaultConfigFile(std::string path) {
  default_config_file_ = std::move(path);
}

std::string BrokerOptionsParser::Help() const {
  po::options_description all = BrokerDescription(default_config_file_);
  for (const OptionGroup* group : groups_) all.add(group->Description());
  std::ostringstream out;
  out << "Usage: qpidd [OPTIONS]\n"
      << "Every option can also be set in the config file (--config) as name=value, with the\n"
      << "long name and no '--'; the command line overrides the file.\n"
      << all;
  return out.str();
}

Result<ParsedOptions> BrokerOptionsParser::Parse(int argc, const char* const argv[]) {
  po::options_description all = BrokerDescription(default_config_file_);
  for (const OptionGroup* group : groups_) all.add(group->Description());

  ParsedOptions result;
  BrokerOptions& options = result.options;
  po::variables_map vm;
  Origins origins;
  try {
    // No abbreviations: "--po" must not quietly mean "--port", nor change meaning when a later
    // option shares its prefix.
    int style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    po::parsed_options command_line =
        po::command_line_parser(argc, argv).options(all).style(style).run();
    std::vector<std::string> stray =
        po::collect_unrecognized(command_line.options, po::include_positional);
    if (!stray.empty()) {
      return Status::InvalidArgument("unexpected argument " + Quote(stray.front()) +
                                     " (options start with '--'; see --help)");
    }
    po::store(command_line, vm);

    options.help = vm["help"].as<bool>();
    options.version = vm["version"].as<bool>();
    if (options.help) {
      result.text_to_print = Help();
      return result;
    }
    if (options.version) {
      result.text_to_print = std::string("qpidd (qpidd-ha) ") + kVersion + "\n";
      return result;
    }

    std::set<std::string> on_command_line;
    for (const auto& [name, value] : vm) {
      if (!value.defaulted()) on_command_line.insert(name);
    }

    options.config_file_given = !vm["config"].defaulted();
    options.config_file = Absolute(vm["config"].as<std::string>());
    std::error_code error;
    bool config_exists = std::filesystem::exists(options.config_file, error);
    if (!config_exists && options.config_file_given) {
      return Status::InvalidArgument("config file " + options.config_file + " does not exist");
    }
    if (config_exists) {
      ConfigFile file(&all);
      Status status = ReadConfigFile(options.config_file, all, &file);
      if (!status.ok()) return status;
      try {
        // Options already set on the command line keep their values: store() skips them.
        po::store(file.parsed, vm);
      } catch (const po::multiple_occurrences& e) {
        std::string name = Undashed(e.get_option_name());
        const std::vector<int>& lines = file.lines[name];
        std::string where =
            options.config_file + ":" + std::to_string(lines.size() > 1 ? lines[1] : 0) + ": ";
        return Status::InvalidArgument(where + "option " + Quote(name) +
                                       " given more than once (first on line " +
                                       std::to_string(lines.empty() ? 0 : lines[0]) + ")");
      }
      // Only the file's values that took effect can be blamed on it.
      for (const auto& [name, where] : file.origins) {
        if (!on_command_line.contains(name)) origins[name] = where;
      }
    }
    po::notify(vm);
  } catch (const po::error& e) {
    return FromBoostError(e);
  }

  Converter convert(vm, origins);
  options.port = static_cast<uint16_t>(convert.Number("port", 0, 65535));
  options.interfaces = convert.List("interface", "expected a host name or an IP address");
  options.data_dir = Absolute(convert.NonEmpty("data-dir", "expected a directory"));
  options.worker_threads =
      static_cast<unsigned>(convert.Number("worker-threads", 0, kMaxWorkerThreads));
  options.max_connections = static_cast<uint32_t>(
      convert.Number("max-connections", 1, std::numeric_limits<uint32_t>::max()));
  options.default_queue_limit =
      convert.Number("default-queue-limit", 0, std::numeric_limits<uint64_t>::max());
  options.flow_stop_percent =
      static_cast<uint32_t>(convert.Number("default-flow-stop-threshold", 0, 100));
  options.flow_resume_percent =
      static_cast<uint32_t>(convert.Number("default-flow-resume-threshold", 0, 100));
  // With the stop threshold at 0 (no default flow control) the resume threshold has no use.
  if (options.flow_stop_percent != 0 && options.flow_resume_percent > options.flow_stop_percent) {
    convert.Check("default-flow-resume-threshold", std::to_string(options.flow_resume_percent),
                  Status::InvalidArgument("must not be above --default-flow-stop-threshold (" +
                                          std::to_string(options.flow_stop_percent) + ")"));
  }
  options.queue_purge_interval_s = static_cast<uint32_t>(
      convert.Number("queue-purge-interval", 0, std::numeric_limits<uint32_t>::max()));
  options.auth = convert.Bool("auth");
  options.mgmt_enable = convert.Bool("mgmt-enable");
  options.idle_timeout_seconds =
      static_cast<uint32_t>(convert.Number("idle-timeout", 0, kMaxIdleTimeoutSeconds));

  options.log_enable = convert.List("log-enable", "expected LEVEL[+][:CATEGORY]");
  for (const std::string& rule : options.log_enable) {
    convert.Check("log-enable", rule, log::CheckRule(rule));
  }
  options.log_to_file = Absolute(convert.String("log-to-file"));
  if (convert.Given("log-to-file") && options.log_to_file.empty()) {
    convert.NonEmpty("log-to-file", "expected a file name");
  }
  options.log_to_syslog = convert.Bool("log-to-syslog");

  options.daemon = convert.Switch("daemon");
  options.quit = convert.Switch("quit");
  options.check = convert.Switch("check");
  options.log_to_stderr_given = convert.Given("log-to-stderr");
  options.log_to_stderr =
      options.log_to_stderr_given ? convert.Bool("log-to-stderr") : !options.daemon;
  options.pid_dir = Absolute(convert.NonEmpty("pid-dir", "expected a directory"));
  if (options.pid_dir.empty()) options.pid_dir = options.data_dir;
  if (!convert.status().ok()) return convert.status();

  for (OptionGroup* group : groups_) {
    Status status = group->Apply(vm);
    if (!status.ok()) return status;
  }
  return result;
}

Result<ParsedOptions> ParseBrokerOptions(int argc, const char* const argv[]) {
  return BrokerOptionsParser().Parse(argc, argv);
}

std::string BrokerOptionsHelp() { return BrokerOptionsParser().Help(); }

}  // namespace qpidd
