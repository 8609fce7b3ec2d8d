// The agent's OCF 1.1 meta-data (the `meta-data` action), valid against the OCF 1.1 RELAX NG
// schema that pcs ships (ocf-1.1.rng).
#pragma once

#include <string>

namespace qpidd::ocf {

// Default action timeouts, in seconds, as advertised; also the agent's bound when Pacemaker
// passes no OCF_RESKEY_CRM_meta_timeout.
inline constexpr int kStartTimeout = 60;
inline constexpr int kStopTimeout = 60;
inline constexpr int kPromoteTimeout = 60;
inline constexpr int kDemoteTimeout = 120;  // a stop and a start (a primary cannot demote)
inline constexpr int kMonitorTimeout = 20;
inline constexpr int kNotifyTimeout = 10;
inline constexpr int kValidateTimeout = 10;
inline constexpr int kPromotedMonitorInterval = 3;
inline constexpr int kUnpromotedMonitorInterval = 5;

std::string MetaData();

}  // namespace qpidd::ocf
