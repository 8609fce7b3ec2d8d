#!/usr/bin/env bats
# pcs-examples/ offline (no cluster): create-resources.sh through `pcs -f` builds a CIB that
# crm_verify accepts, and that crm_simulate, with three nodes brought up and promotion scores set
# as the agent sets them, runs to exactly one Promoted broker with both VIPs beside it; a failed
# Promoted monitor moves the primary and the VIPs to the best ready backup instead of restarting
# it in place. pcs checks the agent's parameters against the built ocf/qpidd's meta-data (the
# agent is made ocf:qpid:qpidd in a private mount namespace); while the agent is not built, the
# CIB is built with --force and the meta-data test is skipped saying so.

load '../cluster/lib'

EXAMPLES=$BATS_TEST_DIRNAME/../../pcs-examples

setup_file() {
  for t in pcs crm_verify crm_simulate crm_attribute cibadmin xmllint unshare; do
    command -v "$t" >/dev/null || return 0  # each test skips, naming what is missing
  done
  export CIB_DIR
  CIB_DIR=$(mktemp -d "${BATS_TMPDIR:-/tmp}/pcs-examples.XXXXXX")
  cibadmin --empty >"$CIB_DIR/cib.xml"
  local force=0
  [ -x "$QPC_AGENT" ] || force=1
  echo "$force" >"$CIB_DIR/forced"
  with_built_agent env PCS="pcs -f $CIB_DIR/cib.xml" FORCE=$force VIP=10.99.7.100 \
    BROKER_VIP=10.99.7.101 "$EXAMPLES/create-resources.sh" >"$CIB_DIR/pcs.out" 2>&1
  echo $? >"$CIB_DIR/pcs.rc"
  # The tests run without fence devices (fencing.sh shows the production setting).
  cp "$CIB_DIR/cib.xml" "$CIB_DIR/cib-no-fencing.xml"
  CIB_file="$CIB_DIR/cib-no-fencing.xml" crm_attribute --type crm_config \
    --name stonith-enabled --update false
}

teardown_file() {
  [ -n "${CIB_DIR:-}" ] && rm -rf "$CIB_DIR"
}

require_cib() {
  local t
  for t in pcs crm_verify crm_simulate crm_attribute cibadmin xmllint unshare; do
    command -v "$t" >/dev/null || skip "$t is not installed (scripts/install-deps)"
  done
  [ "$(id -u)" -eq 0 ] || skip "needs root (a private mount namespace for the built agent)"
  [ "$(cat "$CIB_DIR/pcs.rc")" -eq 0 ] || {
    cat "$CIB_DIR/pcs.out"
    false
  }
}

# not cmd...: succeeds when cmd fails (a bare `! cmd` never fails a Bats test).
not() { if "$@"; then return 1; fi; }

xpath() {  # FILE XPATH: the string value
  xmllint --xpath "$2" "$1" 2>/dev/null
}

# The scheduler's view of a cold start: three nodes up with quorum, the probes' results, then the
# promotion scores the agent publishes (crm_attribute --promotion) set as node attributes; "-" is
# none (the agent gives 10 to the one joining broker chosen at a cold start, 1000 to a ready
# backup, 1001 to the primary, and none to the others).
simulate_cold_start() {  # OUT_CIB SCORE1 SCORE2 SCORE3
  local out=$1 n
  crm_simulate -x "$CIB_DIR/cib-no-fencing.xml" -S --quorum 1 \
    --node-up node1 --node-up node2 --node-up node3 -O "$out.probed" >/dev/null
  shift
  for n in 1 2 3; do
    if [ "$1" != - ]; then
      CIB_file="$out.probed" crm_attribute -N "node$n" -n master-qpidd -l reboot -v "$1"
    fi
    shift
  done
  crm_simulate -x "$out.probed" -S -O "$out"
}

# Prints the lines of the revised status only (after the transition).
revised() {
  sed -n '/^Revised Cluster Status/,$p'
}

