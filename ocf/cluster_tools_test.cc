#include "ocf/cluster_tools.h"

#include <gtest/gtest.h>

namespace qpidd::ocf {
namespace {

TEST(OcfClusterToolsTest, ResourceNameDropsTheCloneInstance) {
  EXPECT_EQ(ResourceName("qpidd:2"), "qpidd");
  EXPECT_EQ(ResourceName("qpidd"), "qpidd");
  EXPECT_EQ(ResourceName(""), "");
}

TEST(OcfClusterToolsTest, FindsThePromotedNodeInLocateOutput) {
  EXPECT_EQ(PromotedNodeFromLocate("resource qpidd is running on: node2 \n"
                                   "resource qpidd is running on: node1 Promoted\n"
                                   "resource qpidd is running on: node3 \n"),
            "node1");
  EXPECT_EQ(PromotedNodeFromLocate("resource qpidd is running on: node3 Master\n"), "node3");
  EXPECT_EQ(PromotedNodeFromLocate("resource qpidd is running on: node2\n"), "");
  EXPECT_EQ(PromotedNodeFromLocate("resource qpidd is NOT running\n"), "");
}

TEST(OcfClusterToolsTest, BackupsReportALostPrimaryInTheOrderOfTheirNodeNames) {
  const auto nodes = UnpromotedNodesFromLocate("resource qpidd is running on: node3 \n"
                                               "resource qpidd is running on: node1 Promoted\n"
                                               "resource qpidd is running on: node2\n");
  EXPECT_EQ(nodes, (std::vector<std::string>{"node2", "node3"}));
  EXPECT_EQ(ReporterRank(nodes, "node2"), 0u);
  EXPECT_EQ(ReporterRank(nodes, "node3"), 1u);
  EXPECT_EQ(ReporterRank(nodes, "node9"), 2u);  // not listed (yet): last
  EXPECT_TRUE(UnpromotedNodesFromLocate("resource qpidd is NOT running\n").empty());
}

}  // namespace
}  // namespace qpidd::ocf
