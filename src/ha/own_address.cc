#include "ha/own_address.h"

#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>
#include <set>

namespace qpidd::ha {
namespace {

// An IPv4 or IPv6 address as comparable bytes.
std::string AddressBytes(const sockaddr* address) {
  if (address == nullptr) return {};
  if (address->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    return std::string(reinterpret_cast<const char*>(&in->sin_addr), sizeof(in->sin_addr));
  }
  if (address->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    return std::string(reinterpret_cast<const char*>(&in6->sin6_addr), sizeof(in6->sin6_addr));
  }
  return {};
}

std::set<std::string> LocalAddresses() {
  std::set<std::string> local;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return local;
  std::unique_ptr<ifaddrs, decltype(&freeifaddrs)> owner(list, &freeifaddrs);
  for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    std::string bytes = AddressBytes(i->ifa_addr);
    if (!bytes.empty()) local.insert(std::move(bytes));
  }
  return local;
}

bool IsLocalHost(const std::string& host, const std::set<std::string>& local) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return false;
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owner(found, &freeaddrinfo);
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const std::string bytes = AddressBytes(a->ai_addr);
    // All of 127.0.0.0/8 is this host's, though only 127.0.0.1 is an interface address.
    if (bytes.size() == 4 && static_cast<unsigned char>(bytes[0]) == 127) return true;
    if (local.contains(bytes)) return true;
  }
  return false;
}

}  // namespace

std::string FindOwnAddress(const std::vector<BrokerAddress>& brokers, uint16_t listening_port) {
  const std::set<std::string> local = LocalAddresses();
  std::string own;
  for (const auto& address : brokers) {
    if (address.port != listening_port || !IsLocalHost(address.host, local)) continue;
    if (!own.empty() && own != address.HostPort()) return {};  // ambiguous
    own = address.HostPort();
  }
  return own;
}

}  // namespace qpidd::ha
