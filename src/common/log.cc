#include "common/log.h"

#include <qb/qblog.h>
#include <syslog.h>

#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <optional>

namespace qpidd::log {
namespace {

constexpr std::array<std::string_view, kLevelCount> kLevelNames = {
    "trace", "debug", "info", "notice", "warning", "error", "critical"};
constexpr std::array<std::string_view, kCategoryCount> kCategoryNames = {
    "broker", "amqp", "network", "management", "ha", "tool"};

// syslog priorities; trace goes out as debug, since syslog has nothing below it.
constexpr std::array<uint8_t, kLevelCount> kPriorities = {
    LOG_DEBUG, LOG_DEBUG, LOG_INFO, LOG_NOTICE, LOG_WARNING, LOG_ERR, LOG_CRIT};

using LevelMask = uint32_t;
constexpr LevelMask kAllLevels = (1u << kLevelCount) - 1;

constexpr LevelMask AtAndAbove(Level level) {
  return kAllLevels & ~((1u << static_cast<int>(level)) - 1);
}
constexpr LevelMask kDefaultMask = AtAndAbove(Level::kNotice);

using Table = std::array<LevelMask, kCategoryCount>;

// Bit L of g_enabled[C] is set when level L of category C is written. Every QPIDD_LOG in every
// worker thread reads it, so it is a relaxed atomic load rather than a lock; a reader racing
// with Configure() sees the old or the new mask of its category, both of them valid.
static_assert(kCategoryCount == 6, "initialise g_enabled for every category");
std::atomic<LevelMask> g_enabled[kCategoryCount] = {kDefaultMask, kDefaultMask, kDefaultMask,
                                                    kDefaultMask, kDefaultMask, kDefaultMask};

// libqb picks a message's targets by the callsite's file name, so each line is handed over
// under one of two names: with our timestamp for stderr and the file, without it for syslog,
// which stamps lines itself.
constexpr char kStampedSource[] = "qpidd-log-stamped";
constexpr char kPlainSource[] = "qpidd-log-plain";
constexpr int32_t kMaxLineLength = QB_LOG_ABSOLUTE_MAX_LEN;

// The sinks. libqb's non-threaded logging is not safe to call concurrently, and Configure()
// replaces the targets under writers' feet, so every call into libqb holds mutex.
struct SinkState {
  std::mutex mutex;
  bool qb_open = false;         // qb_log_init() has run
  bool stderr_fallback = true;  // before the first Configure(): plain writes to stderr
  bool to_stderr = false;
  bool to_syslog = false;
  int32_t file_target = -1;  // libqb target of the log file, or -1
};

SinkState& GetSinkState() {
  static SinkState state;
  return state;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

template <size_t N>
std::optional<int> Lookup(const std::array<std::string_view, N>& names, std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (EqualsNoCase(name, names[i])) return static_cast<int>(i);
  }
  return std::nullopt;
}

template <size_t N>
std::string JoinNames(const std::array<std::string_view, N>& names) {
  std::string out;
  for (std::string_view name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// LEVEL[+][:CATEGORY]. The error says what is wrong, not which rule: callers name it.
Status AddRule(std::string_view rule, Table* table) {
  size_t colon = rule.find(':');
  std::string_view level_text = rule.substr(0, colon);
  bool and_above = !level_text.empty() && level_text.back() == '+';
  if (and_above) level_text.remove_suffix(1);
  std::optional<int> level = Lookup(kLevelNames, level_text);
  if (!level) {
    return Status::InvalidArgument("unknown level '" + std::string(level_text) + "' (expected " +
                                   JoinNames(kLevelNames) + ", optionally followed by '+')");
  }
  LevelMask mask = and_above ? AtAndAbove(static_cast<Level>(*level)) : (1u << *level);

  if (colon == std::string_view::npos) {
    for (LevelMask& category_mask : *table) category_mask |= mask;
    return Status::Ok();
  }
  std::string_view category_text = rule.substr(colon + 1);
  std::optional<int> category = Lookup(kCategoryNames, category_text);
  if (!category) {
    return Status::InvalidArgument("unknown category '" + std::string(category_text) +
                                   "' (expected " + JoinNames(kCategoryNames) + ")");
  }
  (*table)[*category] |= mask;
  return Status::Ok();
}

// "2026-11-22 10:00:00.123 [notice] broker: message", in local time as classic qpidd logs.
std::string FormatLine(Level level, Category category, std::string_view message, bool stamped) {
  std::string line;
  line.reserve(message.size() + 48);
  if (stamped) {
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    tm local{};
    localtime_r(&now.tv_sec, &local);
    char stamp[40];
    size_t length = std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &local);
    (void)std::snprintf(stamp + length, sizeof(stamp) - length, ".%03ld ", now.tv_nsec / 1'000'000);
    line += stamp;
  }
  line += '[';
  line += LevelName(level);
  line += "] ";
  line += CategoryName(category);
  line += ": ";
  line += message;
  return line;
}

// REQUIRES: GetSinkState().mutex is held.
void CloseQb(SinkState& state) {
  if (!state.qb_open) return;
  qb_log_fini();  // flushes and closes every target, the file included
  state.qb_open = false;
  state.file_target = -1;
}

// REQUIRES: GetSinkState().mutex is held.
void EnableTarget(int32_t target, const char* source) {
  qb_log_ctl(target, QB_LOG_CONF_ENABLED, QB_TRUE);
  qb_log_ctl(target, QB_LOG_CONF_MAX_LINE_LEN, kMaxLineLength);
  qb_log_format_set(target, "%b");
  qb_log_filter_ctl(target, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, source, LOG_TRACE);
}

}  // namespace

std::string_view LevelName(Level level) { return kLevelNames[static_cast<int>(level)]; }

std::string_view CategoryName(Category category) {
  return kCategoryNames[static_cast<int>(category)];
}

Status Configure(const std::vector<std::string>& enable_rules, const Sinks& sinks) {
  Table table{};
  if (enable_rules.empty()) table.fill(kDefaultMask);
  for (const std::string& rule : enable_rules) {
    Status status = AddRule(rule, &table);
    if (!status.ok()) {
      return Status::InvalidArgument("bad log rule '" + rule + "': " + status.message());
    }
  }

  // Try the file before tearing anything down, so a bad path leaves logging as it was.
  if (!sinks.file.empty()) {
    FILE* probe = std::fopen(sinks.file.c_str(), "a");
    if (probe == nullptr) {
      return Status::InvalidArgument("cannot open log file " + sinks.file + ": " +
                                     std::strerror(errno));
    }
    (void)std::fclose(probe);
  }

  SinkState& state = GetSinkState();
  std::lock_guard<std::mutex> lock(state.mutex);
  CloseQb(state);
  qb_log_init(sinks.program_name.c_str(), LOG_DAEMON, LOG_TRACE);
  state.qb_open = true;
  state.stderr_fallback = false;
  // qb_log_init() turns syslog on with a catch-all filter; start from nothing instead.
  qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_ENABLED, QB_FALSE);
  qb_log_filter_ctl(QB_LOG_SYSLOG, QB_LOG_FILTER_CLEAR_ALL, QB_LOG_FILTER_FILE, "*", LOG_TRACE);

