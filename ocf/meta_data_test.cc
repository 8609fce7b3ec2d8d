#include "ocf/meta_data.h"

#include <gtest/gtest.h>

#include "ocf/params.h"

namespace qpidd::ocf {
namespace {

TEST(OcfMetaDataTest, ClaimsOcf11AndListsEveryParameter) {
  const std::string xml = MetaData();
  EXPECT_NE(xml.find("<version>1.1</version>"), std::string::npos);
  for (const ParamInfo& info : ParamInfos()) {
    EXPECT_NE(xml.find("<parameter name=\"" + std::string(info.name) + "\""), std::string::npos)
        << info.name;
  }
}

TEST(OcfMetaDataTest, DistinctMonitorIntervalsPerRole) {
  const std::string xml = MetaData();
  EXPECT_NE(xml.find("interval=\"3s\" depth=\"0\" role=\"Promoted\""), std::string::npos);
  EXPECT_NE(xml.find("interval=\"5s\" depth=\"0\" role=\"Unpromoted\""), std::string::npos);
  // Not advertised: not implemented.
  EXPECT_EQ(xml.find("migrate_to"), std::string::npos);
  EXPECT_EQ(xml.find("\"reload\""), std::string::npos);
}

TEST(OcfMetaDataTest, ParametersUsedOnlyAtStartAreReloadable) {
  const std::string xml = MetaData();
  EXPECT_NE(xml.find("<action name=\"reload-agent\""), std::string::npos);
  for (const char* name : {"binary", "config", "brokers_url", "extra_options", "log_file"}) {
    EXPECT_NE(xml.find("<parameter name=\"" + std::string(name) +
                       "\" required=\"0\" reloadable=\"1\">"),
              std::string::npos)
        << name;
  }
  // The agent finds and talks to the running broker through these: a change restarts it.
  for (const char* name : {"data_dir", "port", "interface", "user", "group"}) {
    EXPECT_NE(xml.find("<parameter name=\"" + std::string(name) + "\" required=\"0\">"),
              std::string::npos)
        << name;
  }
}

}  // namespace
}  // namespace qpidd::ocf
