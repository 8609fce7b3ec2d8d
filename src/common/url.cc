#include "common/url.h"

#include <cctype>
#include <string>

namespace qpidd {
namespace {

constexpr uint16_t kAmqpPort = 5672;
constexpr uint16_t kAmqpsPort = 5671;

std::string Quote(std::string_view text) { return "'" + std::string(text) + "'"; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// Case-insensitive: scheme and protocol names are not case-sensitive (RFC 3986).
bool ConsumePrefix(std::string_view& text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  text.remove_prefix(prefix.size());
  return true;
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  return ConsumePrefix(text, prefix);
}

bool IsHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

// Inside brackets: hex digits, ':' and '.' (for an embedded IPv4 address), and a "%zone" suffix.
bool IsIpv6Char(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view text, std::string_view element) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    int high = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
    int low = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
    if (high < 0 || low < 0) {
      return Status::InvalidArgument("bad percent-escape in " + Quote(element));
    }
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

Status ParsePort(std::string_view port, std::string_view element, uint16_t* out) {
  auto bad = [&] {
    return Status::InvalidArgument("bad port " + Quote(port) + " in " + Quote(element) +
                                   ": expected a number from 1 to 65535");
  };
  if (port.empty() || port.size() > 5) return bad();
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return bad();
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value == 0 || value > 65535) return bad();
  *out = static_cast<uint16_t>(value);
  return Status::Ok();
}

// host[:port] or [ipv6][:port]. The port stays at its default when none is given.
Status ParseHostPort(std::string_view text, std::string_view element, BrokerAddress* address) {
  std::string_view host;
  std::string_view rest;  // ":port" or empty
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("missing ']' after IPv6 address in " + Quote(element));
    }
    host = text.substr(1, close - 1);
    rest = text.substr(close + 1);
    if (host.empty()) return Status::InvalidArgument("empty IPv6 address in " + Quote(element));
    size_t percent = host.find('%');
    std::string_view address_part = host.substr(0, percent);
    for (char c : address_part) {
      if (!IsIpv6Char(c)) {
        return Status::InvalidArgument("bad character " + Quote(std::string(1, c)) +
                                       " in IPv6 address " + Quote(host) + " in " + Quote(element));
      }
    }
    if (address_part.find(':') == std::string_view::npos) {
      return Status::InvalidArgument("bad IPv6 address " + Quote(host) + " in " + Quote(element));
    }
    if (!rest.empty() && rest.front() != ':') {
      return Status::InvalidArgument("expected ':' and a port after ']' in " + Quote(element));
    }
  } else {
    size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
      return Status::InvalidArgument("too many ':' in " + Quote(element) +
                                     " (write an IPv6 address in brackets: [::1]:5672)");
    }
    host = text.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : text.substr(colon);
    if (host.empty()) return Status::InvalidArgument("missing host in " + Quote(element));
    for (char c : host) {
      if (!IsHostChar(c)) {
        return Status::InvalidArgument("bad character " + Quote(std::string(1, c)) + " in host " +
                                       Quote(host) + " in " + Quote(element));
      }
    }
  }
  address->host = std::string(host);
  if (!rest.empty()) {
    Status status = ParsePort(rest.substr(1), element, &address->port);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

// The URL form: amqp[s]://[user[:password]@]host[:port]
Status ParseUrlForm(std::string_view element, BrokerAddress* address) {
  std::string_view rest = element;
  address->tls = StartsWithNoCase(rest, "amqps://");
  ConsumePrefix(rest, address->tls ? "amqps://" : "amqp://");
  address->port = address->tls ? kAmqpsPort : kAmqpPort;

  size_t slash = rest.find('/');
  if (slash != std::string_view::npos) {
    return Status::InvalidArgument("unexpected path " + Quote(rest.substr(slash)) + " in " +
                                   Quote(element));
  }
  size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t colon = userinfo.find(':');
    auto user = PercentDecode(userinfo.substr(0, colon), element);
    if (!user.ok()) return user.status();
    if (user.value().empty())
      return Status::InvalidArgument("empty user name in " + Quote(element));
    address->user = std::move(user).value();
    if (colon != std::string_view::npos) {
      auto password = PercentDecode(userinfo.substr(colon + 1), element);
      if (!password.ok()) return password.status();
      address->password = std::move(password).value();
    }
  }
  return ParseHostPort(rest, element, address);
}

