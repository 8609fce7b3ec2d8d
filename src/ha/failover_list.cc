#include "ha/failover_list.h"

#include <string>

namespace qpidd::ha {

std::vector<broker::Arguments> FailoverServerList(const std::vector<BrokerAddress>& addresses) {
  std::vector<broker::Arguments> list;
  for (const BrokerAddress& address : addresses) {
    list.push_back(broker::Arguments{
        {"network-host", address.host},
        {"hostname", address.host},
        {"port", std::to_string(address.port)},
        {"scheme", std::string(address.tls ? "amqps" : "amqp")},
    });
  }
  return list;
}

}  // namespace qpidd::ha
