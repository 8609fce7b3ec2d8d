#include "broker/broker.h"

#include <functional>
#include <mutex>
#include <set>

#include "common/log.h"

namespace qpidd::broker {
namespace {

constexpr size_t kMaxNameLength = 255;

Status CheckName(std::string_view kind, const std::string& name) {
  if (name.empty()) return Status::InvalidArgument(std::string(kind) + " name must not be empty");
  if (name.size() > kMaxNameLength) {
    return Status::InvalidArgument(std::string(kind) + " name '" + name.substr(0, 32) +
                                   "...' is longer than 255 characters");
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      return Status::InvalidArgument(std::string(kind) + " name '" + name +
                                     "' contains a control character");
    }
  }
  return Status::Ok();
}

}  // namespace

Broker::Broker(BrokerConfig config)
    : config_(std::move(config)), lifeline_(std::make_shared<Lifeline>(this)) {
  DeclareBuiltinExchanges();
  if (config_.queue_purge_interval_s != 0) {
    timer_.Every(std::chrono::seconds(config_.queue_purge_interval_s), [this] {
      uint64_t expired = 0;
      for (const auto& q : Queues()) expired += q->PurgeExpired();
      if (expired != 0) QPIDD_LOG(kDebug, kBroker, "sweep removed " << expired << " expired messages");
    });
  }
}

Broker::~Broker() {
  std::unique_lock lock(lifeline_->mutex);
  lifeline_->broker = nullptr;
}

const char* Broker::Version() { return PACKAGE_VERSION; }

void Broker::DeclareBuiltinExchanges() {
  const std::pair<const char*, const char*> builtin[] = {
      {"amq.direct", "direct"}, {"amq.topic", "topic"}, {"amq.fanout", "fanout"},
      {"amq.match", "headers"}};
  for (const auto& [name, type] : builtin) {
    ExchangeSettings settings;
    settings.durable = true;
    auto exchange = MakeExchange(type, name, std::move(settings), /*builtin=*/true);
    exchanges_.emplace(name, exchange.value());
  }
}

std::vector<std::shared_ptr<ConfigurationObserver>> Broker::ObserversCopy() const {
  std::shared_lock lock(mutex_);
  return observers_;
}

Result<QueuePtr> Broker::CreateQueue(const std::string& name, QueueSettings settings,
                                     bool* created) {
  std::lock_guard change(change_mutex_);
  if (created) *created = false;
  if (Status s = CheckName("queue", name); !s.ok()) return s;
  if (QueuePtr existing = FindQueue(name)) return existing;  // a declare; nothing is made
  const auto observers = ObserversCopy();
  for (const auto& o : observers) {
    if (Status s = o->PrepareQueue(name, settings); !s.ok()) return s;
  }
  if (Status s = ApplyQueueArguments(settings.arguments, settings); !s.ok()) return s;
  ApplyQueueDefaults({config_.default_queue_limit, config_.flow_stop_percent,
                      config_.flow_resume_percent},
                     settings);
  if (!settings.alternate_exchange.empty() && !FindExchange(settings.alternate_exchange)) {
    return Status::NotFound("alternate exchange '" + settings.alternate_exchange +
                            "' of queue '" + name + "' not found");
  }
  auto queue = std::make_shared<Queue>(name, std::move(settings));
  queue->SetDeadLetterHandler(
      [weak = std::weak_ptr<Lifeline>(lifeline_)](const std::string& alternate,
                                                  const std::string& queue_name,
                                                  std::vector<MessagePtr> messages,
                                                  std::string_view why) {
        auto lifeline = weak.lock();
        if (!lifeline) return;
        std::shared_lock alive(lifeline->mutex);
        if (lifeline->broker) lifeline->broker->RouteDeadLetters(alternate, queue_name, messages, why);
      });
  // Before the queue is reachable, so observers see every message it will ever take.
  for (const auto& o : observers) o->InitQueue(queue);
  {
    // change_mutex_ is held: nobody else can have made the name meanwhile.
    std::unique_lock lock(mutex_);
    queues_.emplace(name, queue);
  }
  if (created) *created = true;
  QPIDD_LOG(kInfo, kBroker, "created queue " << name);
  if (queue->settings().durable) {
    QPIDD_LOG(kNotice, kBroker, "queue " << name << " is durable, but this broker has no store "
                                            "yet: its messages are not persisted");
  }
  for (const auto& o : observers) o->OnQueueCreated(queue);
  return queue;
}

QueuePtr Broker::FindQueue(const std::string& name) const {
  std::shared_lock lock(mutex_);
  auto it = queues_.find(name);
  return it == queues_.end() ? nullptr : it->second;
}