// Does `rest` start with a protocol name? Sets the address's TLS flag when it does.
Status ConsumeProtocol(std::string_view& rest, std::string_view element, bool* found,
                       BrokerAddress* address) {
  *found = true;
  if (ConsumePrefix(rest, "tcp:")) {
    address->tls = false;
  } else if (ConsumePrefix(rest, "ssl:")) {
    address->tls = true;
  } else if (StartsWithNoCase(rest, "rdma:")) {
    return Status::InvalidArgument("unsupported protocol 'rdma' in " + Quote(element) +
                                   ": use tcp or ssl");
  } else {
    *found = false;
  }
  return Status::Ok();
}

// The classic Qpid form: [tcp:|ssl:][user[/password]@]host[:port]; "user@" may also come before the
// protocol, as in "amqp:guest/secret@tcp:node1".
Status ParseClassicForm(std::string_view element, bool default_tls, BrokerAddress* address) {
  address->tls = default_tls;
  std::string_view rest = element;
  bool have_protocol = false;
  Status status = ConsumeProtocol(rest, element, &have_protocol, address);
  if (!status.ok()) return status;

  // The host cannot contain '@', so the last one ends the credentials.
  size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view credentials = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t slash = credentials.find('/');
    address->user = std::string(credentials.substr(0, slash));
    if (address->user.empty()) {
      return Status::InvalidArgument("empty user name in " + Quote(element));
    }
    if (slash != std::string_view::npos) {
      address->password = std::string(credentials.substr(slash + 1));
    }
    if (!have_protocol) {
      status = ConsumeProtocol(rest, element, &have_protocol, address);
      if (!status.ok()) return status;
    }
  }
  address->port = address->tls ? kAmqpsPort : kAmqpPort;
  return ParseHostPort(rest, element, address);
}

}  // namespace

std::string BrokerAddress::HostPort() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return out + ":" + std::to_string(port);
}

std::string BrokerAddress::ProtonUrl() const {
  std::string out = tls ? "amqps://" : "amqp://";
  if (!user.empty()) {
    out += PercentEncode(user);
    if (!password.empty()) out += ":" + PercentEncode(password);
    out += "@";
  }
  return out + HostPort();
}

Result<std::vector<BrokerAddress>> ParseBrokerUrl(std::string_view text) {
  std::string_view rest = Trim(text);
  if (rest.empty()) return Status::InvalidArgument("empty broker URL");

  // A list-wide "amqp:"/"amqps:" prefix, but not the start of an "amqp://" element.
  bool default_tls = false;
  if (!StartsWithNoCase(rest, "amqp://") && !StartsWithNoCase(rest, "amqps://")) {
    if (ConsumePrefix(rest, "amqps:")) {
      default_tls = true;
    } else {
      ConsumePrefix(rest, "amqp:");
    }
  }

  std::vector<BrokerAddress> addresses;
  size_t position = 1;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view element = Trim(rest.substr(0, comma));
    if (element.empty()) {
      return Status::InvalidArgument("empty address (number " + std::to_string(position) +
                                     ") in broker URL " + Quote(Trim(text)));
    }
    BrokerAddress address;
    Status status = StartsWithNoCase(element, "amqp://") || StartsWithNoCase(element, "amqps://")
                        ? ParseUrlForm(element, &address)
                        : ParseClassicForm(element, default_tls, &address);
    if (!status.ok()) return status;
    addresses.push_back(std::move(address));
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
    ++position;
  }

  // In the classic Qpid grammar the credentials follow the "amqp:" prefix and hold for the whole list.
  const BrokerAddress& first = addresses.front();
  for (BrokerAddress& address : addresses) {
    if (address.user.empty()) {
      address.user = first.user;
      address.password = first.password;
    }
  }
  return addresses;
}

}  // namespace qpidd
