# src/client: the management client (AMQP Management over Proton C++) shared by the tools and the
# OCF agent, plus the tools' table and value formatting. Protocol names come from the header-only
# src/management/protocol.h; nothing of the broker is linked.
noinst_LIBRARIES += src/client/libclient.a
src_client_libclient_a_SOURCES = \
	src/client/management_connection.h src/client/management_connection.cc \
	src/client/management_client.h src/client/management_client.cc \
	src/client/value_text.h src/client/value_text.cc \
	src/client/table.h src/client/table.cc

tests_unit_unit_tests_SOURCES += tests/unit/management_client_test.cc
