# The broker core: messages, queues, exchanges, the registry. Knows nothing of AMQP framing or HA.
noinst_LIBRARIES += src/broker/libbroker.a
src_broker_libbroker_a_SOURCES = \
	src/broker/value.h src/broker/value.cc \
	src/broker/message.h src/broker/message.cc \
	src/broker/amqp_scan.h src/broker/amqp_scan.cc \
	src/broker/pn_value.h src/broker/pn_value.cc \
	src/broker/publish_hold.h src/broker/publish_hold.cc \
	src/broker/queue_settings.h src/broker/queue_settings.cc \
	src/broker/available_messages.h src/broker/available_messages.cc \
	src/broker/queue.h src/broker/queue.cc \
	src/broker/exchange.h src/broker/exchange.cc \
	src/broker/queue_grouped_exchange.h src/broker/queue_grouped_exchange.cc \
	src/broker/direct_exchange.h src/broker/direct_exchange.cc \
	src/broker/fanout_exchange.h src/broker/fanout_exchange.cc \
	src/broker/topic_exchange.h src/broker/topic_exchange.cc \
	src/broker/topic_pattern.h src/broker/topic_pattern.cc \
	src/broker/headers_exchange.h src/broker/headers_exchange.cc \
	src/broker/connection_registry.h src/broker/connection_registry.cc \
	src/broker/broker_observer.h \
	src/broker/request_scope.h src/broker/request_scope.cc \
	src/broker/broker.h src/broker/broker.cc

tests_unit_unit_tests_SOURCES += \
	tests/unit/message_test.cc \
	tests/unit/queue_test.cc \
	tests/unit/queue_limits_test.cc \
	tests/unit/queue_policy_test.cc \
	tests/unit/queue_replica_test.cc \
	tests/unit/publish_hold_test.cc \
	tests/unit/broker_test.cc \
	tests/unit/topic_pattern_test.cc \
	tests/unit/exchange_test.cc \
	tests/unit/value_test.cc
