#!/usr/bin/env bats
# The Pacemaker resource agent ocf:qpid:qpidd (ocf/), run alone against real qpidd brokers, with
# no cluster: meta-data (OCF 1.1 schema, as user nobody), usage and unimplemented actions,
# validate-all's exit codes, start/monitor/promote/demote/stop directly and through
# crm_resource --force-*, ocf-tester, timeouts, the promotion scores it publishes (through a
# recording crm_attribute put first on PATH) and the primary-lost hook (a recording crm_resource).
#
# The agent defaults to the build tree; override with OCF_AGENT=... (and QPIDD=... for the broker).

load '../lib/broker'

OCF_AGENT=${OCF_AGENT:-$BATS_TEST_DIRNAME/../../ocf/qpidd}
OCF_RNG=/usr/share/pcs/data/ocf-1.1.rng

setup() {
  require_qpidd
  [[ -x "$OCF_AGENT" ]] || skip "no agent at $OCF_AGENT (build it with make)"
  OCF_AGENT=$(readlink -f "$OCF_AGENT")
  WORK_DIR=$(mktemp -d "${BATS_TMPDIR:-/tmp}/ocf-agent-test.XXXXXX")
  chmod 755 "$WORK_DIR"  # ocf-tester runs the agent as nobody
  # A temporary OCF root holding the built agent as ocf:qpid:qpidd.
  export OCF_ROOT="$WORK_DIR/ocf-root"
  mkdir -p "$OCF_ROOT/resource.d/qpid"
  ln -s "$OCF_AGENT" "$OCF_ROOT/resource.d/qpid/qpidd"
  AGENT="$OCF_ROOT/resource.d/qpid/qpidd"
  : >"$WORK_DIR/qpidd.conf"
  PORT_A=$(free_port)
  use_broker A "$PORT_A" "127.0.0.1:$PORT_A"
  export OCF_RESOURCE_INSTANCE=qpidd
  unset OCF_CHECK_LEVEL OCF_RESKEY_CRM_meta_timeout OCF_RESKEY_CRM_meta_interval
  # crm_attribute and crm_resource that record their arguments, for the tests that ask for them.
  FAKE_BIN="$WORK_DIR/fake-bin"
  mkdir -p "$FAKE_BIN"
  cat >"$FAKE_BIN/crm_attribute" <<EOF
#!/bin/sh
echo "\$*" >>"$WORK_DIR/crm_attribute.log"
EOF
  cat >"$FAKE_BIN/crm_resource" <<EOF
#!/bin/sh
echo "\$*" >>"$WORK_DIR/crm_resource.log"
case "\$1" in
  --locate) echo 'resource qpidd is running on: node2 '
            echo 'resource qpidd is running on: node1 Promoted' ;;
esac
EOF
  cat >"$FAKE_BIN/crm_failcount" <<EOF
#!/bin/sh
echo "\$*" >>"$WORK_DIR/crm_failcount.log"
echo "\${FAKE_FAILCOUNT:-0}"
EOF
  chmod +x "$FAKE_BIN/crm_attribute" "$FAKE_BIN/crm_resource" "$FAKE_BIN/crm_failcount"
}

teardown() {
  local name
  for name in A B; do
    use_broker "$name" "$(eval echo "\${PORT_$name:-}")" ""
    [[ -n "${OCF_RESKEY_port:-}" ]] || continue
    OCF_RESKEY_CRM_meta_timeout=20000 "$AGENT" stop >/dev/null 2>&1 || true
    kill_leftovers || true
  done
  rm -rf "$WORK_DIR"
}

# Points the OCF_RESKEY_* variables at broker NAME (its own data dir and log) on PORT, with
# brokers_url URL.
use_broker() {
  local name=$1 port=$2 url=$3
  export OCF_RESKEY_binary="$(qpidd_bin)"
  export OCF_RESKEY_config="$WORK_DIR/qpidd.conf"
  export OCF_RESKEY_data_dir="$WORK_DIR/data-$name"
  export OCF_RESKEY_port="$port"
  export OCF_RESKEY_interface=127.0.0.1
  export OCF_RESKEY_log_file="$WORK_DIR/qpidd-$name.log"
  export OCF_RESKEY_brokers_url="$url"
  export OCF_RESKEY_extra_options="--link-maintenance-interval 0.2 --link-heartbeat-interval 2"
}