Status Broker::DeleteQueue(const std::string& name, const Queue* expected) {
  std::lock_guard change(change_mutex_);
  if (QueuePtr found = FindQueue(name); found && (!expected || found.get() == expected)) {
    for (const auto& o : ObserversCopy()) {
      if (Status s = o->PrepareDeleteQueue(found); !s.ok()) return s;
    }
  }
  QueuePtr queue;
  {
    // Bindings go under the registry lock: a queue re-created with the same name right after
    // must not lose its new bindings to this delete. (Lock order: registry, then exchange.)
    std::unique_lock lock(mutex_);
    auto it = queues_.find(name);
    if (it == queues_.end() || (expected && it->second.get() != expected)) {
      return Status::NotFound("queue '" + name + "' not found");
    }
    queue = it->second;
    queues_.erase(it);
    for (const auto& [n, e] : exchanges_) e->RemoveQueue(name);
  }
  queue->Delete();
  QPIDD_LOG(kInfo, kBroker, "deleted queue " << name);
  for (const auto& o : ObserversCopy()) o->OnQueueDeleted(queue);
  return Status::Ok();
}

void Broker::ReleaseAutoDelete(const QueuePtr& queue) {
  const uint64_t delay = queue->settings().auto_delete_delay_s;
  if (delay == 0) {
    QPIDD_LOG(kInfo, kBroker, "auto-delete queue " << queue->name() << " lost its last consumer");
    (void)DeleteQueue(queue->name(), queue.get());
    return;
  }
  QPIDD_LOG(kInfo, kBroker, "auto-delete queue " << queue->name() << " lost its last consumer: "
                                                   "deleted in " << delay
                                                << " s unless a consumer comes");
  // The delay counts from this departure: a consumer coming (or going) since cancels it.
  timer_.After(std::chrono::seconds(delay),
               [this, weak = std::weak_ptr<Queue>(queue), changes = queue->ConsumerChanges()] {
                 auto q = weak.lock();
                 if (q && q->UnusedSince(changes)) (void)DeleteQueue(q->name(), q.get());
               });
}

void Broker::RouteDeadLetters(const std::string& alternate, const std::string& queue,
                              const std::vector<MessagePtr>& messages, std::string_view why) {
  ExchangePtr exchange = FindExchange(alternate);
  if (!exchange) {
    QPIDD_LOG(kWarning, kBroker, "queue " << queue << ": " << messages.size() << " message(s) "
                                          << why << " dropped: its alternate exchange '"
                                          << alternate << "' no longer exists");
    return;
  }
  size_t unroutable = 0;
  for (const auto& m : messages) unroutable += (Route(*exchange, m, nullptr) == 0);
  QPIDD_LOG(kDebug, kBroker, "queue " << queue << ": " << messages.size() << " message(s) " << why
                                      << " sent to alternate exchange " << alternate);
  if (unroutable != 0) {
    QPIDD_LOG(kWarning, kBroker, "queue " << queue << ": " << unroutable << " message(s) " << why
                                          << " dropped: alternate exchange " << alternate
                                          << " routed them nowhere");
  }
}

std::vector<QueuePtr> Broker::Queues() const {
  std::shared_lock lock(mutex_);
  std::vector<QueuePtr> out;
  out.reserve(queues_.size());
  for (const auto& [n, q] : queues_) out.push_back(q);
  return out;
}

Result<ExchangePtr> Broker::CreateExchange(const std::string& name, std::string_view type,
                                           ExchangeSettings settings, bool* created) {
  std::lock_guard change(change_mutex_);
  if (created) *created = false;
  if (Status s = CheckName("exchange", name); !s.ok()) return s;
  if (name.starts_with("amq.") || name.starts_with("qpid.")) {
    std::shared_lock lock(mutex_);
    if (!exchanges_.contains(name)) {
      return Status::InvalidArgument("exchange name '" + name +
                                     "' is reserved: names starting with amq. or qpid. are the "
                                     "broker's own");
    }
  }
  if (ExchangePtr existing = FindExchange(name)) {
    if (existing->type() != type) {
      return Status::AlreadyExists("exchange '" + name + "' exists with type " +
                                   std::string(existing->type()) + ", not " + std::string(type));
    }
    return existing;  // a declare; nothing is made
  }
  for (const auto& o : ObserversCopy()) {
    if (Status s = o->PrepareExchange(name, type, settings); !s.ok()) return s;
  }
  if (Status s = ApplyExchangeArguments(settings); !s.ok()) return s;
  auto made = MakeExchange(type, name, std::move(settings));
  if (!made.ok()) return made.status();
  ExchangePtr exchange;
  {
    // change_mutex_ is held: nobody else can have made the name meanwhile.
    std::unique_lock lock(mutex_);
    const std::string& alternate = made.value()->settings().alternate_exchange;
    if (!alternate.empty() && alternate != name && !exchanges_.contains(alternate)) {
      return Status::NotFound("alternate exchange '" + alternate + "' of exchange '" + name +
                              "' not found");
    }
    exchange = made.value();
    exchanges_.emplace(name, exchange);
  }
  if (created) *created = true;
  QPIDD_LOG(kInfo, kBroker, "created " << type << " exchange " << name);
  for (const auto& o : ObserversCopy()) o->OnExchangeCreated(exchange);
  return exchange;
}

