#!/usr/bin/env bats
# qpid-ha (doc/ha-protocol.md 12.2, man/qpid-ha.1): usage errors and the promote refusal without
# a broker; ping against a live qpidd (tests/lib/broker.bash) and against a closed port; the
# commands against a live standalone qpidd; and the output of status, query and promote against
# a fake management node (a Proton Python server answering READ and PROMOTE of `ha-broker` as a
# test tells it), which also records what qpid-ha sent.
#
# The binaries default to the build tree; override with QPID_HA=... and QPIDD=...

load '../lib/broker'

QPID_HA=${QPID_HA:-$BATS_TEST_DIRNAME/../../src/tools/qpid-ha}
PYTHON=/usr/bin/python3

setup() {
  BROKER_PID=
  HELPER_PID=
  FAKE_PIDS=()
  WORK_DIR=$(mktemp -d "${BATS_TMPDIR:-/tmp}/qpid-ha-test.XXXXXX")
}

teardown() {
  local pid
  for pid in "${FAKE_PIDS[@]}" "$HELPER_PID"; do stop_pid "$pid"; done
  stop_broker || true
  rm -rf "$WORK_DIR"
}

require_proton_python() {
  "$PYTHON" -c 'import proton' 2>/dev/null || skip "python3-qpid-proton is not installed"
}

# Starts a fake management node on 127.0.0.1:PORT that answers as the JSON file CONFIG says:
#   {"read": {attributes of ha-broker} or null (every request then gets 404, as from a broker
#    without the HA module), "promote": [statusCode, statusDescription] (default [200, "OK"])}
# It appends "open qpid.ha-admin=<value>" for each connection and "request OPERATION TYPE NAME
# BODY" for each request to $WORK_DIR/fake-PORT.log.
start_fake() {
  local port=$1 config=$2
  cat >"$WORK_DIR/fake.py" <<'EOF'
import json, sys, uuid
from proton import Message, symbol
from proton.handlers import MessagingHandler
from proton.reactor import Container

port, config_path, log_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(config_path) as f:
    config = json.load(f)
log = open(log_path, "a", buffering=1)

class Fake(MessagingHandler):
    def __init__(self):
        super().__init__()
        self.replies = {}

    def on_start(self, event):
        event.container.listen("127.0.0.1:%d" % port)
        print("ready", flush=True)

    def on_connection_opening(self, event):
        properties = event.connection.remote_properties or {}
        log.write("open qpid.ha-admin=%s\n" % properties.get(symbol("qpid.ha-admin")))

    def on_link_opening(self, event):
        link = event.link
        if link.is_sender and link.remote_source.dynamic:
            address = "reply-%s" % uuid.uuid4()
            link.source.address = address
            self.replies[address] = link
        elif link.is_receiver:
            link.target.address = link.remote_target.address

    def on_message(self, event):
        request = event.message
        p = request.properties or {}
        operation, type_, name = p.get("operation"), p.get("type"), p.get("name")
        log.write("request %s %s %s %s\n" % (operation, type_, name, request.body))
        if config.get("read") is None or type_ != "ha-broker":
            code, description, body = 404, "unknown type '%s'" % type_, {}
        elif operation == "READ":
            code, description, body = 200, "OK", config["read"]
        elif operation == "PROMOTE":
            code, description = config.get("promote", [200, "OK"])
            body = {"status": "recovering"} if code == 200 else {}
        else:
            code, description, body = 501, "not implemented", {}
        self.replies[request.reply_to].send(Message(
            correlation_id=request.id, body=body,
            properties={"statusCode": code, "statusDescription": description}))

Container(Fake()).run()
EOF
  # fd 3 is Bats' output channel: a background process holding it makes Bats hang.
  "$PYTHON" "$WORK_DIR/fake.py" "$port" "$config" "$WORK_DIR/fake-$port.log" \
    >"$WORK_DIR/fake-$port.out" 2>&1 3>&- </dev/null &
  FAKE_PIDS+=($!)
  for _ in $(seq 100); do
    grep -q ready "$WORK_DIR/fake-$port.out" 2>/dev/null && return 0
    sleep 0.1
  done
  cat "$WORK_DIR/fake-$port.out"
  return 1
}

