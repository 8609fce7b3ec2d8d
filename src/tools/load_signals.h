// SIGINT/SIGTERM ask the running tool to stop cleanly (close the connection, print its report)
// instead of dying with deliveries in flight.
#pragma once

namespace qpidd::tools {

// Installs the handlers (without SA_RESTART, so a blocked poll() returns at once).
void InstallStopSignals();
bool StopRequested();

}  // namespace qpidd::tools
