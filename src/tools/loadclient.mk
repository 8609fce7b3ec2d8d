# libloadclient.a: the Proton C API client shared by qpid-send and qpid-receive. One poll() loop
# over pn_connection_driver per process; messages encoded once and patched per send.
noinst_LIBRARIES += src/tools/libloadclient.a
src_tools_libloadclient_a_SOURCES = \
	src/tools/load_cli.cc src/tools/load_cli.h \
	src/tools/load_clock.h \
	src/tools/load_connection.cc src/tools/load_connection.h \
	src/tools/load_failover.cc src/tools/load_failover.h \
	src/tools/load_latency.cc src/tools/load_latency.h \
	src/tools/load_link.cc src/tools/load_link.h \
	src/tools/load_message.cc src/tools/load_message.h \
	src/tools/load_receiver.cc src/tools/load_receiver.h \
	src/tools/load_report.cc src/tools/load_report.h \
	src/tools/load_sequence_set.cc src/tools/load_sequence_set.h \
	src/tools/load_sender.cc src/tools/load_sender.h \
	src/tools/load_signals.cc src/tools/load_signals.h \
	src/tools/load_socket.cc src/tools/load_socket.h \
	src/tools/load_source.cc src/tools/load_source.h \
	src/tools/load_tool.cc src/tools/load_tool.h

# Unit tests, beside the code they test.
tests_unit_unit_tests_SOURCES += \
	src/tools/load_cli_test.cc \
	src/tools/load_failover_test.cc \
	src/tools/load_latency_test.cc \
	src/tools/load_message_test.cc \
	src/tools/load_sequence_set_test.cc
