#include "amqp/properties.h"

#include <string_view>

#include "broker/pn_value.h"

namespace qpidd::amqp {
namespace {

bool TruthAt(pn_data_t* data) {
  switch (pn_data_type(data)) {
    case PN_BOOL: return pn_data_get_bool(data);
    case PN_STRING: { const std::string v = broker::PnStringAt(data); return v == "true" || v == "yes" || v == "1"; }
    case PN_INT: return pn_data_get_int(data) != 0;
    case PN_LONG: return pn_data_get_long(data) != 0;
    default: return false;
  }
}

}  // namespace

void ReadPeerProperties(pn_data_t* properties, broker::ConnectionInfo& info) {
  pn_data_rewind(properties);
  if (!pn_data_next(properties) || pn_data_type(properties) != PN_MAP) return;
  pn_data_enter(properties);
  while (pn_data_next(properties)) {
    const std::string key = broker::PnStringAt(properties);
    if (!pn_data_next(properties)) break;
    if (key == kHaAdminProperty) info.admin = TruthAt(properties);
    else if (key == kHaBackupProperty) info.backup_link = TruthAt(properties);
    broker::Value value = broker::PnScalarAt(properties);
    if (!std::holds_alternative<std::monostate>(value)) info.peer_properties[key] = std::move(value);
  }
  pn_data_exit(properties);
}

void WriteBrokerProperties(pn_data_t* properties, const broker::Arguments& extra,
                           const std::map<std::string, std::vector<broker::Arguments>>& lists) {
  pn_data_clear(properties);
  pn_data_put_map(properties);
  pn_data_enter(properties);
  pn_data_put_symbol(properties, pn_bytes(7, "product"));
  pn_data_put_string(properties, pn_bytes(8, "qpidd-ha"));
  pn_data_put_symbol(properties, pn_bytes(7, "version"));
  const std::string_view version = PACKAGE_VERSION;
  pn_data_put_string(properties, pn_bytes(version.size(), version.data()));
  for (const auto& [key, value] : extra) {
    pn_data_put_symbol(properties, pn_bytes(key.size(), key.data()));
    broker::PnPutValue(properties, value);
  }
  for (const auto& [key, maps] : lists) {
    pn_data_put_symbol(properties, pn_bytes(key.size(), key.data()));
    pn_data_put_list(properties);
    pn_data_enter(properties);
    for (const broker::Arguments& map : maps) {
      pn_data_put_map(properties);
      pn_data_enter(properties);
      for (const auto& [name, value] : map) {
        pn_data_put_symbol(properties, pn_bytes(name.size(), name.data()));
        broker::PnPutValue(properties, value);
      }
      pn_data_exit(properties);
    }
    pn_data_exit(properties);
  }
  pn_data_exit(properties);
}

}  // namespace qpidd::amqp
