#include "tools/load_report.h"

#include <sys/resource.h>

namespace qpidd::tools {
namespace {

double Rate(const RunSummary& s) {
  return s.elapsed_seconds > 0 ? static_cast<double>(s.messages) / s.elapsed_seconds : 0.0;
}

double Millis(int64_t nanos) { return static_cast<double>(nanos) / 1e6; }

bool HasLatency(const RunSummary& s) { return s.latency && s.latency->count() > 0; }

// User + system CPU of this process so far: shows whether the load client itself was busy.
double ProcessCpuSeconds() {
  rusage usage = {};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

void PrintReportTotal(std::FILE* out, const RunSummary& s) {
  std::fprintf(out, "msgs\tsecs\ttp(m/s)\tl-p50(ms)\tl-p99(ms)\tl-max(ms)\n");
  std::fprintf(out, "%llu\t%.3f\t%.0f", static_cast<unsigned long long>(s.messages),
               s.elapsed_seconds, Rate(s));
  if (HasLatency(s)) {
    std::fprintf(out, "\t%.3f\t%.3f\t%.3f\n", Millis(s.latency->Percentile(0.50)),
                 Millis(s.latency->Percentile(0.99)), Millis(s.latency->max()));
  } else {
    std::fprintf(out, "\t-\t-\t-\n");
  }
  std::fflush(out);
}

void PrintReportJson(std::FILE* out, const RunSummary& s) {
  std::fprintf(out,
               "{\"tool\":\"%s\",\"messages\":%llu,\"errors\":%llu,\"resent\":%llu,"
               "\"duplicates\":%llu,\"elapsed_s\":%.6f,"
               "\"msg_per_s\":%.1f,\"start_mono_ns\":%lld,\"end_mono_ns\":%lld,\"cpu_s\":%.3f,"
               "\"latency\":",
               s.tool.c_str(), static_cast<unsigned long long>(s.messages),
               static_cast<unsigned long long>(s.errors), static_cast<unsigned long long>(s.resent),
               static_cast<unsigned long long>(s.duplicates), s.elapsed_seconds, Rate(s),
               static_cast<long long>(s.start_nanos), static_cast<long long>(s.end_nanos),
               ProcessCpuSeconds());
  if (HasLatency(s)) {
    std::fprintf(out,
                 "{\"kind\":\"%s\",\"samples\":%llu,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
                 "\"max_ms\":%.3f}}\n",
                 s.latency_kind.c_str(), static_cast<unsigned long long>(s.latency->count()),
                 Millis(s.latency->Percentile(0.50)), Millis(s.latency->Percentile(0.99)),
                 Millis(s.latency->max()));
  } else {
    std::fprintf(out, "null}\n");
  }
  std::fflush(out);
}

}  // namespace qpidd::tools
