#include "broker/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <system_error>

namespace qpidd::broker {
namespace {

// 2^63 and 2^64 are exact as doubles; integers are compared in their own type, never through a
// double, so 2^53 + 1 does not equal 2^53.
constexpr double kTwoTo63 = 9223372036854775808.0;
constexpr double kTwoTo64 = 18446744073709551616.0;

bool IsIntegral(double d) { return std::isfinite(d) && std::trunc(d) == d; }

bool SignedEqualsUnsigned(int64_t s, uint64_t u) { return s >= 0 && static_cast<uint64_t>(s) == u; }

bool SignedEqualsDouble(int64_t s, double d) {
  return IsIntegral(d) && d >= -kTwoTo63 && d < kTwoTo63 && static_cast<int64_t>(d) == s;
}

bool UnsignedEqualsDouble(uint64_t u, double d) {
  return IsIntegral(d) && d >= 0 && d < kTwoTo64 && static_cast<uint64_t>(d) == u;
}

// Numbers of any kind against each other; false when either is not a number.
bool NumbersEqual(const Value& a, const Value& b, bool& both_numbers) {
  both_numbers = true;
  if (const auto* x = std::get_if<int64_t>(&a)) {
    if (const auto* y = std::get_if<int64_t>(&b)) return *x == *y;
    if (const auto* y = std::get_if<uint64_t>(&b)) return SignedEqualsUnsigned(*x, *y);
    if (const auto* y = std::get_if<double>(&b)) return SignedEqualsDouble(*x, *y);
  } else if (const auto* x = std::get_if<uint64_t>(&a)) {
    if (const auto* y = std::get_if<int64_t>(&b)) return SignedEqualsUnsigned(*y, *x);
    if (const auto* y = std::get_if<uint64_t>(&b)) return *x == *y;
    if (const auto* y = std::get_if<double>(&b)) return UnsignedEqualsDouble(*x, *y);
  } else if (const auto* x = std::get_if<double>(&a)) {
    if (const auto* y = std::get_if<int64_t>(&b)) return SignedEqualsDouble(*y, *x);
    if (const auto* y = std::get_if<uint64_t>(&b)) return UnsignedEqualsDouble(*y, *x);
    if (const auto* y = std::get_if<double>(&b)) return *x == *y;
  }
  both_numbers = false;
  return false;
}

template <typename T>
std::string NumberToString(T n) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), n);
  return ec == std::errc() ? std::string(buffer, end) : std::string("?");
}

// Quoted, with quotes, backslashes and control characters escaped so a log line stays one line.
std::string Quote(const std::string& s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\x%02x", static_cast<unsigned char>(c));
      out += hex;
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

}  // namespace

bool ValuesEqual(const Value& a, const Value& b) {
  bool both_numbers = false;
  bool equal = NumbersEqual(a, b, both_numbers);
  if (both_numbers) return equal;
  return a == b;  // same kind and value; differing kinds (1 vs true vs "1") never match
}

std::string ToString(const Value& v) {
  if (std::holds_alternative<std::monostate>(v)) return "null";
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<int64_t>(&v)) return NumberToString(*i);
  if (const auto* u = std::get_if<uint64_t>(&v)) return NumberToString(*u);
  if (const auto* d = std::get_if<double>(&v)) return NumberToString(*d);
  return Quote(std::get<std::string>(v));
}

bool GetUnsigned(const Arguments& args, const std::string& key, uint64_t& out, std::string& error) {
  error.clear();
  auto it = args.find(key);
  if (it == args.end()) return false;
  const Value& v = it->second;
  if (const auto* i = std::get_if<int64_t>(&v); i && *i >= 0) {
    out = static_cast<uint64_t>(*i);
    return true;
  }
  if (const auto* u = std::get_if<uint64_t>(&v)) {
    out = *u;
    return true;
  }
  // Some management clients (JSON-based ones) send every number as a double: accept whole ones.
  if (const auto* d = std::get_if<double>(&v); d && IsIntegral(*d) && *d >= 0 && *d < kTwoTo64) {
    out = static_cast<uint64_t>(*d);
    return true;
  }
  if (const auto* s = std::get_if<std::string>(&v); s && !s->empty()) {
    uint64_t parsed = 0;
    const char* end = s->data() + s->size();
    auto [ptr, ec] = std::from_chars(s->data(), end, parsed);
    if (ec == std::errc() && ptr == end) {
      out = parsed;
      return true;
    }
  }
  error = "invalid value " + ToString(v) + " for " + key + ": expected a non-negative integer";
  return false;
}

}  // namespace qpidd::broker
