// Logging: levels and categories as classic qpidd has them, written through libqb to stderr, a
// file and/or syslog. Enabled() is cheap, so QPIDD_LOG costs one branch when a level is off.
#pragma once

#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace qpidd::log {

enum class Level { kTrace = 0, kDebug, kInfo, kNotice, kWarning, kError, kCritical };
inline constexpr int kLevelCount = 7;

// The parts of the broker a log line can come from; --log-enable rules select by these names.
enum class Category { kBroker = 0, kAmqp, kNetwork, kManagement, kHa, kTool };
inline constexpr int kCategoryCount = 6;

std::string_view LevelName(Level level);
std::string_view CategoryName(Category category);

struct Sinks {
  bool to_stderr = false;
  std::string file;          // empty: no file
  bool to_syslog = false;
  std::string program_name = "qpidd";
};

// Sets which (level, category) pairs are written. Each rule has the classic qpidd syntax
// LEVEL[+][:CATEGORY], e.g. "notice+", "debug+:ha", "info:network". An empty list means "notice+".
// Returns an error naming the bad rule; nothing changes then.
Status Configure(const std::vector<std::string>& enable_rules, const Sinks& sinks);

// Checks one rule without applying it (for option parsing). The error says what is wrong, e.g.
// "unknown level 'verbose' (expected trace, debug, ...)"; the caller names the rule.
Status CheckRule(std::string_view rule);

bool Enabled(Level level, Category category);
void Write(Level level, Category category, std::string_view message);

// Flushes and closes the sinks (libqb's qb_log_fini).
void Shutdown();

}  // namespace qpidd::log

#define QPIDD_LOG(level, category, expr)                                              \
  do {                                                                                \
    if (::qpidd::log::Enabled(::qpidd::log::Level::level,                             \
                              ::qpidd::log::Category::category)) {                    \
      std::ostringstream qpidd_log_stream_;                                           \
      qpidd_log_stream_ << expr;                                                      \
      ::qpidd::log::Write(::qpidd::log::Level::level, ::qpidd::log::Category::category, \
                          qpidd_log_stream_.str());                                   \
    }                                                                                 \
  } while (false)
