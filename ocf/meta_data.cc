#include "ocf/meta_data.h"

#include <sstream>
#include <string_view>

#include "ocf/params.h"

namespace qpidd::ocf {
namespace {

std::string Escaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

void Action(std::ostringstream& out, const char* name, int timeout, int interval = -1,
            const char* role = nullptr) {
  out << "    <action name=\"" << name << "\" timeout=\"" << timeout << "s\"";
  if (interval >= 0) out << " interval=\"" << interval << "s\" depth=\"0\"";
  if (role != nullptr) out << " role=\"" << role << "\"";
  out << "/>\n";
}

}  // namespace

std::string MetaData() {
  std::ostringstream out;
  out << "<?xml version=\"1.0\"?>\n"
      << "<resource-agent name=\"qpidd\" version=\"" << PACKAGE_VERSION << "\">\n"
      << "  <version>1.1</version>\n"
      << "  <longdesc lang=\"en\">Runs a qpidd-ha broker as a member of an active-passive HA "
         "cluster. Use it as a promotable clone, one instance per node: every instance starts "
         "as a backup, and the promoted one is the primary (the HA module's PROMOTE). Only a "
         "backup that is ready (holds everything the primary acknowledged) gets a promotion "
         "score, the primary a higher one; when every member is joining (a cold start) the "
         "first reachable address of the brokers URL gets a small one. Demoting a primary "
         "restarts its broker as a backup. Colocate the clients' virtual IP with the Promoted "
         "role.</longdesc>\n"
      << "  <shortdesc lang=\"en\">qpidd-ha broker, promotable (primary and backups)</shortdesc>\n"
      << "  <parameters>\n";
  for (const ParamInfo& info : ParamInfos()) {
    out << "    <parameter name=\"" << info.name << "\" required=\"0\""
        << (info.reloadable ? " reloadable=\"1\"" : "") << ">\n"
        << "      <longdesc lang=\"en\">" << Escaped(info.longdesc) << "</longdesc>\n"
        << "      <shortdesc lang=\"en\">" << Escaped(info.shortdesc) << "</shortdesc>\n"
        << "      <content type=\"" << info.type << "\" default=\""
        << Escaped(info.default_value) << "\"/>\n"
        << "    </parameter>\n";
  }
  out << "  </parameters>\n"
      << "  <actions>\n";
  Action(out, "start", kStartTimeout);
  Action(out, "stop", kStopTimeout);
  Action(out, "monitor", kMonitorTimeout, kPromotedMonitorInterval, "Promoted");
  Action(out, "monitor", kMonitorTimeout, kUnpromotedMonitorInterval, "Unpromoted");
  Action(out, "promote", kPromoteTimeout);
  Action(out, "demote", kDemoteTimeout);
  Action(out, "notify", kNotifyTimeout);
  Action(out, "meta-data", 5);
  Action(out, "validate-all", kValidateTimeout);
  Action(out, "reload-agent", kValidateTimeout);
  out << "  </actions>\n"
      << "</resource-agent>\n";
  return out.str();
}

}  // namespace qpidd::ocf