# The pid the agent recorded for the current broker (empty when none).
agent_pid() {
  cat "$OCF_RESKEY_data_dir/qpidd-agent.pid" 2>/dev/null || true
}

# Fails the test if the recorded broker process still exists; kills it so nothing leaks.
kill_leftovers() {
  local pid
  pid=$(agent_pid)
  if [[ -n "$pid" ]] && broker_alive "$pid"; then
    kill -KILL "$pid" 2>/dev/null
    return 1
  fi
}

# The exit reason of the last `run`: what follows "ocf-exit-reason:" on its last such line.
exit_reason() {
  printf '%s\n' "$output" | sed -n 's/^ocf-exit-reason://p' | tail -n1
}

require_root() {
  [[ $(id -u) -eq 0 ]] || skip "needs root"
}

@test "meta-data is OCF 1.1 and validates against the OCF 1.1 schema" {
  command -v xmllint >/dev/null || skip "xmllint is not installed (libxml2-utils)"
  [[ -f "$OCF_RNG" ]] || skip "$OCF_RNG is missing (pcs)"
  run "$AGENT" meta-data
  [ "$status" -eq 0 ]
  [[ "$output" == *"<version>1.1</version>"* ]]
  "$AGENT" meta-data >"$WORK_DIR/meta.xml"
  run xmllint --noout --relaxng "$OCF_RNG" "$WORK_DIR/meta.xml"
  [ "$status" -eq 0 ]
  # Per-role monitors with distinct intervals; nothing unimplemented advertised.
  grep -q 'name="monitor".*interval="3s".*role="Promoted"' "$WORK_DIR/meta.xml"
  grep -q 'name="monitor".*interval="5s".*role="Unpromoted"' "$WORK_DIR/meta.xml"
  ! grep -q 'migrate_\|"reload"' "$WORK_DIR/meta.xml"
}

@test "meta-data works as user nobody with no parameters at all" {
  require_root
  command -v setpriv >/dev/null || skip "setpriv is not installed (util-linux)"
  # The agent must be reachable by nobody (a build tree under a private home is not).
  setpriv --reuid nobody --regid nogroup --clear-groups test -x "$OCF_AGENT" ||
    skip "$OCF_AGENT is not executable by nobody"
  run setpriv --reuid nobody --regid nogroup --clear-groups env -i "$OCF_AGENT" meta-data
  [ "$status" -eq 0 ]
  [[ "$output" == *'<resource-agent name="qpidd"'* ]]
}

@test "no action is a usage error (2); unknown and unadvertised actions are unimplemented (3)" {
  run "$AGENT"
  [ "$status" -eq 2 ]
  [[ "$(exit_reason)" == "no action given" ]]
  for action in migrate_to migrate_from reload frobnicate; do
    run "$AGENT" "$action"
    [ "$status" -eq 3 ]
    [[ "$(exit_reason)" == *"'$action' is not implemented"* ]]
  done
}

@test "reload-agent: reloadable parameters apply at the next start; bad ones are refused" {
  run "$AGENT" meta-data
  [[ "$output" == *'<action name="reload-agent"'* ]]
  [[ "$output" == *'<parameter name="extra_options" required="0" reloadable="1">'* ]]
  [[ "$output" == *'<parameter name="port" required="0">'* ]]
  run "$AGENT" start
  [ "$status" -eq 0 ]
  local pid
  pid=$(agent_pid)
  OCF_RESKEY_extra_options="--link-heartbeat-interval 3" run "$AGENT" reload-agent
  [ "$status" -eq 0 ]
  [[ "$output" == *"apply at the broker's next start"* ]]
  # The running broker was left alone.
  [ "$(agent_pid)" = "$pid" ]
  kill -0 "$pid"
  OCF_RESKEY_extra_options="'unbalanced" run "$AGENT" reload-agent
  [ "$status" -eq 6 ]
  [ "$(agent_pid)" = "$pid" ]
}

@test "validate-all accepts good parameters at levels 0 and 10" {
  run "$AGENT" validate-all
  [ "$status" -eq 0 ]
  OCF_CHECK_LEVEL=10 run "$AGENT" validate-all
  [ "$status" -eq 0 ]
}

