#include "ha/link_options.h"

namespace qpidd::ha {

ClientConnectionOptions LinkOptions(const BrokerAddress& address, const HaSettings& settings,
                                    std::string container_id) {
  ClientConnectionOptions options;
  options.host = address.host;
  options.port = address.port;
  options.user = address.user.empty() ? settings.username : address.user;
  options.password = address.user.empty() ? settings.password : address.password;
  options.mechanism = settings.mechanism;
  options.container_id = std::move(container_id);
  return options;
}

}  // namespace qpidd::ha