  state.to_stderr = sinks.to_stderr;
  state.to_syslog = sinks.to_syslog;
  if (sinks.to_stderr) EnableTarget(QB_LOG_STDERR, kStampedSource);
  if (sinks.to_syslog) EnableTarget(QB_LOG_SYSLOG, kPlainSource);
  if (!sinks.file.empty()) {
    int32_t target = qb_log_file_open(sinks.file.c_str());
    if (target < 0) {
      // The probe above succeeded, so this is a race with someone changing the file.
      return Status::InvalidArgument("cannot open log file " + sinks.file + ": " +
                                     std::strerror(-target));
    }
    state.file_target = target;
    EnableTarget(target, kStampedSource);
  }

  for (int i = 0; i < kCategoryCount; ++i) {
    g_enabled[i].store(table[i], std::memory_order_relaxed);
  }
  return Status::Ok();
}

Status CheckRule(std::string_view rule) {
  Table scratch{};
  return AddRule(rule, &scratch);
}

bool Enabled(Level level, Category category) {
  LevelMask mask = g_enabled[static_cast<int>(category)].load(std::memory_order_relaxed);
  return (mask >> static_cast<int>(level)) & 1u;
}

void Write(Level level, Category category, std::string_view message) {
  SinkState& state = GetSinkState();
  std::lock_guard<std::mutex> lock(state.mutex);
  uint8_t priority = kPriorities[static_cast<int>(level)];
  if (state.qb_open) {
    if (state.to_stderr || state.file_target >= 0) {
      std::string line = FormatLine(level, category, message, /*stamped=*/true);
      qb_log_from_external_source("qpidd", kStampedSource, "%s", priority, 0, 0, line.c_str());
    }
    if (state.to_syslog) {
      std::string line = FormatLine(level, category, message, /*stamped=*/false);
      qb_log_from_external_source("qpidd", kPlainSource, "%s", priority, 0, 0, line.c_str());
    }
  } else if (state.stderr_fallback) {
    std::string line = FormatLine(level, category, message, /*stamped=*/true);
    line += '\n';
    (void)std::fwrite(line.data(), 1, line.size(), stderr);
  }
}

void Shutdown() {
  SinkState& state = GetSinkState();
  std::lock_guard<std::mutex> lock(state.mutex);
  CloseQb(state);
  state.stderr_fallback = false;
  state.to_stderr = false;
  state.to_syslog = false;
  for (std::atomic<LevelMask>& mask : g_enabled) mask.store(0, std::memory_order_relaxed);
}

}  // namespace qpidd::log
