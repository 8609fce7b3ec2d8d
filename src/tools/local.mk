# The command-line tools. qpid-send and qpid-receive use Proton's C API (they are also the
# benchmark's load clients); qpid-config uses the management client in src/client.
bin_PROGRAMS += src/tools/qpid-send src/tools/qpid-receive src/tools/qpid-config

src_tools_qpid_send_SOURCES = src/tools/qpid_send.cc
src_tools_qpid_send_LDADD = src/tools/libloadclient.a src/common/libcommon.a $(PROTON_LIBS) $(LIBQB_LIBS) $(BOOST_PROGRAM_OPTIONS_LIBS) $(PTHREAD_LIBS)
src_tools_qpid_receive_SOURCES = src/tools/qpid_receive.cc
src_tools_qpid_receive_LDADD = src/tools/libloadclient.a src/common/libcommon.a $(PROTON_LIBS) $(LIBQB_LIBS) $(BOOST_PROGRAM_OPTIONS_LIBS) $(PTHREAD_LIBS)

src_tools_qpid_config_SOURCES = src/tools/qpid_config.cc \
	src/tools/qpid_config_options.h src/tools/qpid_config_options.cc \
	src/tools/qpid_config_format.h src/tools/qpid_config_format.cc
src_tools_qpid_config_LDADD = src/client/libclient.a src/common/libcommon.a $(PROTON_CPP_LIBS) $(LIBQB_LIBS) $(BOOST_PROGRAM_OPTIONS_LIBS) $(PTHREAD_LIBS)

include $(srcdir)/src/tools/loadclient.mk

# qpid-ha: the HA module's command-line tool (doc/ha-protocol.md 12.2), on the management client.
bin_PROGRAMS += src/tools/qpid-ha
src_tools_qpid_ha_SOURCES = src/tools/qpid_ha.cc \
	src/tools/qpid_ha_options.h src/tools/qpid_ha_options.cc \
	src/tools/qpid_ha_replicate.h src/tools/qpid_ha_replicate.cc \
	src/tools/replicate_arguments.h src/tools/replicate_arguments.cc
src_tools_qpid_ha_LDADD = src/client/libclient.a src/common/libcommon.a $(PROTON_CPP_LIBS) $(LIBQB_LIBS) $(PTHREAD_LIBS)
tests_unit_unit_tests_SOURCES += src/tools/qpid_ha_options_test.cc src/tools/qpid_ha_options.cc
tests_unit_unit_tests_SOURCES += src/tools/replicate_arguments_test.cc \
	src/tools/replicate_arguments.cc
