// The end-of-run summary both tools print with --report-total (a tab-separated header line and a
// value line, as the classic tools did) or --report-json (one JSON object on one line).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "tools/load_latency.h"

namespace qpidd::tools {

struct RunSummary {
  std::string tool;          // "qpid-send" / "qpid-receive"
  std::string latency_kind;  // "accept" (send -> accepted) or "e2e" (send -> receive)
  uint64_t messages = 0;     // accepted (send) or received (receive)
  uint64_t errors = 0;       // deliveries not accepted (send only)
  uint64_t resent = 0;       // sent again after a reconnection (send only)
  uint64_t duplicates = 0;   // ignored as duplicates (receive --ignore-duplicates only)
  double elapsed_seconds = 0;
  int64_t start_nanos = 0;                    // CLOCK_MONOTONIC: first send / first arrival
  int64_t end_nanos = 0;                      // last accept / last arrival
  const LatencyHistogram* latency = nullptr;  // no samples: latency columns print "-"
};

// msgs  secs  tp(m/s)  l-p50(ms)  l-p99(ms)  l-max(ms)
void PrintReportTotal(std::FILE* out, const RunSummary& summary);
void PrintReportJson(std::FILE* out, const RunSummary& summary);

}  // namespace qpidd::tools