# Writes a fake's config: an ha-broker entity with STATUS and BROKERS_URL (and fixed other
# attributes), and PROMOTE's reply as a JSON pair (default [200, "OK"]).
fake_config() {
  local file=$1 status=$2 brokers_url=$3 promote=${4:-'[200, "OK"]'}
  cat >"$file" <<EOF
{"read": {"name": "ha-broker", "identity": "ha-broker", "type": "ha-broker",
          "status": "$status", "brokerId": "9c0d", "address": null,
          "brokersUrl": "$brokers_url", "publicUrl": "10.0.0.100", "replicate": "all",
          "protocol": 1, "epoch": 3, "primary": "5f1c@node1:5672",
          "members": [{"broker-id": "5f1c", "address": "node1:5672", "status": "active"},
                      {"broker-id": "9c0d", "address": "node2:5672", "status": "$status"}],
          "expectedBackups": [], "catchupQueues": 0},
 "promote": $promote}
EOF
}

# Starts a fake on a free port answering with STATUS and BROKERS_URL; sets FAKE (127.0.0.1:PORT).
fake_up() {
  require_proton_python
  local port
  port=$(free_port)
  fake_config "$WORK_DIR/config-$port.json" "$@"
  start_fake "$port" "$WORK_DIR/config-$port.json" || return 1
  FAKE=127.0.0.1:$port
  FAKE_LOG=$WORK_DIR/fake-$port.log
}

# --- help and usage errors (no broker needed) -------------------------------------------------

@test "--help lists the commands, the options and the exit codes" {
  run "$QPID_HA" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"Usage:  qpid-ha <command> [OPTIONS]"* ]]
  for command in ping status query promote help; do
    [[ "$output" == *"  $command "* ]]
  done
  for option in "-b, --broker URL" "--timeout SECONDS" "--expect STATE" "--is-primary" "--all" \
    "--cluster-manager" "-h, --help"; do
    [[ "$output" == *"$option"* ]]
  done
  [[ "$output" == *"Exit codes:"* ]]
}

@test "-h and the help command print the usage too" {
  run "$QPID_HA" -h
  [ "$status" -eq 0 ]
  [[ "$output" == *"Usage:"* ]]
  run "$QPID_HA" help
  [ "$status" -eq 0 ]
  [[ "$output" == *"Usage:"* ]]
  # --help wins over anything else on the line, as long as every option is known.
  run "$QPID_HA" status --all --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"Usage:"* ]]
}

@test "no command is a usage error" {
  run "$QPID_HA"
  [ "$status" -eq 2 ]
  [[ "$output" == *"qpid-ha: no command given"* ]]
  [[ "$output" == *"Try 'qpid-ha --help'"* ]]
}

@test "an unknown command is a usage error naming it" {
  run "$QPID_HA" frobnicate
  [ "$status" -eq 2 ]
  [[ "$output" == *"qpid-ha: unknown command 'frobnicate'"* ]]
  [[ "$output" == *"Try 'qpid-ha --help'"* ]]
}

@test "an unknown option is a usage error naming it" {
  run "$QPID_HA" status --colour
  [ "$status" -eq 2 ]
  [[ "$output" == *"qpid-ha: unknown option '--colour'"* ]]
  [[ "$output" == *"--help"* ]]
  run "$QPID_HA" -x status
  [ "$status" -eq 2 ]
  [[ "$output" == *"qpid-ha: unknown option '-x'"* ]]
}

@test "an option missing its value, or with a bad one, is a usage error" {
  run "$QPID_HA" status --timeout
  [ "$status" -eq 2 ]
  [[ "$output" == *"--timeout needs a value"* ]]
  run "$QPID_HA" --timeout soon ping
  [ "$status" -eq 2 ]
  [[ "$output" == *"invalid --timeout 'soon'"* ]]
  run "$QPID_HA" status --expect actve
  [ "$status" -eq 2 ]
  [[ "$output" == *"invalid --expect 'actve'"* ]]
  run "$QPID_HA" status node1
  [ "$status" -eq 2 ]
  [[ "$output" == *"unexpected argument 'node1' after 'status'"* ]]
}

