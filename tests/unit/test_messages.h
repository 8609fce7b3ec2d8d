// Real encoded AMQP 1.0 messages for the broker core's unit tests, made with Proton's C API so the
// broker is tested against the bytes a real client sends, not against bytes we wrote by hand.
#pragma once

#include <gtest/gtest.h>
#include <proton/codec.h>
#include <proton/message.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "broker/message.h"

namespace qpidd::broker::test {

// Owns a pn_message_t.
struct PnMessageDeleter {
  void operator()(pn_message_t* m) const { pn_message_free(m); }
};
using PnMessagePtr = std::unique_ptr<pn_message_t, PnMessageDeleter>;

inline PnMessagePtr NewPnMessage() { return PnMessagePtr(pn_message()); }

// Encodes `message` into the bytes a client would send; fails the test (and returns "") if
// Proton refuses.
inline std::string Encode(pn_message_t* message) {
  pn_rwbytes_t buffer{0, nullptr};
  const ssize_t n = pn_message_encode2(message, &buffer);
  std::string out;
  if (n >= 0) out.assign(buffer.start, static_cast<size_t>(n));
  std::free(buffer.start);  // NOLINT(cppcoreguidelines-no-malloc): Proton allocated it with malloc
  EXPECT_GE(n, 0) << "pn_message_encode2 failed";
  return out;
}

// A small message with a string body (amqp-value) and, when given, a subject (the routing key).
inline std::string EncodeText(std::string_view body, std::string_view subject = {}) {
  PnMessagePtr m = NewPnMessage();
  if (!subject.empty()) pn_message_set_subject(m.get(), std::string(subject).c_str());
  pn_data_put_string(pn_message_body(m.get()), pn_bytes(body.size(), body.data()));
  return Encode(m.get());
}

// A message with a string body, after `fill(pn_message_t*)` has set whatever else the test needs.
template <typename Fill>
std::string EncodeWith(std::string_view body, Fill fill) {
  PnMessagePtr m = NewPnMessage();
  pn_data_put_string(pn_message_body(m.get()), pn_bytes(body.size(), body.data()));
  fill(m.get());
  return Encode(m.get());
}

// Decodes with the broker; fails the test (and returns null) on error.
inline MessagePtr Decoded(std::string bytes) {
  auto result = Message::Decode(std::move(bytes));
  EXPECT_TRUE(result.ok()) << result.status().message();
  return result.ok() ? result.value() : nullptr;
}

// The broker's Message for EncodeText(body, subject).
inline MessagePtr TextMessage(std::string_view body, std::string_view subject = {}) {
  return Decoded(EncodeText(body, subject));
}

// The string body of an encoded message, read back with Proton ("" if it is not a string).
inline std::string BodyText(const std::string& bytes) {
  PnMessagePtr m = NewPnMessage();
  if (pn_message_decode(m.get(), bytes.data(), bytes.size()) != 0) return {};
  pn_data_t* body = pn_message_body(m.get());
  pn_data_rewind(body);
  if (!pn_data_next(body) || pn_data_type(body) != PN_STRING) return {};
  const pn_bytes_t b = pn_data_get_string(body);
  return {b.start, b.size};
}

inline std::string BodyText(const MessagePtr& message) { return BodyText(message->bytes()); }

}  // namespace qpidd::broker::test
