// Scalar values as the broker keeps them: application properties it routes on, and the
// arguments of queue/exchange declarations and bindings.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>

namespace qpidd::broker {

// std::monostate is AMQP null. Strings and symbols are both kept as std::string.
using Value = std::variant<std::monostate, bool, int64_t, uint64_t, double, std::string>;
using Arguments = std::map<std::string, Value>;

// Numeric values compare by number whatever their AMQP width and signedness (1 == 1u == 1.0),
// as headers bindings expect; other kinds compare by kind and value.
bool ValuesEqual(const Value& a, const Value& b);

// For logs and management text: 12, -3, 1.5, true, "text", null.
std::string ToString(const Value& v);

// Reads an integer argument (any integer kind, or a decimal string): nullopt-like false when absent.
// Returns false and fills `error` when present but not a non-negative integer.
bool GetUnsigned(const Arguments& args, const std::string& key, uint64_t& out, std::string& error);

}  // namespace qpidd::broker