@test "replicate and replicate-stop need their words, replicas none" {
  run "$QPID_HA" replicate node1
  [ "$status" -eq 2 ]
  [[ "$output" == *"'replicate' needs a source URL and a queue name"* ]]
  run "$QPID_HA" replicate node1 orders extra
  [ "$status" -eq 2 ]
  [[ "$output" == *"unexpected argument 'extra' after 'replicate'"* ]]
  run "$QPID_HA" replicate-stop
  [ "$status" -eq 2 ]
  [[ "$output" == *"'replicate-stop' needs a queue name"* ]]
  run "$QPID_HA" replicas orders
  [ "$status" -eq 2 ]
  [[ "$output" == *"unexpected argument 'orders' after 'replicas'"* ]]
}

@test "an option that does not apply to the command is a usage error" {
  run "$QPID_HA" ping --all
  [ "$status" -eq 2 ]
  [[ "$output" == *"option --all does not apply to 'ping'"* ]]
  run "$QPID_HA" query --expect ready
  [ "$status" -eq 2 ]
  [[ "$output" == *"option --expect does not apply to 'query'"* ]]
  run "$QPID_HA" status --cluster-manager
  [ "$status" -eq 2 ]
  [[ "$output" == *"option --cluster-manager does not apply to 'status'"* ]]
  run "$QPID_HA" status --all --is-primary
  [ "$status" -eq 2 ]
  [[ "$output" == *"option --all cannot be combined with --is-primary"* ]]
}

@test "a malformed broker address is a usage error naming it" {
  run "$QPID_HA" ping -b "127.0.0.1:notaport"
  [ "$status" -eq 2 ]
  [[ "$output" == *"bad broker address '127.0.0.1:notaport'"* ]]
}

@test "promote without --cluster-manager is refused before connecting" {
  # A closed port: were it to connect, the error would be a connection error instead.
  port=$(free_port)
  run "$QPID_HA" promote -b "127.0.0.1:$port"
  [ "$status" -eq 1 ]
  [ "$output" = "qpid-ha: 'promote' is for the cluster manager only; incorrect use breaks the cluster. Use 'promote --cluster-manager'" ]
}

# --- ping ---------------------------------------------------------------------------------------

@test "ping against a closed port exits 1 naming the address and the reason" {
  port=$(free_port)
  run "$QPID_HA" ping -b "127.0.0.1:$port" --timeout 5
  [ "$status" -eq 1 ]
  [[ "$output" == "qpid-ha: 127.0.0.1:$port: "* ]]
  [[ "$output" == *"refused"* ]]
}

@test "ping names every address of an unreachable list" {
  p1=$(free_port)
  p2=$(free_port)
  run "$QPID_HA" ping -b "amqp:tcp:127.0.0.1:$p1,tcp:127.0.0.1:$p2" --timeout 5
  [ "$status" -eq 1 ]
  [[ "$output" == "qpid-ha: 127.0.0.1:$p1: "* ]]
  [[ "$output" == *"; 127.0.0.1:$p2: "* ]]
}

@test "ping against a peer that accepts but never answers is bounded by --timeout" {
  port=$(free_port)
  "$PYTHON" -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5)
print("ready", flush=True)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' "$port" >"$WORK_DIR/silent.out" 3>&- &
  HELPER_PID=$!
  for _ in $(seq 50); do grep -q ready "$WORK_DIR/silent.out" && break; sleep 0.1; done
  start=$(date +%s)
  run "$QPID_HA" ping -b "127.0.0.1:$port" --timeout 1
  elapsed=$(( $(date +%s) - start ))
  [ "$status" -eq 1 ]
  [[ "$output" == "qpid-ha: 127.0.0.1:$port: no answer within 1s"* ]]
  [ "$elapsed" -le 5 ]
}

