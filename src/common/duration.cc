#include "common/duration.h"

#include <cstdint>
#include <limits>
#include <string>

namespace qpidd {
namespace {

constexpr int64_t kMaxNanos = std::numeric_limits<int64_t>::max();

struct Unit {
  std::string_view suffix;
  int64_t nanos;  // nanoseconds in one unit
};

// Longest suffixes first, so "ms" is not read as "m" + "s".
constexpr Unit kUnits[] = {
    {"ms", 1'000'000},
    {"us", 1'000},
    {"ns", 1},
    {"s", 1'000'000'000},
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Status Bad(std::string_view text, std::string_view why) {
  return Status::InvalidArgument("invalid duration '" + std::string(text) +
                                 "': " + std::string(why));
}

}  // namespace

Result<std::chrono::nanoseconds> ParseDuration(std::string_view text) {
  if (text.empty()) return Bad(text, "empty");
  if (text.front() == '-') return Bad(text, "negative");

  std::string_view number = text;
  int64_t unit_nanos = 1'000'000'000;  // a bare number is seconds
  for (const Unit& unit : kUnits) {
    if (text.size() > unit.suffix.size() && text.ends_with(unit.suffix) &&
        IsDigit(text[text.size() - unit.suffix.size() - 1])) {
      number = text.substr(0, text.size() - unit.suffix.size());
      unit_nanos = unit.nanos;
      break;
    }
  }

  // Decimal arithmetic rather than a double, so "0.1" is exactly 100 ms and large values do not
  // silently lose precision.
  size_t dot = number.find('.');
  std::string_view whole = number.substr(0, dot);
  std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : number.substr(dot + 1);
  if (whole.empty() && fraction.empty()) {
    return Bad(text, "expected a number, optionally followed by s, ms, us or ns");
  }
  for (std::string_view part : {whole, fraction}) {
    for (char c : part) {
      if (!IsDigit(c)) {
        return Bad(text, "expected a number, optionally followed by s, ms, us or ns");
      }
    }
  }

  int64_t nanos = 0;
  for (char c : whole) {
    int64_t digit = c - '0';
    if (nanos > (kMaxNanos - digit) / 10) return Bad(text, "too large");
    nanos = nanos * 10 + digit;
  }
  if (nanos > kMaxNanos / unit_nanos) return Bad(text, "too large");
  nanos *= unit_nanos;

  // Fractional part: digit i is worth unit/10^(i+1); digits below one nanosecond are dropped.
  int64_t place = unit_nanos;
  for (char c : fraction) {
    place /= 10;
    if (place == 0) break;
    int64_t add = (c - '0') * place;
    if (nanos > kMaxNanos - add) return Bad(text, "too large");
    nanos += add;
  }
  return std::chrono::nanoseconds(nanos);
}

}  // namespace qpidd
