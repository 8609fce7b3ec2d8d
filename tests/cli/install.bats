#!/usr/bin/env bats
# `make install` puts the broker in sbin/, the tools in bin/ and the man pages in man/,
# honouring --prefix (here the make variable) and DESTDIR.

ROOT="$BATS_TEST_DIRNAME/../.."

setup() {
  [ -f "$ROOT/Makefile" ] || skip "the tree is not configured (run scripts/build)"
  DEST=$(mktemp -d)
}

teardown() {
  [ -n "${DEST:-}" ] && rm -rf "$DEST"
}

@test "make install with DESTDIR and a prefix lays out sbin, bin and man" {
  run make -C "$ROOT" -s install DESTDIR="$DEST" prefix=/opt/qpidd-ha
  [ "$status" -eq 0 ]
  [ -x "$DEST/opt/qpidd-ha/sbin/qpidd" ]
  for tool in qpid-config qpid-ha qpid-send qpid-receive; do
    [ -x "$DEST/opt/qpidd-ha/bin/$tool" ]
  done
  [ -f "$DEST/opt/qpidd-ha/share/man/man8/qpidd.8" ]
  [ -f "$DEST/opt/qpidd-ha/share/man/man1/qpid-config.1" ]
  [ -f "$DEST/opt/qpidd-ha/share/man/man1/qpid-ha.1" ]
  # Nothing escapes DESTDIR.
  [ ! -e /opt/qpidd-ha ]
}

@test "the installed qpidd runs and reports its version" {
  make -C "$ROOT" -s install DESTDIR="$DEST" prefix=/usr/local
  run "$DEST/usr/local/sbin/qpidd" --version
  [ "$status" -eq 0 ]
  [[ "$output" == *qpidd-ha* ]]
}
