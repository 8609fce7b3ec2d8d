#include "broker/message.h"

#include <proton/codec.h>

#include <memory>

#include "broker/amqp_scan.h"
#include "broker/pn_value.h"

namespace qpidd::broker {
namespace {

// One pn_data_t per thread, reused for every message: decoding the few sections we route on
// must not allocate a codec each time.
pn_data_t* ThreadCodec() {
  struct Holder {
    pn_data_t* data = pn_data(16);
    ~Holder() { pn_data_free(data); }
  };
  thread_local Holder holder;
  pn_data_clear(holder.data);
  return holder.data;
}

// Decodes a section and leaves the codec inside its described list (or map), before the first
// element. Returns false when the section is not the described compound we expect.
bool EnterSection(pn_data_t* data, std::string_view bytes, const amqp_scan::Section& section,
                  pn_type_t compound) {
  const char* start = bytes.data() + section.begin;
  const size_t size = section.end - section.begin;
  if (pn_data_decode(data, start, size) < 0) return false;
  pn_data_rewind(data);
  if (!pn_data_next(data) || pn_data_type(data) != PN_DESCRIBED) return false;
  pn_data_enter(data);
  pn_data_next(data);  // the descriptor
  if (!pn_data_next(data)) return false;
  if (pn_data_type(data) != compound) return false;
  pn_data_enter(data);
  return true;
}

}  // namespace

Result<MessagePtr> Message::Decode(std::string bytes) {
  auto m = std::make_shared<Message>(PrivateTag{});
  m->bytes_ = std::move(bytes);
  const std::string_view all(m->bytes_);
  if (all.empty()) return Status::InvalidArgument("empty message");

  size_t pos = 0;
  while (pos < all.size()) {
    amqp_scan::Section section;
    if (Status s = amqp_scan::NextSection(all, pos, section); !s.ok()) {
      return Status::InvalidArgument("malformed message: " + s.message());
    }
    switch (section.code) {
      case amqp_scan::kHeader: {
        if (section.begin != 0) return Status::InvalidArgument("malformed message: header is not the first section");
        m->header_end_ = section.end;
        pn_data_t* data = ThreadCodec();
        if (!EnterSection(data, all, section, PN_LIST)) return Status::InvalidArgument("malformed message header");
        // durable, priority, ttl, first-acquirer, delivery-count
        if (pn_data_next(data) && pn_data_type(data) == PN_BOOL) m->durable_ = pn_data_get_bool(data);
        if (pn_data_next(data) && pn_data_type(data) == PN_UBYTE) m->priority_ = pn_data_get_ubyte(data);
        if (pn_data_next(data) && pn_data_type(data) == PN_UINT) m->ttl_ms_ = pn_data_get_uint(data);
        pn_data_next(data);
        if (pn_data_next(data) && pn_data_type(data) == PN_UINT) m->delivery_count_ = pn_data_get_uint(data);
        break;
      }
      case amqp_scan::kProperties: {
        pn_data_t* data = ThreadCodec();
        if (!EnterSection(data, all, section, PN_LIST)) return Status::InvalidArgument("malformed message properties");
        // message-id, user-id, to, subject, reply-to, correlation-id, content-type,
        // content-encoding, absolute-expiry-time, ...
        pn_data_next(data);
        pn_data_next(data);
        if (pn_data_next(data)) m->to_ = PnStringAt(data);
        if (pn_data_next(data)) m->subject_ = PnStringAt(data);
        if (pn_data_next(data)) m->reply_to_ = PnStringAt(data);
        pn_data_next(data);
        pn_data_next(data);
        pn_data_next(data);
        if (pn_data_next(data) && pn_data_type(data) == PN_TIMESTAMP) {
          const int64_t expiry = pn_data_get_timestamp(data);
          if (expiry > 0) m->absolute_expiry_ms_ = static_cast<uint64_t>(expiry);
        }
        break;
      }
      case amqp_scan::kApplicationProperties: {
        pn_data_t* data = ThreadCodec();
        if (!EnterSection(data, all, section, PN_MAP)) return Status::InvalidArgument("malformed application-properties");
        while (pn_data_next(data)) {
          std::string key = PnStringAt(data);
          if (!pn_data_next(data)) return Status::InvalidArgument("malformed application-properties: key without value");
          m->application_properties_.emplace_back(std::move(key), PnScalarAt(data));
        }
        break;
      }
      default:
        break;  // annotations, body and footer pass through untouched
    }
  }
  return MessagePtr(std::move(m));
}

const Value* Message::ApplicationProperty(std::string_view key) const {
  for (const auto& [name, value] : application_properties_) {
    if (name == key) return &value;
  }
  return nullptr;
}

std::string Message::EncodeForDelivery(uint32_t delivery_count) const {
  if (delivery_count == delivery_count_) return bytes_;
  pn_data_t* data = ThreadCodec();
  pn_data_put_described(data);
  pn_data_enter(data);
  pn_data_put_ulong(data, amqp_scan::kHeader);
  pn_data_put_list(data);
  pn_data_enter(data);
  pn_data_put_bool(data, durable_);
  pn_data_put_ubyte(data, priority_);
  if (ttl_ms_) pn_data_put_uint(data, *ttl_ms_); else pn_data_put_null(data);
  pn_data_put_bool(data, false);  // first-acquirer: it has been delivered before
  pn_data_put_uint(data, delivery_count);
  pn_data_exit(data);
  pn_data_exit(data);
  char header[64];
  const ssize_t n = pn_data_encode(data, header, sizeof(header));
  std::string out;
  out.reserve(static_cast<size_t>(n > 0 ? n : 0) + bytes_.size() - header_end_);
  if (n > 0) out.append(header, static_cast<size_t>(n));
  out.append(bytes_, header_end_, std::string::npos);
  return out;
}

MessagePtr Message::WithoutExpiry() const {
  auto copy = std::make_shared<Message>(*this);
  copy->ttl_ms_.reset();
  copy->absolute_expiry_ms_.reset();
  return copy;
}

}  // namespace qpidd::broker
