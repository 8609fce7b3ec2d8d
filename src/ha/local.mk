# The HA module: its options, the broker's HA status and the promotion rules. It uses the
# broker core; the core knows nothing of it.
noinst_LIBRARIES += src/ha/libha.a
src_ha_libha_a_SOURCES = \
	src/ha/ha_options.h src/ha/ha_options.cc \
	src/ha/ha_state.h src/ha/ha_state.cc \
	src/ha/promotion.h src/ha/promotion.cc

tests_unit_unit_tests_SOURCES += \
	tests/unit/ha_options_test.cc \
	tests/unit/ha_state_test.cc
