# AMQP 1.0 through Proton's C engine: connections, links, and their mapping onto broker objects.
noinst_LIBRARIES += src/amqp/libamqp.a
src_amqp_libamqp_a_SOURCES = \
	src/amqp/broker_context.h \
	src/amqp/connection.h src/amqp/connection.cc \
	src/amqp/link.h \
	src/amqp/node_provider.h \
	src/amqp/post_coalesced.h \
	src/amqp/incoming_link.h src/amqp/incoming_link.cc \
	src/amqp/outgoing_link.h src/amqp/outgoing_link.cc \
	src/amqp/management_node.h src/amqp/management_node.cc \
	src/amqp/node_resolver.h src/amqp/node_resolver.cc \
	src/amqp/terminus.h src/amqp/terminus.cc \
	src/amqp/properties.h src/amqp/properties.cc \
	src/amqp/errors.h src/amqp/errors.cc
