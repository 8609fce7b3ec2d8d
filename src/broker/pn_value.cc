#include "broker/pn_value.h"

namespace qpidd::broker {

std::string PnStringAt(pn_data_t* data) {
  pn_bytes_t b{0, nullptr};
  switch (pn_data_type(data)) {
    case PN_STRING: b = pn_data_get_string(data); break;
    case PN_SYMBOL: b = pn_data_get_symbol(data); break;
    case PN_BINARY: b = pn_data_get_binary(data); break;
    default: return {};
  }
  return {b.start, b.size};
}

Value PnScalarAt(pn_data_t* data) {
  switch (pn_data_type(data)) {
    case PN_BOOL: return pn_data_get_bool(data);
    case PN_UBYTE: return static_cast<uint64_t>(pn_data_get_ubyte(data));
    case PN_USHORT: return static_cast<uint64_t>(pn_data_get_ushort(data));
    case PN_UINT: return static_cast<uint64_t>(pn_data_get_uint(data));
    case PN_ULONG: return static_cast<uint64_t>(pn_data_get_ulong(data));
    case PN_BYTE: return static_cast<int64_t>(pn_data_get_byte(data));
    case PN_SHORT: return static_cast<int64_t>(pn_data_get_short(data));
    case PN_INT: return static_cast<int64_t>(pn_data_get_int(data));
    case PN_LONG: return static_cast<int64_t>(pn_data_get_long(data));
    case PN_TIMESTAMP: return static_cast<int64_t>(pn_data_get_timestamp(data));
    case PN_FLOAT: return static_cast<double>(pn_data_get_float(data));
    case PN_DOUBLE: return pn_data_get_double(data);
    case PN_CHAR: return static_cast<uint64_t>(pn_data_get_char(data));
    case PN_STRING: case PN_SYMBOL: case PN_BINARY: return PnStringAt(data);
    default: return std::monostate{};
  }
}

}  // namespace qpidd::broker
