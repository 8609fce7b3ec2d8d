# The network front: worker loops and listening sockets (Boost.Asio).
noinst_LIBRARIES += src/net/libnet.a
src_net_libnet_a_SOURCES = src/net/server.h src/net/server.cc