@test "validate-all: inherently bad values are 6 (not configured), naming what is wrong" {
  for port in 0 70000 abc; do
    OCF_RESKEY_port=$port run "$AGENT" validate-all
    [ "$status" -eq 6 ]
    [[ "$(exit_reason)" == "port '$port' is not a port number (1 to 65535)" ]]
  done
  OCF_RESKEY_brokers_url="node1:99999" run "$AGENT" validate-all
  [ "$status" -eq 6 ]
  [[ "$(exit_reason)" == "brokers_url 'node1:99999': "* ]]
  OCF_RESKEY_extra_options="--log-enable 'debug+" run "$AGENT" validate-all
  [ "$status" -eq 6 ]
  [[ "$(exit_reason)" == "extra_options: unbalanced ' quote" ]]
  OCF_RESKEY_CRM_meta_promoted_max=2 run "$AGENT" validate-all
  [ "$status" -eq 6 ]
  [[ "$(exit_reason)" == "promoted-max is 2: a cluster has one primary; set promoted-max=1"* ]]
}

@test "validate-all level 10: missing binary 5, missing config file 2; level 0 ignores both" {
  OCF_RESKEY_binary=/nonexistent/qpidd run "$AGENT" validate-all
  [ "$status" -eq 0 ]
  OCF_CHECK_LEVEL=10 OCF_RESKEY_binary=/nonexistent/qpidd run "$AGENT" validate-all
  [ "$status" -eq 5 ]
  [[ "$(exit_reason)" == "binary /nonexistent/qpidd is not installed" ]]
  : >"$WORK_DIR/not-executable"
  OCF_CHECK_LEVEL=10 OCF_RESKEY_binary="$WORK_DIR/not-executable" run "$AGENT" validate-all
  [ "$status" -eq 5 ]
  [[ "$(exit_reason)" == *"is not executable" ]]
  OCF_CHECK_LEVEL=10 OCF_RESKEY_config=/nonexistent/qpidd.conf run "$AGENT" validate-all
  [ "$status" -eq 2 ]
  [[ "$(exit_reason)" == "config /nonexistent/qpidd.conf is missing or unreadable" ]]
  # start checks the local host too.
  OCF_RESKEY_binary=/nonexistent/qpidd run "$AGENT" start
  [ "$status" -eq 5 ]
}

@test "start, monitor, promote, demote, stop on a one-broker cluster, each idempotent" {
  run "$AGENT" monitor
  [ "$status" -eq 7 ]
  run "$AGENT" start
  [ "$status" -eq 0 ]
  local pid
  pid=$(agent_pid)
  broker_alive "$pid"
  # The process is our broker, a cluster member started detached in its own session.
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--ha-cluster yes"
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--ha-primary-lost-command"
  [ "$(ps -o sid= -p "$pid" | tr -d ' ')" -eq "$pid" ]
  run "$AGENT" start
  [ "$status" -eq 0 ]
  [ "$(agent_pid)" = "$pid" ]
  run "$AGENT" monitor
  [ "$status" -eq 0 ]
  OCF_CHECK_LEVEL=10 run "$AGENT" monitor
  [ "$status" -eq 0 ]
  # Joining alone in its brokers_url: promotable (a cold start).
  run "$AGENT" promote
  [ "$status" -eq 0 ]
  run "$AGENT" monitor
  [ "$status" -eq 8 ]
  run "$AGENT" promote
  [ "$status" -eq 0 ]
  run "$QPIDD_BUILDDIR/src/tools/qpid-ha" status -b "127.0.0.1:$PORT_A"
  [[ "$output" == active || "$output" == recovering ]]
  # demote restarts the broker as a backup.
  run "$AGENT" demote
  [ "$status" -eq 0 ]
  wait_pid_gone "$pid" 1
  [ "$(agent_pid)" != "$pid" ]
  run "$AGENT" monitor
  [ "$status" -eq 0 ]
  run "$AGENT" demote
  [ "$status" -eq 0 ]
  pid=$(agent_pid)
  run "$AGENT" stop
  [ "$status" -eq 0 ]
  wait_pid_gone "$pid" 1
  run "$AGENT" monitor
  [ "$status" -eq 7 ]
  run "$AGENT" stop
  [ "$status" -eq 0 ]
  # A stopped broker is no primary: demote succeeds (Pacemaker demotes a dead primary first).
  run "$AGENT" demote
  [ "$status" -eq 0 ]
  run "$AGENT" monitor
  [ "$status" -eq 7 ]
}

