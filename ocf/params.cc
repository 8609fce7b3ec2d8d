#include "ocf/params.h"

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace qpidd::ocf {
std::string Trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

namespace {

Outcome Configured(const std::string& why) { return Outcome::Of(ExitCode::kErrConfigured, why); }

}  // namespace

Lookup EnvironmentLookup() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

const std::vector<ParamInfo>& ParamInfos() {
  static const std::vector<ParamInfo> infos = {
      {"binary", "string", "/usr/sbin/qpidd", "qpidd binary",
       "Full path of the qpidd broker binary. Reloadable: a change applies at each broker's "
       "next start.", true},
      {"config", "string", "/etc/qpid/qpidd.conf", "qpidd configuration file",
       "The broker's configuration file (--config). Its ha-brokers-url is the cluster's when "
       "brokers_url is not set. Reloadable: a change applies at each broker's next start.", true},
      {"data_dir", "string", "/var/lib/qpidd", "data directory",
       "The broker's data directory (--data-dir), created if missing. It also holds the agent's "
       "pid file (qpidd-agent.pid) and marker of promotion (qpidd-agent.promoted)."},
      {"port", "integer", "5672", "AMQP port",
       "The port the broker listens on (--port), 1 to 65535."},
      {"interface", "string", "", "listening address",
       "The address the broker listens on (--interface) and the agent's management requests go "
       "to. Empty: the broker listens on every address and the agent talks to 127.0.0.1."},
      {"user", "string", "qpidd", "user of the broker",
       "When the agent runs as root, the broker runs as this user if it exists."},
      {"group", "string", "qpidd", "group of the broker",
       "When the agent runs as root, the broker runs with this group if it exists."},
      {"brokers_url", "string", "", "addresses of every cluster member",
       "The real address of every member of the cluster, this one included (--ha-brokers-url), "
       "e.g. node1,node2,node3. Empty: ha-brokers-url of the configuration file. Reloadable: a "
       "change applies at each broker's next start.", true},
      {"extra_options", "string", "", "more broker options",
       "Options appended to the broker's command line, split on blanks (quotes group), e.g. "
       "'--ha-replicate all --link-heartbeat-interval 2'. Reloadable: a change applies at each "
       "broker's next start.", true},
      {"log_file", "string", "/var/log/qpidd-ha/qpidd.log", "broker log file",
       "The broker's log file (--log-to-file); its directory is created if missing. Empty: no "
       "file (the broker then logs nowhere but through its own configuration). Reloadable: a "
       "change applies at each broker's next start.", true},
  };
  return infos;
}

uint16_t Params::PortNumber() const {
  int value = 0;
  const char* end = port.data() + port.size();
  auto [ptr, ec] = std::from_chars(port.data(), end, value);
  if (ec != std::errc() || ptr != end || value < 1 || value > 65535) return 0;
  return static_cast<uint16_t>(value);
}

Params ReadParams(const Lookup& lookup) {
  Params params;
  auto take = [&](const char* name, std::string& field) {
    if (auto value = lookup(std::string("OCF_RESKEY_") + name)) field = *value;
  };
  take("binary", params.binary);
  take("config", params.config);
  take("data_dir", params.data_dir);
  take("port", params.port);
  take("interface", params.interface);
  take("user", params.user);
  take("group", params.group);
  take("extra_options", params.extra_options);
  take("log_file", params.log_file);
  take("CRM_meta_master_max", params.promoted_max);
  take("CRM_meta_promoted_max", params.promoted_max);
  if (auto url = lookup("OCF_RESKEY_brokers_url"); url && !Trim(*url).empty()) {
    params.brokers_url = Trim(*url);
    params.brokers_url_given = true;
  }
  return params;
}

std::string BrokersUrlFromConfigText(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  std::string url;
  while (std::getline(lines, line)) {
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    const auto equals = line.find('=');
    if (equals == std::string::npos) continue;
    const std::string name = Trim(line.substr(0, equals));
    if (name == "ha-brokers-url" || name == "ha-brokers") url = Trim(line.substr(equals + 1));
  }
  return url;
}

std::string EffectiveBrokersUrl(const Params& params) {
  if (params.brokers_url_given) return params.brokers_url;
  std::ifstream file(params.config);
  if (!file) return "";
  std::stringstream text;
  text << file.rdbuf();
  return BrokersUrlFromConfigText(text.str());
}

Result<std::vector<std::string>> SplitOptions(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (char c : text) {
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote != 0) return Status::InvalidArgument(std::string("unbalanced ") + quote + " quote");
  if (in_word) words.push_back(std::move(word));
  return words;
}

Outcome ValidateParams(const Params& params, int check_level) {
  if (params.PortNumber() == 0) {
    return Configured("port '" + params.port + "' is not a port number (1 to 65535)");
  }
  const std::pair<const char*, const std::string*> paths[] = {
      {"binary", &params.binary}, {"config", &params.config}, {"data_dir", &params.data_dir}};
  for (const auto& [name, value] : paths) {
    if (value->empty() || (*value)[0] != '/') {
      return Configured(std::string(name) + " '" + *value + "' is not an absolute path");
    }
  }
  if (!params.log_file.empty() && params.log_file[0] != '/') {
    return Configured("log_file '" + params.log_file + "' is not an absolute path");
  }
  if (params.brokers_url_given) {
    auto url = ParseBrokerUrl(params.brokers_url);
    if (!url.ok()) {
      return Configured("brokers_url '" + params.brokers_url + "': " + url.status().message());
    }
  }
  if (auto options = SplitOptions(params.extra_options); !options.ok()) {
    return Configured("extra_options: " + options.status().message());
  }
  if (!params.promoted_max.empty() && params.promoted_max != "1") {
    return Configured("promoted-max is " + params.promoted_max +
                      ": a cluster has one primary; set promoted-max=1 on the clone");
  }
  if (check_level < 10) return Outcome::Ok();

  struct stat info {};
  if (stat(params.binary.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return Outcome::Of(ExitCode::kErrInstalled, "binary " + params.binary + " is not installed");
  }
  if ((info.st_mode & 0111) == 0 || access(params.binary.c_str(), X_OK) != 0) {
    return Outcome::Of(ExitCode::kErrInstalled, "binary " + params.binary + " is not executable");
  }
  if (access(params.config.c_str(), R_OK) != 0) {
    return Outcome::Of(ExitCode::kErrArgs, "config " + params.config + " is missing or unreadable");
  }
  if (!params.brokers_url_given) {
    const std::string url = EffectiveBrokersUrl(params);
    if (!url.empty()) {
      if (auto parsed = ParseBrokerUrl(url); !parsed.ok()) {
        return Outcome::Of(ExitCode::kErrArgs, "ha-brokers-url '" + url + "' of " +
                                                   params.config + ": " +
                                                   parsed.status().message());
      }
    }
  }
  return Outcome::Ok();
}

}  // namespace qpidd::ocf
