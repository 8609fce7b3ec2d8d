// The HA module's broker options (the classic qpidd names), registered with the broker's option
// parser as one OptionGroup, and the HaSettings they produce.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "broker/queue_settings.h"
#include "common/status.h"
#include "common/url.h"
#include "qpidd/broker_options.h"

namespace qpidd::ha {

struct HaSettings {
  bool cluster = false;                       // --ha-cluster
  // --ha-queue-replication, or implied by --ha-cluster yes: serve and make stand-alone replicas
  // of single queues (doc/ha-protocol.md 17).
  bool queue_replication = false;
  std::string brokers_url;                    // --ha-brokers-url (alias --ha-brokers), as given
  std::vector<BrokerAddress> brokers;         // ... parsed; empty when not set
  std::string public_url;                     // --ha-public-url (alias --ha-public-brokers)
  std::vector<BrokerAddress> public_brokers;  // ... parsed; empty when not set
  broker::ReplicationLevel replicate = broker::ReplicationLevel::kNone;  // --ha-replicate
  std::string username;                       // --ha-username; empty: none
  std::string password;                       // --ha-password
  std::string mechanism;                      // --ha-mechanism, upper case; empty: SASL picks
  std::string primary_lost_command;           // --ha-primary-lost-command; empty: none
  uint32_t flow_messages = 1000;              // --ha-flow-messages; 0: unlimited
  uint64_t flow_bytes = 0;                    // --ha-flow-bytes; 0: unlimited
  // --ha-backup-timeout, --link-maintenance-interval, --link-heartbeat-interval
  std::chrono::nanoseconds backup_timeout = std::chrono::seconds(10);
  std::chrono::nanoseconds link_maintenance_interval = std::chrono::seconds(2);
  std::chrono::nanoseconds link_heartbeat_interval = std::chrono::seconds(120);
  // The HA options other than --ha-cluster that were set (command line or config file), named
  // as the user wrote them (an alias stays an alias), in the order of the help text.
  std::vector<std::string> given;
};

// The option group. Apply() checks every value (an error names the option and the value) and
// the rules that tie options together:
// - an alias and its main name given together is an error naming both;
// - --ha-cluster yes needs --ha-brokers-url and --mgmt-enable yes;
// - --ha-password needs --ha-username;
// - with --ha-cluster no, any other HA option is an error: it would be silently ignored; except,
//   with --ha-queue-replication yes, the options of replication links (credentials, flow,
//   link-maintenance-interval, link-heartbeat-interval), which stand-alone replication uses.
class HaOptions : public OptionGroup {
 public:
  HaOptions();
  ~HaOptions() override;

  const boost::program_options::options_description& Description() const override;
  Status Apply(const boost::program_options::variables_map& values) override;

  // The settings of the last successful Apply(); the defaults before.
  const HaSettings& settings() const { return settings_; }

 private:
  std::unique_ptr<boost::program_options::options_description> description_;
  HaSettings settings_;
};

// Refuses (kNotImplemented) what the settings ask and this version cannot do, rather than accept
// and ignore it: brokers offer only ANONYMOUS until authentication exists, so a backup with
// --ha-username or another --ha-mechanism could never connect.
Status CheckHaSupported(const HaSettings& settings);

}  // namespace qpidd::ha
