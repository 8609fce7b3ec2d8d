// qpid-receive's link: grants `capacity` credit, accepts and settles each message as it arrives
// (at-least-once), reads the sender's "ts" stamp for the end-to-end latency and prints bodies
// only when asked.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "tools/load_connection.h"
#include "tools/load_latency.h"
#include "tools/load_sequence_set.h"

struct pn_delivery_t;
struct pn_link_t;

namespace qpidd::tools {

struct ReceiverOptions {
  std::string program = "qpid-receive";
  std::string address;
  uint64_t messages = 0;          // stop after this many; 0 = no limit
  uint32_t capacity = 1000;       // credit window
  bool presettled = false;        // ask the broker to send settled (at-most-once)
  bool browse = false;            // distribution-mode copy: leave the messages on the queue
  bool create = false;            // offer create-on-demand on the source
  int64_t timeout_nanos = 0;      // stop after this long with nothing arriving; 0 = never
  std::FILE* print_to = nullptr;  // print each body and a newline here; null = do not print
  // Accept but neither count nor print a message whose "sn" was seen before (a redelivery after
  // a reconnection, or a sender's resend). Only meaningful with one sender per run.
  bool ignore_duplicates = false;
};

class Receiver : public LinkRole {
 public:
  explicit Receiver(ReceiverOptions options);

  void Attach(pn_session_t* session) override;
  void OnEvent(pn_event_t* event) override;
  void Pump() override;
  int64_t Deadline() const override;
  void OnDeadline(int64_t now_nanos) override;
  bool Done() const override;
  void Detach() override;
  void OnConnectionLost() override;

  uint64_t received() const { return received_; }
  uint64_t duplicates() const { return duplicates_; }  // ignored with ignore_duplicates
  bool attached() const { return attached_; }
  bool timed_out() const { return timed_out_; }
  // Printing failed (e.g. the reader of a pipe went away): the receiver stopped accepting.
  bool output_failed() const { return output_failed_; }
  const std::string& link_error() const { return link_error_; }
  const LatencyHistogram& latency() const { return latency_; }
  int64_t start_nanos() const { return first_arrival_nanos_; }
  int64_t end_nanos() const { return last_arrival_nanos_; }

 private:
  void OnDelivery(pn_delivery_t* delivery);
  // Counts, measures and prints the message in buffer_; false for an ignored duplicate.
  bool OnMessage(int64_t now);

  ReceiverOptions options_;
  pn_link_t* link_ = nullptr;
  bool attached_ = false;
  bool detached_ = false;
  bool timed_out_ = false;
  bool output_failed_ = false;
  std::string link_error_;
  std::vector<char> buffer_;  // the message being received (several frames when large)
  uint64_t received_ = 0;
  uint64_t duplicates_ = 0;
  SequenceSet seen_;
  int64_t started_nanos_ = 0;  // the idle clock starts here before the first message
  int64_t first_arrival_nanos_ = 0;
  int64_t last_arrival_nanos_ = 0;
  LatencyHistogram latency_;
};

}  // namespace qpidd::tools