ExchangePtr Broker::FindExchange(const std::string& name) const {
  std::shared_lock lock(mutex_);
  auto it = exchanges_.find(name);
  return it == exchanges_.end() ? nullptr : it->second;
}

Status Broker::DeleteExchange(const std::string& name) {
  std::lock_guard change(change_mutex_);
  ExchangePtr exchange;
  {
    std::unique_lock lock(mutex_);
    auto it = exchanges_.find(name);
    if (it == exchanges_.end()) return Status::NotFound("exchange '" + name + "' not found");
    if (it->second->builtin()) {
      return Status::Error(StatusCode::kPreconditionFailed,
                           "exchange '" + name + "' is built in and cannot be deleted");
    }
    if (std::string user = AlternateUser(name); !user.empty()) {
      return Status::Error(StatusCode::kPreconditionFailed,
                           "exchange '" + name + "' is the alternate exchange of " + user +
                               ": it cannot be deleted while in use");
    }
    exchange = it->second;
  }
  // change_mutex_ is held: the exchange cannot go meanwhile.
  for (const auto& o : ObserversCopy()) {
    if (Status s = o->PrepareDeleteExchange(exchange); !s.ok()) return s;
  }
  {
    std::unique_lock lock(mutex_);
    exchanges_.erase(name);
  }
  QPIDD_LOG(kInfo, kBroker, "deleted exchange " << name);
  for (const auto& o : ObserversCopy()) o->OnExchangeDeleted(exchange);
  return Status::Ok();
}

std::string Broker::AlternateUser(const std::string& exchange) const {
  for (const auto& [n, q] : queues_) {
    if (q->settings().alternate_exchange == exchange) return "queue '" + n + "'";
  }
  for (const auto& [n, e] : exchanges_) {
    if (n != exchange && e->settings().alternate_exchange == exchange) {
      return "exchange '" + n + "'";
    }
  }
  return "";
}

std::vector<ExchangePtr> Broker::Exchanges() const {
  std::shared_lock lock(mutex_);
  std::vector<ExchangePtr> out;
  out.reserve(exchanges_.size());
  for (const auto& [n, e] : exchanges_) out.push_back(e);
  return out;
}

Status Broker::Bind(const std::string& exchange_name, const std::string& queue_name,
                    const std::string& key, const Arguments& arguments) {
  std::lock_guard change(change_mutex_);
  BindingInfo info{exchange_name, queue_name, key, arguments};
  if (FindExchange(exchange_name) && FindQueue(queue_name)) {
    for (const auto& o : ObserversCopy()) {
      if (Status s = o->PrepareBind(info); !s.ok()) return s;
    }
  }
  {
    // Bound under the registry lock, so a concurrent DeleteQueue cannot leave a binding to the
    // queue it just removed. (Lock order: registry, then exchange.)
    std::shared_lock lock(mutex_);
    auto e = exchanges_.find(exchange_name);
    if (e == exchanges_.end()) return Status::NotFound("exchange '" + exchange_name + "' not found");
    auto q = queues_.find(queue_name);
    if (q == queues_.end()) return Status::NotFound("queue '" + queue_name + "' not found");
    if (Status s = e->second->Bind(q->second, key, arguments); !s.ok()) return s;
  }
  QPIDD_LOG(kInfo, kBroker, "bound queue " << queue_name << " to exchange " << exchange_name
                                           << " with key '" << key << "'");
  for (const auto& o : ObserversCopy()) o->OnBind(info);
  return Status::Ok();
}

Status Broker::Unbind(const std::string& exchange_name, const std::string& queue_name,
                      const std::string& key) {
  std::lock_guard change(change_mutex_);
  ExchangePtr exchange = FindExchange(exchange_name);
  if (!exchange) return Status::NotFound("exchange '" + exchange_name + "' not found");
  BindingInfo info{exchange_name, queue_name, key, {}};
  for (const auto& o : ObserversCopy()) {
    if (Status s = o->PrepareUnbind(info); !s.ok()) return s;
  }
  if (Status s = exchange->Unbind(queue_name, key); !s.ok()) return s;
  for (const auto& o : ObserversCopy()) o->OnUnbind(info);
  return Status::Ok();
}

