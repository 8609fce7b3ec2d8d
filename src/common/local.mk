# src/common: status values, broker URLs, durations and logging, shared by every program.
noinst_LIBRARIES += src/common/libcommon.a
src_common_libcommon_a_SOURCES = \
	src/common/status.h \
	src/common/duration.h src/common/duration.cc \
	src/common/log.h src/common/log.cc \
	src/common/url.h src/common/url.cc \
	src/common/timer_thread.h src/common/timer_thread.cc \
	src/common/uuid.h src/common/uuid.cc

# Unit tests of src/common and of the broker program's options and daemon control.
tests_unit_unit_tests_SOURCES += \
	tests/unit/duration_test.cc \
	tests/unit/log_test.cc \
	tests/unit/url_test.cc \
	tests/unit/timer_thread_test.cc \
	tests/unit/uuid_test.cc \
	tests/unit/broker_options_test.cc \
	tests/unit/daemon_test.cc