@test "monitor of a broker that does not answer: 1 for a backup, 9 for a primary" {
  run "$AGENT" start
  [ "$status" -eq 0 ]
  local pid
  pid=$(agent_pid)
  kill -STOP "$pid"
  OCF_RESKEY_CRM_meta_timeout=4000 run "$AGENT" monitor
  kill -CONT "$pid"
  [ "$status" -eq 1 ]
  [[ "$(exit_reason)" == "broker (pid $pid) fails management: "* ]]
  run "$AGENT" promote
  [ "$status" -eq 0 ]
  kill -STOP "$pid"
  OCF_RESKEY_CRM_meta_timeout=4000 run "$AGENT" monitor
  kill -CONT "$pid"
  [ "$status" -eq 9 ]
  [[ "$(exit_reason)" == "primary broker (pid $pid) fails management: "* ]]
  # Stop works whatever the state, even with parameters validate-all refuses.
  OCF_RESKEY_brokers_url="node1:99999" run "$AGENT" stop
  [ "$status" -eq 0 ]
  wait_pid_gone "$pid" 1
}

@test "a broker that exits at start fails start with its last log line as the reason" {
  OCF_RESKEY_extra_options="--no-such-option" run "$AGENT" start
  [ "$status" -eq 1 ]
  [[ "$(exit_reason)" == "broker (pid "*") exited during start"* ]]
  run "$AGENT" monitor
  [ "$status" -eq 7 ]
}

@test "start and stop end within their timeout: a binary that hangs, a process that ignores TERM" {
  cat >"$WORK_DIR/hang" <<'EOF'
#!/bin/sh
trap '' TERM
while :; do sleep 1; done
EOF
  chmod +x "$WORK_DIR/hang"
  export OCF_RESKEY_binary="$WORK_DIR/hang"
  local started=$SECONDS
  OCF_RESKEY_CRM_meta_timeout=5000 run "$AGENT" start
  [ "$status" -eq 1 ]
  [ $((SECONDS - started)) -le 6 ]
  [[ "$(exit_reason)" == *"did not answer management in time"* ]]
  local pid
  pid=$(agent_pid)
  broker_alive "$pid"
  started=$SECONDS
  OCF_RESKEY_CRM_meta_timeout=5000 run "$AGENT" stop
  [ "$status" -eq 0 ]
  [ $((SECONDS - started)) -le 6 ]
  ! broker_alive "$pid"
}

@test "scores: cold start 10, primary 1001, none once stopped; a failing crm_attribute is logged" {
  # The real crm_attribute, with no cluster: logged, not fatal.
  if command -v crm_attribute >/dev/null; then
    run "$AGENT" start
    [ "$status" -eq 0 ]
    [[ "$output" == *"not published (crm_attribute "* ]]
    run "$AGENT" stop
    [ "$status" -eq 0 ]
  fi
  export PATH="$FAKE_BIN:$PATH"
  # The agent's lines go to the cluster log Pacemaker names, tagged with the resource.
  PCMK_logfile="$WORK_DIR/cluster.log" run "$AGENT" start
  [ "$status" -eq 0 ]
  grep -q 'qpidd(qpidd).*started broker (pid [0-9]*) on port' "$WORK_DIR/cluster.log"
  # The primary's score comes from the monitor Pacemaker runs after a promotion.
  run "$AGENT" promote
  [ "$status" -eq 0 ]
  run "$AGENT" monitor
  [ "$status" -eq 8 ]
  run "$AGENT" stop
  [ "$status" -eq 0 ]
  run "$AGENT" monitor
  [ "$status" -eq 7 ]
  run cat "$WORK_DIR/crm_attribute.log"
  [ "${#lines[@]}" -eq 4 ]
  [ "${lines[0]}" = "--promotion=qpidd -l reboot -v 10" ]
  [ "${lines[1]}" = "--promotion=qpidd -l reboot -v 1001" ]
  [ "${lines[2]}" = "--promotion=qpidd -l reboot -D" ]
  [ "${lines[3]}" = "--promotion=qpidd -l reboot -D" ]
}