std::vector<BindingInfo> Broker::Bindings() const {
  std::vector<BindingInfo> out;
  for (const auto& e : Exchanges()) {
    auto b = e->Bindings();
    out.insert(out.end(), b.begin(), b.end());
  }
  return out;
}

Node Broker::Resolve(const std::string& address) const {
  std::shared_lock lock(mutex_);
  if (auto it = queues_.find(address); it != queues_.end()) return it->second;
  if (auto it = exchanges_.find(address); it != exchanges_.end()) return it->second;
  return std::monostate{};
}

size_t Broker::Route(const Exchange& exchange, const MessagePtr& message,
                     PublishContext* context, Status* refused) {
  return RouteVia(exchange, message, context, refused, 0);
}

size_t Broker::RouteVia(const Exchange& exchange, const MessagePtr& message,
                        PublishContext* context, Status* refused, int hops) {
  // Most messages match few queues; a small reused vector keeps routing allocation-free. It is
  // moved out while in use, since a route to an alternate exchange comes back here.
  thread_local std::vector<QueuePtr> spare;
  std::vector<QueuePtr> matches = std::move(spare);
  matches.clear();
  exchange.Route(*message, message->subject(), matches);
  const bool matched = !matches.empty();
  size_t delivered = 0;
  for (const auto& q : matches) {
    Status s = q->Enqueue(message, context);
    if (s.ok()) {
      ++delivered;
    } else if (refused != nullptr && refused->ok() && s.code() == StatusCode::kResourceLimit) {
      *refused = std::move(s);
    }
  }
  matches.clear();
  spare = std::move(matches);
  // Alternate exchanges may chain; a few hops bound a chain that loops.
  constexpr int kMaxAlternateHops = 4;
  const std::string& alternate = exchange.settings().alternate_exchange;
  if (!matched && !alternate.empty() && hops < kMaxAlternateHops) {
    if (ExchangePtr next = FindExchange(alternate)) {
      delivered = RouteVia(*next, message, context, refused, hops + 1);
    }
  }
  return delivered;
}

void Broker::AddConfigurationObserver(std::shared_ptr<ConfigurationObserver> observer,
                                      bool replay) {
  std::lock_guard change(change_mutex_);
  if (replay) {
    // change_mutex_ keeps the configuration still while it is reported.
    for (const auto& exchange : ExchangesInDependencyOrder()) observer->OnExchangeCreated(exchange);
    for (const auto& queue : Queues()) observer->OnQueueCreated(queue);
    for (const auto& binding : Bindings()) observer->OnBind(binding);
    observer->OnReplayDone();
  }
  std::unique_lock lock(mutex_);
  observers_.push_back(std::move(observer));
}

void Broker::RemoveConfigurationObserver(const ConfigurationObserver* observer) {
  std::lock_guard change(change_mutex_);
  std::unique_lock lock(mutex_);
  std::erase_if(observers_, [observer](const auto& o) { return o.get() == observer; });
}

std::vector<ExchangePtr> Broker::ExchangesInDependencyOrder() const {
  // An exchange in use as an alternate cannot be deleted, so "uses" has no cycle except an
  // exchange that is its own alternate; a depth-first walk puts each after its alternate.
  std::vector<ExchangePtr> all = Exchanges();
  std::map<std::string, ExchangePtr, std::less<>> by_name;
  for (const auto& e : all) by_name.emplace(e->name(), e);
  std::vector<ExchangePtr> ordered;
  std::set<std::string, std::less<>> placed;
  std::function<void(const ExchangePtr&, int)> place = [&](const ExchangePtr& e, int depth) {
    if (placed.contains(e->name())) return;
    const std::string& alternate = e->settings().alternate_exchange;
    if (depth < 64 && !alternate.empty() && alternate != e->name()) {
      if (auto it = by_name.find(alternate); it != by_name.end()) place(it->second, depth + 1);
    }
    if (placed.insert(e->name()).second) ordered.push_back(e);
  };
  for (const auto& e : all) place(e, 0);
  return ordered;
}

void Broker::SetConnectionAdmission(std::shared_ptr<ConnectionAdmission> admission) {
  std::unique_lock lock(mutex_);
  admission_ = std::move(admission);
}

AdmissionVerdict Broker::AdmitConnection(const ConnectionInfo& info) const {
  std::shared_ptr<ConnectionAdmission> admission;
  {
    std::shared_lock lock(mutex_);
    admission = admission_;
  }
  return admission ? admission->Admit(info) : AdmissionVerdict{};
}

std::string Broker::NewTemporaryName(std::string_view prefix) {
  return std::string(prefix) + config_.id.substr(0, 8) + "." +
         std::to_string(temporary_counter_.fetch_add(1) + 1);
}

}  // namespace qpidd::broker
