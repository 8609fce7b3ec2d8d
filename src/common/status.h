// Status and Result<T>: how the broker reports an expected failure (bad input, missing object,
// exhausted limit) without exceptions crossing module boundaries.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace qpidd {

enum class StatusCode {
  kOk,
  kInvalidArgument,     // a value the caller gave is malformed or out of range
  kNotFound,            // the named object does not exist
  kAlreadyExists,       // an object with that name exists with other properties
  kResourceLimit,       // a configured limit would be exceeded
  kUnauthorized,        // the peer may not do this
  kPreconditionFailed,  // the object is in a state that forbids this
  kNotImplemented,      // a feature that is not built yet, refused explicitly
  kInternal,            // a broken invariant or an unexpected system error
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(StatusCode code, std::string message) {
    return Status(code, std::move(message));
  }
  static Status InvalidArgument(std::string m) { return Error(StatusCode::kInvalidArgument, std::move(m)); }
  static Status NotFound(std::string m) { return Error(StatusCode::kNotFound, std::move(m)); }
  static Status AlreadyExists(std::string m) { return Error(StatusCode::kAlreadyExists, std::move(m)); }
  static Status ResourceLimit(std::string m) { return Error(StatusCode::kResourceLimit, std::move(m)); }
  static Status NotImplemented(std::string m) { return Error(StatusCode::kNotImplemented, std::move(m)); }
  static Status Internal(std::string m) { return Error(StatusCode::kInternal, std::move(m)); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}            // NOLINT(google-explicit-constructor)
  Result(Status status) : value_(std::move(status)) {}     // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T& value() & { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(value_); }

 private:
  std::variant<T, Status> value_;
};

}  // namespace qpidd
