#include "tools/load_message.h"

#include <gtest/gtest.h>
#include <proton/codec.h>
#include <proton/message.h>

#include <memory>
#include <vector>

namespace qpidd::tools {
namespace {

// Encodes a message with Proton's full API, as another client would send it.
std::string EncodeWithProton(void (*fill)(pn_message_t*)) {
  std::unique_ptr<pn_message_t, void (*)(pn_message_t*)> message(pn_message(), pn_message_free);
  fill(message.get());
  std::vector<char> buffer(1 << 16);
  size_t size = buffer.size();
  EXPECT_EQ(0, pn_message_encode(message.get(), buffer.data(), &size));
  return std::string(buffer.data(), size);
}

TEST(MessageTemplateTest, StampIsReadBackWithoutDecoding) {
  MessageSpec spec;
  spec.durable = true;
  spec.subject = "subject";
  spec.properties = {{"colour", "red"}};
  MessageEncoder encoder(spec);
  Result<MessageTemplate> message = encoder.Encode("hello");
  ASSERT_TRUE(message.ok()) << message.status().message();

  for (uint64_t sequence : {uint64_t{0}, uint64_t{7}, uint64_t{1} << 40}) {
    std::string_view bytes = message.value().Stamp(sequence, 123456789012345);
    MessageFields fields;
    ASSERT_TRUE(ScanMessage(bytes, &fields));
    EXPECT_TRUE(fields.has_sequence);
    EXPECT_EQ(sequence, fields.sequence);
    EXPECT_TRUE(fields.has_timestamp);
    EXPECT_EQ(123456789012345, fields.timestamp_nanos);
    EXPECT_TRUE(fields.body_is_simple);
    EXPECT_EQ("hello", fields.body);
  }
}

TEST(MessageTemplateTest, ProtonDecodesTheStampedMessage) {
  MessageSpec spec;
  spec.reply_to = "replies";
  spec.priority = 7;
  spec.ttl_ms = 1500;
  MessageEncoder encoder(spec);
  Result<MessageTemplate> message = encoder.Encode(std::string(1024, 'X'));
  ASSERT_TRUE(message.ok());
  std::string_view bytes = message.value().Stamp(42, 99);

  std::unique_ptr<pn_message_t, void (*)(pn_message_t*)> decoded(pn_message(), pn_message_free);
  ASSERT_EQ(0, pn_message_decode(decoded.get(), bytes.data(), bytes.size()));
  EXPECT_STREQ("replies", pn_message_get_reply_to(decoded.get()));
  EXPECT_EQ(7, pn_message_get_priority(decoded.get()));
  EXPECT_EQ(1500u, pn_message_get_ttl(decoded.get()));
  EXPECT_EQ(std::string(1024, 'X'), FormatBody(bytes));
}

TEST(ScanMessageTest, ReadsOtherClientsMessages) {
  std::string bytes = EncodeWithProton([](pn_message_t* m) {
    pn_message_set_address(m, "queue");
    pn_data_t* properties = pn_message_properties(m);
    pn_data_put_map(properties);
    pn_data_enter(properties);
    pn_data_put_string(properties, pn_bytes(1, "x"));
    pn_data_put_list(properties);  // not a legal property value, but must be skipped
    pn_data_put_string(properties, pn_bytes(2, "sn"));
    pn_data_put_uint(properties, 5);
    pn_data_exit(properties);
    pn_data_put_binary(pn_message_body(m), pn_bytes(3, "abc"));
  });
  MessageFields fields;
  ASSERT_TRUE(ScanMessage(bytes, &fields));
  EXPECT_TRUE(fields.has_sequence);
  EXPECT_EQ(5u, fields.sequence);
  EXPECT_FALSE(fields.has_timestamp);
  EXPECT_TRUE(fields.body_is_simple);
  EXPECT_EQ("abc", fields.body);
}

TEST(ScanMessageTest, StructuredBodyNeedsFormatting) {
  std::string bytes = EncodeWithProton([](pn_message_t* m) {
    pn_data_t* body = pn_message_body(m);
    pn_data_put_map(body);
    pn_data_enter(body);
    pn_data_put_string(body, pn_bytes(1, "a"));
    pn_data_put_int(body, 1);
    pn_data_exit(body);
  });
  MessageFields fields;
  ASSERT_TRUE(ScanMessage(bytes, &fields));
  EXPECT_FALSE(fields.body_is_simple);
  EXPECT_EQ("{\"a\"=1}", FormatBody(bytes));
}

TEST(ScanMessageTest, RejectsTruncatedBytes) {
  MessageEncoder encoder(MessageSpec{});
  Result<MessageTemplate> message = encoder.Encode("hello");
  ASSERT_TRUE(message.ok());
  std::string_view bytes = message.value().Stamp(1, 2);
  // The body "hello" is the last section: its descriptor and value take the last 10 bytes.
  // A cut between sections leaves a valid, shorter message; a cut inside one must fail.
  size_t body_start = bytes.size() - 10;
  MessageFields fields;
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    bool scanned = ScanMessage(bytes.substr(0, cut), &fields);
    if (cut > body_start) {
      EXPECT_FALSE(scanned) << "cut at " << cut;
    }
  }
}

}  // namespace
}  // namespace qpidd::tools
