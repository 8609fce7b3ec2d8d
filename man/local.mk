# The man pages: the broker's (section 8) and its tools' (section 1). tests/cli/man_pages.bats
# checks that this list matches the pages in man/ and that each page matches its program's --help.
man_MANS = \
	man/qpidd.8 \
	man/qpid-config.1 \
	man/qpid-ha.1 \
	man/qpid-receive.1 \
	man/qpid-send.1
EXTRA_DIST += $(man_MANS)