@test "two members: one cold-start score, a ready backup 1000, the split-brain guard" {
  export PATH="$FAKE_BIN:$PATH"
  PORT_B=$(free_port)
  local url="127.0.0.1:$PORT_A,127.0.0.1:$PORT_B"
  use_broker A "$PORT_A" "$url"
  run "$AGENT" start
  [ "$status" -eq 0 ]
  use_broker B "$PORT_B" "$url"
  OCF_RESOURCE_INSTANCE=qpidd:1 run "$AGENT" start
  [ "$status" -eq 0 ]
  # Both joining: only the first address of brokers_url (A) gets a score.
  run cat "$WORK_DIR/crm_attribute.log"
  [ "${lines[0]}" = "--promotion=qpidd -l reboot -v 10" ]
  [ "${lines[1]}" = "--promotion=qpidd -l reboot -D" ]
  use_broker A "$PORT_A" "$url"
  run "$AGENT" promote
  [ "$status" -eq 0 ]
  # B follows A and becomes ready: promotable, below the primary.
  use_broker B "$PORT_B" "$url"
  local i
  for ((i = 0; i < 150; i++)); do
    OCF_RESOURCE_INSTANCE=qpidd:1 run "$AGENT" monitor
    [ "$status" -eq 0 ]
    [[ "$(tail -n1 "$WORK_DIR/crm_attribute.log")" == *"-v 1000" ]] && break
    sleep 0.2
  done
  [[ "$(tail -n1 "$WORK_DIR/crm_attribute.log")" == "--promotion=qpidd -l reboot -v 1000" ]]
  # Another primary answers on brokers_url: B refuses promotion.
  OCF_RESOURCE_INSTANCE=qpidd:1 run "$AGENT" promote
  [ "$status" -eq 1 ]
  [[ "$(exit_reason)" == "promotion refused: 127.0.0.1:$PORT_A is already primary (active)" ||
     "$(exit_reason)" == "promotion refused: 127.0.0.1:$PORT_A is already primary (recovering)" ]]
}

@test "monitor: 9 for a primary that stopped itself on a fatal HA error (stale primary)" {
  export PATH="$FAKE_BIN:$PATH"
  PORT_B=$(free_port)
  local url="127.0.0.1:$PORT_A,127.0.0.1:$PORT_B" pid_a i
  use_broker A "$PORT_A" "$url"
  run "$AGENT" start
  [ "$status" -eq 0 ]
  run "$AGENT" promote
  [ "$status" -eq 0 ]
  pid_a=$(agent_pid)
  use_broker B "$PORT_B" "$url"
  OCF_RESOURCE_INSTANCE=qpidd:1 run "$AGENT" start
  [ "$status" -eq 0 ]
  for ((i = 0; i < 150; i++)); do
    [ "$("$QPIDD_BUILDDIR/src/tools/qpid-ha" status -b "127.0.0.1:$PORT_B")" = ready ] && break
    sleep 0.2
  done
  # A hangs; B is promoted (A does not answer its probe); A runs again, meets the newer primary
  # and stops itself.
  kill -STOP "$pid_a"
  OCF_RESOURCE_INSTANCE=qpidd:1 run "$AGENT" promote
  kill -CONT "$pid_a"
  [ "$status" -eq 0 ]
  wait_pid_gone "$pid_a" 30
  use_broker A "$PORT_A" "$url"
  run "$AGENT" monitor
  [ "$status" -eq 9 ]
  [[ "$(exit_reason)" == "the primary stopped itself: ha: another primary "* ]]
  [[ "$output" == *"the primary stopped itself: "*"is a stale primary: shutting down"* ]]
  # Once stopped, it is simply not running.
  run "$AGENT" stop
  [ "$status" -eq 0 ]
  run "$AGENT" monitor
  [ "$status" -eq 7 ]
}

