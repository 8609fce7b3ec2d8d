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

void PnPutValue(pn_data_t* data, const Value& value) {
  std::visit(
      [data](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) pn_data_put_null(data);
        else if constexpr (std::is_same_v<T, bool>) pn_data_put_bool(data, v);
        else if constexpr (std::is_same_v<T, int64_t>) pn_data_put_long(data, v);
        else if constexpr (std::is_same_v<T, uint64_t>) pn_data_put_ulong(data, v);
        else if constexpr (std::is_same_v<T, double>) pn_data_put_double(data, v);
        else pn_data_put_string(data, pn_bytes(v.size(), v.data()));
      },
      value);
}

void PnPutArguments(pn_data_t* data, const Arguments& arguments, bool symbol_keys) {
  pn_data_put_map(data);
  pn_data_enter(data);
  for (const auto& [key, value] : arguments) {
    const pn_bytes_t k = pn_bytes(key.size(), key.data());
    if (symbol_keys) pn_data_put_symbol(data, k);
    else pn_data_put_string(data, k);
    PnPutValue(data, value);
  }
  pn_data_exit(data);
}

}  // namespace qpidd::broker