@test "create-resources.sh builds the promotable clone, the VIPs and their constraints (pcs -f)" {
  require_cib
  local cib=$CIB_DIR/cib.xml clone='//clone[@id="qpidd-clone"]'
  [ "$(xpath "$cib" "string($clone/meta_attributes/nvpair[@name='promotable']/@value)")" = true ]
  [ "$(xpath "$cib" "string($clone/meta_attributes/nvpair[@name='promoted-max']/@value)")" = 1 ]
  [ "$(xpath "$cib" "string($clone/meta_attributes/nvpair[@name='notify']/@value)")" = false ]
  [ "$(xpath "$cib" "string($clone/primitive/@type)")" = qpidd ]
  [ "$(xpath "$cib" "string($clone/primitive/@provider)")" = qpid ]
  local meta="$clone/primitive/meta_attributes/nvpair"
  [ "$(xpath "$cib" "string($meta[@name='migration-threshold']/@value)")" = 1 ]
  [ "$(xpath "$cib" "string($meta[@name='resource-stickiness']/@value)")" = 100 ]
  [ "$(xpath "$cib" "string(//rsc_defaults//nvpair[@name='failure-timeout']/@value)")" = 60s ]
  local ops="$clone/primitive/operations/op[@name='monitor']"
  [ "$(xpath "$cib" "string($ops[@role='Promoted']/@interval)")" = 2s ]
  [ "$(xpath "$cib" "string($ops[@role='Unpromoted']/@interval)")" = 5s ]
  local vip
  for vip in qpidd-vip qpidd-broker-vip; do
    [ "$(xpath "$cib" "string(//primitive[@id='$vip']/@type)")" = IPaddr2 ]
    [ "$(xpath "$cib" "string(//rsc_colocation[@rsc='$vip']/@with-rsc)")" = qpidd-clone ]
    [ "$(xpath "$cib" "string(//rsc_colocation[@rsc='$vip']/@with-rsc-role)")" = Promoted ]
    [ "$(xpath "$cib" "string(//rsc_colocation[@rsc='$vip']/@score)")" = INFINITY ]
    [ "$(xpath "$cib" "string(//rsc_order[@then='$vip']/@first)")" = qpidd-clone ]
    [ "$(xpath "$cib" "string(//rsc_order[@then='$vip']/@first-action)")" = promote ]
    [ "$(xpath "$cib" "string(//rsc_order[@then='$vip']/@then-action)")" = start ]
  done
  [ "$(xpath "$cib" "string(//primitive[@id='qpidd-vip']//nvpair[@name='ip']/@value)")" \
    = 10.99.7.100 ]
}

@test "pcs validated the qpidd parameters against the built agent's meta-data (no --force)" {
  require_cib
  [ "$(cat "$CIB_DIR/forced")" -eq 0 ] ||
    skip "ocf/qpidd is not built: the CIB was built with --force, unchecked against meta-data"
  not grep -q "not installed or does not provide valid metadata" "$CIB_DIR/pcs.out"
}

@test "crm_verify refuses the CIB without fencing or stonith-enabled=false, accepts it with it" {
  require_cib
  run crm_verify -V -x "$CIB_DIR/cib.xml"
  [ "$status" -ne 0 ]
  [[ "$output" == *STONITH* ]]
  run crm_verify -x "$CIB_DIR/cib-no-fencing.xml"
  [ "$status" -eq 0 ]
}

@test "crm_simulate: a cold start promotes exactly the one scored broker, VIPs beside it" {
  require_cib
  run simulate_cold_start "$CIB_DIR/cold.xml" - 10 -
  [ "$status" -eq 0 ]
  local after
  after=$(revised <<<"$output")
  echo "$after"
  grep -qE '^ *\* Promoted: \[ node2 \]$' <<<"$after"
  grep -qE '^ *\* Unpromoted: \[ node1 node3 \]$' <<<"$after"
  [ "$(grep -c 'Promoted: \[' <<<"$after")" -eq 1 ]
  grep -qE 'qpidd-vip.*Started node2$' <<<"$after"
  grep -qE 'qpidd-broker-vip.*Started node2$' <<<"$after"
}

@test "crm_simulate: a failed primary is not restarted in place; the ready backup is promoted" {
  require_cib
  # node2 the primary, node1 a ready backup, node3 a backup still catching up (no score).
  simulate_cold_start "$CIB_DIR/cold2.xml" 1000 1001 - >/dev/null
  run crm_simulate -x "$CIB_DIR/cold2.xml" -S -i qpidd_monitor_2000@node2=7
  [ "$status" -eq 0 ]
  local summary after
  summary=$(sed -n '/^Transition Summary/,/^Executing/p' <<<"$output")
  after=$(revised <<<"$output")
  echo "$summary"
  echo "$after"
  grep -qE 'Promote +qpidd:[0-9] +\( *Unpromoted -> Promoted node1 \)' <<<"$summary"
  grep -qE 'Stop +qpidd:[0-9] +\( *Promoted node2 \)' <<<"$summary"
  not grep -qE 'Recover|Restart' <<<"$summary"
  grep -qE '^ *\* Promoted: \[ node1 \]$' <<<"$after"
  grep -qE '^ *\* Stopped: \[ node2 \]$' <<<"$after"
  grep -qE 'qpidd-vip.*Started node1$' <<<"$after"
  grep -qE 'qpidd-broker-vip.*Started node1$' <<<"$after"
}
