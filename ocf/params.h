// The agent's instance parameters (OCF_RESKEY_*), their defaults, and validate-all's checks.
//
//   Params params = ReadParams(EnvironmentLookup());
//   Outcome verdict = ValidateParams(params, /*check_level=*/10);
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/url.h"
#include "ocf/exit_codes.h"

namespace qpidd::ocf {

// Looks up an environment variable; nullopt when unset.
using Lookup = std::function<std::optional<std::string>(const std::string& name)>;
Lookup EnvironmentLookup();

struct Params {
  std::string binary = "/usr/sbin/qpidd";
  std::string config = "/etc/qpid/qpidd.conf";
  std::string data_dir = "/var/lib/qpidd";
  std::string port = "5672";       // as given; ValidateParams checks it
  std::string interface;           // empty: the broker listens everywhere, the agent uses 127.0.0.1
  std::string user = "qpidd";
  std::string group = "qpidd";
  std::string brokers_url;         // empty: ha-brokers-url of the config file, read at use
  std::string extra_options;
  std::string log_file = "/var/log/qpidd-ha/qpidd.log";  // empty: the broker logs to no file
  bool brokers_url_given = false;  // OCF_RESKEY_brokers_url was set (and is passed to the broker)
  // The clone's promoted-max (legacy master-max), as Pacemaker passes it; empty outside a clone.
  std::string promoted_max;

  // The port as a number (0 when it is not a valid port: ValidateParams says why).
  uint16_t PortNumber() const;
  // Where the agent's management round trips go.
  std::string AgentHost() const { return interface.empty() ? "127.0.0.1" : interface; }
};

struct ParamInfo {
  const char* name;
  const char* type;  // the meta-data content type: string or integer
  const char* default_value;
  const char* shortdesc;
  const char* longdesc;
  // Used only when the broker starts: a change reaches the agent through reload-agent and the
  // running broker keeps its value until its next start, so Pacemaker does not restart every
  // instance at once (which would lose every message held in memory).
  bool reloadable = false;
};
// Every parameter, in meta-data order.
const std::vector<ParamInfo>& ParamInfos();

Params ReadParams(const Lookup& lookup);

// `text` without leading and trailing blanks and line ends.
std::string Trim(const std::string& text);

// ha-brokers-url (or its alias ha-brokers) of a qpidd config file's text: name=value lines,
// '#' comments. Empty when absent.
std::string BrokersUrlFromConfigText(const std::string& text);

// The brokers URL the cluster uses: the parameter, else the config file's (unreadable: empty).
std::string EffectiveBrokersUrl(const Params& params);

// extra_options split on blanks, with single and double quotes grouping. An unbalanced quote is
// an InvalidArgument.
Result<std::vector<std::string>> SplitOptions(const std::string& text);

// validate-all. Level 0: the values alone (6, OCF_ERR_CONFIGURED: a port out of range, an
// unparsable brokers_url or extra_options, relative paths, a clone with promoted-max above 1).
// Level 10 also looks at this host: 5 (OCF_ERR_INSTALLED) the binary is missing or not
// executable; 2 (OCF_ERR_ARGS) the config file is missing or unreadable. Each failure names the
// parameter and what is wrong.
Outcome ValidateParams(const Params& params, int check_level);

}  // namespace qpidd::ocf
