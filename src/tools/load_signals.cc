#include "tools/load_signals.h"

#include <csignal>

namespace qpidd::tools {
namespace {

volatile std::sig_atomic_t stop_requested = 0;

void OnStopSignal(int) { stop_requested = 1; }

}  // namespace

void InstallStopSignals() {
  struct sigaction action = {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a dead broker shows up as EPIPE, not as a killed tool
}

bool StopRequested() { return stop_requested != 0; }

}  // namespace qpidd::tools
