# The broker's program: options, daemon control and the main loop.
noinst_LIBRARIES += src/qpidd/libqpiddmain.a
src_qpidd_libqpiddmain_a_SOURCES = \
	src/qpidd/broker_options.h src/qpidd/broker_options.cc \
	src/qpidd/daemon.h src/qpidd/daemon.cc

sbin_PROGRAMS += src/qpidd/qpidd
src_qpidd_qpidd_SOURCES = src/qpidd/main.cc
src_qpidd_qpidd_LDADD = src/ha/libha.a src/qpidd/libqpiddmain.a src/net/libnet.a src/amqp/libamqp.a src/management/libmanagement.a \
	src/broker/libbroker.a src/common/libcommon.a \
	$(PROTON_CPP_LIBS) $(LIBQB_LIBS) $(BOOST_PROGRAM_OPTIONS_LIBS) $(PTHREAD_LIBS)
