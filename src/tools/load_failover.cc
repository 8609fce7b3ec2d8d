#include "tools/load_failover.h"

#include <proton/codec.h>

#include <charconv>
#include <optional>
#include <string>
#include <string_view>

namespace qpidd::tools {
namespace {

constexpr std::string_view kFailoverListKey = "failover-server-list";

// The text of a symbol or string at the cursor.
std::optional<std::string> ReadText(pn_data_t* data) {
  switch (pn_data_type(data)) {
    case PN_SYMBOL: {
      pn_bytes_t bytes = pn_data_get_symbol(data);
      return std::string(bytes.start, bytes.size);
    }
    case PN_STRING: {
      pn_bytes_t bytes = pn_data_get_string(data);
      return std::string(bytes.start, bytes.size);
    }
    default:
      return std::nullopt;
  }
}

// A port given as any integer type or as text.
std::optional<uint16_t> ReadPort(pn_data_t* data) {
  int64_t port = -1;
  switch (pn_data_type(data)) {
    case PN_USHORT:
      port = pn_data_get_ushort(data);
      break;
    case PN_SHORT:
      port = pn_data_get_short(data);
      break;
    case PN_UINT:
      port = pn_data_get_uint(data);
      break;
    case PN_INT:
      port = pn_data_get_int(data);
      break;
    case PN_ULONG:
      port = static_cast<int64_t>(pn_data_get_ulong(data) & 0xffffffff);
      break;
    case PN_LONG:
      port = pn_data_get_long(data);
      break;
    default: {
      std::optional<std::string> text = ReadText(data);
      if (!text) return std::nullopt;
      auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), port);
      if (error != std::errc() || end != text->data() + text->size()) return std::nullopt;
    }
  }
  if (port <= 0 || port > 65535) return std::nullopt;
  return static_cast<uint16_t>(port);
}

// One entry: a map at the cursor. False when it is unusable (no host, a TLS scheme).
bool ReadEntry(pn_data_t* data, BrokerAddress* address) {
  if (pn_data_type(data) != PN_MAP) return false;
  size_t count = pn_data_get_map(data);
  pn_data_enter(data);
  std::string hostname, network_host, scheme;
  std::optional<uint16_t> port;
  for (size_t i = 0; i + 1 < count; i += 2) {
    if (!pn_data_next(data)) break;
    std::optional<std::string> key = ReadText(data);
    if (!pn_data_next(data)) break;
    if (!key) continue;
    if (*key == "hostname") hostname = ReadText(data).value_or("");
    if (*key == "network-host") network_host = ReadText(data).value_or("");
    if (*key == "scheme") scheme = ReadText(data).value_or("");
    if (*key == "port") port = ReadPort(data);
  }
  pn_data_exit(data);
  // network-host is where to connect; hostname may be a virtual host name.
  address->host = network_host.empty() ? hostname : network_host;
  if (port) address->port = *port;
  return !address->host.empty() && (scheme.empty() || scheme == "amqp");
}

}  // namespace

std::vector<BrokerAddress> ParseFailoverList(pn_data_t* properties) {
  std::vector<BrokerAddress> addresses;
  if (!properties) return addresses;
  pn_data_rewind(properties);
  if (!pn_data_next(properties) || pn_data_type(properties) != PN_MAP) return addresses;
  size_t count = pn_data_get_map(properties);
  pn_data_enter(properties);
  for (size_t i = 0; i + 1 < count; i += 2) {
    if (!pn_data_next(properties)) break;
    std::optional<std::string> key = ReadText(properties);
    if (!pn_data_next(properties)) break;
    if (key != kFailoverListKey || pn_data_type(properties) != PN_LIST) continue;
    size_t entries = pn_data_get_list(properties);
    pn_data_enter(properties);
    for (size_t e = 0; e < entries && pn_data_next(properties); ++e) {
      BrokerAddress address;
      if (ReadEntry(properties, &address)) addresses.push_back(std::move(address));
    }
    pn_data_exit(properties);
  }
  pn_data_exit(properties);
  pn_data_rewind(properties);
  return addresses;
}

}  // namespace qpidd::tools
