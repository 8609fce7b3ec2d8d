// The receiving end of a queue link as a stand-alone replica uses it (doc/ha-protocol.md 7.3,
// 7.5, 17.4): what it holds, its credit window, and applying transfers and events to a real
// queue in replica mode.
#include "ha/queue_link_receiver.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "ha/wire_format.h"
#include "tests/unit/test_messages.h"

namespace qpidd::ha {
namespace {

using broker::test::EncodeText;

std::shared_ptr<broker::Queue> Replica() {
  auto queue = std::make_shared<broker::Queue>("orders", broker::QueueSettings{});
  queue->SetReplica(true);
  return queue;
}

std::string EventTag() { return std::string(1, kEventTag); }

TEST(QueueLinkReceiverTest, WindowFromFlowOptions) {
  HaSettings settings;
  settings.flow_messages = 1000;
  EXPECT_EQ(1000u, QueueLinkWindow(settings, 0));
  settings.flow_messages = 0;  // unlimited
  EXPECT_EQ(0x7fffffffu, QueueLinkWindow(settings, 0));
  settings.flow_messages = 1000;
  settings.flow_bytes = 10000;
  EXPECT_EQ(1u, QueueLinkWindow(settings, 0));      // one until a size is seen
  EXPECT_EQ(10u, QueueLinkWindow(settings, 1000));  // as many as the bytes hold
  EXPECT_EQ(1u, QueueLinkWindow(settings, 50000));  // a larger message still passes alone
  EXPECT_EQ(1000u, QueueLinkWindow(settings, 1));   // never more than ha-flow-messages
}

TEST(QueueLinkReceiverTest, TransfersArePlacedAtTheirIdsWithTheirExpiry) {
  auto replica = Replica();
  auto applied = ApplyQueueLinkDelivery(*replica, EncodeIdTag(7), EncodeText("seven"));
  ASSERT_TRUE(applied.ok()) << applied.status().message();
  EXPECT_EQ(QueueLinkDelivery::kMessage, applied.value());
  applied = ApplyQueueLinkDelivery(*replica, EncodeIdTag(9, 4102444800000), EncodeText("nine"));
  ASSERT_TRUE(applied.ok()) << applied.status().message();
  auto held = replica->SnapshotAll(0, 10);
  ASSERT_EQ(2u, held.size());
  EXPECT_EQ(7u, held[0].position);
  EXPECT_EQ(0u, held[0].expires_at_ms);
  EXPECT_EQ(9u, held[1].position);
  EXPECT_EQ(4102444800000u, held[1].expires_at_ms);
  EXPECT_EQ((std::vector<IdRanges::Range>{{7, 7}, {9, 9}}), HeldIds(*replica).Ranges());
}

TEST(QueueLinkReceiverTest, TheSameIdTwiceIsHeldOnce) {
  auto replica = Replica();
  ASSERT_TRUE(ApplyQueueLinkDelivery(*replica, EncodeIdTag(3), EncodeText("a")).ok());
  ASSERT_TRUE(ApplyQueueLinkDelivery(*replica, EncodeIdTag(3), EncodeText("a")).ok());
  EXPECT_EQ(1u, replica->Stats().depth);
}

TEST(QueueLinkReceiverTest, DequeueRemovesHeldIdsAndIgnoresOthers) {
  auto replica = Replica();
  for (uint64_t id : {1, 2, 3, 5}) {
    ASSERT_TRUE(ApplyQueueLinkDelivery(*replica, EncodeIdTag(id), EncodeText("m")).ok());
  }
  IdRanges gone;
  gone.AddRange(2, 4);
  gone.Add(100);
  auto applied = ApplyQueueLinkDelivery(*replica, EventTag(), EncodeDequeueEvent(gone));
  ASSERT_TRUE(applied.ok()) << applied.status().message();
  EXPECT_EQ(QueueLinkDelivery::kDequeue, applied.value());
  EXPECT_EQ((std::vector<IdRanges::Range>{{1, 1}, {5, 5}}), HeldIds(*replica).Ranges());
}

TEST(QueueLinkReceiverTest, CaughtUpChangesNothing) {
  auto replica = Replica();
  auto applied = ApplyQueueLinkDelivery(*replica, EventTag(), EncodeCaughtUpEvent(0));
  ASSERT_TRUE(applied.ok()) << applied.status().message();
  EXPECT_EQ(QueueLinkDelivery::kCaughtUp, applied.value());
  EXPECT_EQ(0u, replica->Stats().depth);
}

TEST(QueueLinkReceiverTest, ErrorsNameTheQueue) {
  auto replica = Replica();
  auto bad_tag = ApplyQueueLinkDelivery(*replica, "abc", EncodeText("m"));
  ASSERT_FALSE(bad_tag.ok());
  EXPECT_NE(std::string::npos, bad_tag.status().message().find("queue orders"));
  auto bad_body = ApplyQueueLinkDelivery(*replica, EncodeIdTag(1), "not a message");
  ASSERT_FALSE(bad_body.ok());
  EXPECT_NE(std::string::npos, bad_body.status().message().find("queue orders"));
  auto bad_event = ApplyQueueLinkDelivery(*replica, EventTag(), "not an event");
  ASSERT_FALSE(bad_event.ok());
  // A queue no longer a replica takes nothing from the link.
  replica->SetReplica(false);
  EXPECT_FALSE(ApplyQueueLinkDelivery(*replica, EncodeIdTag(1), EncodeText("m")).ok());
  EXPECT_EQ(0u, replica->Stats().depth);
}

}  // namespace
}  // namespace qpidd::ha