@test "primary-lost (the broker's hook) fails the Promoted instance through crm_resource" {
  export PATH="$FAKE_BIN:$PATH"
  # As a backup's broker runs it: the agent's environment at start, plus the hook's variables.
  # node2 is the first Unpromoted node by name: it reports at once.
  QPIDD_HA_PRIMARY_ADDRESS=127.0.0.1:5672 QPIDD_HA_PRIMARY_ID=id-1 QPIDD_HA_BROKER_ID=id-2 \
    OCF_RESOURCE_INSTANCE=qpidd:1 OCF_RESKEY_CRM_meta_on_node=node2 run "$AGENT" primary-lost
  [ "$status" -eq 0 ]
  run cat "$WORK_DIR/crm_resource.log"
  [ "${lines[0]}" = "--locate -r qpidd" ]
  [ "${lines[1]}" = "--fail -r qpidd -N node1" ]
  [ ! -e "$WORK_DIR/crm_failcount.log" ]
  # The dead primary's score was removed first.
  [ "$(tail -n1 "$WORK_DIR/crm_attribute.log")" = "--promotion=qpidd -N node1 -l reboot -D" ]
  # Another node reports after node2's turn, only if Pacemaker counts no failure on node1 yet.
  rm "$WORK_DIR/crm_resource.log"
  FAKE_FAILCOUNT=1 OCF_RESOURCE_INSTANCE=qpidd:2 OCF_RESKEY_CRM_meta_on_node=node3 \
    run "$AGENT" primary-lost
  [ "$status" -eq 0 ]
  [ "$(cat "$WORK_DIR/crm_failcount.log")" = "--query --quiet -r qpidd -N node1" ]
  run cat "$WORK_DIR/crm_resource.log"
  [ "${#lines[@]}" -eq 1 ]
  [ "${lines[0]}" = "--locate -r qpidd" ]
  rm "$WORK_DIR/crm_resource.log"
  FAKE_FAILCOUNT=0 OCF_RESOURCE_INSTANCE=qpidd:2 OCF_RESKEY_CRM_meta_on_node=node3 \
    run "$AGENT" primary-lost
  [ "$status" -eq 0 ]
  run cat "$WORK_DIR/crm_resource.log"
  [ "${lines[1]}" = "--fail -r qpidd -N node1" ]
  # Without a resource name nothing can be told, and it says so.
  OCF_RESOURCE_INSTANCE= run "$AGENT" primary-lost
  [ "$status" -eq 1 ]
  [[ "$(exit_reason)" == "primary-lost: Pacemaker was not told (see the log)" ]]
  [[ "$output" == *"no OCF_RESOURCE_INSTANCE"* ]]
}

@test "crm_resource --force-*: check 7, start 0, check 0, promote 0, check 8, demote 0, stop 0" {
  require_root
  command -v crm_resource >/dev/null || skip "crm_resource is not installed (pacemaker-cli-utils)"
  # crm_resource looks only in its built-in OCF root: show it ours in a private mount namespace.
  unshare --mount --propagation private true 2>/dev/null || skip "cannot make a mount namespace"
  local options=() name
  for name in binary config data_dir port interface log_file brokers_url extra_options; do
    options+=(--option "$name=$(eval echo "\"\$OCF_RESKEY_$name\"")")
  done
  run unshare --mount --propagation private bash -c '
    mount --bind "$1" /usr/lib/ocf || exit 99
    shift
    for action in force-check force-start force-start force-check force-promote force-check \
                  force-demote force-check force-stop force-check force-stop; do
      crm_resource --$action --class ocf --provider qpid --agent qpidd "$@" >/dev/null 2>&1
      printf "%s=%s " "$action" "$?"
    done' _ "$OCF_ROOT" "${options[@]}"
  [ "$status" -eq 0 ]
  local expected="force-check=7 force-start=0 force-start=0 force-check=0 force-promote=0"
  expected+=" force-check=8 force-demote=0 force-check=0 force-stop=0 force-check=7 force-stop=0 "
  [ "$output" = "$expected" ]
}

@test "ocf-tester passes every test but the OCF 1.0 DTD check of the meta-data" {
  require_root
  command -v ocf-tester >/dev/null || skip "ocf-tester is not installed (resource-agents)"
  local options=() name
  for name in binary config data_dir port interface log_file brokers_url extra_options; do
    options+=(-o "$name=$(eval echo "\"\$OCF_RESKEY_$name\"")")
  done
  run ocf-tester -n qpidd "${options[@]}" "$AGENT"
  printf '%s\n' "$output" | grep -v "not published" >&2  # shown if the test fails
  # Its only complaint: OCF 1.1 meta-data cannot be valid against ra-api-1.dtd (OCF 1.0).
  [[ "$output" == *"does not conform to ra-api-1.dtd"* ]]
  [[ "$output" == *"failed 1 tests"* ]]
  [ "$(printf '%s\n' "$output" | grep -c '^\* rc=')" -eq 1 ]
}