@test "ping against a standalone broker exits 0 and prints nothing" {
  broker_up
  run "$QPID_HA" ping -b "$BROKER"
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  # Options after the command, a URL form, and a list whose first address is dead.
  dead=$(free_port)
  run "$QPID_HA" ping -b "127.0.0.1:$dead, amqp://127.0.0.1:$PORT" --timeout 5
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}

# --- against a live standalone broker -----------------------------------------------------------
# These need the HA module's `ha-broker` management type (doc/ha-protocol.md 12.1), written at the
# same time as qpid-ha: a broker without it makes them fail with "qpid-ha: HA module is not loaded
# on broker at ...". A broker started without HA options reports `standalone`.

@test "status of a broker started without HA options is standalone (needs type ha-broker)" {
  broker_up
  run "$QPID_HA" status -b "$BROKER"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = "standalone" ]
}

@test "status --expect, --is-primary and --all on a standalone broker (needs type ha-broker)" {
  broker_up
  run "$QPID_HA" status --expect standalone -b "$BROKER"
  echo "$output"
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  run "$QPID_HA" status --expect primary -b "$BROKER"
  [ "$status" -eq 1 ]
  [ -z "$output" ]
  run "$QPID_HA" status --is-primary -b "$BROKER"
  [ "$status" -eq 1 ]
  [ -z "$output" ]
  # No ha-brokers-url: the local line only.
  run "$QPID_HA" status --all -b "$BROKER"
  [ "$status" -eq 0 ]
  [ "$output" = "$BROKER standalone" ]
}

@test "query of a standalone broker (needs type ha-broker)" {
  broker_up
  run "$QPID_HA" query -b "$BROKER"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "Status:              standalone" ]]
  [[ "${lines[1]}" == "Broker ID:           "?* ]]
  [[ "$output" == *"Brokers URL:"* ]]
  [[ "$output" == *"Members:"* ]]
}

@test "promote --cluster-manager on a standalone broker is refused (needs type ha-broker)" {
  broker_up
  run "$QPID_HA" promote --cluster-manager -b "$BROKER"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == "qpid-ha: "* ]]
  [[ "$output" != *"HA module is not loaded"* ]]
}

# --- against a fake management node -------------------------------------------------------------

@test "status prints the status word; every connection is an HA admin connection" {
  fake_up ready ""
  run "$QPID_HA" status -b "$FAKE"
  [ "$status" -eq 0 ]
  [ "$output" = "ready" ]
  grep -qx "open qpid.ha-admin=True" "$FAKE_LOG"
  grep -qx "request READ ha-broker ha-broker {}" "$FAKE_LOG"
  [ -z "$(grep '^open ' "$FAKE_LOG" | grep -vx 'open qpid.ha-admin=True')" ]
}

@test "a broker without type ha-broker: HA module is not loaded" {
  require_proton_python
  port=$(free_port)
  echo '{"read": null}' >"$WORK_DIR/none.json"
  start_fake "$port" "$WORK_DIR/none.json"
  for command in status query "promote --cluster-manager" "status --expect ready"; do
    run "$QPID_HA" $command -b "127.0.0.1:$port"
    [ "$status" -eq 1 ]
    [ "$output" = "qpid-ha: HA module is not loaded on broker at 127.0.0.1:$port" ]
  done
}

@test "status --expect matches exactly; primary matches recovering and active" {
  fake_up recovering ""
  run "$QPID_HA" status --expect recovering -b "$FAKE"
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  run "$QPID_HA" status --expect active -b "$FAKE"
  [ "$status" -eq 1 ]
  [ -z "$output" ]
  run "$QPID_HA" status --expect primary -b "$FAKE"
  [ "$status" -eq 0 ]
  run "$QPID_HA" status --expect ready -b "$FAKE"
  [ "$status" -eq 1 ]
}

