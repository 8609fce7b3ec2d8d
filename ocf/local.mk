# ocf: the Pacemaker resource agent ocf:qpid:qpidd (OCF 1.1, a promotable clone), installed as
# $(OCF_ROOT)/resource.d/qpid/qpidd (configure --with-ocf-root). It talks to the broker through
# the management client of src/client.
noinst_LIBRARIES += ocf/libocfagent.a
ocf_libocfagent_a_SOURCES = \
	ocf/exit_codes.h ocf/deadline.h \
	ocf/agent_log.h ocf/agent_log.cc \
	ocf/params.h ocf/params.cc \
	ocf/meta_data.h ocf/meta_data.cc \
	ocf/scores.h ocf/scores.cc \
	ocf/run_command.h ocf/run_command.cc \
	ocf/cluster_tools.h ocf/cluster_tools.cc \
	ocf/broker_process.h ocf/broker_process.cc \
	ocf/broker_status.h ocf/broker_status.cc \
	ocf/actions.h ocf/actions.cc

ocfagentdir = $(OCF_ROOT)/resource.d/qpid
ocfagent_PROGRAMS = ocf/qpidd
ocf_qpidd_SOURCES = ocf/main.cc
ocf_qpidd_LDADD = ocf/libocfagent.a src/client/libclient.a src/common/libcommon.a \
	$(PROTON_CPP_LIBS) $(LIBQB_LIBS) $(PTHREAD_LIBS)

tests_unit_unit_tests_SOURCES += ocf/params_test.cc ocf/scores_test.cc ocf/meta_data_test.cc \
	ocf/broker_process_test.cc ocf/cluster_tools_test.cc
