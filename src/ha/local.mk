# The HA module: its options, the broker's HA status and the promotion rules. It uses the
# broker core; the core knows nothing of it.
noinst_LIBRARIES += src/ha/libha.a
src_ha_libha_a_SOURCES = \
	src/ha/ha_options.h src/ha/ha_options.cc \
	src/ha/ha_state.h src/ha/ha_state.cc \
	src/ha/promotion.h src/ha/promotion.cc \
	src/ha/replication_policy.h src/ha/replication_policy.cc \
	src/ha/records.h src/ha/records.cc \
	src/ha/history.h src/ha/history.cc \
	src/ha/queue_guard.h src/ha/queue_guard.cc \
	src/ha/replication_hub.h \
	src/ha/queue_sender.h src/ha/queue_sender.cc \
	src/ha/config_sender.h src/ha/config_sender.cc \
	src/ha/membership.h src/ha/membership.cc \
	src/ha/primary.h src/ha/primary.cc \
	src/ha/backup_session.h src/ha/backup_session.cc \
	src/ha/probe.h src/ha/probe.cc \
	src/ha/link_options.h src/ha/link_options.cc \
	src/ha/own_address.h src/ha/own_address.cc \
	src/ha/peer_properties.h src/ha/peer_properties.cc \
	src/ha/failover_list.h src/ha/failover_list.cc \
	src/ha/primary_lost_hook.h src/ha/primary_lost_hook.cc \
	src/ha/backup_write_guard.h src/ha/backup_write_guard.cc \
	src/ha/replicator_protocol.h src/ha/replicator_protocol.cc \
	src/ha/queue_link_receiver.h src/ha/queue_link_receiver.cc \
	src/ha/queue_replicator.h src/ha/queue_replicator.cc \
	src/ha/replicas.h src/ha/replicas.cc \
	src/ha/replication_source.h src/ha/replication_source.cc \
	src/ha/queue_replication.h src/ha/queue_replication.cc \
	src/ha/ha_module.h src/ha/ha_module.cc \
	src/ha/ha_broker_type.h src/ha/ha_broker_type.cc

tests_unit_unit_tests_SOURCES += \
	tests/unit/ha_options_test.cc \
	tests/unit/ha_state_test.cc \
	src/ha/failover_list_test.cc \
	src/ha/history_test.cc \
	src/ha/primary_lost_hook_test.cc \
	src/ha/membership_test.cc \
	src/ha/own_address_test.cc \
	src/ha/queue_guard_test.cc \
	src/ha/queue_link_receiver_test.cc \
	src/ha/replication_policy_test.cc

# The replication wire format: id range sets, delivery tags, configuration and queue-link events.
src_ha_libha_a_SOURCES += \
	src/ha/id_ranges.h src/ha/id_ranges.cc \
	src/ha/wire_format.h src/ha/wire_format.cc

tests_unit_unit_tests_SOURCES += \
	src/ha/id_ranges_test.cc \
	src/ha/wire_format_test.cc

# The HA module's outgoing AMQP connection (replication to the primary, probes): Proton's engine
# on a Boost.Asio socket.
src_ha_libha_a_SOURCES += \
	src/ha/client_connection.h src/ha/client_connection.cc

tests_unit_unit_tests_SOURCES += \
	src/ha/client_connection_test.cc
