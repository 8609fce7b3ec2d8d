// qpidd: the broker's entry point. Reads the options, becomes a daemon if asked, locks the data
// directory, builds the broker and its network front, and runs until SIGTERM or SIGINT.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

#include "amqp/broker_context.h"
#include "amqp/connection.h"
#include "broker/broker.h"
#include "common/log.h"
#include "common/uuid.h"
#include "ha/ha_broker_type.h"
#include "ha/ha_module.h"
#include "ha/ha_options.h"
#include "management/management_agent.h"
#include "net/server.h"
#include "qpidd/broker_options.h"
#include "qpidd/daemon.h"

namespace {

using namespace qpidd;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;

// Set when the broker stops for a fatal error rather than on request: it then exits with 1.
std::atomic<bool> g_fatal_exit{false};

int Fail(ReadyNotifier& notifier, const std::string& message) {
  std::cerr << "qpidd: " << message << std::endl;
  QPIDD_LOG(kCritical, kBroker, message);
  notifier.Failed(message);
  return kExitFailure;
}

// Each connection is a file descriptor: raise the soft limit toward the hard one so that
// --max-connections can be reached, and say so when even the hard limit is too low.
void RaiseFileLimit(uint32_t max_connections) {
  constexpr rlim_t kSpare = 64;  // listeners, logs, the data-dir lock, management
  const rlim_t wanted = static_cast<rlim_t>(max_connections) + kSpare;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= wanted) return;
  const rlim_t old_soft = limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) limit.rlim_cur = old_soft;
  if (limit.rlim_cur < wanted) {
    QPIDD_LOG(kWarning, kBroker, "open-file limit is " << limit.rlim_cur << ": fewer than the "
                                 << max_connections << " connections of --max-connections can "
                                 "be served (raise LimitNOFILE or ulimit -n)");
  }
}

int Run(const BrokerOptions& options, const ha::HaSettings& ha_settings, ReadyNotifier& notifier) {
  RaiseFileLimit(options.max_connections);
  // Signals are taken by sigwait() on this thread; block them before any thread starts so the
  // workers inherit the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto lock = DataDirLock::Acquire(options.data_dir);
  if (!lock.ok()) return Fail(notifier, lock.status().message());

  broker::Broker broker(broker::BrokerConfig{.id = NewUuid(),
                                             .default_queue_limit = options.default_queue_limit,
                                             .flow_stop_percent = options.flow_stop_percent,
                                             .flow_resume_percent = options.flow_resume_percent,
                                             .queue_purge_interval_s =
                                                 options.queue_purge_interval_s,
                                             .max_connections = options.max_connections});
  std::unique_ptr<management::ManagementAgent> agent;
  if (options.mgmt_enable) agent = std::make_unique<management::ManagementAgent>(broker);
  // The HA module is always there: without ha-cluster its status is standalone.
  auto ha_module = std::make_shared<ha::HaModule>(broker, ha_settings, [] {
    // A module that can no longer trust its own state stops the broker, exit status 1.
    g_fatal_exit.store(true);
    kill(getpid(), SIGTERM);
  });
  if (agent) agent->AddType(std::make_unique<ha::HaBrokerType>(ha_module));
  amqp::BrokerContext context{
      .broker = broker,
      .management = agent.get(),
      .node_provider =
          ha_settings.cluster || ha_settings.queue_replication ? ha_module.get() : nullptr,
      .settings = amqp::ConnectionSettings{.container_id = broker.config().id,
                                           .idle_timeout_ms = options.idle_timeout_seconds * 1000,
                                           .max_connections = options.max_connections}};

  net::Server server(options.worker_threads, [&context](boost::asio::ip::tcp::socket socket) {
    std::make_shared<amqp::Connection>(std::move(socket), context)->Start();
  });
  auto port = server.Listen(options.interfaces, options.port);
  if (!port.ok()) return Fail(notifier, port.status().message());

  std::optional<PidFile> pid_file;
  if (options.daemon || !options.pid_dir.empty()) {
    auto created = PidFile::Create(options.pid_dir.empty() ? options.data_dir : options.pid_dir,
                                   port.value());
    if (!created.ok()) return Fail(notifier, created.status().message());
    pid_file.emplace(std::move(created).value());
  }

  ha_module->Start(port.value());
  server.Start();
  QPIDD_LOG(kNotice, kBroker, "broker " << broker.config().id << " (qpidd-ha " << PACKAGE_VERSION
                                        << ") running on port " << port.value() << " with "
                                        << server.worker_count() << " worker threads");
  if (options.port == 0 && !options.daemon) {
    // Tests and scripts ask for an ephemeral port and read it here, as with classic qpidd
    // (a daemon's waiting parent prints it instead).
    std::cout << port.value() << std::endl;
  }
  notifier.Ready(options.port == 0 ? std::to_string(port.value()) + "\n" : std::string());

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  const int exit_status = g_fatal_exit.load() ? kExitFailure : kExitOk;
  if (exit_status == kExitOk) {
    QPIDD_LOG(kNotice, kBroker, "shutting down on signal " << signal_number);
  } else {
    QPIDD_LOG(kCritical, kBroker, "shutting down after a fatal error");
  }
  ha_module->Stop();
  server.Stop();
  return exit_status;
}

}  // namespace

