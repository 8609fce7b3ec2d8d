#include "ocf/agent_log.h"

#include <syslog.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include <qb/qblog.h>

namespace qpidd::ocf {
namespace {

bool opened = false;
std::string tag = "qpidd";
constexpr size_t kExitReasonMax = 128;  // what Pacemaker keeps (EXIT_REASON_MAX_LEN)

int SyslogPriority(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return LOG_DEBUG;
    case LogLevel::kInfo: return LOG_INFO;
    case LogLevel::kNotice: return LOG_NOTICE;
    case LogLevel::kWarning: return LOG_WARNING;
    case LogLevel::kError: return LOG_ERR;
  }
  return LOG_INFO;
}

std::string_view LevelWord(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "DEBUG";
    case LogLevel::kInfo: return "INFO";
    case LogLevel::kNotice: return "NOTICE";
    case LogLevel::kWarning: return "WARNING";
    case LogLevel::kError: return "ERROR";
  }
  return "INFO";
}

const char* Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

// "none"/"/dev/null" mean no file, as Pacemaker reads PCMK_logfile.
const char* ClusterLogFile() {
  const char* file = Env("PCMK_logfile");
  if (file == nullptr) file = Env("HA_LOGFILE");
  if (file == nullptr || std::string_view(file) == "none" ||
      std::string_view(file) == "/dev/null") {
    return nullptr;
  }
  return file;
}

}  // namespace

void OpenAgentLog(const std::string& resource) {
  if (opened) return;
  tag = resource.empty() ? "qpidd" : "qpidd(" + resource + ")";
  qb_log_init(tag.c_str(), LOG_DAEMON, LOG_DEBUG);
  qb_log_ctl(QB_LOG_STDERR, QB_LOG_CONF_ENABLED, QB_FALSE);
  qb_log_ctl(QB_LOG_BLACKBOX, QB_LOG_CONF_ENABLED, QB_FALSE);
  const bool debug = Env("HA_debug") != nullptr && std::string_view(Env("HA_debug")) != "0";
  const int priority = debug ? LOG_DEBUG : LOG_INFO;
  if (const char* file = ClusterLogFile()) {
    qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_ENABLED, QB_FALSE);
    const int32_t target = qb_log_file_open(file);
    if (target >= 0) {
      qb_log_filter_ctl(target, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*", priority);
      qb_log_format_set(target, "%t %N[%P]: %p: %b");
      qb_log_ctl(target, QB_LOG_CONF_ENABLED, QB_TRUE);
    }
  } else {
    qb_log_filter_ctl(QB_LOG_SYSLOG, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*", priority);
    qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_ENABLED, QB_TRUE);
  }
  opened = true;
}

void CloseAgentLog() {
  if (!opened) return;
  qb_log_fini();
  opened = false;
}

void AgentLog(LogLevel level, std::string_view message) {
  if (opened) {
    const std::string text(message);
    qb_log_from_external_source(__func__, __FILE__, "%s", SyslogPriority(level), __LINE__, 0,
                                text.c_str());
  }
  if (level != LogLevel::kDebug) {
    std::cerr << tag << " " << LevelWord(level) << ": " << message << "\n";
  }
}

void PrintExitReason(std::string_view reason) {
  if (reason.empty()) return;
  AgentLog(LogLevel::kError, reason);
  const char* prefix = Env("OCF_EXIT_REASON_PREFIX");
  std::string line(reason.substr(0, kExitReasonMax));
  for (char& c : line) {
    if (c == '\n') c = ' ';
  }
  std::cerr << (prefix != nullptr ? prefix : "ocf-exit-reason:") << line << std::endl;
}

}  // namespace qpidd::ocf