@test "status --is-primary: 0 on recovering and active, 1 otherwise; it wins over --expect" {
  fake_up active ""
  run "$QPID_HA" status --is-primary -b "$FAKE"
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  run "$QPID_HA" status --is-primary --expect ready -b "$FAKE"
  [ "$status" -eq 0 ]
  stop_pid "${FAKE_PIDS[0]}"
  fake_up catchup ""
  run "$QPID_HA" status --is-primary -b "$FAKE"
  [ "$status" -eq 1 ]
  [ -z "$output" ]
  run "$QPID_HA" --expect catchup status --is-primary -b "$FAKE"
  [ "$status" -eq 1 ]
}

@test "status --all: a line per broker of brokersUrl, errors included, exit 0" {
  require_proton_python
  local p1 p2 dead
  p1=$(free_port)
  p2=$(free_port)
  dead=$(free_port)
  url="127.0.0.1:$p1, 127.0.0.1:$dead,127.0.0.1:$p2"
  fake_config "$WORK_DIR/a.json" active "$url"
  fake_config "$WORK_DIR/b.json" ready "$url"
  start_fake "$p1" "$WORK_DIR/a.json"
  start_fake "$p2" "$WORK_DIR/b.json"
  run "$QPID_HA" status --all -b "127.0.0.1:$p2" --timeout 5
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 3 ]
  [ "${lines[0]}" = "127.0.0.1:$p1 active" ]
  [[ "${lines[1]}" == "127.0.0.1:$dead error: "*refused* ]]
  [ "${lines[2]}" = "127.0.0.1:$p2 ready" ]
}

@test "status --all with no brokersUrl prints the local line" {
  fake_up joining ""
  run "$QPID_HA" status --all -b "$FAKE"
  [ "$status" -eq 0 ]
  [ "$output" = "$FAKE joining" ]
}

@test "query prints the attributes as %-20s lines; null is empty" {
  fake_up ready "node1,node2"
  run "$QPID_HA" query -b "$FAKE"
  [ "$status" -eq 0 ]
  [ "${#lines[@]}" -eq 9 ]
  [ "${lines[0]}" = "Status:              ready" ]
  [ "${lines[1]}" = "Broker ID:           9c0d" ]
  # A null address prints as "%-20s %s" with an empty value: 20 columns and one space.
  [ "${lines[2]}" = "Address:             " ]
  [ "${lines[3]}" = "Brokers URL:         node1,node2" ]
  [ "${lines[4]}" = "Public URL:          10.0.0.100" ]
  [ "${lines[5]}" = "Replicate:           all" ]
  [ "${lines[6]}" = "Epoch:               3" ]
  [ "${lines[7]}" = "Primary:             5f1c@node1:5672" ]
  [ "${lines[8]}" = "Members:             5f1c@node1:5672(active), 9c0d@node2:5672(ready)" ]
}

@test "query --all: a block per broker, blank-line separated, an unreachable one as an error" {
  require_proton_python
  local p1 dead
  p1=$(free_port)
  dead=$(free_port)
  fake_config "$WORK_DIR/a.json" active "127.0.0.1:$p1,127.0.0.1:$dead"
  start_fake "$p1" "$WORK_DIR/a.json"
  run "$QPID_HA" query --all -b "127.0.0.1:$p1" --timeout 5
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(printf '%s\n' "$output" | sed -n 1p)" = "Status:              active" ]
  [ "$(printf '%s\n' "$output" | sed -n 10p)" = "" ]
  [[ "$(printf '%s\n' "$output" | sed -n 11p)" == "127.0.0.1:$dead error: "*refused* ]]
}

@test "promote --cluster-manager: no output on success; a refusal prints its description" {
  fake_up ready ""
  run "$QPID_HA" promote --cluster-manager -b "$FAKE"
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  grep -qx "request PROMOTE ha-broker ha-broker {}" "$FAKE_LOG"
  stop_pid "${FAKE_PIDS[0]}"
  fake_up catchup "" '[409, "still catching up, cannot be promoted"]'
  run "$QPID_HA" --cluster-manager promote -b "$FAKE"
  [ "$status" -eq 1 ]
  [ "$output" = "qpid-ha: still catching up, cannot be promoted" ]
}