int Main(int argc, char** argv) {
  // The HA module adds its options to the broker's; the broker core knows nothing of them.
  ha::HaOptions ha_options;
  BrokerOptionsParser parser;
  parser.AddGroup(ha_options);
  auto parsed = parser.Parse(argc, argv);
  if (!parsed.ok()) {
    std::cerr << "qpidd: " << parsed.status().message() << std::endl;
    return kExitFailure;
  }
  const BrokerOptions& options = parsed.value().options;
  if (options.help || options.version) {
    std::cout << parsed.value().text_to_print;
    return kExitOk;
  }
  const std::string pid_dir = options.pid_dir.empty() ? options.data_dir : options.pid_dir;
  if (options.check) {
    auto pid = CheckRunning(pid_dir, options.port);
    if (!pid.ok()) {
      std::cerr << "qpidd: " << pid.status().message() << std::endl;
      return kExitFailure;
    }
    std::cout << pid.value() << std::endl;
    return kExitOk;
  }
  if (options.quit) {
    auto pid = QuitRunning(pid_dir, options.port);
    if (!pid.ok()) {
      std::cerr << "qpidd: " << pid.status().message() << std::endl;
      return kExitFailure;
    }
    return kExitOk;
  }
  if (options.auth) {
    std::cerr << "qpidd: --auth yes is not available yet: this broker has no authentication "
                 "(Cyrus SASL support is still to come); start it with --auth no"
              << std::endl;
    return kExitFailure;
  }

  if (Status s = ha::CheckHaSupported(ha_options.settings()); !s.ok()) {
    std::cerr << "qpidd: " << s.message() << std::endl;
    return kExitFailure;
  }

  log::Sinks sinks;
  sinks.to_stderr = options.log_to_stderr_given ? options.log_to_stderr : !options.daemon;
  sinks.file = options.log_to_file;
  sinks.to_syslog = options.log_to_syslog;
  if (Status s = log::Configure(options.log_enable, sinks); !s.ok()) {
    std::cerr << "qpidd: " << s.message() << std::endl;
    return kExitFailure;
  }

  ReadyNotifier notifier;
  if (options.daemon) {
    auto daemon = Daemonize();
    if (!daemon.ok()) {
      std::cerr << "qpidd: " << daemon.status().message() << std::endl;
      return kExitFailure;
    }
    if (!daemon.value().has_value()) return kExitOk;  // the parent: the daemon is ready
    notifier = std::move(*daemon.value());
  }
  const int rc = Run(options, ha_options.settings(), notifier);
  log::Shutdown();
  return rc;
}

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    // Expected failures are Status values; an exception here is a bug or an exhausted system.
    std::cerr << "qpidd: fatal: " << e.what() << std::endl;
    return kExitFailure;
  }
}
