# src/management: the broker's $management node (AMQP Management, doc/management.md).
noinst_LIBRARIES += src/management/libmanagement.a
src_management_libmanagement_a_SOURCES = \
	src/management/protocol.h \
	src/management/value_codec.h src/management/value_codec.cc \
	src/management/request.h src/management/request.cc \
	src/management/reply.h src/management/reply.cc \
	src/management/attributes.h src/management/attributes.cc \
	src/management/replicate_attribute.h src/management/replicate_attribute.cc \
	src/management/entity_type.h src/management/entity_type.cc \
	src/management/queue_type.h src/management/queue_type.cc \
	src/management/exchange_type.h src/management/exchange_type.cc \
	src/management/binding_type.h src/management/binding_type.cc \
	src/management/connection_type.h src/management/connection_type.cc \
	src/management/broker_type.h src/management/broker_type.cc \
	src/management/query.h src/management/query.cc \
	src/management/node_operations.h src/management/node_operations.cc \
	src/management/management_agent.h src/management/management_agent.cc

tests_unit_unit_tests_SOURCES += tests/unit/management_agent_test.cc
