// qpid-send's link: sends what the source yields, at-least-once with at most `capacity`
// unsettled deliveries in flight (or pre-settled, fire and forget), and measures the publisher
// accept latency (handed to Proton -> `accepted` seen). After a reconnection, what was in flight
// is sent again, unchanged (at-least-once: the broker may then hold duplicates).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tools/load_connection.h"
#include "tools/load_latency.h"
#include "tools/load_source.h"

struct pn_delivery_t;
struct pn_link_t;

namespace qpidd::tools {

struct SenderOptions {
  std::string program = "qpid-send";  // prefix of the messages printed on stderr
  std::string address;
  uint32_t capacity = 1000;  // in-flight window
  bool presettled = false;
  bool create = false;                  // offer create-on-demand on the target
  int64_t timeout_nanos = 0;            // give up after this long without progress; 0 = never
  uint64_t max_reported_failures = 10;  // failed deliveries named one by one on stderr
};

class Sender : public LinkRole {
 public:
  Sender(SenderOptions options, MessageSource& source);

  void Attach(pn_session_t* session) override;
  void OnEvent(pn_event_t* event) override;
  void Pump() override;
  int64_t Deadline() const override;
  void OnDeadline(int64_t now_nanos) override;
  bool Done() const override;
  void Detach() override;
  void OnConnectionLost() override;

  uint64_t sent() const { return next_sequence_; }
  uint64_t accepted() const { return accepted_; }  // pre-settled: sent and written
  uint64_t failed() const { return failed_; }      // rejected, released or modified
  uint64_t resent() const { return resent_; }      // sent again after a reconnection
  bool attached() const { return attached_; }
  bool timed_out() const { return timed_out_; }
  const std::string& link_error() const { return link_error_; }
  const LatencyHistogram& latency() const { return latency_; }
  int64_t start_nanos() const { return first_send_nanos_; }
  int64_t end_nanos() const { return last_progress_nanos_; }

 private:
  struct InFlight {
    uint64_t sequence = 0;
    int64_t sent_nanos = 0;
  };

  void SendOne(int64_t now);
  void ResendOne(const InFlight& message);
  void Track(pn_delivery_t* delivery, const InFlight& message);
  void OnOutcome(pn_delivery_t* delivery);
  void ReportFailure(const InFlight& message, pn_delivery_t* delivery, const char* outcome);

  SenderOptions options_;
  MessageSource& source_;
  pn_session_t* session_ = nullptr;
  pn_link_t* link_ = nullptr;
  bool attached_ = false;
  bool detached_ = false;
  bool timed_out_ = false;
  std::string link_error_;

  // Slots for unsettled deliveries; a delivery's context points at its slot.
  std::vector<InFlight> slots_;
  std::vector<uint32_t> free_slots_;
  // Unsettled when a connection was lost: sent again, first, on the next link.
  std::vector<InFlight> to_resend_;
  size_t resend_next_ = 0;

  uint64_t next_sequence_ = 0;
  uint64_t accepted_ = 0;
  uint64_t failed_ = 0;
  uint64_t resent_ = 0;
  int64_t first_send_nanos_ = 0;
  int64_t last_progress_nanos_ = 0;  // last send or settlement: the --timeout clock
  LatencyHistogram latency_;
};

}  // namespace qpidd::tools
